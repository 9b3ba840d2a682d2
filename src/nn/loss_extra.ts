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

function checkReduction(what: string, r: unknown): Reduction {
  if (r !== "mean" && r !== "sum" && r !== "none") throw new RangeError(`${what}: ${JSON.stringify(r)} is not a valid value for reduction`);
  return r;
}

/** A copy of a weight tensor given to a loss's constructor, registered as a buffer. */
function weightBuffer(m: Module, what: string, name: string, w: unknown): Tensor | null {
  if (w === undefined || w === null) return null;
  if (!(w instanceof Tensor)) throw new TypeError(`${what}: ${name} must be a Tensor, got ${String(w)}`);
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
  constructor({ weight = null, ignoreIndex = -100, reduction = "mean" }: NLLLossOptions = {}) {
    super();
    this.reduction = checkReduction("NLLLoss", reduction);
    if (typeof ignoreIndex !== "number" || !Number.isInteger(ignoreIndex)) throw new TypeError(`NLLLoss: ignoreIndex must be an integer, got ${String(ignoreIndex)}`);
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
  constructor({ weight = null, reduction = "mean" }: BCELossOptions = {}) {
    super();
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
  constructor({ weight = null, posWeight = null, reduction = "mean" }: BCEWithLogitsLossOptions = {}) {
    super();
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
  constructor({ reduction = "mean" }: L1LossOptions = {}) {
    super();
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
  constructor({ reduction = "mean", beta = 1 }: SmoothL1LossOptions = {}) {
    super();
    this.reduction = checkReduction("SmoothL1Loss", reduction);
    if (typeof beta !== "number" || !(beta >= 0)) throw new RangeError(`SmoothL1Loss: beta must be a non-negative number, got ${String(beta)}`);
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
  constructor({ reduction = "mean", delta = 1 }: HuberLossOptions = {}) {
    super();
    this.reduction = checkReduction("HuberLoss", reduction);
    if (typeof delta !== "number" || !(delta > 0)) throw new RangeError(`HuberLoss: delta must be a positive number, got ${String(delta)}`);
    this.delta = delta;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}
