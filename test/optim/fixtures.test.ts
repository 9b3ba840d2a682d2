// Every optimizer x option set against PyTorch 1.13 trajectories
// (test/fixtures/make_optim_fixtures.py). The gradient is a function of the
// current parameters, g = p·(s·C1) + p·p·p·(s·C2) + noise[t], evaluated in
// float32 in the generator's order, so each step feeds back the optimizer's
// own result. Tolerance: |actual − expected| ≤ 1e-5·|expected| + 1e-6 at every step.
import { describe, expect, it } from "vitest";
import { memoryStats } from "../../src/index.js";
import { freshParams, fx, makeOptimizer, runSteps } from "./helpers.js";

const RTOL = 1e-5;
const ATOL = 1e-6;

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
