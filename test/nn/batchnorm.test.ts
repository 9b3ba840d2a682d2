// BatchNorm1d against PyTorch 1.13: options (momentum null, affine false,
// trackRunningStats false, eps), outputs, gradients, running statistics,
// eval mode, [N, C, L] inputs, state-dict keys, one-row training batches.
// Against PyTorch 1.13 (test/fixtures/generate.py).
// Tolerance: relative 1e-5 + absolute 2e-6 (float32 kernels).
import { describe, expect, it } from "vitest";
import { nn, parameter, tensor, zeros, memoryStats, Tensor } from "../../src/index.js";
import { loadFixture } from "../helpers/fixture.js";
import { expectClose } from "../helpers/close.js";
import fixtures from "../fixtures/nn.json" with { type: "json" };

const f = loadFixture("nn.json").modules;
const TOL = { rtol: 1e-5, atol: 2e-6 }; // float32 kernels against PyTorch
const arange = (n: number) => Array.from({ length: n }, (_, i) => i);

/** backward() of Σ y·coef: MSELoss(sum) of y against y − coef/2 has gradient coef with respect to y. */
function backwardWeighted(y: Tensor, coef: number[]): void {
  const target = tensor(Array.from(y.toArray()).map((v, i) => v - coef[i] / 2), y.shape);
  new nn.MSELoss({ reduction: "sum" }).forward(y, target).backward();
}

const BN_OPTIONS: Record<string, string> = { momentum: "momentum", affine: "affine", track_running_stats: "trackRunningStats", eps: "eps" };

describe("BatchNorm1d against PyTorch 1.13", () => {
  for (const c of f.bn.cases) {
    const options = Object.fromEntries(Object.entries(c.opts as Record<string, unknown>).map(([k, v]) => [BN_OPTIONS[k], v]));
    it(JSON.stringify(options), () => {
      const m = new nn.BatchNorm1d(3, options);
      if (m.weight) {
        m.weight.data.set([0.5, 1.5, -1.0]);
        m.bias!.data.set([0.1, -0.2, 0.3]);
      }
      c.steps.forEach((s: { y: number[]; gx: number[]; gw: number[] | null; gb: number[] | null }, i: number) => {
        const x = parameter(f.bn.xs[i], [5, 3]);
        const y = m.forward(x);
        expectClose(y.toArray(), s.y, { ...TOL, what: `batch ${i} output` });
        backwardWeighted(y, arange(15));
        expectClose(x.grad!.toArray(), s.gx, { ...TOL, what: `batch ${i} input gradient` });
        if (m.weight) {
          expectClose(m.weight.grad!.toArray(), s.gw!, { ...TOL, what: `batch ${i} weight gradient` });
          expectClose(m.bias!.grad!.toArray(), s.gb!, { ...TOL, what: `batch ${i} bias gradient` });
          m.weight.grad = null;
          m.bias!.grad = null;
        }
      });
      m.eval();
      const one = () => m.forward(tensor(f.bn.xs[0].slice(0, 3), [1, 3]));
      if (c.evalBatch1Err) expect(one).toThrow(/more than 1 value per channel/);
      else expect(one).not.toThrow();
      expectClose(m.forward(tensor(f.bn.xs[0].slice(0, 6), [2, 3])).toArray(), c.evalBatch1, { ...TOL, what: "eval output" });
      m.train();
      const x3 = parameter(f.bn.x3, [4, 3, 2]);
      const y3 = m.forward(x3);
      expectClose(y3.toArray(), c.y3, { ...TOL, what: "[N, C, L] output" });
      backwardWeighted(y3, arange(24));
      expectClose(x3.grad!.toArray(), c.gx3, { ...TOL, what: "[N, C, L] input gradient" });
      const sd = m.stateDict();
      expect(Object.keys(sd)).toEqual(c.keys);
      for (const k of c.keys) expectClose(sd[k].toArray(), c.sd[k], { ...TOL, what: `state ${k}` });
      expect(() => m.forward(tensor(f.bn.xs[0].slice(0, 3), [1, 3]))).toThrow(/Expected more than 1 value per channel when training/i);
      expect(() => m.forward(tensor([1, 2, 3], [1, 3, 1]))).toThrow(/Expected more than 1 value per channel when training/i);
    });
  }
});

