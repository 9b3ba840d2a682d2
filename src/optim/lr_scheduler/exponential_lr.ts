// ExponentialLR: multiply the lr by gamma every epoch.
import { isNonNegative } from "./options.js";
import { LRScheduler, type OptimizerLike } from "./scheduler.js";

export interface ExponentialLROptions {
  /** Multiplicative factor per epoch (required). */
  gamma: number;
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/** lr_t = lr_{t-1}·gamma; closed form base·gamma^t. */
export class ExponentialLR extends LRScheduler {
  gamma!: number;

  constructor(optimizer: OptimizerLike, options: ExponentialLROptions) {
    super("ExponentialLR", optimizer);
    this.attach(this.configure(options, { gamma: ["a finite number >= 0", isNonNegative] }));
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }

  protected override stateKeys(): string[] {
    return ["gamma"];
  }
}
