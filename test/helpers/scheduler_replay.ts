// Shared by the scheduler fixture tests (test/optim/lr_scheduler.test.ts): stand-in optimizers holding PyTorch's
// param-group defaults, schedulers built from the fixtures' specs (named
// functions mapped to their test twins), and the float64 comparison's relative
// tolerance 1e-12 (both sides compute by the same formulas; only libm's cos,
// pow and log may differ by an ulp between V8 and glibc).
import { optim } from "../../src/index.js";

const { lrScheduler: S, swa } = optim;
export type Scheduler = optim.lrScheduler.Scheduler;
export type Group = { lr: number; [key: string]: unknown };
export type FakeOptimizer = { paramGroups: Group[] };
export interface Spec {
  type: string;
  options: Record<string, unknown>;
}

export const RTOL = 1e-12;

/** The test twins of the fixture generators' named functions. */
export const LAMBDAS: Record<string, (x: number) => number> = {
  exp95: (e) => 0.95 ** e,
  warmup5: (e) => Math.min(1, (e + 1) / 5),
  halfEvery10: (e) => 0.5 ** Math.floor(e / 10),
  mult98: () => 0.98,
  multEvery3: (e) => (e % 3 === 0 ? 0.9 : 1),
  cycleDecay: (x) => 0.8 ** (x - 1),
  iterDecay: (x) => 1 / (1 + 0.05 * x),
};

/** Param groups as PyTorch 1.13's SGD(momentum 0.9), Adam, RMSprop and Adagrad hold them. */
export function makeOptimizer(kind: "sgd" | "adam" | "rmsprop" | "adagrad", groups: Record<string, number>[]): FakeOptimizer {
  const defaults = (): Record<string, unknown> =>
    kind === "sgd"
      ? { momentum: 0.9, dampening: 0 }
      : kind === "adam"
        ? { betas: [0.9, 0.999], eps: 1e-8 }
        : kind === "rmsprop"
          ? { momentum: 0, alpha: 0.99 }
          : { lrDecay: 0 };
  return { paramGroups: groups.map((g) => ({ ...defaults(), ...g, params: [] }) as unknown as Group) };
}

export function makeScheduler(opt: FakeOptimizer, spec: Spec): Scheduler {
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec.options)) {
    if (k === "lrLambda" || k === "scaleFn") options[k] = Array.isArray(v) ? v.map((n) => LAMBDAS[n]) : LAMBDAS[v as string];
    else if (k === "schedulers") options[k] = (v as Spec[]).map((s) => makeScheduler(opt, s));
    else options[k] = v;
  }
  const ctor = (spec.type === "SWALR" ? swa.SWALR : (S as unknown as Record<string, unknown>)[spec.type]) as new (o: unknown, x: unknown) => Scheduler;
  return new ctor(opt, options);
}

/** The momentum a scheduler cycles: SGD/RMSprop's momentum or Adam's beta1; null where the group has neither. */
export function momentumOf(g: Group): number | null {
  if (Array.isArray(g.betas)) return g.betas[0] as number;
  return typeof g.momentum === "number" ? g.momentum : null;
}
