// Every optimizer x option set against PyTorch 1.13 trajectories
// (test/fixtures/make_optim_fixtures.py). The gradient is a function of the
// current parameters, g = p·C1 + p·p·p·C2 + noise[t], evaluated in float32 in
// the generator's order, so each step feeds back the optimizer's own result.
// Tolerance: |actual − expected| ≤ 1e-5·|expected| + 1e-6 at every step.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { optim, parameter, tensor, memoryStats, type Tensor } from "../../src/index.js";

interface Case {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  groups?: Record<string, unknown>[];
  lookahead?: { k: number; alpha: number };
  sign: number;
  trajectory: number[][];
}
const fx = JSON.parse(readFileSync(new URL("../fixtures/optim.json", import.meta.url), "utf8")) as {
  steps: number; c1: number; c2: number; noneSteps: number[]; lrChangeStep: number; lrFactor: number;
  shapes: { W: number[]; b: number[] }; init: { W: number[]; b: number[] }; noise: number[][]; cases: Case[];
};

const RTOL = 1e-5;
const ATOL = 1e-6;
const f = Math.fround;

/** The generator's gradient, operation by operation in float32. */
function gradOf(p: Float32Array, noise: number[], offset: number, sign: number): Float32Array {
  const g = new Float32Array(p.length);
  const c1 = sign * fx.c1, c2 = sign * fx.c2;
  for (let i = 0; i < p.length; i++) {
    const x = p[i];
    g[i] = f(f(f(x * c1) + f(f(f(x * x) * x) * c2)) + noise[offset + i]);
  }
  return g;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOptimizer = any;

export function makeOptimizer(c: Case, W: Tensor, b: Tensor): AnyOptimizer {
  const groups = c.groups ?? [{}, {}];
  const paramGroups = [{ params: [W], ...groups[0] }, { params: [b], ...groups[1] }];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ctor = (optim as any)[c.optimizer];
  const inner = new ctor(paramGroups, c.options);
  return c.lookahead ? new optim.Lookahead(inner, c.lookahead) : inner;
}

export function runSteps(
  opt: AnyOptimizer, W: Tensor, b: Tensor, from: number, to: number, sign: number, onStep?: (t: number) => void,
): void {
  for (let t = from; t < to; t++) {
    if (t === fx.lrChangeStep) for (const g of opt.paramGroups) g.lr = g.lr * fx.lrFactor;
    const noise = fx.noise[t];
    W.grad?.dispose();
    b.grad?.dispose();
    W.grad = tensor(gradOf(W.data, noise, 0, sign), W.shape);
    b.grad = fx.noneSteps.includes(t) ? null : tensor(gradOf(b.data, noise, W.size, sign), b.shape);
    opt.step();
    onStep?.(t);
  }
}

export function freshParams(): [Tensor, Tensor] {
  return [parameter(fx.init.W, fx.shapes.W), parameter(fx.init.b, fx.shapes.b)];
}

export { fx };

describe("optimizers follow PyTorch 1.13 trajectories", () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const before = memoryStats().liveTensors;
      const [W, b] = freshParams();
      const opt = makeOptimizer(c, W, b);
      let worst = 0;
      runSteps(opt, W, b, 0, fx.steps, c.sign, (t) => {
        const actual = [...W.data, ...b.data];
        const expected = c.trajectory[t];
        for (let i = 0; i < expected.length; i++) {
          const err = Math.abs(actual[i] - expected[i]);
          const allowed = RTOL * Math.abs(expected[i]) + ATOL;
          if (!(err <= allowed)) {
            throw new Error(`${c.name}: step ${t}, element ${i}: got ${actual[i]}, PyTorch ${expected[i]} (error ${err}, allowed ${allowed})`);
          }
          worst = Math.max(worst, err / allowed);
        }
      });
      expect(worst).toBeLessThanOrEqual(1);
      W.grad?.dispose();
      b.grad?.dispose();
      opt.dispose();
      W.dispose();
      b.dispose();
      expect(memoryStats().liveTensors).toBe(before);
    });
  }
});
