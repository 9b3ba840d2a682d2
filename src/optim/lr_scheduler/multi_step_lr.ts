// MultiStepLR: multiply the lr by gamma at each milestone epoch.
import { describe, isNonNegative, numberOption } from "./options.js";
import { LRScheduler, type OptimizerLike } from "./scheduler.js";

export interface MultiStepLROptions {
  /** Epoch indices (required); a milestone listed twice decays twice, as PyTorch's Counter does. */
  milestones: number[];
  /** Multiplicative factor (default 0.1). */
  gamma?: number;
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/** lr_t = lr_{t-1}·gamma^(times t is a milestone); closed form base·gamma^(milestones ≤ t). */
export class MultiStepLR extends LRScheduler {
  /** Sorted, with repeats. */
  milestones!: number[];
  gamma!: number;

  constructor(optimizer: OptimizerLike, options: MultiStepLROptions) {
    super("MultiStepLR", optimizer);
    const milestones = (o: Record<string, unknown>) => {
      if (!Array.isArray(o.milestones)) {
        throw new TypeError(`${this.name}: milestones must be an array of non-negative integers, got ${describe(o.milestones)}`);
      }
      this.milestones = o.milestones
        .map((m, i) => numberOption(this.name, `milestones[${i}]`, m, "a non-negative integer", (x) => Number.isInteger(x) && x >= 0))
        .sort((a, b) => a - b);
    };
    this.attach(this.configure(options, { milestones: null, gamma: ["a finite number >= 0", isNonNegative, 0.1] }, milestones));
  }

  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma ** hits);
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }

  protected override stateKeys(): string[] {
    return ["milestones", "gamma"];
  }
}
