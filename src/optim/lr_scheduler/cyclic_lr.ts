// CyclicLR: cyclical learning rates (Smith 2017, arXiv:1506.01186), with momentum cycled inversely.
import {
  booleanOption,
  choiceOption,
  functionOption,
  isFiniteNumber,
  isNonNegative,
  isPositive,
  numberOption,
  perGroupOption,
  readOptions,
} from "./options.js";
import { getMomentum, momentumKey, setMomentum, type MomentumKey, type CycleMomentumOptions } from "./momentum.js";
import { checkResumable, LRScheduler, type OptimizerLike } from "./scheduler.js";

export type CyclicMode = "triangular" | "triangular2" | "exp_range";

export interface CyclicLROptions extends CycleMomentumOptions {
  /** Lower lr boundary, one for all groups or one per group (required). */
  baseLr: number | number[];
  /** Upper lr boundary (required). */
  maxLr: number | number[];
  /** Iterations in the increasing half of a cycle (default 2000). */
  stepSizeUp?: number;
  /** Iterations in the decreasing half (default stepSizeUp). */
  stepSizeDown?: number;
  /** Amplitude policy, ignored when scaleFn is given (default 'triangular'). */
  mode?: CyclicMode;
  /** exp_range's factor: amplitude·gamma^iteration (default 1). */
  gamma?: number;
  /** Custom amplitude scale, 0 ≤ scaleFn(x) ≤ 1. */
  scaleFn?: (x: number) => number;
  /** Whether scaleFn takes the cycle number or the iteration (default 'cycle'). */
  scaleMode?: "cycle" | "iterations";
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/**
 * cycle = ⌊1 + t/(up + down)⌋, x = 1 + t/(up + down) − cycle,
 * s = x/r for x ≤ r else (x − 1)/(r − 1), with r = up/(up + down);
 * lr = base + (max − base)·s·scale, momentum = maxM − (maxM − baseM)·s·scale,
 * scale = scaleFn(cycle or t): 1 (triangular), 1/2^(cycle−1) (triangular2),
 * gamma^t (exp_range). Not chainable: lrs do not depend on the current lr.
 */
export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: CyclicMode;
  gamma: number;
  scaleMode: "cycle" | "iterations";
  cycleMomentum: boolean;
  /** Which group field the momentum cycle writes: momentum (PyTorch 1.13's CyclicLR never cycles betas). */
  momentumKey: MomentumKey | null;
  baseMomentums: number[] = [];
  maxMomentums: number[] = [];
  private readonly scaleFnCustom: ((x: number) => number) | undefined;

  constructor(optimizer: OptimizerLike, options: CyclicLROptions) {
    super("CyclicLR", optimizer);
    const where = this.name;
    const o = readOptions(where, options, [
      "baseLr", "maxLr", "stepSizeUp", "stepSizeDown", "mode", "gamma", "scaleFn", "scaleMode",
      "cycleMomentum", "baseMomentum", "maxMomentum", "lastEpoch", "verbose",
    ]);
    const n = this.groups.length;
    const baseLrs = perGroupOption(where, "baseLr", o.baseLr, n, "a finite number >= 0", isNonNegative);
    this.maxLrs = perGroupOption(where, "maxLr", o.maxLr, n, "a finite number >= 0", isNonNegative);
    const up = numberOption(where, "stepSizeUp", o.stepSizeUp, "a positive number of iterations", isPositive, 2000);
    const down = numberOption(where, "stepSizeDown", o.stepSizeDown, "a number of iterations >= 0", isNonNegative, up);
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    this.scaleFnCustom = functionOption<(x: number) => number>(where, "scaleFn", o.scaleFn);
    if (this.scaleFnCustom) {
      this.mode = typeof o.mode === "string" ? (o.mode as CyclicMode) : "triangular";
      this.scaleMode = choiceOption(where, "scaleMode", o.scaleMode, ["cycle", "iterations"] as const, "cycle");
    } else {
      this.mode = choiceOption(where, "mode", o.mode, ["triangular", "triangular2", "exp_range"] as const, "triangular");
      this.scaleMode = this.mode === "exp_range" ? "iterations" : "cycle";
    }
    this.gamma = numberOption(where, "gamma", o.gamma, "a finite number", isFiniteNumber, 1);
    this.cycleMomentum = booleanOption(where, "cycleMomentum", o.cycleMomentum, true);
    const lastEpoch = this.readCommonOptions(o);
    let baseMomentums: number[] = [];
    this.momentumKey = null;
    if (this.cycleMomentum) {
      this.momentumKey = momentumKey(where, this.optimizer, false);
      baseMomentums = perGroupOption(where, "baseMomentum", o.baseMomentum, n, "a finite number", isFiniteNumber, 0.8);
      this.maxMomentums = perGroupOption(where, "maxMomentum", o.maxMomentum, n, "a finite number", isFiniteNumber, 0.9);
    }
    checkResumable(where, this.optimizer, lastEpoch);

    if (lastEpoch === -1) this.groups.forEach((g, i) => (g.lr = baseLrs[i]));
    if (this.momentumKey) {
      const key = this.momentumKey;
      if (lastEpoch === -1) this.groups.forEach((g, i) => setMomentum(g, key, baseMomentums[i]));
      this.baseMomentums = this.groups.map((g) => getMomentum(g, key));
    }
    this.attach(lastEpoch);
    // As PyTorch: the initial step used the groups' initial_lr; from now on the given baseLr.
    this.baseLrs = baseLrs;
  }

  private scaleFn(x: number): number {
    if (this.scaleFnCustom) return this.scaleFnCustom(x);
    if (this.mode === "triangular") return 1;
    if (this.mode === "triangular2") return 1 / 2 ** (x - 1);
    return this.gamma ** x;
  }

  /** Also writes the cycled momentum into the groups (PyTorch's side effect of get_lr). */
  protected getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const s = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const scale = this.scaleFn(this.scaleMode === "cycle" ? cycle : this.lastEpoch);
    const lrs = this.baseLrs.map((b, i) => b + (this.maxLrs[i] - b) * s * scale);
    if (this.momentumKey) {
      const key = this.momentumKey;
      const momentums = this.baseMomentums.map((b, i) => this.maxMomentums[i] - (this.maxMomentums[i] - b) * s * scale);
      momentums.forEach((m, i) => setMomentum(this.groups[i], key, m));
    }
    return lrs;
  }

  protected override stateKeys(): string[] {
    return [
      "maxLrs", "totalSize", "stepRatio", "mode", "gamma", "scaleMode", "cycleMomentum", "momentumKey",
      "baseMomentums", "maxMomentums",
    ];
  }
}
