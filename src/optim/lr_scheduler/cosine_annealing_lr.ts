// CosineAnnealingLR: cosine annealing from the initial lr to etaMin over tMax epochs (SGDR without restarts).
import { isFiniteNumber, isPositive } from "./options.js";
import { LRScheduler, type OptimizerLike } from "./scheduler.js";

export interface CosineAnnealingLROptions {
  /** Half-period in epochs (PyTorch's T_max, required). */
  tMax: number;
  /** Minimum lr (default 0). */
  etaMin?: number;
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/**
 * PyTorch's recursive form, which follows external lr changes and chaining:
 *   lr_t = η_min + (lr_{t−1} − η_min)·(1 + cos(πt/T)) / (1 + cos(π(t−1)/T)),
 *   and at t − 1 − T ≡ 0 (mod 2T), where that ratio is 0/0:
 *   lr_t = lr_{t−1} + (base − η_min)·(1 − cos(π/T))/2.
 * Alone it equals the closed form η_min + (base − η_min)·(1 + cos(πt/T))/2
 * (to rounding), which step(epoch) uses.
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax!: number;
  etaMin!: number;

  constructor(optimizer: OptimizerLike, options: CosineAnnealingLROptions) {
    super("CosineAnnealingLR", optimizer);
    this.attach(this.configure(options, { tMax: ["a positive number of epochs", isPositive], etaMin: ["a finite number", isFiniteNumber, 0] }));
  }

  protected getLr(): number[] {
    const { tMax: T, etaMin, lastEpoch: t } = this;
    if (t === 0) return this.groups.map((g) => g.lr);
    if (this.stepCount === 1 && t > 0) {
      return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((t * Math.PI) / T))) / 2);
    }
    if ((t - 1 - T) % (2 * T) === 0) {
      return this.baseLrs.map((b, i) => this.groups[i].lr + ((b - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T));
    return this.groups.map((g) => ratio * (g.lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    const { tMax: T, etaMin, lastEpoch: t } = this;
    return this.baseLrs.map((b) => etaMin + ((b - etaMin) * (1 + Math.cos((Math.PI * t) / T))) / 2);
  }

  protected override stateKeys(): string[] {
    return ["tMax", "etaMin"];
  }
}
