// Activation modules (ReLU, LeakyReLU, Tanh, Sigmoid, GELU exact and tanh):
// values, derivatives and options against PyTorch 1.13.
import { describe, expect, it } from "vitest";
import { nn, parameter, tensor, zeros, type Tensor } from "../../src/index.js";
import { expectClose } from "../helpers/close.js";
import { loadFixture } from "../helpers/fixture.js";

describe("GELU({ approximate: 'tanh' })", () => {
  it("PyTorch's values: gelu_tanh(1) = 0.8411920, its derivative 1.0829641; the exact form is the default", () => {
    const g = new nn.GELU({ approximate: "tanh" });
    expect(g.describe()).toBe("GELU(approximate='tanh')");
    expect(new nn.GELU().approximate).toBe("none");
    const x = parameter([1, -2, 0.5]);
    const y = g.forward(x);
    expect(y.data[0]).toBeCloseTo(0.841192, 6);
    const loss = new nn.MSELoss({ reduction: "sum" }).forward(y, tensor([0, 0, 0]));
    loss.backward();
    // d/dx Σ y² = 2·y·y′
    expect(x.grad!.data[0] / (2 * y.data[0])).toBeCloseTo(1.0829641, 5);
    expect(() => new nn.GELU({ approximate: "fast" as "tanh" })).toThrow(`GELU: approximate must be 'none' or 'tanh', got "fast"`);
    x.dispose();
  });
});

// Against PyTorch 1.13 (test/fixtures/generate.py).
// Tolerance: relative 1e-5 + absolute 2e-6 (float32 kernels).
const f = loadFixture("nn.json").modules;
const TOL = { rtol: 1e-5, atol: 2e-6 }; // float32 kernels against PyTorch

/** backward() of Σ y·coef: MSELoss(sum) of y against y − coef/2 has gradient coef with respect to y. */
function backwardWeighted(y: Tensor, coef: number[]): void {
  const target = tensor(Array.from(y.toArray()).map((v, i) => v - coef[i] / 2), y.shape);
  new nn.MSELoss({ reduction: "sum" }).forward(y, target).backward();
}

describe("activations against PyTorch 1.13", () => {
  const make: Record<string, () => nn.Module> = {
    gelu: () => new nn.GELU(), gelu_tanh: () => new nn.GELU({ approximate: "tanh" }), lrelu: () => new nn.LeakyReLU(),
    lrelu02: () => new nn.LeakyReLU({ negativeSlope: 0.2 }), relu: () => new nn.ReLU(), tanh: () => new nn.Tanh(), sigmoid: () => new nn.Sigmoid(),
  };
  for (const [name, c] of Object.entries(f.act.cases as Record<string, { y: number[]; g: number[] }>)) {
    it(name, () => {
      const x = parameter(f.act.x, [8]);
      const y = make[name]().forward(x);
      expectClose(y.toArray(), c.y, { ...TOL, what: "output" });
      backwardWeighted(y, new Array(8).fill(1));
      expectClose(x.grad!.toArray(), c.g, { ...TOL, what: "gradient" });
    });
  }
});
