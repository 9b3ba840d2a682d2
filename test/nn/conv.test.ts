// nn.Conv2d / nn.Conv1d and F.conv2d / F.conv1d against PyTorch 1.13
// (test/fixtures/generators/conv.py): forward, input, weight and bias
// gradients over strides, paddings ('same', 'valid', pairs), dilations,
// groups, odd sizes and unbatched inputs; PyTorch's messages for bad input
// with nothing changed; default initialisation, fans and repr.
import { describe, expect, it } from "vitest";
import { init, manualSeed, memoryStats, nn, tensor, zeros } from "../../src/index.js";
import { conv1d, conv2d } from "../../src/nn/conv_functional.js";
import fixtures from "../fixtures/conv.json" with { type: "json" };
import { dot, load, type Packed } from "../helpers/conv.js";
import { expectClose } from "../helpers/close.js";

interface ConvCase {
  name: string;
  dims: 1 | 2;
  options: { kernelSize: number | number[]; stride: number | number[]; padding: number | number[] | string; dilation: number | number[]; groups: number; bias: boolean };
  inChannels: number;
  outChannels: number;
  x: Packed; weight: Packed; bias: Packed | null; y: Packed;
  dy: number[]; dx: number[]; dweight: number[]; dbias: number[] | null;
}

const RTOL = 1e-5, ATOL = 1e-5;

describe("Conv2d and Conv1d match PyTorch 1.13: forward and both backward passes", () => {
  for (const c of fixtures.conv as ConvCase[]) {
    it(`${c.name} (module; rtol ${RTOL}, atol ${ATOL})`, () => {
      const { kernelSize, bias, ...rest } = c.options;
      const Cls = c.dims === 2 ? nn.Conv2d : nn.Conv1d;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const m = new Cls(c.inChannels, c.outChannels, kernelSize as any, { ...(rest as any), bias });
      expect(m.weight.shape).toEqual(c.weight.shape);
      m.weight.data.set(c.weight.data);
      if (c.bias) m.bias!.data.set(c.bias.data);
      const x = load(c.x);
      x.requiresGrad = true;
      const y = m.forward(x);
      expect(y.shape).toEqual(c.y.shape);
      expectClose(y.data, c.y.data, { rtol: RTOL, atol: ATOL, what: `${c.name} y` });
      dot(y, c.dy).backward();
      expectClose(x.grad!.data, c.dx, { rtol: RTOL, atol: ATOL, what: `${c.name} dx` });
      expectClose(m.weight.grad!.data, c.dweight, { rtol: RTOL, atol: ATOL, what: `${c.name} dweight` });
      if (c.dbias) expectClose(m.bias!.grad!.data, c.dbias, { rtol: RTOL, atol: ATOL, what: `${c.name} dbias` });
      else expect(m.bias).toBeNull();
    });
    it(`${c.name} (functional, gradients accumulate over two backward passes)`, () => {
      const { kernelSize: _k, bias: _b, ...opts } = c.options;
      const x = load(c.x), w = load(c.weight), b = c.bias ? load(c.bias) : null;
      for (const t of [x, w, b]) if (t) t.requiresGrad = true;
      const f = c.dims === 2 ? conv2d : conv1d;
      for (let pass = 0; pass < 2; pass++) {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const y = f(x, w, b, opts as any);
        expectClose(y.data, c.y.data, { rtol: RTOL, atol: ATOL, what: `${c.name} functional y` });
        dot(y, c.dy).backward();
      }
      expectClose(x.grad!.data, c.dx.map((v) => 2 * v), { rtol: RTOL, atol: 2 * ATOL, what: `${c.name} dx accumulated` });
      expectClose(w.grad!.data, c.dweight.map((v) => 2 * v), { rtol: RTOL, atol: 2 * ATOL, what: `${c.name} dweight accumulated` });
      if (b) expectClose(b.grad!.data, c.dbias!.map((v) => 2 * v), { rtol: RTOL, atol: 2 * ATOL, what: `${c.name} dbias accumulated` });
    });
  }

  it("a plain input gets no gradient, and without any parameter needing one nothing is recorded", () => {
    const m = new nn.Conv2d(2, 3, 3);
    const x = tensor(new Float32Array(2 * 2 * 5 * 5).fill(1), [2, 2, 5, 5]);
    dot(m.forward(x), new Float32Array(2 * 3 * 9).fill(1)).backward();
    expect(x.grad).toBeNull();
    expect(m.weight.grad).not.toBeNull();
    for (const p of m.parameters()) p.requiresGrad = false;
    expect(m.forward(x).gradFn).toBeNull();
  });
});

const errors = Object.fromEntries(fixtures.errors.map((e) => [e.name, e.message]));

