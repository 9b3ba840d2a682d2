// OneCycleLR: the 1cycle policy (Smith & Topin 2017, arXiv:1708.07120; fastai's two-phase default).
import {
  booleanOption,
  choiceOption,
  describe,
  isFiniteNumber,
  isNonNegative,
  isPositive,
  isPositiveInteger,
  isUnit,
  numberOption,
  perGroupOption,
  readOptions,
} from "./options.js";
import { momentumKey, setMomentum, type MomentumKey, type CycleMomentumOptions } from "./momentum.js";
import { checkEpoch, checkResumable, LRScheduler, type ParamGroupLike, type OptimizerLike } from "./scheduler.js";

export interface OneCycleLROptions extends CycleMomentumOptions {
  /** Peak lr, one for all groups or one per group (required). */
  maxLr: number | number[];
  /** Steps in the cycle; otherwise epochs × stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr (default 0.3). */
  pctStart?: number;
  /** 'cos' (default) or 'linear'. */
  annealStrategy?: "cos" | "linear";
  /** initial lr = maxLr/divFactor (default 25). */
  divFactor?: number;
  /** min lr = initial lr/finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Paper's three phases (up, down to the initial lr, annihilate) instead of fastai's two (default false). */
  threePhase?: boolean;
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
  [key: string]: number | string;
}

/**
 * Phases (two by default): initial_lr → max_lr over the first pctStart·total
 * steps, then max_lr → min_lr (three phases: max_lr → initial_lr, then
 * initial_lr → min_lr). Within a phase lr = anneal(start, end, pct) with
 * cos: end + (start − end)(1 + cos(π·pct))/2, linear: start + (end − start)·pct.
 * Momentum goes the opposite way between maxMomentum and baseMomentum.
 * initial_lr, max_lr, min_lr, max_momentum and base_momentum are stored in
 * the param groups, as PyTorch does. Stepping past totalSteps throws.
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  phases: Phase[];
  annealStrategy: "cos" | "linear";
  cycleMomentum: boolean;
  momentumKey: MomentumKey | null;

  constructor(optimizer: OptimizerLike, options: OneCycleLROptions) {
    super("OneCycleLR", optimizer);
    const where = this.name;
    const o = readOptions(where, options, [
      "maxLr", "totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "cycleMomentum",
      "baseMomentum", "maxMomentum", "divFactor", "finalDivFactor", "threePhase", "lastEpoch", "verbose",
    ]);
    if (o.totalSteps === undefined && o.epochs === undefined && o.stepsPerEpoch === undefined) {
      throw new TypeError(`${where}: You must define either totalSteps OR (epochs AND stepsPerEpoch)`);
    }
    if (o.totalSteps !== undefined) {
      this.totalSteps = numberOption(where, "totalSteps", o.totalSteps, "a positive integer", isPositiveInteger);
    } else {
      const epochs = numberOption(where, "epochs", o.epochs, "a positive integer", isPositiveInteger);
      const perEpoch = numberOption(where, "stepsPerEpoch", o.stepsPerEpoch, "a positive integer", isPositiveInteger);
      this.totalSteps = epochs * perEpoch;
    }
    const pctStart = numberOption(where, "pctStart", o.pctStart, "a number between 0 and 1", isUnit, 0.3);
    this.annealStrategy = choiceOption(where, "annealStrategy", o.annealStrategy, ["cos", "linear"] as const, "cos");
    const threePhase = booleanOption(where, "threePhase", o.threePhase, false);
    const n = this.groups.length;
    const maxLrs = perGroupOption(where, "maxLr", o.maxLr, n, "a finite number >= 0", isNonNegative);
    const divFactor = numberOption(where, "divFactor", o.divFactor, "a positive number", isPositive, 25);
    const finalDivFactor = numberOption(where, "finalDivFactor", o.finalDivFactor, "a positive number", isPositive, 1e4);
    this.cycleMomentum = booleanOption(where, "cycleMomentum", o.cycleMomentum, true);
    this.momentumKey = this.cycleMomentum ? momentumKey(where, this.optimizer) : null;
    const maxMomentums = perGroupOption(where, "maxMomentum", o.maxMomentum, n, "a finite number", isFiniteNumber, 0.95);
    const baseMomentums = perGroupOption(where, "baseMomentum", o.baseMomentum, n, "a finite number", isFiniteNumber, 0.85);
    const lastEpoch = this.readCommonOptions(o);
    const resumeKeys = ["initial_lr", "max_lr", "min_lr", ...(this.cycleMomentum ? ["max_momentum", "base_momentum"] : [])];
    checkResumable(where, this.optimizer, lastEpoch, resumeKeys);

    const total = this.totalSteps;
    this.phases = threePhase
      ? [
          { endStep: pctStart * total - 1, startLr: "initial_lr", endLr: "max_lr", startMomentum: "max_momentum", endMomentum: "base_momentum" },
          { endStep: 2 * pctStart * total - 2, startLr: "max_lr", endLr: "initial_lr", startMomentum: "base_momentum", endMomentum: "max_momentum" },
          { endStep: total - 1, startLr: "initial_lr", endLr: "min_lr", startMomentum: "max_momentum", endMomentum: "max_momentum" },
        ]
      : [
          { endStep: pctStart * total - 1, startLr: "initial_lr", endLr: "max_lr", startMomentum: "max_momentum", endMomentum: "base_momentum" },
          { endStep: total - 1, startLr: "max_lr", endLr: "min_lr", startMomentum: "base_momentum", endMomentum: "max_momentum" },
        ];

    if (lastEpoch === -1) {
      this.groups.forEach((g, i) => {
        g.initial_lr = maxLrs[i] / divFactor;
        g.max_lr = maxLrs[i];
        g.min_lr = g.initial_lr / finalDivFactor;
        if (this.momentumKey) {
          setMomentum(g, this.momentumKey, maxMomentums[i]);
          g.max_momentum = maxMomentums[i];
          g.base_momentum = baseMomentums[i];
        }
      });
    }
    this.attach(lastEpoch);
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "cos") return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  override step(epoch?: number): void {
    checkEpoch(`${this.name}.step`, epoch);
    const next = epoch === undefined ? this.lastEpoch + 1 : epoch;
    if (next > this.totalSteps) {
      throw new RangeError(`${this.name}: Tried to step ${next + 1} times. The specified number of total steps is ${this.totalSteps}`);
    }
    super.step(epoch);
  }

  /** Also writes the annealed momentum (or beta1) into the groups. */
  protected getLr(): number[] {
    const t = this.lastEpoch;
    return this.groups.map((g: ParamGroupLike) => {
      let start = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i];
        if (t <= phase.endStep || i === this.phases.length - 1) {
          const pct = (t - start) / (phase.endStep - start);
          if (this.momentumKey) {
            setMomentum(g, this.momentumKey, this.anneal(g[phase.startMomentum], g[phase.endMomentum], pct));
          }
          return this.anneal(g[phase.startLr], g[phase.endLr], pct);
        }
        start = phase.endStep;
      }
      throw new Error(`${this.name}: no phase for step ${describe(t)}`);
    });
  }

  protected override stateKeys(): string[] {
    return ["totalSteps", "phases", "annealStrategy", "cycleMomentum", "momentumKey"];
  }
}
