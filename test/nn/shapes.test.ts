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
