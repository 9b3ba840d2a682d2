// SequentialLR: hand the optimizer from one scheduler to the next at milestone epochs.
import { booleanOption, describe, readOptions } from "./options.js";
import { checkOptimizer, loadAllOrNothing, groupsOf, lastEpochOption, loadFields, LRScheduler, saveFields, type OptimizerLike, type Scheduler, type SchedulerState } from "./scheduler.js";

export interface SequentialLROptions {
  /** Schedulers of this optimizer, constructed beforehand (required). */
  schedulers: LRScheduler[];
  /** Epochs at which the next scheduler takes over; one fewer than schedulers (required). */
  milestones: number[];
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/**
 * PyTorch 1.13's SequentialLR. The constructor resets every group's lr to its
 * initial_lr, undoes the initial step of every scheduler (lastEpoch − 1) and
 * restarts the first one (initialStep). step() steps the scheduler whose
 * interval contains the epoch; at a milestone it calls that scheduler's
 * step(0), so it starts from its closed form at epoch 0.
 */
export class SequentialLR implements Scheduler {
  readonly optimizer: OptimizerLike;
  lastEpoch: number;
  milestones: number[];
  private readonly schedulers: LRScheduler[];
  private lastLr: number[];

  constructor(optimizer: OptimizerLike, options: SequentialLROptions) {
    const where = "SequentialLR";
    this.optimizer = checkOptimizer(where, optimizer);
    const o = readOptions(where, options, ["schedulers", "milestones", "lastEpoch", "verbose"]);
    const schedulers = o.schedulers;
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      throw new TypeError(`${where}: schedulers must be a non-empty array of schedulers, got ${describe(schedulers)}`);
    }
    schedulers.forEach((s: unknown, i) => {
      if (!(s instanceof LRScheduler)) {
        throw new TypeError(`${where}: schedulers[${i}] must be an epoch-based scheduler (not ReduceLROnPlateau, SequentialLR or ChainedScheduler), got ${describe(s)}`);
      }
      if (s.optimizer !== optimizer) {
        throw new Error(`${where}: expects all schedulers to belong to the same optimizer, but got schedulers[${i}] to be different than the optimizer passed in`);
      }
    });
    const milestones = o.milestones;
    if (!Array.isArray(milestones)) throw new TypeError(`${where}: milestones must be an array of integers, got ${describe(milestones)}`);
    if (milestones.length !== schedulers.length - 1) {
      throw new RangeError(
        `${where}: expects number of schedulers provided to be one more than the number of milestone points, ` +
          `but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`,
      );
    }
    milestones.forEach((m, i) => {
      if (typeof m !== "number" || !Number.isInteger(m) || m < 0 || (i > 0 && m < milestones[i - 1])) {
        throw new RangeError(`${where}: milestones must be non-decreasing non-negative integers, got ${describe(milestones)}`);
      }
    });
    const lastEpoch = lastEpochOption(where, o.lastEpoch);
    booleanOption(where, "verbose", o.verbose, false); // accepted, and (as in PyTorch) it does nothing
    groupsOf(this.optimizer).forEach((g, i) => {
      if (typeof g.initial_lr !== "number") throw new Error(`${where}: paramGroups[${i}] has no initial_lr (construct the schedulers first)`);
    });

    this.schedulers = schedulers.slice();
    this.milestones = milestones.slice();
    this.lastEpoch = lastEpoch + 1;
    for (const g of groupsOf(this.optimizer)) g.lr = g.initial_lr;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0].initialStep();
    this.lastLr = this.schedulers[0].getLastLr();
  }

  step(): void {
    const epoch = this.lastEpoch + 1;
    const idx = this.milestones.filter((m) => m <= epoch).length;
    const scheduler = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === epoch) scheduler.step(0);
    else scheduler.step();
    this.lastEpoch = epoch;
    this.lastLr = scheduler.getLastLr();
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** Its own fields and the state dict of every scheduler. */
  stateDict(): SchedulerState {
    return { ...saveFields("SequentialLR", this, ["lastEpoch", "milestones", "lastLr"]), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /** Its own fields and every inner scheduler's state, all or nothing (see loadAllOrNothing). */
  loadStateDict(state: SchedulerState): void {
    loadAllOrNothing(this, state, (s) => this.loadParts(s));
  }

  private loadParts(state: SchedulerState): void {
    const inner = (state as { schedulers?: unknown } | null)?.schedulers;
    if (!Array.isArray(inner) || inner.length !== this.schedulers.length) {
      throw new RangeError(`SequentialLR.loadStateDict: expected ${this.schedulers.length} scheduler states, got ${describe(inner)}`);
    }
    // Check every part before changing any: load into throwaway copies of the fields first.
    loadFields("SequentialLR", { lastEpoch: this.lastEpoch, milestones: [], lastLr: this.lastLr.slice() }, ["lastEpoch", "milestones", "lastLr"], state, ["schedulers"]);
    inner.forEach((s, i) => {
      if ((s as SchedulerState | null)?.scheduler !== this.schedulers[i].stateDict().scheduler) {
        throw new TypeError(`SequentialLR.loadStateDict: schedulers[${i}] is a ${describe((s as SchedulerState | null)?.scheduler)} state, not ${this.schedulers[i].stateDict().scheduler}`);
      }
    });
    loadFields("SequentialLR", this, ["lastEpoch", "milestones", "lastLr"], state, ["schedulers"]);
    inner.forEach((s, i) => this.schedulers[i].loadStateDict(s as SchedulerState));
  }
}
