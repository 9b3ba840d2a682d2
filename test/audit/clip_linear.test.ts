// Audit: clipGradNorm / clipGradValue edge cases (maxNorm 0 and negative,
// normType 1, 'inf', 3, parameters without gradients, clipValue 0 and
// negative) and Linear forward/backward at sizes that exercise the GEMM
// tails, against PyTorch 1.13 (test/fixtures/audit.json). Tolerances:
// clipping relative 1e-6 (float32, one scale); Linear relative 2e-5 with an
// absolute floor 1e-6 (float32 dot products of up to 257 terms, summation
// order differs).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nn, optim, parameter, tensor, type Tensor } from "../../src/index.js";

interface NormCase {
  maxNorm: number;
  normType: number | "inf";
  grads: (number[] | null)[];
  total: number;
  clipped: (number[] | null)[];
}
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
const fx = JSON.parse(readFileSync(new URL("../fixtures/audit.json", import.meta.url), "utf8")) as {
  clip: { norm: NormCase[]; value: { clipValue: number; grads: number[]; clipped: number[] }[] };
  linear: LinearCase[];
};

function expectClose(got: ArrayLike<number>, want: number[], rtol: number, atol: number, what: string): void {
  want.forEach((w, i) => {
    if (!(Math.abs(got[i] - w) <= rtol * Math.abs(w) + atol)) expect.fail(`${what}[${i}]: got ${got[i]}, PyTorch ${w}`);
  });
}

describe("audit: gradient clipping edge cases", () => {
  for (const c of fx.clip.norm) {
    it(`clipGradNorm maxNorm ${c.maxNorm}, normType ${c.normType}`, () => {
      const ps = c.grads.map((g) => {
        const p = parameter(g ? g.map(() => 0) : [0, 0]);
        p.grad = g ? tensor(g) : null;
        return p;
      });
      const total = optim.clipGradNorm(ps, c.maxNorm, { normType: c.normType });
      expectClose([total], [c.total], 1e-6, 0, "total");
      ps.forEach((p, i) => {
        const want = c.clipped[i];
        if (want === null) expect(p.grad).toBeNull();
        else expectClose(p.grad!.toArray(), want, 1e-6, 1e-7, `grad ${i}`);
      });
    });
  }
  for (const c of fx.clip.value) {
    it(`clipGradValue ${c.clipValue}`, () => {
      const p = parameter(c.grads.map(() => 0));
      p.grad = tensor(c.grads);
      optim.clipGradValue([p], c.clipValue);
      expect(Array.from(p.grad.toArray())).toEqual(c.clipped);
    });
  }
});

describe("audit: Linear forward and backward at GEMM tail sizes", () => {
  const absSum = (t: Tensor) => t.toArray().reduce((s, v) => s + Math.abs(v), 0);
  for (const c of fx.linear) {
    it(`batch ${c.batch}, Linear(${c.inFeatures}, ${c.outFeatures})`, () => {
      const { batch: b, inFeatures: i, outFeatures: o } = c;
      const layer = new nn.Linear(i, o);
      layer.weight.data.set(Array.from({ length: o * i }, (_, k) => Math.sin(0.37 * k) / Math.sqrt(i)));
      layer.bias!.data.set(Array.from({ length: o }, (_, k) => Math.cos(0.5 * k)));
      const x = parameter(Array.from({ length: b * i }, (_, k) => Math.cos(0.11 * k + 0.3)), [b, i]);
      const y = layer.forward(x);
      expectClose(y.toArray(), c.y, 2e-5, 1e-6, "output");
      expectClose([absSum(y)], [c.yAbsSum], 2e-5, 0, "output |sum|");
      const target = tensor(Array.from({ length: b * o }, (_, k) => Math.sin(0.23 * k)), [b, o]);
      const loss = new nn.MSELoss().forward(y, target);
      expectClose([loss.item()], [c.loss], 2e-5, 0, "loss");
      loss.backward();
      expectClose(layer.weight.grad!.toArray(), c.gradWeight, 2e-5, 1e-6, "weight grad");
      expectClose([absSum(layer.weight.grad!)], [c.gradWeightAbsSum], 2e-5, 0, "weight grad |sum|");
      expectClose(layer.bias!.grad!.toArray(), c.gradBias, 2e-5, 1e-6, "bias grad");
      expectClose(x.grad!.toArray(), c.gradInput, 2e-5, 1e-6, "input grad");
      expectClose([absSum(x.grad!)], [c.gradInputAbsSum], 2e-5, 0, "input grad |sum|");
    });
  }
});
