// The learning-rate scheduler base: PyTorch 1.13's _LRScheduler. A scheduler
// reads and writes the `lr` of every param group of an optimizer; it never
// depends on the optimizer's class, only on this structural shape.
import { booleanOption, describe, numberOption, readOptions } from "./options.js";

/** A numeric option of a scheduler: what it must be (in messages), its check, its default (absent: required). */
export type NumberOption = readonly [what: string, ok: (x: number) => boolean, fallback?: number];
import { checkSchedulerField } from "./state_rules.js";

/** What a scheduler needs from an optimizer: mutable param groups with an `lr`. */
export interface OptimizerLike {
  readonly paramGroups: readonly { lr: number }[];
}

/** A param group seen by a scheduler: `lr` plus the keys schedulers add (initial_lr, max_lr, ...). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ParamGroupLike = { lr: number; [key: string]: any };

/** JSON data: what stateDict() returns and loadStateDict() takes. */
export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type SchedulerState = { [key: string]: JsonValue };

/** Every scheduler: LRScheduler subclasses, SequentialLR, ChainedScheduler, ReduceLROnPlateau. */
export interface Scheduler {
  readonly optimizer: OptimizerLike;
  getLastLr(): number[];
  stateDict(): SchedulerState;
  loadStateDict(state: SchedulerState): void;
}

export function groupsOf(optimizer: OptimizerLike): ParamGroupLike[] {
  return optimizer.paramGroups as ParamGroupLike[];
}

/** Throws a TypeError unless `optimizer` has a non-empty paramGroups array of groups with numeric lr. */
export function checkOptimizer(where: string, optimizer: unknown): OptimizerLike {
  const groups = (optimizer as OptimizerLike | null)?.paramGroups;
  if (optimizer === null || typeof optimizer !== "object" || !Array.isArray(groups)) {
    throw new TypeError(`${where}: expected an optimizer (an object with paramGroups), got ${describe(optimizer)}`);
  }
  if (groups.length === 0) throw new RangeError(`${where}: the optimizer has no param groups`);
  groups.forEach((g: unknown, i) => {
    const lr = (g as ParamGroupLike | null)?.lr;
    if (typeof lr !== "number") throw new TypeError(`${where}: paramGroups[${i}].lr must be a number, got ${describe(lr)}`);
  });
  return optimizer as OptimizerLike;
}

/** step(epoch)'s epoch: undefined, or a finite number (a TypeError for another type, a RangeError for NaN and ±Infinity). */
export function checkEpoch(where: string, epoch: unknown, min = -Infinity): void {
  if (epoch === undefined) return;
  const expected = min === -Infinity ? "a finite number or undefined" : `a finite number >= ${min} or undefined`;
  if (typeof epoch !== "number") throw new TypeError(`${where}: epoch must be ${expected}, got ${describe(epoch)}`);
  if (!Number.isFinite(epoch) || epoch < min) throw new RangeError(`${where}: epoch must be ${expected}, got ${describe(epoch)}`);
}

/** lastEpoch is -1 (start) or the index of the last epoch of a run being resumed. */
export function lastEpochOption(where: string, value: unknown): number {
  return numberOption(where, "lastEpoch", value, "an integer >= -1", (x) => Number.isInteger(x) && x >= -1, -1);
}

/** Resuming (lastEpoch >= 0) needs initial_lr in every group, as PyTorch checks. */
export function checkResumable(where: string, optimizer: OptimizerLike, lastEpoch: number, keys: readonly string[] = ["initial_lr"]): void {
  if (lastEpoch === -1) return;
  groupsOf(optimizer).forEach((g, i) => {
    for (const key of keys) {
      if (!(key in g)) {
        throw new Error(
          // PyTorch's words first (its group list is param_groups), then what to do here.
          `${where}: param '${key}' is not specified in param_groups[${i}] when resuming an optimizer ` +
            `(paramGroups[${i}], resuming with lastEpoch ${lastEpoch}: load the optimizer's state dict first)`,
        );
      }
    }
  });
}

/** Python's "{:.4e}": 1.0000e-01. */
export function formatLr(lr: number): string {
  return lr.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
}

/** PyTorch's epoch in verbose messages: "%.5d" for integers, "%.2f" otherwise. */
export function formatEpoch(epoch: number): string {
  return Number.isInteger(epoch) ? String(Math.abs(epoch)).padStart(5, "0").replace(/^/, epoch < 0 ? "-" : "") : epoch.toFixed(2);
}

/** JSON cannot hold ±Infinity or NaN: they travel as these strings. */
function encode(v: unknown): JsonValue {
  if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
  if (Array.isArray(v)) return v.map(encode);
  if (v !== null && typeof v === "object") {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) out[k] = encode(x);
    return out;
  }
  return v as JsonValue;
}

