// The loss modules added with user-defined models: NLLLoss, BCELoss,
// BCEWithLogitsLoss, L1Loss, SmoothL1Loss, HuberLoss — each its functional
// form (functional_loss.ts) with the options fixed; class and element
// weights are buffers ("weight", "pos_weight") as in PyTorch.
import { Tensor } from "../tensor.js";
import { Module } from "./module.js";
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, huberLoss, l1Loss, nllLoss, smoothL1Loss,
  type Reduction,
} from "./functional_loss.js";
import type { IndexLike } from "./op_helpers.js";
import { describe as describeValue, optionsArg } from "../validate.js";

function checkReduction(what: string, r: unknown): Reduction {
  if (r !== "mean" && r !== "sum" && r !== "none") throw new (typeof r === "string" ? RangeError : TypeError)(`${what}: ${describeValue(r)} is not a valid value for reduction`);
  return r;
}

/** A copy of a weight tensor given to a loss's constructor, registered as a buffer. */
function weightBuffer(m: Module, what: string, name: string, w: unknown): Tensor | null {
  if (w === undefined || w === null) return null;
  if (!(w instanceof Tensor)) throw new TypeError(`${what}: ${name} must be a Tensor, got ${describeValue(w)}`);
  w.assertAlive(`${what} (${name})`);
  const copy = w.clone();
  copy.requiresGrad = false;
  return m.registerBuffer(name === "posWeight" ? "pos_weight" : name, copy);
}

export interface NLLLossOptions {
  weight?: Tensor | null;
  ignoreIndex?: number;
  reduction?: Reduction;
}

export class NLLLoss extends Module {
  static override readonly moduleName: string = "NLLLoss";
  readonly reduction: Reduction;
  readonly ignoreIndex: number;
  readonly weight: Tensor | null;
  constructor(options?: NLLLossOptions) {
    super();
    const { weight = null, ignoreIndex = -100, reduction = "mean" } = optionsArg("NLLLoss", options, ["weight", "ignoreIndex", "reduction"]) as NLLLossOptions;
    this.reduction = checkReduction("NLLLoss", reduction);
    if (typeof ignoreIndex !== "number" || !Number.isInteger(ignoreIndex)) throw new TypeError(`NLLLoss: ignoreIndex must be an integer, got ${describeValue(ignoreIndex)}`);
    this.ignoreIndex = ignoreIndex;
    this.weight = weightBuffer(this, "NLLLoss", "weight", weight);
  }
  override forward(input: Tensor, target: IndexLike): Tensor {
    return nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export interface BCELossOptions {
  weight?: Tensor | null;
  reduction?: Reduction;
}

export class BCELoss extends Module {
  static override readonly moduleName: string = "BCELoss";
  readonly reduction: Reduction;
  readonly weight: Tensor | null;
  constructor(options?: BCELossOptions) {
    super();
    const { weight = null, reduction = "mean" } = optionsArg("BCELoss", options, ["weight", "reduction"]) as BCELossOptions;
    this.reduction = checkReduction("BCELoss", reduction);
    this.weight = weightBuffer(this, "BCELoss", "weight", weight);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export interface BCEWithLogitsLossOptions extends BCELossOptions {
  posWeight?: Tensor | null;
}

export class BCEWithLogitsLoss extends Module {
  static override readonly moduleName: string = "BCEWithLogitsLoss";
  readonly reduction: Reduction;
  readonly weight: Tensor | null;
  readonly posWeight: Tensor | null;
  constructor(options?: BCEWithLogitsLossOptions) {
    super();
    const { weight = null, posWeight = null, reduction = "mean" } = optionsArg("BCEWithLogitsLoss", options, ["weight", "posWeight", "reduction"]) as BCEWithLogitsLossOptions;
    this.reduction = checkReduction("BCEWithLogitsLoss", reduction);
    this.weight = weightBuffer(this, "BCEWithLogitsLoss", "weight", weight);
    this.posWeight = weightBuffer(this, "BCEWithLogitsLoss", "posWeight", posWeight);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

export interface L1LossOptions {
  reduction?: Reduction;
}

export class L1Loss extends Module {
  static override readonly moduleName: string = "L1Loss";
  readonly reduction: Reduction;
  constructor(options?: L1LossOptions) {
    super();
    const { reduction = "mean" } = optionsArg("L1Loss", options, ["reduction"]) as L1LossOptions;
    this.reduction = checkReduction("L1Loss", reduction);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

export interface SmoothL1LossOptions {
  reduction?: Reduction;
  beta?: number;
}

export interface HuberLossOptions {
  reduction?: Reduction;
  delta?: number;
}

type ThresholdLossFn = (input: Tensor, target: Tensor, options: { reduction: Reduction; beta?: number; delta?: number }) => Tensor;

/** SmoothL1Loss and HuberLoss: a reduction and the threshold (`beta` ≥ 0, `delta` > 0; default 1) where the loss turns linear. */
abstract class ThresholdLoss extends Module {
  readonly reduction: Reduction;
  readonly #key: "beta" | "delta";
  readonly #fn: ThresholdLossFn;
  protected constructor(what: string, options: unknown, key: "beta" | "delta", fn: ThresholdLossFn) {
    super();
    const o = optionsArg(what, options, ["reduction", key]) as Record<string, unknown>;
    this.reduction = checkReduction(what, o.reduction === undefined ? "mean" : o.reduction);
    const v = o[key] === undefined ? 1 : o[key];
    const positive = key === "delta";
    if (typeof v !== "number" || !(positive ? v > 0 : v >= 0)) {
      throw new (typeof v === "number" ? RangeError : TypeError)(
        `${what}: ${key} must be a ${positive ? "positive" : "non-negative"} number, got ${describeValue(v)}`,
      );
    }
    (this as unknown as Record<string, number>)[key] = v;
    this.#key = key;
    this.#fn = fn;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    const key = this.#key;
    return this.#fn(input, target, { reduction: this.reduction, [key]: (this as unknown as Record<string, number>)[key] });
  }
}

export class SmoothL1Loss extends ThresholdLoss {
  static override readonly moduleName: string = "SmoothL1Loss";
  declare readonly beta: number;
  constructor(options?: SmoothL1LossOptions) {
    super("SmoothL1Loss", options, "beta", smoothL1Loss);
  }
}

export class HuberLoss extends ThresholdLoss {
  static override readonly moduleName: string = "HuberLoss";
  declare readonly delta: number;
  constructor(options?: HuberLossOptions) {
    super("HuberLoss", options, "delta", huberLoss);
  }
}