describe("bad input: PyTorch's messages, and nothing changed", () => {
  // Each case builds its inputs, then returns the call that must throw.
  const cases: [string, () => () => unknown][] = [
    ["wrong channel count", () => { const m = new nn.Conv2d(1, 32, 3), x = zeros([64, 3, 28, 28]); return () => m.forward(x); }],
    ["wrong channel count, groups 2", () => { const m = new nn.Conv2d(4, 8, 3, { groups: 2 }), x = zeros([2, 6, 8, 8]); return () => m.forward(x); }],
    ["kernel larger than the padded input", () => { const m = new nn.Conv2d(1, 2, 5, { padding: 1 }), x = zeros([1, 1, 2, 3]); return () => m.forward(x); }],
    ["conv2d on a 2-D input", () => { const m = new nn.Conv2d(1, 2, 3), x = zeros([5, 5]); return () => m.forward(x); }],
    ["conv2d on a 5-D input", () => { const m = new nn.Conv2d(1, 2, 3), x = zeros([1, 1, 1, 5, 5]); return () => m.forward(x); }],
    ["conv1d on a 4-D input", () => { const m = new nn.Conv1d(1, 2, 3), x = zeros([1, 1, 5, 5]); return () => m.forward(x); }],
    ["stride 0", () => { const x = zeros([1, 1, 5, 5]), w = zeros([1, 1, 3, 3]); return () => conv2d(x, w, null, { stride: 0 }); }],
    ["negative padding", () => { const x = zeros([1, 1, 5, 5]), w = zeros([1, 1, 3, 3]); return () => conv2d(x, w, null, { padding: -1 }); }],
    ["dilation 0", () => { const x = zeros([1, 1, 5, 5]), w = zeros([1, 1, 3, 3]); return () => conv2d(x, w, null, { dilation: 0 }); }],
    ["groups not dividing in channels", () => () => new nn.Conv2d(3, 4, 3, { groups: 2 })],
    ["groups not dividing out channels", () => () => new nn.Conv2d(4, 3, 3, { groups: 2 })],
    ["groups 0", () => () => new nn.Conv2d(4, 4, 3, { groups: 0 })],
    ["same with stride", () => () => new nn.Conv2d(1, 1, 3, { stride: 2, padding: "same" })],
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    ["unknown padding string", () => () => new nn.Conv2d(1, 1, 3, { padding: "full" as any })],
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    ["padding mode", () => () => new nn.Conv2d(1, 1, 3, { paddingMode: "mirror" as any })],
  ];
  for (const [name, prepare] of cases) {
    it(`${name}: "${errors[name]}"`, () => {
      const call = prepare();
      const before = memoryStats();
      expect(call).toThrow(errors[name]);
      expect(memoryStats().allocatedBytes).toBe(before.allocatedBytes);
    });
  }
  it("a failed forward leaves the parameters and their gradients untouched", () => {
    const m = new nn.Conv2d(1, 2, 3);
    const w = m.weight.toArray();
    expect(() => m.forward(zeros([1, 2, 5, 5]))).toThrow(RangeError);
    expect(m.weight.toArray()).toEqual(w);
    expect(m.weight.grad).toBeNull();
  });
});

describe("paddingMode 'reflect', 'replicate' and 'circular' match PyTorch 1.13 (the input padded as F.pad does, then an unpadded convolution)", () => {
  for (const c of (fixtures as unknown as { convPaddingModes: (ConvCase & { repr: string })[] }).convPaddingModes) {
    it(`${c.name}: forward, input, weight and bias gradients (rtol ${RTOL}, atol ${ATOL}) and repr`, () => {
      const { kernelSize, bias, ...rest } = c.options;
      const Cls = c.dims === 2 ? nn.Conv2d : nn.Conv1d;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const m = new Cls(c.inChannels, c.outChannels, kernelSize as any, { ...(rest as any), bias });
      expect(m.toString()).toBe(c.repr);
      m.weight.data.set(c.weight.data);
      if (c.bias) m.bias!.data.set(c.bias.data);
      const x = load(c.x);
      x.requiresGrad = true;
      const y = m.forward(x);
      expect(y.shape).toEqual(c.y.shape);
      expectClose(y.data, c.y.data, { rtol: RTOL, atol: ATOL, what: `${c.name} y` });
      dot(y, c.dy).backward();
      expectClose(x.grad!.data, c.dx, { rtol: RTOL, atol: ATOL, what: `${c.name} dx` });
      expectClose(m.weight.grad!.data, c.dweight, { rtol: RTOL, atol: ATOL, what: `${c.name} dweight` });
      if (c.dbias) expectClose(m.bias!.grad!.data, c.dbias, { rtol: RTOL, atol: ATOL, what: `${c.name} dbias` });
    });
  }
  const cases: [string, () => () => unknown][] = [
    ["reflect padding not less than the input", () => { const m = new nn.Conv2d(1, 1, 3, { padding: 3, paddingMode: "reflect" }), x = zeros([1, 1, 3, 5]); return () => m.forward(x); }],
    ["circular padding wrapping twice", () => { const m = new nn.Conv2d(1, 1, 3, { padding: [1, 4], paddingMode: "circular" }), x = zeros([1, 1, 5, 3]); return () => m.forward(x); }],
    ["wrong channel count", () => { const m = new nn.Conv2d(1, 32, 3, { paddingMode: "replicate" }), x = zeros([64, 3, 28, 28]); return () => m.forward(x); }],
  ];
  for (const [name, prepare] of cases) {
    it(`${name}: "${errors[name]}", nothing allocated`, () => {
      const call = prepare();
      const before = memoryStats();
      expect(call).toThrow(errors[name]);
      expect(memoryStats().allocatedBytes).toBe(before.allocatedBytes);
    });
  }
});

