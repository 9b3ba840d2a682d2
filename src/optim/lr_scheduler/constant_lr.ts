// ConstantLR: scale the lr by a constant factor until totalIters, then restore it.
import { isNonNegativeInteger, isUnit } from "./options.js";
import { LRScheduler, type OptimizerLike } from "./scheduler.js";

export interface ConstantLROptions {
  /** Factor in [0, 1] applied until totalIters (default 1/3). */
  factor?: number;
  /** Epoch at which the factor is removed (default 5). */
  totalIters?: number;
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/** lr·factor at epoch 0, lr/factor at epoch totalIters, unchanged otherwise; closed form base·(t < totalIters ? factor : 1). */
export class ConstantLR extends LRScheduler {
  factor!: number;
  totalIters!: number;

  constructor(optimizer: OptimizerLike, options: ConstantLROptions = {}) {
    super("ConstantLR", optimizer);
    this.attach(
      this.configure(options, {
        factor: ["a number between 0 and 1 (Constant multiplicative factor expected to be between 0 and 1.)", isUnit, 1 / 3],
        totalIters: ["a non-negative integer", isNonNegativeInteger, 5],
      }),
    );
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groups.map((g) => g.lr);
    if (this.factor === 0) {
      // PyTorch divides by the factor here (ZeroDivisionError); lr/0 would be Infinity, and 0·Infinity NaN.
      throw new RangeError(
        `${this.name}.step: cannot restore the lr at epoch ${this.totalIters} (totalIters) after scaling it by factor 0: ` +
          `the recursive form divides by the factor; use a factor > 0, or step(epoch) (the closed form)`,
      );
    }
    return this.groups.map((g) => g.lr * (1 / this.factor));
  }

  protected override closedFormLr(): number[] {
    const past = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((b) => b * (this.factor + past * (1 - this.factor)));
  }

  protected override stateKeys(): string[] {
    return ["factor", "totalIters"];
  }
}
