// Audit: scheduler cases the area fixtures did not pin (resuming with
// lastEpoch, step() mixed with step(epoch), unusual combinations), against
// PyTorch 1.13 (test/fixtures/audit.json, make_audit_fixtures.py). Relative
// tolerance 1e-12: both sides compute in float64 by the same formulas; only
// libm (cos, pow) may differ by an ulp.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { optim } from "../../src/index.js";
import { expectClose, makeOptimizer, makeScheduler, momentumOf, type Spec } from "../optim/scheduler_replay.js";

const { lrScheduler: S } = optim;
interface Case {
  name: string;
  optimizer: "sgd" | "adam" | "rmsprop";
  groups: Record<string, number>[];
  schedulers: Spec[];
  steps: number;
  metrics?: (number | "NaN")[];
  epochs?: (number | null)[];
  expected: { lr: number[][]; momentum: (number | null)[][]; lastLr: (number[] | null)[] };
}

const fixtures = JSON.parse(readFileSync(new URL("../fixtures/audit.json", import.meta.url), "utf8")) as {
  schedulers: Case[];
  schedulerErrors: Record<string, { type: string; message: string }>;
};

describe("audit: lr schedulers in combinations the area fixtures do not cover (PyTorch 1.13, rtol 1e-12)", () => {
  for (const c of fixtures.schedulers) {
    it(c.name, () => {
      const opt = makeOptimizer(c.optimizer, c.groups);
      const scheds = c.schedulers.map((s) => makeScheduler(opt, s));
      const last = scheds[scheds.length - 1];
      const check = (k: number) => {
        expectClose(opt.paramGroups.map((g) => g.lr), c.expected.lr[k], `lr after step ${k}`);
        expectClose(opt.paramGroups.map(momentumOf), c.expected.momentum[k], `momentum after step ${k}`);
        const lastLr = c.expected.lastLr[k];
        if (lastLr) expectClose(last.getLastLr(), lastLr, `getLastLr() after step ${k}`);
      };
      check(0);
      for (let k = 1; k <= c.steps; k++) {
        for (const s of scheds) {
          const epoch = c.epochs?.[k - 1];
          if (s instanceof S.ReduceLROnPlateau) s.step(Number(c.metrics![k - 1]));
          else if (epoch !== undefined && epoch !== null) (s as optim.lrScheduler.LRScheduler).step(epoch);
          else (s as unknown as { step(): void }).step();
        }
        check(k);
      }
    });
  }
});

describe("audit: scheduler errors PyTorch 1.13 raises", () => {
  it("ConstantLR with factor 0 cannot divide the lr back at totalIters: a clear RangeError, and nothing changes (PyTorch: ZeroDivisionError)", () => {
    expect(fixtures.schedulerErrors.constantFactorZero.type).toBe("ZeroDivisionError");
    const opt = makeOptimizer("sgd", [{ lr: 0.1 }, { lr: 0.2 }]);
    const s = new S.ConstantLR(opt, { factor: 0, totalIters: 2 });
    s.step();
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0, 0]);
    const before = JSON.stringify({ opt, s: s.stateDict() });
    expect(() => s.step()).toThrow(RangeError);
    expect(() => s.step()).toThrow(/factor 0/);
    expect(JSON.stringify({ opt, s: s.stateDict() })).toBe(before);
    expect(s.getLastLr()).toEqual([0, 0]);
    s.step(2); // the closed form needs no division
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.2]);
  });

  it("LinearLR and PolynomialLR with totalIters 0: step(epoch) (the closed form divides by totalIters) throws and changes nothing", () => {
    for (const kind of ["LinearLR", "PolynomialLR"] as const) {
      expect(fixtures.schedulerErrors[`closedFormTotalItersZero${kind}`].type).toBe("ZeroDivisionError");
      const opt = makeOptimizer("sgd", [{ lr: 0.1 }]);
      const s = kind === "LinearLR" ? new S.LinearLR(opt, { startFactor: 0.5, totalIters: 0 }) : new S.PolynomialLR(opt, { totalIters: 0 });
      const before = JSON.stringify({ opt, s: s.stateDict() });
      expect(() => s.step(3)).toThrow(RangeError);
      expect(() => s.step(3)).toThrow(/totalIters 0/);
      expect(JSON.stringify({ opt, s: s.stateDict() })).toBe(before);
    }
  });

  it("CyclicLR with cycleMomentum on an optimizer without momentum (Adam) throws PyTorch 1.13's error and changes nothing", () => {
    const opt = makeOptimizer("adam", [{ lr: 0.1 }]);
    const before = JSON.stringify(opt);
    const message = fixtures.schedulerErrors.cyclicAdam.message.replace("cycle_momentum", "cycleMomentum");
    expect(() => new S.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1 })).toThrow(message);
    expect(JSON.stringify(opt)).toBe(before);
    new S.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, cycleMomentum: false });
    expect(opt.paramGroups[0].betas).toEqual([0.9, 0.999]);
  });

  it("OneCycleLR on an optimizer with neither momentum nor betas throws PyTorch 1.13's message", () => {
    const opt = { paramGroups: [{ lr: 0.1, lrDecay: 0 }] };
    const message = fixtures.schedulerErrors.oneCycleAdagrad.message.replace("cycle_momentum", "cycleMomentum");
    expect(() => new S.OneCycleLR(opt, { maxLr: 0.1, totalSteps: 5 })).toThrow(message);
    expect(opt.paramGroups).toEqual([{ lr: 0.1, lrDecay: 0 }]);
  });
});
