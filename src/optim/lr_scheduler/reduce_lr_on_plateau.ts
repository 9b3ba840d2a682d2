// ReduceLROnPlateau: divide the lr when a metric has stopped improving.
import { booleanOption, choiceOption, describe, isNonNegative, isNonNegativeInteger, numberOption, perGroupOption, readOptions } from "./options.js";
import { checkEpoch, checkOptimizer, formatEpoch, formatLr, groupsOf, loadFields, saveFields, type OptimizerLike, type Scheduler, type SchedulerState } from "./scheduler.js";

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): reduce when the metric stops decreasing; 'max': when it stops increasing. */
  mode?: "min" | "max";
  /** new lr = lr·factor, 0 ≤ factor < 1 (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** Improvement needed to count as a new best (default 1e-4). */
  threshold?: number;
  /** 'rel' (default): best·(1 ∓ threshold); 'abs': best ∓ threshold. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again (default 0). */
  cooldown?: number;
  /** Lower bound on the lr, one for all groups or one per group (default 0). */
  minLr?: number | number[];
  /** Reductions smaller than eps are skipped (default 1e-8). */
  eps?: number;
  /** Print every reduction, as PyTorch (default false). */
  verbose?: boolean;
}

/**
 * step(metric): a metric better than best (by the threshold) resets the count
 * of bad epochs, otherwise it grows; during cooldown it is held at 0. When it
 * exceeds patience: lr = max(lr·factor, minLr) for every group where that
 * lowers lr by more than eps, then cooldown starts.
 */
export class ReduceLROnPlateau implements Scheduler {
  readonly optimizer: OptimizerLike;
  mode: "min" | "max";
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: "rel" | "abs";
  cooldown: number;
  minLrs: number[];
  eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  /** Print every reduction, in PyTorch's words. */
  verbose: boolean;
  private lastLr: number[];

  constructor(optimizer: OptimizerLike, options: ReduceLROnPlateauOptions = {}) {
    const where = "ReduceLROnPlateau";
    const o = readOptions(where, options, ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps", "verbose"]);
    this.factor = numberOption(where, "factor", o.factor, "a number >= 0 and < 1 (Factor should be < 1.0.)", (x) => x >= 0 && x < 1, 0.1);
    this.optimizer = checkOptimizer(where, optimizer);
    const groups = groupsOf(this.optimizer);
    this.minLrs = perGroupOption(where, "minLr", o.minLr, groups.length, "a finite number >= 0", isNonNegative, 0);
    this.patience = numberOption(where, "patience", o.patience, "a non-negative integer", isNonNegativeInteger, 10);
    this.cooldown = numberOption(where, "cooldown", o.cooldown, "a non-negative integer", isNonNegativeInteger, 0);
    this.mode = choiceOption(where, "mode", o.mode, ["min", "max"] as const, "min");
    this.threshold = numberOption(where, "threshold", o.threshold, "a finite number >= 0", isNonNegative, 1e-4);
    this.thresholdMode = choiceOption(where, "thresholdMode", o.thresholdMode, ["rel", "abs"] as const, "rel");
    this.eps = numberOption(where, "eps", o.eps, "a finite number >= 0", isNonNegative, 1e-8);
    this.verbose = booleanOption(where, "verbose", o.verbose, false);
    this.best = this.modeWorse;
    this.lastLr = groups.map((g) => g.lr);
  }

  /** The worst value for the mode: +Infinity for 'min', −Infinity for 'max'. */
  get modeWorse(): number {
    return this.mode === "min" ? Infinity : -Infinity;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  isBetter(a: number, best: number): boolean {
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === "rel" ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** `metric`: a number, or a one-element tensor (anything with item()). */
  step(metric: number | { item(): number }, epoch?: number): void {
    const current = typeof metric === "object" && metric !== null && typeof metric.item === "function" ? metric.item() : metric;
    if (typeof current !== "number") throw new TypeError(`ReduceLROnPlateau.step: metric must be a number, got ${describe(metric)}`);
    checkEpoch("ReduceLROnPlateau.step", epoch);
    this.lastEpoch = epoch === undefined ? this.lastEpoch + 1 : epoch;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }

  private reduceLr(): void {
    groupsOf(this.optimizer).forEach((g, i) => {
      const oldLr = g.lr;
      const newLr = Math.max(oldLr * this.factor, this.minLrs[i]);
      if (oldLr - newLr > this.eps) {
        g.lr = newLr;
        if (this.verbose) console.log(`Epoch ${formatEpoch(this.lastEpoch)}: reducing learning rate of group ${i} to ${formatLr(newLr)}.`);
      }
    });
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  private static readonly keys = [
    "mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLrs", "eps",
    "best", "numBadEpochs", "cooldownCounter", "lastEpoch", "lastLr",
  ];

  /** Plain JSON; an infinite best travels as the string "Infinity" / "-Infinity". */
  stateDict(): SchedulerState {
    return saveFields("ReduceLROnPlateau", this, ReduceLROnPlateau.keys);
  }

  loadStateDict(state: SchedulerState): void {
    const sd = state as Record<string, unknown> | null;
    choiceOption("ReduceLROnPlateau.loadStateDict", "mode", sd?.mode, ["min", "max"] as const, "min");
    choiceOption("ReduceLROnPlateau.loadStateDict", "thresholdMode", sd?.thresholdMode, ["rel", "abs"] as const, "rel");
    loadFields("ReduceLROnPlateau", this, ReduceLROnPlateau.keys, state);
  }
}
