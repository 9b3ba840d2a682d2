// Linear on [*, in] (1-D and ≥3-D inputs, leading dimensions kept) against
// PyTorch 1.13 (test/fixtures/make_nn_fixtures.py "linearNd"): output, loss,
// weight/bias gradients and the input's gradient in its own shape.
import { describe, expect, it } from "vitest";
import { memoryStats, nn, parameter, tensor, zeros } from "../../src/index.js";
import fixtures from "../fixtures/nn.json" with { type: "json" };

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, abs: number, rel: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= abs + rel * Math.abs(want[i]))) throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]} (error ${err})`);
  }
}

describe("Linear on [*, in]", () => {
  for (const c of fixtures.linearNd.cases) {
    it(`input ${JSON.stringify(c.x.shape)} → ${JSON.stringify(c.output.shape)}, gradients flow back in the input's shape`, () => {
      const l = new nn.Linear(4, 3);
      l.loadStateDict(fixtures.linearNd.state);
      const x = parameter(c.x.data, c.x.shape);
      const y = l.forward(x);
      expect(y.shape).toEqual(c.output.shape);
      expectClose(y.data, c.output.data, 1e-6, 1e-5, "output");
      const target = tensor(c.target, c.output.shape);
      const loss = new nn.MSELoss({ reduction: "sum" }).forward(y, target);
      expectClose([loss.item()], [c.loss], 1e-6, 1e-5, "loss");
      loss.backward();
      expectClose(l.weight.grad!.data, c.grads.weight, 2e-6, 1e-4, "weight grad");
      expectClose(l.bias!.grad!.data, c.grads.bias, 2e-6, 1e-4, "bias grad");
      expect(x.grad!.shape).toEqual(c.x.shape);
      expectClose(x.grad!.data, c.xGrad, 2e-6, 1e-4, "input grad");
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

describe("BatchNorm1d on [N, C, L] matches PyTorch (statistics over N and L per channel)", () => {
  const f = fixtures.batchnormNCL;
  it("training output, loss, weight/bias/input gradients, running statistics, then eval output", () => {
    const bn = new nn.BatchNorm1d(3);
    bn.loadStateDict(f.state);
    const x = parameter(f.x, [4, 3, 5]);
    const target = tensor(f.target, [4, 3, 5]);
    const y = bn.forward(x);
    expect(y.shape).toEqual([4, 3, 5]);
    expectClose(y.data, f.output, 1e-6, 1e-5, "output");
    const loss = new nn.MSELoss({ reduction: "sum" }).forward(y, target);
    expectClose([loss.item()], [f.loss], 1e-6, 1e-5, "loss");
    loss.backward();
    expectClose(bn.weight!.grad!.data, f.grads.weight, 2e-6, 1e-4, "weight grad");
    expectClose(bn.bias!.grad!.data, f.grads.bias, 2e-6, 1e-4, "bias grad");
    expectClose(x.grad!.data, f.xGrad, 2e-6, 1e-4, "input grad");
    const sd = bn.stateDict();
    for (const k of ["running_mean", "running_var", "num_batches_tracked"]) {
      expectClose(sd[k].data, f.after[k as keyof typeof f.after].data, 1e-6, 1e-5, k);
    }
    bn.eval();
    const probe = tensor(f.probe, [2, 3, 5]);
    expectClose(bn.forward(probe).data, f.evalOutput, 1e-6, 1e-5, "eval output");
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