describe("initialisation, fans, state dict and repr as PyTorch", () => {
  it("weights and biases are U(-1/sqrt(fanIn), 1/sqrt(fanIn)) (kaiming_uniform a=sqrt(5)), fanIn = in/groups * kh * kw", () => {
    manualSeed(3);
    const m = new nn.Conv2d(8, 64, [3, 5], { groups: 2 });
    const bound = 1 / Math.sqrt(4 * 15);
    const w = m.weight.data;
    let max = 0, sumSq = 0;
    for (const v of w) {
      max = Math.max(max, Math.abs(v));
      sumSq += v * v;
    }
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(0.97 * bound);
    // Variance of U(-b, b) is b^2/3: within 10% over 3840 draws.
    expect(sumSq / w.length / (bound * bound / 3)).toBeGreaterThan(0.9);
    expect(sumSq / w.length / (bound * bound / 3)).toBeLessThan(1.1);
    expect(Math.max(...m.bias!.data.map(Math.abs))).toBeLessThanOrEqual(bound);
  });
  it("calculateFanInAndFanOut on conv weights gives PyTorch's fans", () => {
    for (const f of fixtures.fans) expect(init.calculateFanInAndFanOut(zeros(f.shape))).toEqual([f.fanIn, f.fanOut]);
  });
  it("init.dirac on a conv weight with equal channels makes the convolution the identity", () => {
    const m = new nn.Conv2d(3, 3, 3, { padding: 1, bias: false });
    init.dirac(m.weight);
    const xs = Float32Array.from({ length: 2 * 3 * 5 * 4 }, (_, i) => Math.sin(i));
    expectClose(m.forward(tensor(xs, [2, 3, 5, 4])).data, xs, { rtol: 0, atol: 0, what: "dirac identity" });
    const g = new nn.Conv2d(4, 4, 3, { padding: 1, bias: false, groups: 2 });
    init.dirac(g.weight, { groups: 2 });
    const x4 = Float32Array.from({ length: 4 * 3 * 3 }, (_, i) => Math.cos(i));
    expectClose(g.forward(tensor(x4, [4, 3, 3])).data, x4, { rtol: 0, atol: 0, what: "dirac groups identity" });
  });
  it("init.kaimingNormal and init.orthogonal accept conv weights", () => {
    const m = new nn.Conv2d(16, 32, 3);
    init.kaimingNormal(m.weight, { nonlinearity: "relu" });
    let s = 0;
    for (const v of m.weight.data) s += v * v;
    expect(s / m.weight.size / (2 / (16 * 9))).toBeGreaterThan(0.9);
    expect(s / m.weight.size / (2 / (16 * 9))).toBeLessThan(1.1);
    init.orthogonal(m.weight);
    // Rows of the [32, 144] flattening are orthonormal.
    const w = m.weight.data;
    for (const [a, b] of [[0, 0], [0, 1], [5, 31]]) {
      let d = 0;
      for (let k = 0; k < 144; k++) d += w[a * 144 + k] * w[b * 144 + k];
      expect(d).toBeCloseTo(a === b ? 1 : 0, 4);
    }
  });
  it("state-dict keys and shapes, and PyTorch's repr", () => {
    const m = new nn.Conv2d(1, 32, 3);
    expect(Object.keys(m.stateDict())).toEqual(["weight", "bias"]);
    expect(m.toString()).toBe("Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))");
    expect(new nn.Conv2d(4, 8, [3, 1], { stride: 2, padding: [1, 0], dilation: 2, groups: 4, bias: false }).toString()).toBe(
      "Conv2d(4, 8, kernel_size=(3, 1), stride=(2, 2), padding=(1, 0), dilation=(2, 2), groups=4, bias=False)",
    );
    expect(new nn.Conv1d(2, 2, 3, { padding: "same" }).toString()).toBe("Conv1d(2, 2, kernel_size=(3,), stride=(1,), padding=same)");
  });
  it("a steady training loop allocates nothing new once warm", () => {
    const m = new nn.Conv2d(2, 4, 3, { padding: 1 });
    const x = tensor(new Float32Array(2 * 2 * 6 * 6).fill(0.5), [2, 2, 6, 6]);
    const dy = new Float32Array(2 * 4 * 36).fill(1);
    const step = () => {
      const y = m.forward(x);
      const loss = dot(y, dy);
      loss.backward();
      y.dispose();
      loss.dispose();
    };
    step();
    const before = memoryStats().allocatedBytes;
    for (let i = 0; i < 5; i++) step();
    expect(memoryStats().allocatedBytes).toBe(before);
  });
});

