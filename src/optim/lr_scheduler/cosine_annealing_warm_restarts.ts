// CosineAnnealingWarmRestarts: SGDR, cosine annealing restarted every T_i epochs, T_i growing by tMult.
import { describe, isFiniteNumber, isPositiveInteger } from "./options.js";
import { LRScheduler, type OptimizerLike } from "./scheduler.js";

export interface CosineAnnealingWarmRestartsOptions {
  /** Epochs until the first restart (PyTorch's T_0, required). */
  t0: number;
  /** Factor by which the period grows after each restart (PyTorch's T_mult, integer >= 1, default 1). */
  tMult?: number;
  /** Minimum lr (default 0). */
  etaMin?: number;
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/**
 * η_t = η_min + (base − η_min)·(1 + cos(π·T_cur/T_i))/2, where T_cur counts
 * epochs since the last restart. step() advances T_cur by one; step(epoch)
 * takes any epoch ≥ 0, fractional ones included (call it every batch with
 * epoch + batch/batches), and finds the period the epoch falls in.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0!: number;
  tI: number;
  tMult!: number;
  etaMin!: number;
  tCur: number;

  constructor(optimizer: OptimizerLike, options: CosineAnnealingWarmRestartsOptions) {
    super("CosineAnnealingWarmRestarts", optimizer);
    const lastEpoch = this.configure(options, {
      t0: ["a positive integer", isPositiveInteger],
      tMult: ["an integer >= 1", (x) => Number.isInteger(x) && x >= 1, 1],
      etaMin: ["a finite number", isFiniteNumber, 0],
    });
    this.tI = this.t0;
    this.tCur = lastEpoch;
    this.attach(lastEpoch);
  }

  protected getLr(): number[] {
    const c = (1 + Math.cos((Math.PI * this.tCur) / this.tI)) / 2;
    return this.baseLrs.map((b) => this.etaMin + (b - this.etaMin) * c);
  }

  /** One epoch on, or to `epoch` (≥ 0, may be fractional). Like PyTorch, this step does not count stepCount. */
  override step(epoch?: number): void {
    if (epoch !== undefined && (typeof epoch !== "number" || !Number.isFinite(epoch) || epoch < 0)) {
      throw new (typeof epoch === "number" ? RangeError : TypeError)(`${this.name}.step: expected a non-negative epoch, got ${describe(epoch)} (Expected non-negative epoch, but got ${describe(epoch)})`);
    }
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;
    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else if (epoch >= this.t0) {
      if (this.tMult === 1) {
        this.tCur = epoch % this.t0;
      } else {
        const n = Math.trunc(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
        this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
        this.tI = this.t0 * this.tMult ** n;
      }
    } else {
      this.tI = this.t0;
      this.tCur = epoch;
    }
    this.lastEpoch = Math.floor(epoch);
    this.applyLrs(this.getLr(), epoch);
  }

  protected override stateKeys(): string[] {
    return ["t0", "tI", "tMult", "etaMin", "tCur"];
  }
}
