// Momentum cycling (CyclicLR, OneCycleLR) acts on `momentum` (SGD, RMSprop)
// or on the first beta (Adam and relatives), as PyTorch's use_beta1.
import { groupsOf, type OptimizerLike, type ParamGroupLike } from "./scheduler.js";

export type MomentumKey = "momentum" | "beta1";

/** `betas` wins when a group has both (PyTorch checks 'betas' in defaults first). Throws PyTorch's error when there is neither. */
export function momentumKey(where: string, optimizer: OptimizerLike): MomentumKey {
  const groups = groupsOf(optimizer);
  if (groups.every((g) => Array.isArray(g.betas) && typeof g.betas[0] === "number")) return "beta1";
  if (groups.every((g) => typeof g.momentum === "number")) return "momentum";
  throw new Error(
    `${where}: optimizer must support momentum with \`cycleMomentum\` option enabled ` +
      `(its param groups have neither momentum nor betas); pass cycleMomentum: false`,
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
