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

export class SmoothL1Loss extends Module {
  static override readonly moduleName: string = "SmoothL1Loss";
  readonly reduction: Reduction;
  readonly beta: number;
  constructor(options?: SmoothL1LossOptions) {
    super();
    const { reduction = "mean", beta = 1 } = optionsArg("SmoothL1Loss", options, ["reduction", "beta"]) as SmoothL1LossOptions;
    this.reduction = checkReduction("SmoothL1Loss", reduction);
    if (typeof beta !== "number" || !(beta >= 0)) throw new (typeof beta === "number" ? RangeError : TypeError)(`SmoothL1Loss: beta must be a non-negative number, got ${describeValue(beta)}`);
    this.beta = beta;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export interface HuberLossOptions {
  reduction?: Reduction;
  delta?: number;
}

export class HuberLoss extends Module {
  static override readonly moduleName: string = "HuberLoss";
  readonly reduction: Reduction;
  readonly delta: number;
  constructor(options?: HuberLossOptions) {
    super();
    const { reduction = "mean", delta = 1 } = optionsArg("HuberLoss", options, ["reduction", "delta"]) as HuberLossOptions;
    this.reduction = checkReduction("HuberLoss", reduction);
    if (typeof delta !== "number" || !(delta > 0)) throw new (typeof delta === "number" ? RangeError : TypeError)(`HuberLoss: delta must be a positive number, got ${describeValue(delta)}`);
    this.delta = delta;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}
