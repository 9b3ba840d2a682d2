// StepLR: multiply the lr by gamma every stepSize epochs.
import { isNonNegative, isPositiveInteger } from "./options.js";
import { LRScheduler, type OptimizerLike } from "./scheduler.js";

export interface StepLROptions {
  /** Period of the decay, in epochs (required). */
  stepSize: number;
  /** Multiplicative factor (default 0.1). */
  gamma?: number;
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/** lr_t = lr_{t-1}·gamma when t is a positive multiple of stepSize; closed form base·gamma^⌊t/stepSize⌋. */
export class StepLR extends LRScheduler {
  stepSize!: number;
  gamma!: number;

  constructor(optimizer: OptimizerLike, options: StepLROptions) {
    super("StepLR", optimizer);
    this.attach(this.configure(options, { stepSize: ["a positive integer", isPositiveInteger], gamma: ["a finite number >= 0", isNonNegative, 0.1] }));
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected override stateKeys(): string[] {
    return ["stepSize", "gamma"];
  }
}
