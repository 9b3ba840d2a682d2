// LayerNorm against PyTorch 1.13: normalized shapes, eps, elementwiseAffine.
// Against PyTorch 1.13 (test/fixtures/generate.py).
// Tolerance: relative 1e-5 + absolute 2e-6 (float32 kernels).
import { describe, expect, it } from "vitest";
import { nn, parameter, tensor, zeros, type Tensor } from "../../src/index.js";
import { loadFixture } from "../helpers/fixture.js";
import { expectClose } from "../helpers/close.js";

const f = loadFixture("nn.json").modules;
const TOL = { rtol: 1e-5, atol: 2e-6 }; // float32 kernels against PyTorch
const arange = (n: number) => Array.from({ length: n }, (_, i) => i);

/** backward() of Σ y·coef: MSELoss(sum) of y against y − coef/2 has gradient coef with respect to y. */
function backwardWeighted(y: Tensor, coef: number[]): void {
  const target = tensor(Array.from(y.toArray()).map((v, i) => v - coef[i] / 2), y.shape);
  new nn.MSELoss({ reduction: "sum" }).forward(y, target).backward();
}

describe("LayerNorm against PyTorch 1.13", () => {
  const linspace = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1)));
  for (const c of f.ln.cases) {
    const options: Record<string, unknown> = {};
    if ("elementwise_affine" in c.opts) options.elementwiseAffine = c.opts.elementwise_affine;
    if ("eps" in c.opts) options.eps = c.opts.eps;
    it(`${JSON.stringify(c.shape)} ${JSON.stringify(options)}`, () => {
      const m = new nn.LayerNorm(c.shape, options);
      if (m.weight) {
        m.weight.data.set(linspace(-1, 2, m.weight.size));
        m.bias!.data.set(linspace(0.5, -0.5, m.bias!.size));
      }
      const x = parameter(f.ln.x, [2, 3, 4]);
      const y = m.forward(x);
      expectClose(y.toArray(), c.y, { ...TOL, what: "output" });
      backwardWeighted(y, arange(24));
      expectClose(x.grad!.toArray(), c.gx, { ...TOL, what: "input gradient" });
      if (m.weight) {
        expectClose(m.weight.grad!.toArray(), c.gw, { ...TOL, what: "weight gradient" });
        expectClose(m.bias!.grad!.toArray(), c.gb, { ...TOL, what: "bias gradient" });
      }
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
    });
  }
});