function decode(v: JsonValue): unknown {
  if (v === "Infinity" || v === "-Infinity" || v === "NaN") return Number(v);
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = decode(x);
    return out;
  }
  return v;
}

function kind(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** Fields holding one value per param group (empty when unused, e.g. momenta without cycleMomentum). */
const PER_GROUP = new Set(["baseLrs", "lastLr", "maxLrs", "baseMomentums", "maxMomentums", "minLrs"]);

/**
 * stateDict(): the fields named by `keys` as JSON data, tagged with the
 * scheduler's name.
 */
export function saveFields(name: string, self: object, keys: readonly string[]): SchedulerState {
  const out: SchedulerState = { scheduler: name };
  for (const key of keys) out[key] = encode((self as Record<string, unknown>)[key]);
  return out;
}

/**
 * loadStateDict(): checks the tag, that every field is present with the kind
 * of value (number, string, array, ...) the scheduler holds now and in its
 * range (state_rules.ts), and that there are no unknown fields; assigns only
 * once everything has been checked.
 */
export function loadFields(name: string, self: object, keys: readonly string[], state: unknown, extra: readonly string[] = []): void {
  const where = `${name}.loadStateDict`;
  if (state === null || typeof state !== "object" || Array.isArray(state)) {
    throw new TypeError(`${where}: expected a state dict object, got ${describe(state)}`);
  }
  const sd = state as SchedulerState;
  if (sd.scheduler !== name) throw new TypeError(`${where}: the state dict is from ${describe(sd.scheduler)}, not ${name}`);
  const unknown = Object.keys(sd).filter((k) => k !== "scheduler" && !keys.includes(k) && !extra.includes(k));
  if (unknown.length) throw new TypeError(`${where}: unexpected keys [${unknown.join(", ")}]`);
  const target = self as Record<string, unknown>;
  const values: [string, unknown][] = [];
  for (const key of keys) {
    if (!(key in sd)) throw new TypeError(`${where}: missing key ${key}`);
    const v = decode(sd[key]);
    const now = target[key];
    if (kind(now) !== kind(v) && now !== null && now !== undefined && v !== null) {
      throw new TypeError(`${where}: ${key} must be ${kind(now) === "array" ? "an array" : `a ${kind(now)}`}, got ${describe(sd[key])}`);
    }
    checkSchedulerField(name, key, v);
    if (PER_GROUP.has(key) && Array.isArray(now) && Array.isArray(v) && now.length && v.length && now.length !== v.length) {
      throw new RangeError(`${where}: ${key} has ${v.length} entries in the state dict but ${now.length} here (one per param group)`);
    }
    values.push([key, v]);
  }
  for (const [key, v] of values) target[key] = v;
}

/**
 * Loads `state` into a scheduler made of parts (SequentialLR,
 * ChainedScheduler) with `loadParts`, which loads part after part; if a later
 * part is invalid, the state from before is loaded back the same way, so an
 * error changes nothing.
 */
export function loadAllOrNothing(self: Scheduler, state: SchedulerState, loadParts: (s: SchedulerState) => void): void {
  const before = self.stateDict();
  try {
    loadParts(state);
  } catch (e) {
    loadParts(before);
    throw e;
  }
}

/**
 * PyTorch's chainable scheduler (_LRScheduler). A subclass validates its
 * options, sets its fields and then calls attach(lastEpoch) — which records
 * `initial_lr` in every group (if absent) as the base lrs and performs the
 * initial step (lastEpoch -1 → 0).
 *
 * step() increments lastEpoch and applies the recursive ("chainable") form
 * getLr(), which multiplies the group's current lr, so several schedulers can
 * act on one optimizer and external lr changes carry through. step(epoch)
 * sets lastEpoch and uses the closed form of the schedule where it exists
 * (PyTorch's deprecated epoch argument; SequentialLR relies on step(0)).
 */
export abstract class LRScheduler implements Scheduler {
  readonly optimizer: OptimizerLike;
  /** The lr each group started from (its `initial_lr`). */
  baseLrs: number[] = [];
  /** Index of the last epoch (or batch) stepped; 0 after construction. */
  lastEpoch = -1;
  /** Number of step() calls since the initial step reset it (PyTorch's _step_count). */
  protected stepCount = 0;
  protected lastLr: number[] = [];
  /** The scheduler's name in messages and state dicts. */
  protected readonly name: string;
  /** Print every lr change, in PyTorch's words (option `verbose`). */
  verbose = false;

  protected constructor(name: string, optimizer: unknown) {
    this.name = name;
    this.optimizer = checkOptimizer(name, optimizer);
  }

  /**
   * Reads a scheduler's options: the keys of `spec` in order, then lastEpoch
   * and verbose. `more` reads the options whose entry is null; every other
   * entry is a numeric option [what it must be, its check, its default (none:
   * required)], set as the field of its name. Then the common options; checks
   * that the optimizer can resume at lastEpoch, which it returns (for attach).
   */
  protected configure(options: unknown, spec: Record<string, NumberOption | null>, more?: (o: Record<string, unknown>) => void): number {
    const o = readOptions(this.name, options, [...Object.keys(spec), "lastEpoch", "verbose"]);
    more?.(o);
    const fields = this as unknown as Record<string, number>;
    for (const [key, number] of Object.entries(spec)) if (number) fields[key] = numberOption(this.name, key, o[key], ...number);
    const lastEpoch = this.readCommonOptions(o);
    checkResumable(this.name, this.optimizer, lastEpoch);
    return lastEpoch;
  }

  /** Reads the options every scheduler takes: `verbose`, and `lastEpoch` (returned). */
  protected readCommonOptions(o: Record<string, unknown>): number {
    this.verbose = booleanOption(this.name, "verbose", o.verbose, false);
    return lastEpochOption(this.name, o.lastEpoch);
  }

  /** Writes the lrs into the groups (as far as there are values: PyTorch's zip) and records them. */
  protected applyLrs(values: number[], epoch?: number): void {
    values.forEach((lr, i) => {
      this.groups[i].lr = lr;
      if (this.verbose) {
        const where = epoch === undefined ? "Adjusting" : `Epoch ${formatEpoch(epoch)}: adjusting`;
        console.log(`${where} learning rate of group ${i} to ${formatLr(lr)}.`);
      }
    });
    this.lastLr = this.groups.map((g) => g.lr);
  }

  protected get groups(): ParamGroupLike[] {
    return groupsOf(this.optimizer);
  }

  /** The tail of PyTorch's _LRScheduler.__init__; call once options are validated and fields set. */
  protected attach(lastEpoch: number): void {
    const added: ParamGroupLike[] = [];
    if (lastEpoch === -1) {
      for (const g of this.groups) {
        if ("initial_lr" in g) continue;
        g.initial_lr = g.lr;
        added.push(g);
      }
    }
    this.baseLrs = this.groups.map((g) => g.initial_lr as number);
    this.lastEpoch = lastEpoch;
    try {
      this.initialStep();
    } catch (e) {
      // the initial step failed (e.g. a user lambda): the optimizer is left as it was
      for (const g of added) delete g.initial_lr;
      throw e;
    }
  }

  /** Resets the step count and performs a step (SequentialLR calls this to restart its first scheduler). */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The recursive form: the lrs for this.lastEpoch, from the groups' current lrs. */
  protected abstract getLr(): number[];

  /** The closed form, for schedulers that have one: lrs as a function of lastEpoch and baseLrs. */
  protected closedFormLr?(): number[];

  /**
   * Advances the schedule by one epoch (or to `epoch`, using the closed form)
   * and writes the new lrs into the param groups. If computing the new lrs
   * throws (e.g. a user lambda), nothing has changed.
   */
  step(epoch?: number): void {
    checkEpoch(`${this.name}.step`, epoch);
    const saved = { lastEpoch: this.lastEpoch, stepCount: this.stepCount };
    let values: number[];
    try {
      this.stepCount += 1;
      if (epoch === undefined) {
        this.lastEpoch += 1;
        values = this.getLr();
      } else {
        this.lastEpoch = epoch;
        values = this.closedFormLr ? this.closedFormLr() : this.getLr();
      }
      values.forEach((lr, i) => {
        if (typeof lr !== "number") throw new TypeError(`${this.name}.step: the lr computed for group ${i} is not a number: ${describe(lr)}`);
      });
    } catch (e) {
      this.lastEpoch = saved.lastEpoch;
      this.stepCount = saved.stepCount;
      throw e;
    }
    // As PyTorch's zip: a group added after construction gets an lr only from forms that cover every group.
    this.applyLrs(values, epoch);
  }

  /** The lrs the last step() wrote (one per group). */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** The fields of stateDict() beyond the base ones. */
  protected stateKeys(): string[] {
    return [];
  }

  private allStateKeys(): string[] {
    return ["lastEpoch", "baseLrs", "stepCount", "lastLr", ...this.stateKeys()];
  }

  /** Plain JSON data: every field of the schedule (functions such as lambdas are not saved, as in PyTorch). */
  stateDict(): SchedulerState {
    return saveFields(this.name, this, this.allStateKeys());
  }

  /** Restores stateDict() output (load the optimizer's state dict as well: the lrs live there). */
  loadStateDict(state: SchedulerState): void {
    loadFields(this.name, this, this.allStateKeys(), state);
  }
}
