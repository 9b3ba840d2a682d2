// nn.BatchNorm2d, nn.InstanceNorm1d/2d and nn.GroupNorm against PyTorch 1.13
// (test/fixtures/generators/conv.py): three training forwards (outputs and
// running statistics), the input and parameter gradients of the last, and an
// eval forward; PyTorch's messages for bad input; state-dict keys and repr.
import { describe, expect, it } from "vitest";
import { memoryStats, nn, tensor, zeros, type Tensor } from "../../src/index.js";
import { batchNorm, groupNorm, instanceNorm } from "../../src/nn/conv_functional.js";
import fixtures from "../fixtures/conv.json" with { type: "json" };
import { dot, type Packed } from "../helpers/conv.js";
import { expectClose } from "../helpers/close.js";

interface NormCase {
  name: string; shape: number[]; initial: Record<string, Packed>; xs: number[][]; ys: number[][]; dy: number[]; dx: number[];
  grads: Record<string, number[]>; stateAfter: Record<string, Packed>; evalX: number[]; evalY: number[];
}

const make: Record<string, () => nn.Module> = {
  "BatchNorm2d": () => new nn.BatchNorm2d(3),
  "BatchNorm2d momentum None no affine": () => new nn.BatchNorm2d(3, { momentum: null, affine: false }),
  "BatchNorm2d no running stats": () => new nn.BatchNorm2d(2, { trackRunningStats: false }),
  "InstanceNorm2d": () => new nn.InstanceNorm2d(3),
  "InstanceNorm2d affine tracked": () => new nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true }),
  "InstanceNorm1d": () => new nn.InstanceNorm1d(4, { affine: true }),
  "InstanceNorm1d unbatched tracked": () => new nn.InstanceNorm1d(4, { trackRunningStats: true }),
  "GroupNorm": () => new nn.GroupNorm(2, 6),
  "GroupNorm one group no affine": () => new nn.GroupNorm(1, 4, { affine: false, eps: 1e-3 }),
  "GroupNorm on [N, C]": () => new nn.GroupNorm(2, 8),
};

const RTOL = 1e-5, ATOL = 2e-5;

describe("normalisation layers match PyTorch 1.13 (rtol 1e-5, atol 2e-5)", () => {
  for (const c of fixtures.norms as NormCase[]) {
    it(`${c.name}: training outputs, running statistics, gradients, eval output, state-dict keys`, () => {
      const m = make[c.name]();
      expect(Object.keys(m.stateDict()).sort()).toEqual(Object.keys(c.initial).sort());
      m.loadStateDict(c.initial);
      let x: Tensor | null = null, y: Tensor | null = null;
      c.xs.forEach((xs, i) => {
        x = tensor(xs, c.shape);
        x.requiresGrad = true;
        y = m.forward(x);
        expectClose(y.data, c.ys[i], { rtol: RTOL, atol: ATOL, what: `${c.name} y[${i}]` });
      });
      dot(y!, c.dy).backward();
      expectClose(x!.grad!.data, c.dx, { rtol: RTOL, atol: ATOL, what: `${c.name} dx` });
      for (const [k, p] of m.namedParameters()) expectClose(p.grad!.data, c.grads[k], { rtol: RTOL, atol: ATOL, what: `${c.name} d${k}` });
      const after = m.stateDict();
      for (const [k, v] of Object.entries(c.stateAfter)) expectClose((after[k] as Tensor).data, v.data, { rtol: RTOL, atol: ATOL, what: `${c.name} ${k}` });
      m.eval();
      expectClose(m.forward(tensor(c.evalX, c.shape)).data, c.evalY, { rtol: RTOL, atol: ATOL, what: `${c.name} eval` });
    });
  }
  it("functional forms agree with the modules (batchNorm, instanceNorm, groupNorm)", () => {
    const xs = Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => Math.sin(i * 1.3) * 2);
    const x = tensor(xs, [2, 3, 4, 5]);
    const rm = zeros([3]), rv = tensor([1, 1, 1]);
    const bn = new nn.BatchNorm2d(3);
    expectClose(batchNorm(x, rm, rv, { training: true }).data, bn.forward(x).data, { rtol: 0, atol: 1e-6, what: "batchNorm" });
    expectClose(rm.data, bn.runningMean!.data, { rtol: 0, atol: 1e-7, what: "running mean" });
    expectClose(instanceNorm(x).data, new nn.InstanceNorm2d(3).forward(x).data, { rtol: 0, atol: 1e-6, what: "instanceNorm" });
    expectClose(groupNorm(x, 3).data, instanceNorm(x).data, { rtol: 0, atol: 1e-6, what: "groupNorm with one channel per group is instanceNorm" });
  });
});

const errors = Object.fromEntries(fixtures.errors.map((e) => [e.name, e.message]));

describe("bad input: PyTorch's messages, nothing changed", () => {
  const cases: [string, () => () => unknown][] = [
    ["batchnorm2d on 3-D input", () => { const m = new nn.BatchNorm2d(3), x = zeros([3, 4, 4]); return () => m.forward(x); }],
    ["batchnorm2d wrong channels", () => { const m = new nn.BatchNorm2d(3), x = zeros([2, 4, 4, 4]); return () => m.forward(x); }],
    ["groupnorm groups not dividing", () => () => new nn.GroupNorm(4, 6)],
    ["groupnorm wrong channels", () => { const m = new nn.GroupNorm(2, 6), x = zeros([2, 4, 3, 3]); return () => m.forward(x); }],
    ["instancenorm2d on 2-D input", () => { const m = new nn.InstanceNorm2d(3), x = zeros([3, 4]); return () => m.forward(x); }],
  ];
  for (const [name, prepare] of cases) {
    it(`${name}: "${errors[name]}"`, () => {
      const call = prepare();
      const before = memoryStats().allocatedBytes;
      expect(call).toThrow(errors[name]);
      expect(memoryStats().allocatedBytes).toBe(before);
    });
  }
  it("a NaN input to BatchNorm2d in training throws before the running statistics change", () => {
    const m = new nn.BatchNorm2d(2);
    const x = tensor(new Float32Array(2 * 2 * 3 * 3).fill(1), [2, 2, 3, 3]);
    x.data[7] = NaN;
    expect(() => m.forward(x)).toThrow("input contains NaN at [0, 0, 2, 1]");
    expect([...m.runningMean!.data, ...m.runningVar!.data, m.numBatchesTracked!.data[0]]).toEqual([0, 0, 1, 1, 0]);
  });
});

describe("repr as PyTorch", () => {
  it("BatchNorm2d, InstanceNorm2d, GroupNorm", () => {
    expect(new nn.BatchNorm2d(3).toString()).toBe("BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
    expect(new nn.InstanceNorm2d(3).toString()).toBe("InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)");
    expect(new nn.GroupNorm(2, 6).toString()).toBe("GroupNorm(2, 6, eps=1e-05, affine=True)");
  });
});
