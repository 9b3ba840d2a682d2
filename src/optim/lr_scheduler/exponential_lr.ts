// ExponentialLR: multiply the lr by gamma every epoch.
import { isNonNegative, numberOption, readOptions } from "./options.js";
import { checkResumable, LRScheduler, type OptimizerLike } from "./scheduler.js";

export interface ExponentialLROptions {
  /** Multiplicative factor per epoch (required). */
  gamma: number;
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/** lr_t = lr_{t-1}·gamma; closed form base·gamma^t. */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: OptimizerLike, options: ExponentialLROptions) {
    super("ExponentialLR", optimizer);
    const o = readOptions(this.name, options, ["gamma", "lastEpoch", "verbose"]);
    this.gamma = numberOption(this.name, "gamma", o.gamma, "a finite number >= 0", isNonNegative);
    const lastEpoch = this.readCommonOptions(o);
    checkResumable(this.name, this.optimizer, lastEpoch);
    this.attach(lastEpoch);
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
