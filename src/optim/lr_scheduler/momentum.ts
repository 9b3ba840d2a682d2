// Momentum cycling (CyclicLR, OneCycleLR) acts on `momentum` (SGD, RMSprop);
// OneCycleLR also cycles the first beta (Adam and relatives), as PyTorch
// 1.13's use_beta1. PyTorch 1.13's CyclicLR knows only `momentum`.
import { groupsOf, type OptimizerLike, type ParamGroupLike } from "./scheduler.js";

export type MomentumKey = "momentum" | "beta1";

/** The momentum-cycling options of CyclicLR and OneCycleLR (their defaults differ: see each). */
export interface CycleMomentumOptions {
  /** Cycle momentum inversely to the lr (default true): CyclicLR needs param groups with `momentum` (SGD, RMSprop), as PyTorch 1.13; OneCycleLR also cycles beta1. */
  cycleMomentum?: boolean;
  /** Momentum at the lr peak (default CyclicLR 0.8, OneCycleLR 0.85). */
  baseMomentum?: number | number[];
  /** Momentum at the cycle start (and, OneCycleLR, end) (default CyclicLR 0.9, OneCycleLR 0.95). */
  maxMomentum?: number | number[];
}

/**
 * `betas` wins when a group has both (PyTorch checks 'betas' in defaults
 * first); `allowBetas` false (CyclicLR) accepts only `momentum`. Throws
 * PyTorch's error when there is no field to cycle.
 */
export function momentumKey(where: string, optimizer: OptimizerLike, allowBetas = true): MomentumKey {
  const groups = groupsOf(optimizer);
  if (allowBetas && groups.every((g) => Array.isArray(g.betas) && typeof g.betas[0] === "number")) return "beta1";
  if (groups.every((g) => typeof g.momentum === "number")) return "momentum";
  const has = allowBetas ? "neither momentum nor betas" : "no momentum (PyTorch 1.13's CyclicLR does not cycle betas)";
  throw new Error(
    `${where}: optimizer must support momentum with \`cycleMomentum\` option enabled ` +
      `(its param groups have ${has}); pass cycleMomentum: false`,
  );
}

export function getMomentum(group: ParamGroupLike, key: MomentumKey): number {
  return key === "beta1" ? group.betas[0] : group.momentum;
}

/** betas is replaced by a new array, as PyTorch replaces the tuple. */
export function setMomentum(group: ParamGroupLike, key: MomentumKey, value: number): void {
  if (key === "beta1") group.betas = [value, ...group.betas.slice(1)];
  else group.momentum = value;
}
