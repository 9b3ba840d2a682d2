// The update rules' declarations in one table (API.md's table of options):
// PyTorch 1.13's defaults in its constructors' order (the order of state-dict
// groups and of "valid: …" in messages), each option's check in the order
// PyTorch runs them (its message: "Invalid <snake_case name> value: …", or
// the kind's own, see rule.ts), the scalar state and the buffers with the
// kernel-table slot each is passed in. The classes (sgd.ts, adam.ts, …) take
// their row scalars and kernel call from their own files.
import type { CommonOptions, ParamGroup } from "./optimizer.js";
import type { RuleSpec } from "./rule.js";

const step = { step: 0 } as const;
const moments = [{ name: "exp_avg", slot: 0 }, { name: "exp_avg_sq", slot: 1 }] as const;
const adamChecks = { lr: "lr", eps: "eps", betas: "betas", weightDecay: "nonNegative" } as const;

export const RULES = {
  SGD: {
    defaults: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
    checks: { lr: "lr", momentum: "nonNegative", dampening: "finite", weightDecay: "nonNegative", nesterov: "bool", maximize: "bool" },
    scalars: {},
    buffers: [{ name: "momentum_buffer", slot: 0, when: (g: ParamGroup) => g.momentum !== 0, lazy: true }],
  },
  Adam: {
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
    checks: { ...adamChecks, amsgrad: "bool", maximize: "bool" },
    scalars: step,
    buffers: [...moments, { name: "max_exp_avg_sq", slot: 2, when: (g: ParamGroup) => g.amsgrad }],
    scalarsByStep: true,
  },
  Adagrad: {
    defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
    checks: { lr: "lr", lrDecay: "nonNegative", weightDecay: "nonNegative", initialAccumulatorValue: "nonNegative", eps: "eps", maximize: "bool" },
    scalars: step,
    buffers: [{ name: "sum", slot: 0, fill: (g: ParamGroup) => g.initialAccumulatorValue }],
    scalarsByStep: true,
  },
  RMSprop: {
    defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
    checks: { lr: "lr", eps: "eps", momentum: "nonNegative", weightDecay: "nonNegative", alpha: "nonNegative", centered: "bool", maximize: "bool" },
    scalars: step,
    buffers: [
      { name: "square_avg", slot: 0 },
      { name: "momentum_buffer", slot: 2, when: (g: ParamGroup) => g.momentum > 0 },
      { name: "grad_avg", slot: 1, when: (g: ParamGroup) => g.centered },
    ],
  },
  Adamax: {
    defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
    checks: { ...adamChecks, maximize: "bool" },
    scalars: step,
    buffers: [{ name: "exp_avg", slot: 0 }, { name: "exp_inf", slot: 1 }],
    scalarsByStep: true,
  },
  NAdam: {
    defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, foreach: null },
    checks: { ...adamChecks, momentumDecay: "nonNegative", foreach: "switch" },
    scalars: { ...step, mu_product: 1 },
    buffers: moments,
  },
  RAdam: { defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }, checks: adamChecks, scalars: step, buffers: moments, scalarsByStep: true },
  Adadelta: {
    defaults: { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
    checks: { lr: "lr", rho: "unit", eps: "eps", weightDecay: "nonNegative", maximize: "bool" },
    scalars: step,
    buffers: [{ name: "square_avg", slot: 0 }, { name: "acc_delta", slot: 1 }],
  },
  LAMB: { defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0 }, checks: adamChecks, scalars: step, buffers: moments, scalarsByStep: true },
} as const satisfies Record<string, RuleSpec>;

type Widen<T> = T extends boolean ? boolean : T extends number ? number : T extends readonly [number, number] ? [number, number] : T extends null ? boolean | null : T;

/** A rule's constructor options: its defaults' keys, each optional, plus the common ones. */
export type OptionsOf<R extends keyof typeof RULES> = CommonOptions & { -readonly [K in keyof (typeof RULES)[R]["defaults"]]?: Widen<(typeof RULES)[R]["defaults"][K]> };