// Linear on [*, in] (1-D and ≥3-D inputs, leading dimensions kept) against
// PyTorch 1.13 (test/fixtures/generate.py "linearNd"): output, loss,
// weight/bias gradients and the input's gradient in its own shape.
describe("BatchNorm1d on [N, C, L] matches PyTorch (statistics over N and L per channel)", () => {
  const f = fixtures.batchnormNCL;
  it("training output, loss, weight/bias/input gradients, running statistics, then eval output", () => {
    const bn = new nn.BatchNorm1d(3);
    bn.loadStateDict(f.state);
    const x = parameter(f.x, [4, 3, 5]);
    const target = tensor(f.target, [4, 3, 5]);
    const y = bn.forward(x);
    expect(y.shape).toEqual([4, 3, 5]);
    expectClose(y.data, f.output, { atol: 1e-6, rtol: 1e-5, what: "output" });
    const loss = new nn.MSELoss({ reduction: "sum" }).forward(y, target);
    expectClose([loss.item()], [f.loss], { atol: 1e-6, rtol: 1e-5, what: "loss" });
    loss.backward();
    expectClose(bn.weight!.grad!.data, f.grads.weight, { atol: 2e-6, rtol: 1e-4, what: "weight grad" });
    expectClose(bn.bias!.grad!.data, f.grads.bias, { atol: 2e-6, rtol: 1e-4, what: "bias grad" });
    expectClose(x.grad!.data, f.xGrad, { atol: 2e-6, rtol: 1e-4, what: "input grad" });
    const sd = bn.stateDict();
    for (const k of ["running_mean", "running_var", "num_batches_tracked"]) {
      expectClose(sd[k].data, f.after[k as keyof typeof f.after].data, { atol: 1e-6, rtol: 1e-5, what: k });
    }
    bn.eval();
    const probe = tensor(f.probe, [2, 3, 5]);
    expectClose(bn.forward(probe).data, f.evalOutput, { atol: 1e-6, rtol: 1e-5, what: "eval output" });
    for (const t of [...Object.values(sd), x, target, probe]) t.dispose();
    bn.dispose();
  });

  it("trains without allocating after warm-up; 4-D input and one value per channel are refused", () => {
    const bn = new nn.BatchNorm1d(3);
    const x = parameter(Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i)), [2, 3, 4]);
    const target = zeros([2, 3, 4]);
    const mse = new nn.MSELoss();
    let mark = 0;
    for (let i = 0; i < 5; i++) {
      x.grad = null;
      mse.forward(bn.forward(x), target).backward();
      if (i === 1) mark = memoryStats().allocatedBytes;
      if (i > 1) expect(memoryStats().allocatedBytes).toBe(mark);
    }
    const x4 = zeros([2, 3, 4, 1]);
    expect(() => bn.forward(x4)).toThrow(/BatchNorm1d\(3\): expected a 2-D or 3-D input/);
    const one = zeros([1, 3, 1]);
    expect(() => bn.forward(one)).toThrow("BatchNorm1d(3): expected more than 1 value per channel when training, got input size [1, 3, 1]");
    for (const t of [x, target, x4, one]) t.dispose();
    bn.dispose();
  });
});

// BatchNorm1d's running statistics against PyTorch (test/fixtures/generate.py):
// float32 throughout, within 1e-5 relative + 1e-6 absolute.
describe("BatchNorm1d running statistics match PyTorch after several training batches", () => {
  for (const c of fixtures.batchnorm) {
    it(`momentum ${c.momentum}`, () => {
      const bn = new nn.BatchNorm1d(5, { momentum: c.momentum });
      bn.loadStateDict(c.state);
      for (const b of c.batches) {
        const x = tensor(b, [7, 5]);
        bn.forward(x);
        x.dispose();
      }
      const sd = bn.stateDict();
      for (const k of ["running_mean", "running_var", "num_batches_tracked"]) {
        expectClose(sd[k].data, c.after[k as keyof typeof c.after].data, { atol: 1e-6, rtol: 1e-5, what: k });
      }
      bn.eval();
      const probe = tensor(c.probe, [3, 5]);
      expectClose(bn.forward(probe).data, c.evalOutput, { atol: 1e-6, rtol: 1e-5, what: "eval output" });
      for (const t of Object.values(sd)) t.dispose();
      probe.dispose();
      bn.dispose();
    });
  }
});
