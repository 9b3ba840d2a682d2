// LinearLR: scale the lr by a factor moving linearly from startFactor to endFactor over totalIters epochs.
import { isNonNegativeInteger, isUnit } from "./options.js";
import { LRScheduler, type OptimizerLike } from "./scheduler.js";

export interface LinearLROptions {
  /** Factor at epoch 0, in (0, 1] (default 1/3). */
  startFactor?: number;
  /** Factor from epoch totalIters on, in [0, 1] (default 1). */
  endFactor?: number;
  /** Number of epochs of the ramp (default 5). */
  totalIters?: number;
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/**
 * Recursive: lr_0 = lr·s, lr_t = lr_{t-1}·(1 + (e−s)/(T·s + (t−1)·(e−s))) for 0 < t ≤ T.
 * Closed form: base·(s + (e−s)·min(T, t)/T).
 */
export class LinearLR extends LRScheduler {
  startFactor!: number;
  endFactor!: number;
  totalIters!: number;

  constructor(optimizer: OptimizerLike, options: LinearLROptions = {}) {
    super("LinearLR", optimizer);
    this.attach(
      this.configure(options, {
        // PyTorch 1.13 accepts startFactor 0 and then divides by zero at epoch 1; 2.x requires > 0.
        startFactor: ["a number in (0, 1] (Starting multiplicative factor expected to be between 0 and 1.)", (x) => x > 0 && x <= 1, 1 / 3],
        endFactor: ["a number between 0 and 1 (Ending multiplicative factor expected to be between 0 and 1.)", isUnit, 1],
        totalIters: ["a non-negative integer", isNonNegativeInteger, 5],
      }),
    );
  }

  protected getLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T } = this;
    if (this.lastEpoch === 0) return this.groups.map((g) => g.lr * s);
    if (this.lastEpoch > T) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1 + (e - s) / (T * s + (this.lastEpoch - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    if (this.totalIters === 0) {
      // PyTorch's closed form divides by totalIters (ZeroDivisionError); the recursive form (step()) is defined.
      throw new RangeError(`${this.name}.step: step(epoch) needs totalIters > 0 (the closed form divides by it), got totalIters 0; use step()`);
    }
    const { startFactor: s, endFactor: e, totalIters: T } = this;
    return this.baseLrs.map((b) => b * (s + ((e - s) * Math.min(T, this.lastEpoch)) / T));
  }

  protected override stateKeys(): string[] {
    return ["startFactor", "endFactor", "totalIters"];
  }
}
