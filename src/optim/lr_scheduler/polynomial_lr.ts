// PolynomialLR: decay the lr polynomially to zero over totalIters epochs.
import { isFiniteNumber, isNonNegativeInteger } from "./options.js";
import { LRScheduler, type OptimizerLike } from "./scheduler.js";

export interface PolynomialLROptions {
  /** Epochs until the lr reaches zero (default 5). */
  totalIters?: number;
  /** Power of the polynomial (default 1). */
  power?: number;
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/**
 * Recursive: lr_t = lr_{t-1}·((1 − t/T)/(1 − (t−1)/T))^power for 0 < t ≤ T.
 * Closed form: base·(1 − min(T, t)/T)^power.
 */
export class PolynomialLR extends LRScheduler {
  totalIters!: number;
  power!: number;

  constructor(optimizer: OptimizerLike, options: PolynomialLROptions = {}) {
    super("PolynomialLR", optimizer);
    this.attach(this.configure(options, { totalIters: ["a non-negative integer", isNonNegativeInteger, 5], power: ["a finite number", isFiniteNumber, 1] }));
  }

  protected getLr(): number[] {
    const t = this.lastEpoch;
    const T = this.totalIters;
    if (t === 0 || t > T) return this.groups.map((g) => g.lr);
    const decay = ((1 - t / T) / (1 - (t - 1) / T)) ** this.power;
    return this.groups.map((g) => g.lr * decay);
  }

  protected override closedFormLr(): number[] {
    if (this.totalIters === 0) {
      // PyTorch's closed form divides by totalIters (ZeroDivisionError); the recursive form (step()) is defined.
      throw new RangeError(`${this.name}.step: step(epoch) needs totalIters > 0 (the closed form divides by it), got totalIters 0; use step()`);
    }
    const T = this.totalIters;
    return this.baseLrs.map((b) => b * (1 - Math.min(T, this.lastEpoch) / T) ** this.power);
  }

  protected override stateKeys(): string[] {
    return ["totalIters", "power"];
  }
}
