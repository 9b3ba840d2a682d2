// Linear on [*, in] (1-D and ≥3-D inputs, leading dimensions kept) against
// PyTorch 1.13 (test/fixtures/generate.py "linearNd"): output, loss,
// weight/bias gradients and the input's gradient in its own shape.
import { describe, expect, it } from "vitest";
import { manualSeed, memoryStats, nn, parameter, tensor, zeros, optim, type Tensor } from "../../src/index.js";
import fixtures from "../fixtures/nn.json" with { type: "json" };
import { expectClose } from "../helpers/close.js";
import { loadFixture } from "../helpers/fixture.js";

describe("Linear on [*, in]", () => {
  for (const c of fixtures.linearNd.cases) {
    it(`input ${JSON.stringify(c.x.shape)} → ${JSON.stringify(c.output.shape)}, gradients flow back in the input's shape`, () => {
      const l = new nn.Linear(4, 3);
      l.loadStateDict(fixtures.linearNd.state);
      const x = parameter(c.x.data, c.x.shape);
      const y = l.forward(x);
      expect(y.shape).toEqual(c.output.shape);
      expectClose(y.data, c.output.data, { atol: 1e-6, rtol: 1e-5, what: "output" });
      const target = tensor(c.target, c.output.shape);
      const loss = new nn.MSELoss({ reduction: "sum" }).forward(y, target);
      expectClose([loss.item()], [c.loss], { atol: 1e-6, rtol: 1e-5, what: "loss" });
      loss.backward();
      expectClose(l.weight.grad!.data, c.grads.weight, { atol: 2e-6, rtol: 1e-4, what: "weight grad" });
      expectClose(l.bias!.grad!.data, c.grads.bias, { atol: 2e-6, rtol: 1e-4, what: "bias grad" });
      expect(x.grad!.shape).toEqual(c.x.shape);
      expectClose(x.grad!.data, c.xGrad, { atol: 2e-6, rtol: 1e-4, what: "input grad" });
      l.dispose();
      x.dispose();
      target.dispose();
    });
  }

  it("a 3-D input inside a Sequential trains without allocating after warm-up", () => {
    const model = new nn.Sequential(new nn.Linear(4, 6), new nn.GELU(), new nn.LayerNorm(6), new nn.Linear(6, 2));
    const x = tensor(Array.from({ length: 3 * 5 * 4 }, (_, i) => Math.cos(i)), [3, 5, 4]);
    const target = zeros([3, 5, 2]);
    const mse = new nn.MSELoss();
    let mark = 0;
    for (let i = 0; i < 5; i++) {
      model.zeroGrad();
      const out = model.forward(x);
      expect(out.shape).toEqual([3, 5, 2]);
      mse.forward(out, target).backward();
      if (i === 1) mark = memoryStats().allocatedBytes;
      if (i > 1) expect(memoryStats().allocatedBytes).toBe(mark);
    }
    model.dispose();
    x.dispose();
    target.dispose();
  });

  it("0-D input and a wrong last dimension are refused", () => {
    const l = new nn.Linear(4, 3);
    const s = tensor([1], []);
    expect(() => l.forward(s)).toThrow("Linear(4, 3): expected an input [*, 4], got shape []");
    const x = zeros([2, 3, 5]);
    expect(() => l.forward(x)).toThrow("Linear(4, 3): expected input with 4 features, got 5");
    l.dispose();
    s.dispose();
    x.dispose();
  });
});

// Linear forward and backward at sizes that exercise the GEMM tails, against
// PyTorch 1.13 (test/fixtures/generate.py). Tolerance: relative 2e-5 with an
// absolute floor 1e-6 (float32 dot products of up to 257 terms, summation
// order differs).
// The fixture holds each array's first elements and the sum of all absolute values.
interface LinearCase {
  batch: number;
  inFeatures: number;
  outFeatures: number;
  loss: number;
  y: number[];
  yAbsSum: number;
  gradWeight: number[];
  gradWeightAbsSum: number;
  gradBias: number[];
  gradInput: number[];
  gradInputAbsSum: number;
}
const fx = { linear: loadFixture("nn.json").linearTails as LinearCase[] };


describe("Linear forward and backward at GEMM tail sizes", () => {
  const absSum = (t: Tensor) => t.toArray().reduce((s, v) => s + Math.abs(v), 0);
  for (const c of fx.linear) {
    it(`batch ${c.batch}, Linear(${c.inFeatures}, ${c.outFeatures})`, () => {
      const { batch: b, inFeatures: i, outFeatures: o } = c;
      const layer = new nn.Linear(i, o);
      layer.weight.data.set(Array.from({ length: o * i }, (_, k) => Math.sin(0.37 * k) / Math.sqrt(i)));
      layer.bias!.data.set(Array.from({ length: o }, (_, k) => Math.cos(0.5 * k)));
      const x = parameter(Array.from({ length: b * i }, (_, k) => Math.cos(0.11 * k + 0.3)), [b, i]);
      const y = layer.forward(x);
      expectClose(y.toArray().subarray(0, c.y.length), c.y, { rtol: 2e-5, atol: 1e-6, what: "output" });
      expectClose([absSum(y)], [c.yAbsSum], { rtol: 2e-5, atol: 0, what: "output |sum|" });
      const target = tensor(Array.from({ length: b * o }, (_, k) => Math.sin(0.23 * k)), [b, o]);
      const loss = new nn.MSELoss().forward(y, target);
      expectClose([loss.item()], [c.loss], { rtol: 2e-5, atol: 0, what: "loss" });
      loss.backward();
      expectClose(layer.weight.grad!.toArray().subarray(0, c.gradWeight.length), c.gradWeight, { rtol: 2e-5, atol: 1e-6, what: "weight grad" });
      expectClose([absSum(layer.weight.grad!)], [c.gradWeightAbsSum], { rtol: 2e-5, atol: 0, what: "weight grad |sum|" });
      expectClose(layer.bias!.grad!.toArray().subarray(0, c.gradBias.length), c.gradBias, { rtol: 2e-5, atol: 1e-6, what: "bias grad" });
      expectClose(x.grad!.toArray().subarray(0, c.gradInput.length), c.gradInput, { rtol: 2e-5, atol: 1e-6, what: "input grad" });
      expectClose([absSum(x.grad!)], [c.gradInputAbsSum], { rtol: 2e-5, atol: 0, what: "input grad |sum|" });
    });
  }
});

describe("Linear's initialisation", () => {
  it("Linear's init is reproducible from the seed", () => {
    manualSeed(42);
    const a = new nn.Linear(5, 4);
    manualSeed(42);
    const b = new nn.Linear(5, 4);
    expect(Array.from(a.weight.data)).toEqual(Array.from(b.weight.data));
    expect(Array.from(a.bias!.data)).toEqual(Array.from(b.bias!.data));
    a.dispose();
    b.dispose();
  });
});
