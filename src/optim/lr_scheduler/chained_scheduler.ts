// ChainedScheduler: step several chainable schedulers of one optimizer with one call.
import { describe, readOptions } from "./options.js";
import { ReduceLROnPlateau } from "./reduce_lr_on_plateau.js";
import { checkOptimizer, loadAllOrNothing, groupsOf, type OptimizerLike, type Scheduler, type SchedulerState } from "./scheduler.js";

type Steppable = Scheduler & { step(): void };

export interface ChainedSchedulerOptions {
  /** Schedulers of this optimizer, stepped in this order (required). */
  schedulers: Steppable[];
}

/**
 * step() steps every scheduler in order; because each applies its recursive
 * form to the lr the previous one left, their effects multiply. Takes
 * `(optimizer, {schedulers})`, or PyTorch's `({schedulers})` / `(schedulers)`.
 */
export class ChainedScheduler implements Scheduler {
  readonly optimizer: OptimizerLike;
  private readonly schedulers: Steppable[];
  private lastLr: number[];

  constructor(optimizer: OptimizerLike, options?: ChainedSchedulerOptions);
  constructor(options: ChainedSchedulerOptions | Steppable[]);
  constructor(first: unknown, second?: unknown) {
    const where = "ChainedScheduler";
    let optimizer: unknown;
    let options: unknown;
    if (Array.isArray(first)) options = { schedulers: first };
    else if (second === undefined && first !== null && typeof first === "object" && "schedulers" in first) options = first;
    else [optimizer, options] = [first, second];
    const o = readOptions(where, options, ["schedulers"]);
    const schedulers = o.schedulers;
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      throw new TypeError(`${where}: schedulers must be a non-empty array of schedulers, got ${describe(schedulers)}`);
    }
    schedulers.forEach((s: unknown, i) => {
      if (s === null || typeof s !== "object" || typeof (s as Steppable).step !== "function" || s instanceof ReduceLROnPlateau) {
        throw new TypeError(`${where}: schedulers[${i}] must be an epoch-based scheduler (not ReduceLROnPlateau), got ${describe(s)}`);
      }
    });
    if (optimizer === undefined) optimizer = (schedulers[0] as Scheduler).optimizer;
    this.optimizer = checkOptimizer(where, optimizer);
    schedulers.forEach((s: unknown, i) => {
      if ((s as Scheduler).optimizer !== optimizer) {
        throw new Error(`${where}: expects all schedulers to belong to the same optimizer, but schedulers[${i}] has a different one`);
      }
    });
    this.schedulers = schedulers.slice();
    this.lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }

  step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  stateDict(): SchedulerState {
    return { scheduler: "ChainedScheduler", lastLr: this.lastLr.slice(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /** Its own fields and every inner scheduler's state, all or nothing (see loadAllOrNothing). */
  loadStateDict(state: SchedulerState): void {
    loadAllOrNothing(this, state, (s) => this.loadParts(s));
  }

  private loadParts(state: SchedulerState): void {
    const where = "ChainedScheduler.loadStateDict";
    const sd = state as { scheduler?: unknown; lastLr?: unknown; schedulers?: unknown } | null;
    if (sd?.scheduler !== "ChainedScheduler") throw new TypeError(`${where}: the state dict is from ${describe(sd?.scheduler)}, not ChainedScheduler`);
    const inner = sd.schedulers;
    if (!Array.isArray(inner) || inner.length !== this.schedulers.length) {
      throw new RangeError(`${where}: expected ${this.schedulers.length} scheduler states, got ${describe(inner)}`);
    }
    const lastLr = sd.lastLr;
    if (!Array.isArray(lastLr) || lastLr.length !== this.lastLr.length || lastLr.some((x) => typeof x !== "number")) {
      throw new TypeError(`${where}: lastLr must be an array of ${this.lastLr.length} numbers, got ${describe(lastLr)}`);
    }
    inner.forEach((s, i) => {
      const tag = this.schedulers[i].stateDict().scheduler;
      if ((s as SchedulerState | null)?.scheduler !== tag) {
        throw new TypeError(`${where}: schedulers[${i}] is a ${describe((s as SchedulerState | null)?.scheduler)} state, not ${tag}`);
      }
    });
    this.lastLr = lastLr.slice() as number[];
    inner.forEach((s, i) => this.schedulers[i].loadStateDict(s as SchedulerState));
  }
}
