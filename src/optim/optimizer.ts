// Optimizer: PyTorch's torch.optim.Optimizer — parameter groups with their
// own options, lazily created per-parameter state, step(), zeroGrad(),
// addParamGroup() and JSON state dicts — plus the machinery shared by every
// update rule: validation before anything changes, gradient centralization,
// and each group's table of tensors, which one kernel call updates.
import { runOwned } from "../lifetime.js";
import { Tensor, jsonData, jsonValues, sameShape, shapeToString } from "../tensor.js";
import { backend, TensorTable, type TableRow } from "../backend/index.js";
import { undoAllocationsOnError } from "../runtime/memory.js";
import { describe, expectedNumber, isPlainObject, optionsArg, booleanOption, satisfies, type NumberRule } from "../validate.js";

/** What a constructor or addParamGroup accepts as one group. */
export interface ParamGroupInit {
  params: Iterable<Tensor> | Tensor;
  [option: string]: unknown;
}

/** A parameter group: its tensors and its options (mutable plain numbers, `betas` a 2-array). */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  gradCentralization: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [option: string]: any;
}

export type ParamsArg = Iterable<Tensor> | ParamGroupInit[];

/** Per-parameter state: buffers (tensors shaped like the parameter) and scalars such as `step`. */
export type ParamState = Record<string, Tensor | number>;

/**
 * A state buffer in a state dict: plain JSON (NaN and ±Infinity as the strings
 * "NaN", "Infinity", "-Infinity"). loadStateDict also takes a Float32Array as data.
 */
export interface TensorJson {
  shape: number[];
  data: (number | string)[] | Float32Array;
}

/** Keys that lr schedulers add to parameter groups (PyTorch's names, kept as they are). */
export const SCHEDULER_GROUP_KEYS: readonly string[] = ["initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum", "swa_lr"];

/** Throws unless every number in an option value (a number or an array of them) is finite. */
function checkFiniteOption(where: string, key: string, v: unknown): void {
  const bad = (x: unknown) => typeof x === "number" && !Number.isFinite(x);
  if (bad(v) || (Array.isArray(v) && v.some(bad))) throw new RangeError(`${where}: option ${key} must be finite, got ${describe(v)}`);
}

export interface StateDict {
  version: number;
  optimizer: string;
  state: Record<string, Record<string, number | TensorJson>>;
  paramGroups: Record<string, unknown>[];
  [extra: string]: unknown;
}

export const STATE_DICT_VERSION = 1;

export interface CommonOptions {
  lr?: number;
  /** Subtract the gradient's mean over all dimensions but the first (parameters of 2+ dimensions). */
  gradCentralization?: boolean;
}

/** Float32 rounding of a scalar computed in float64: the form kernels and twins receive. */
export const f32 = Math.fround;

function isTensorJson(v: unknown): v is TensorJson {
  return typeof v === "object" && v !== null && Array.isArray((v as TensorJson).shape) && "data" in v;
}

/** Options without the keys whose value is `undefined` (which means "the default"). */
export function definedOptions<T extends object>(options: T | undefined): Partial<T> {
  if (options === undefined || options === null) return {};
  if (!isPlainObject(options)) throw new TypeError(`optimizer options must be an object, got ${describe(options)}`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}

const snakeToCamel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * PyTorch 1.13's implementation switches each optimizer's constructor takes
 * (`foreach`, `differentiable`, and Adam's CUDA-only `capturable`/`fused`).
 * They select kernels, not results (checked against 1.13), so they are
 * accepted and ignored; the CUDA-only ones only as `false` (PyTorch itself
 * fails with them on the CPU). NAdam, whose 1.13 foreach path computes
 * differently, keeps `foreach` as an option of its own.
 */
const IMPLEMENTATION_FLAGS: Record<string, readonly string[]> = {
  SGD: ["foreach", "differentiable"],
  Adam: ["foreach", "differentiable", "capturable", "fused"],
  AdamW: ["foreach", "capturable"],
  Adagrad: ["foreach"],
  RMSprop: ["foreach", "differentiable"],
  Adamax: ["foreach"],
  RAdam: ["foreach"],
  Adadelta: ["foreach"],
};

function checkImplementationFlag(name: string, key: string, value: unknown): void {
  const cudaOnly = key === "capturable" || key === "fused";
  if (key === "foreach" ? value === null || typeof value === "boolean" : typeof value === "boolean") {
    if (cudaOnly && value === true) {
      throw new RangeError(`${name}: ${key}: true needs CUDA tensors (as in PyTorch); wasmtrain runs on the CPU, leave it false`);
    }
    return;
  }
  throw new TypeError(`${name}: ${key} must be a boolean${key === "foreach" ? " or null" : ""}, got ${describe(value)}`);
}

/**
 * If `key` is one of optimizer `name`'s implementation switches: checks its
 * value (errors name `where`), removes it from `options` and returns true.
 */
export function dropImplementationFlag(name: string, where: string, options: Record<string, unknown>, key: string): boolean {
  if (!IMPLEMENTATION_FLAGS[name]?.includes(key)) return false;
  checkImplementationFlag(where, key, options[key]);
  delete options[key];
  return true;
}

/**
 * The constructor's options merged over `defaults`. An option left `undefined`
 * takes its default; a key the optimizer does not have is a TypeError (PyTorch:
 * "got an unexpected keyword argument"), with a hint for PyTorch's snake_case.
 * PyTorch's implementation switches (IMPLEMENTATION_FLAGS) are checked and dropped.
 */
export function withDefaults(name: string, defaults: Record<string, unknown>, options: object | undefined): Record<string, unknown> {
  const given = definedOptions(options) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (key in defaults || key === "gradCentralization") continue;
    if (dropImplementationFlag(name, name, given, key)) continue;
    const camel = snakeToCamel(key);
    const hint = camel !== key && camel in defaults ? `; options are camelCase: did you mean ${camel}?` : "";
    throw new TypeError(`${name}: unexpected option ${JSON.stringify(key)}${hint} (valid: ${[...Object.keys(defaults), "gradCentralization"].join(", ")})`);
  }
  return { ...defaults, ...given };
}

/**
 * The option checks every optimizer's checkOptions() uses, in PyTorch's words
 * ("Invalid learning rate: -1"). They run in the constructor, addParamGroup(),
 * loadStateDict() and at every step() (paramGroups are mutable), so one rule
 * covers them all. Every number must be finite: PyTorch accepts lr=inf and
 * turns every parameter into NaN; here it is an error like a negative lr. A
 * value of the wrong type (the string "0.1") is a TypeError saying so.
 */
export function checkOptionNumber(label: string, value: unknown, rule: NumberRule): void {
  if (typeof value !== "number") {
    throw new TypeError(`${label}: ${describe(value)} (expected ${expectedNumber(rule)}, got ${value === null ? "null" : typeof value})`);
  }
  if (!satisfies(value, rule)) throw new RangeError(`${label}: ${describe(value)}`);
}

/** A finite number >= 0 (PyTorch's "Invalid weight_decay value: -1"). `what` is PyTorch's name for it. */
export function checkNonNegative(value: unknown, what: string): void {
  checkOptionNumber(`Invalid ${what} value`, value, { min: 0 });
}

/** A finite number (e.g. SGD's dampening, which PyTorch leaves unchecked). */
export function checkFinite(value: unknown, what: string): void {
  checkOptionNumber(`Invalid ${what} value`, value, {});
}

/** A number in [min, max] (e.g. Adadelta's rho in [0, 1]). */
export function checkInRange(value: unknown, what: string, min: number, max: number): void {
  checkOptionNumber(`Invalid ${what} value`, value, { min, max });
}

export function checkLr(value: unknown): void {
  checkOptionNumber("Invalid learning rate", value, { min: 0 });
}

export function checkEps(value: unknown): void {
  checkOptionNumber("Invalid epsilon value", value, { min: 0 });
}

export function checkBetas(betas: unknown): void {
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new TypeError(`Invalid betas: ${describe(betas)} (expected an array of two numbers in [0, 1))`);
  }
  for (let i = 0; i < 2; i++) checkOptionNumber(`Invalid beta parameter at index ${i}`, betas[i], { min: 0, max: 1, maxExclusive: true });
}

export function checkBool(value: unknown, what: string): void {
  if (typeof value !== "boolean") throw new TypeError(`Invalid ${what} value: ${describe(value)} (expected a boolean)`);
}

/**
 * What a wrapper (Lookahead) passes to the Optimizer constructor instead of
 * parameters: it has no groups of its own and exposes another optimizer's.
 */
export const WRAPS_ANOTHER_OPTIMIZER: unique symbol = Symbol("wraps another optimizer");

export abstract class Optimizer {
  readonly defaults: Readonly<Record<string, unknown>>;
  #groups: ParamGroup[] = [];
  #state = new Map<Tensor, ParamState>();
  #tables = new Map<ParamGroup, TensorTable>();
  #gcScratch = new Map<Tensor, Tensor>();
  /** The array effectiveGrads returns for a group, reused from step to step. */
  #gcResult = new WeakMap<ParamGroup, Tensor[]>();
  #rows = new Map<ParamGroup, TableRow[]>();
  #work: { ps: Tensor[]; gs: Tensor[] }[] = [];
  #disposed = false;

  /**
   * `params`: an iterable of parameters, or an array of `{ params, ...options }`.
   * WRAPS_ANOTHER_OPTIMIZER is for wrappers (Lookahead) that expose another
   * optimizer's groups. Anything else (null, a single tensor, a string) is a
   * TypeError, as in PyTorch.
   */
  protected constructor(params: ParamsArg | typeof WRAPS_ANOTHER_OPTIMIZER, defaults: Record<string, unknown>) {
    this.defaults = Object.freeze({ gradCentralization: false, ...defaults });
    if (params === WRAPS_ANOTHER_OPTIMIZER) return;
    this.checkOptions(this.defaults as Record<string, unknown>);
    if (params === null || typeof params !== "object" || params instanceof Tensor || typeof (params as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw new TypeError(
        `${this.name}: params argument given to the optimizer should be an iterable of Tensors or parameter groups, but got ${describe(params)}`,
      );
    }
    const list = [...(params as Iterable<Tensor | ParamGroupInit>)];
    if (list.length === 0) throw new Error(`${this.name}: optimizer got an empty parameter list`);
    // A list of tensors is one group; otherwise every entry must be a group.
    const asTensors = list[0] instanceof Tensor;
    list.forEach((x, i) => {
      if (asTensors ? !(x instanceof Tensor) : !isPlainObject(x)) {
        throw new TypeError(
          `${this.name}: params[${i}] must be ${asTensors ? "a Tensor (params is a list of tensors)" : "a parameter group { params, ...options } or every entry a Tensor"}, got ${describe(x)}`,
        );
      }
    });
    const groups: ParamGroupInit[] = asTensors ? [{ params: list as Tensor[] }] : (list as ParamGroupInit[]);
    const built: ParamGroup[] = [];
    for (const g of groups) built.push(this.buildGroup(g, built));
    this.#groups = built;
  }

  /**
   * The class name as PyTorch spells it (for messages and state dicts). Each
   * optimizer states it: a minifying bundler renames classes, and a state dict
   * saved in Node must load in a minified browser bundle. A subclass that does
   * not (a user's own optimizer) gets its constructor's name.
   */
  static readonly optimizerName: string = "Optimizer";

  get name(): string {
    const ctor = this.constructor as typeof Optimizer;
    return Object.prototype.hasOwnProperty.call(ctor, "optimizerName") ? ctor.optimizerName : ctor.name;
  }

  /** Parameter groups. Options are plain mutable values read at every step. */
  get paramGroups(): ParamGroup[] {
    return this.#groups;
  }

  /** Per-parameter state, created at a parameter's first step. */
  get state(): Map<Tensor, ParamState> {
    return this.#state;
  }

  /** Throws (PyTorch's messages) on an invalid option value. */
  protected abstract checkOptions(options: Record<string, unknown>): void;

  /** Creates the state of a parameter before its first update. */
  protected abstract initState(p: Tensor, group: ParamGroup): ParamState;

  /** Updates the parameters of `rows` (those with a gradient) in one group. */
  protected abstract updateGroup(group: ParamGroup, params: Tensor[], grads: Tensor[]): void;

  /** State scalar keys other than tensors (for state-dict validation). */
  protected stateScalarKeys(): string[] {
    return ["step"];
  }

  /** State buffers created at a later step than the first (for state-dict validation), e.g. SGD's momentum_buffer. */
  protected lazyStateKeys(): string[] {
    return [];
  }

  private buildGroup(init: ParamGroupInit, existing: readonly ParamGroup[]): ParamGroup {
    if (!isPlainObject(init)) throw new TypeError(`${this.name}: a parameter group must be an object { params, ...options }, got ${describe(init)}`);
    const raw = init.params;
    let params: Tensor[];
    if (raw instanceof Tensor) params = [raw];
    else if (raw !== null && typeof raw === "object" && typeof (raw as Iterable<Tensor>)[Symbol.iterator] === "function") params = [...(raw as Iterable<Tensor>)];
    else throw new TypeError(`${this.name}: a parameter group needs params (an iterable of Tensors), got ${describe(raw)}`);
    params.forEach((p, i) => checkParam(`${this.name}: params[${i}]`, p));
    if (new Set(params).size !== params.length) {
      throw new Error(`${this.name}: a parameter group contains the same parameter more than once`);
    }
    const seen = new Set<Tensor>();
    for (const g of [...this.#groups, ...existing]) for (const p of g.params) seen.add(p);
    if (params.some((p) => seen.has(p))) throw new Error(`${this.name}: some parameters appear in more than one parameter group`);
    const options = definedOptions(init) as Record<string, unknown>;
    for (const key of Object.keys(options)) {
      // as in the constructor (PyTorch reads group['fused'] etc. at step); a
      // user's subclass inherits its base optimizer's switches
      const base = (this.constructor as typeof Optimizer).optimizerName;
      if (!(key in this.defaults) && dropImplementationFlag(base, `${this.name}: parameter group option`, options, key)) continue;
      const camel = snakeToCamel(key);
      if (camel !== key && camel in this.defaults) {
        throw new TypeError(`${this.name}: parameter group option ${JSON.stringify(key)}: options are camelCase: did you mean ${camel}?`);
      }
    }
    const group: ParamGroup = { ...(this.defaults as Record<string, unknown>), ...options, params } as ParamGroup;
    for (const [k, v] of Object.entries(group)) if (Array.isArray(v) && k !== "params") group[k] = [...v];
    this.checkOptions(group);
    checkBool(group.gradCentralization, "gradCentralization");
    return group;
  }

  /** Adds a group (options default to the constructor's); validated, nothing changes on error. */
  addParamGroup(group: ParamGroupInit): void {
    this.assertUsable("addParamGroup");
    this.#groups.push(this.buildGroup(group, []));
  }

  /** Throws if dispose() was called (as a disposed tensor does). `what` names the method. */
  protected assertUsable(what: string): void {
    if (this.#disposed) throw new Error(`${this.name}.${what}: the optimizer has been disposed and cannot be used (create a new one)`);
  }

  /** Whether dispose() has been called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * Resets gradients: to null (default) or to zeros. Every parameter and
   * gradient is checked first, so an error (a disposed gradient) changes none.
   */
  zeroGrad(options?: { setToNone?: boolean }): void {
    const where = `${this.name}.zeroGrad`;
    this.assertUsable("zeroGrad");
    const o = optionsArg(where, options, ["setToNone"]);
    const setToNone = booleanOption(where, "setToNone", o.setToNone, true);
    const grads: Tensor[] = [];
    this.paramGroups.forEach((g, gi) => {
      checkParamList(`${where}: paramGroups[${gi}]`, g);
      g.params.forEach((p, i) => {
        const grad = p.grad;
        if (grad === null) return;
        if (!setToNone) grad.assertAlive(`${where}: gradient of paramGroups[${gi}].params[${i}]`);
        grads.push(p);
      });
    });
    for (const p of grads) {
      if (setToNone) p.grad = null;
      else p.grad!.zero_();
    }
  }

  /**
   * One update of every parameter that has a gradient. Everything is checked
   * first (group options, which may have been edited since construction;
   * disposed tensors; gradient shapes), so an error changes nothing. With a
   * `closure` (PyTorch's `step(closure)`), it is called first — it typically
   * zeroes the gradients, computes the loss and calls backward() — and its
   * result is returned.
   */
  step<T = unknown>(closure?: () => T): T | undefined {
    this.assertUsable("step");
    // A call that ticks this optimizer's lifetime clock (src/lifetime.ts).
    return runOwned(this, () => `${this.name}.step()`, [], () => {
      const loss = Optimizer.callClosure(this.name, closure);
      this.checkStep();
      this.stepChecked();
      return loss;
    });
  }

  /**
   * Checks everything step() checks — every group's options, that each
   * group's params are live tensors, each gradient's shape — and throws what
   * step() would, changing nothing (wrappers such as Lookahead call it before
   * they allocate anything).
   */
  checkStep(): void {
    this.assertUsable("step");
    this.checkGroups(this.paramGroups);
    this.collectWork();
  }

  /** Runs a step closure (if any) the way every optimizer's step() does. */
  protected static callClosure<T>(name: string, closure: (() => T) | undefined): T | undefined {
    if (closure === undefined) return undefined;
    if (typeof closure !== "function") throw new TypeError(`${name}.step: closure must be a function, got ${describe(closure)}`);
    return closure();
  }

  /** Re-validates every group's options (they are mutable between steps). */
  protected checkGroups(groups: readonly ParamGroup[]): void {
    if (!Array.isArray(groups)) throw new TypeError(`${this.name}.step: paramGroups must be an array, got ${describe(groups)}`);
    groups.forEach((g, gi) => {
      checkParamList(`${this.name}.step: paramGroups[${gi}]`, g);
      try {
        this.checkOptions(g);
        checkBool(g.gradCentralization, "gradCentralization");
      } catch (e) {
        (e as Error).message = `${this.name}.step: paramGroups[${gi}]: ${(e as Error).message}`;
        throw e;
      }
    });
  }

  /** Validates every parameter and gradient of every group and lists, per group, those that have a gradient. */
  private collectWork(): void {
    const groups = this.paramGroups;
    const work = this.#work;
    work.length = groups.length;
    for (let gi = 0; gi < groups.length; gi++) {
      const params = groups[gi].params;
      const entry = (work[gi] ??= { ps: [], gs: [] });
      entry.ps.length = 0;
      entry.gs.length = 0;
      for (let i = 0; i < params.length; i++) {
        const p = params[i];
        if (!(p instanceof Tensor)) checkParam(`${this.name}.step: paramGroups[${gi}].params[${i}]`, p);
        if (p.disposed) p.assertAlive(`${this.name}.step: paramGroups[${gi}].params[${i}]`);
        const g = p.grad;
        if (g === null) continue;
        if (g.disposed) g.assertAlive(`${this.name}.step: gradient of paramGroups[${gi}].params[${i}]`);
        if (g.shape !== p.shape && !sameDims(g.shape, p.shape)) {
          throw new RangeError(
            `${this.name}.step: gradient of paramGroups[${gi}].params[${i}] has shape ${shapeToString(g.shape)}, the parameter ${shapeToString(p.shape)}`,
          );
        }
        entry.ps.push(p);
        entry.gs.push(g);
      }
    }
  }

  /** The update, once checkStep() has passed. */
  private stepChecked(): void {
    const groups = this.paramGroups;
    const work = this.#work;
    this.createMissingState(groups, work);
    for (let gi = 0; gi < groups.length; gi++) {
      const { ps, gs } = work[gi];
      if (ps.length === 0) continue;
      this.updateGroup(groups[gi], ps, gs);
      // PyTorch's version counter: each in-place write of its step (AdamW's and NAdam's two) counts.
      const writes = this.paramWritesPerStep;
      for (let i = 0; i < ps.length; i++) for (let k = 0; k < writes; k++) ps[i].bumpVersion();
    }
  }

  /** How many in-place writes torch.optim's step makes to each parameter (its version-counter increment). */
  protected get paramWritesPerStep(): number {
    return 1;
  }

  /**
   * Creates the state of every parameter stepping for the first time, in all
   * groups, before any update: if memory runs out, the state created so far
   * is freed again and nothing has changed.
   */
  private createMissingState(groups: readonly ParamGroup[], work: readonly { ps: Tensor[] }[]): void {
    let missing = false;
    for (let gi = 0; gi < groups.length && !missing; gi++) for (const p of work[gi].ps) if (!this.#state.has(p)) missing = true;
    if (!missing) return; // the steady state: nothing to create, nothing allocated
    const created: Tensor[] = [];
    try {
      undoAllocationsOnError((made) => {
        for (let gi = 0; gi < groups.length; gi++) {
          for (const p of work[gi].ps) {
            if (this.#state.has(p)) continue;
            const s = this.initState(p, groups[gi]);
            for (const v of Object.values(s)) if (v instanceof Tensor) made.push(v);
            this.#state.set(p, s);
            created.push(p);
          }
        }
      });
    } catch (e) {
      for (const p of created) this.#state.delete(p);
      throw e;
    }
  }

  /** The table rows of a group, reused from step to step (no allocation in steady state). */
  protected rowsFor(group: ParamGroup, count: number): TableRow[] {
    let rows = this.#rows.get(group);
    if (!rows) {
      rows = [];
      this.#rows.set(group, rows);
    }
    while (rows.length < count) rows.push({ p: null as unknown as Tensor, g: null as unknown as Tensor });
    rows.length = count;
    return rows;
  }

  /**
   * The group's reused rows, each filled by `fill(row, p, i)` in place: the
   * per-step work of building a kernel table allocates nothing.
   */
  protected fillRows(group: ParamGroup, params: Tensor[], fill: (row: TableRow, p: Tensor, i: number) => void): TableRow[] {
    const rows = this.rowsFor(group, params.length);
    for (let i = 0; i < params.length; i++) {
      rows[i].p = params[i];
      fill(rows[i], params[i], i);
    }
    return rows;
  }

  /**
   * The gradients the update rule should see. Without gradient centralization,
   * the gradients themselves (the kernel applies maximize and L2 decay).
   * With it, scratch copies holding x = gSign·g (+ wd·p) minus, for parameters
   * of 2+ dimensions, the mean over all dimensions but the first; the caller
   * then runs the kernel with gSign = 1 and no L2 decay.
   */
  protected effectiveGrads(group: ParamGroup, params: Tensor[], grads: Tensor[], gSign: number, l2: number): Tensor[] {
    if (!group.gradCentralization) return grads;
    let result = this.#gcResult.get(group);
    if (!result) {
      result = [];
      this.#gcResult.set(group, result);
    }
    result.length = params.length;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      let out = this.#gcScratch.get(p);
      if (!out) {
        out = new Tensor(p.shape);
        this.#gcScratch.set(p, out);
      }
      const rows = p.ndim > 1 ? p.shape[0] : 1;
      const cols = rows === 0 ? 0 : p.size / rows;
      const center = p.ndim > 1;
      backend().centralizeRows(out, grads[i], p, rows, cols, gSign, l2, center);
      result[i] = out;
    }
    return result;
  }

  /** The group's table, bound to `rows`: what an optimizer kernel takes (`backend().adamStep(table, …)`). */
  protected tableFor(group: ParamGroup, rows: readonly TableRow[]): TensorTable {
    let table = this.#tables.get(group);
    if (!table) {
      table = new TensorTable();
      this.#tables.set(group, table);
    }
    return table.bind(rows);
  }

  /** PyTorch-like JSON: state keyed by parameter index across groups, groups with options and indices. */
  stateDict(): StateDict {
    this.assertUsable("stateDict");
    const index = new Map<Tensor, number>();
    const groups = this.paramGroups.map((g) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) {
        if (k === "params") continue;
        out[k] = Array.isArray(v) ? [...v] : v;
      }
      out.params = g.params.map((p) => {
        if (!index.has(p)) index.set(p, index.size);
        return index.get(p)!;
      });
      return out;
    });
    const state: StateDict["state"] = {};
    for (const [p, i] of index) {
      const s = this.state.get(p);
      if (!s) continue;
      const entry: Record<string, number | TensorJson> = {};
      for (const [k, v] of Object.entries(s)) {
        entry[k] = v instanceof Tensor ? { shape: [...v.shape], data: jsonData(v.data) } : v;
      }
      state[String(i)] = entry;
    }
    return { version: STATE_DICT_VERSION, optimizer: this.name, state, paramGroups: groups };
  }

  /**
   * Loads a state dict (as stateDict() wrote it, possibly through JSON). Checks
   * the version, the group count, each group's parameter count, every option
   * and every state buffer's shape first; on any mismatch it throws saying
   * which, and nothing changes.
   */
  loadStateDict(sd: StateDict): void {
    const plan = this.planLoad(sd);
    plan();
  }

  /** Validates `sd` and returns the function that applies it (used by wrappers to stage several loads). */
  protected planLoad(sd: StateDict): () => void {
    const who = `${this.name}.loadStateDict`;
    this.assertUsable("loadStateDict");
    if (sd === null || typeof sd !== "object") throw new TypeError(`${who}: expected a state dict object, got ${String(sd)}`);
    if (sd.version !== STATE_DICT_VERSION) {
      throw new Error(`${who}: unsupported state dict version ${String(sd.version)} (this library writes version ${STATE_DICT_VERSION})`);
    }
    if (!Array.isArray(sd.paramGroups) || typeof sd.state !== "object" || sd.state === null || Array.isArray(sd.state)) {
      throw new TypeError(`${who}: a state dict needs paramGroups (an array) and state (an object)`);
    }
    if (typeof sd.optimizer === "string" && sd.optimizer !== this.name) {
      throw new Error(`${who}: the state dict was saved from ${sd.optimizer}, not ${this.name}`);
    }
    const groups = this.paramGroups;
    if (sd.paramGroups.length !== groups.length) {
      throw new Error(
        `${who}: the state dict has ${sd.paramGroups.length} parameter groups, the optimizer ${groups.length} (loaded state dict has a different number of parameter groups)`,
      );
    }
    const byIndex = new Map<number, Tensor>();
    const groupOf = new Map<Tensor, number>();
    const newOptions: Record<string, unknown>[] = [];
    const seenIds = new Set<unknown>();
    sd.paramGroups.forEach((sg, gi) => {
      if (sg === null || typeof sg !== "object" || Array.isArray(sg)) throw new TypeError(`${who}: paramGroups[${gi}] must be an object, got ${String(sg)}`);
      const ids = (sg as { params?: unknown }).params;
      if (!Array.isArray(ids)) throw new TypeError(`${who}: paramGroups[${gi}].params must be an array of indices`);
      for (const id of ids) {
        if (typeof id !== "number" || !Number.isInteger(id) || id < 0) throw new TypeError(`${who}: paramGroups[${gi}].params holds ${JSON.stringify(id)}, not a parameter index`);
        if (seenIds.has(id)) throw new Error(`${who}: parameter index ${id} appears more than once in paramGroups`);
        seenIds.add(id);
      }
      if (ids.length !== groups[gi].params.length) {
        throw new Error(
          `${who}: paramGroups[${gi}] has ${ids.length} parameters in the state dict, ${groups[gi].params.length} in the optimizer ` +
            "(loaded state dict contains a parameter group that doesn't match the size of optimizer's group)",
        );
      }
      ids.forEach((id, j) => {
        byIndex.set(id as number, groups[gi].params[j]);
        groupOf.set(groups[gi].params[j], gi);
      });
      const opts: Record<string, unknown> = {};
      const at = `${who}: paramGroups[${gi}]`;
      for (const [k, v] of Object.entries(sg)) {
        if (k === "params") continue;
        if (!(k in this.defaults) && !SCHEDULER_GROUP_KEYS.includes(k)) {
          const camel = snakeToCamel(k);
          if (camel in this.defaults) throw new TypeError(`${at}: option ${JSON.stringify(k)} is in the wrong case: a state dict uses camelCase (${camel})`);
          const base = (this.constructor as typeof Optimizer).optimizerName;
          const flags = { [k]: v };
          if (dropImplementationFlag(base, at, flags, k)) continue;
          throw new TypeError(`${at}: unexpected option ${JSON.stringify(k)} (${this.name}'s options: ${Object.keys(this.defaults).join(", ")})`);
        }
        checkFiniteOption(at, k, v);
        opts[k] = Array.isArray(v) ? [...v] : v;
      }
      for (const k of Object.keys(this.defaults)) {
        if (!(k in opts)) throw new Error(`${at} lacks the option ${k}`);
      }
      const merged = { ...groups[gi], ...opts };
      try {
        this.checkOptions(merged);
      } catch (e) {
        (e as Error).message = `${who}: paramGroups[${gi}]: ${(e as Error).message}`;
        throw e;
      }
      newOptions.push(opts);
    });
    const scalarKeys = new Set(this.stateScalarKeys());
    // The entries a parameter's state must have, per group (they depend on
    // options such as amsgrad): what initState creates, read off a throwaway.
    const expectedKeys = new Map<number, Map<string, "tensor" | "number">>();
    const expectedFor = (gi: number): Map<string, "tensor" | "number"> => {
      let keys = expectedKeys.get(gi);
      if (!keys) {
        // a one-element stand-in: initState depends on the parameter's shape only, and this allocates 4 bytes per buffer
        const stand = new Tensor([1]);
        let probe: ParamState;
        try {
          probe = this.initState(stand, { ...groups[gi], ...newOptions[gi] } as ParamGroup);
        } finally {
          stand.dispose();
        }
        keys = new Map();
        for (const [name, v] of Object.entries(probe)) {
          keys.set(name, v instanceof Tensor ? "tensor" : "number");
          if (v instanceof Tensor) v.dispose();
        }
        expectedKeys.set(gi, keys);
      }
      return keys;
    };
    const staged: [Tensor, Record<string, number | ArrayLike<number>>][] = [];
    for (const [key, entry] of Object.entries(sd.state)) {
      const p = byIndex.get(Number(key));
      if (!p) throw new Error(`${who}: state for parameter ${key}, which is in no parameter group`);
      if (entry === null || typeof entry !== "object" || Array.isArray(entry)) throw new TypeError(`${who}: state[${key}] must be an object of state entries, got ${JSON.stringify(entry)}`);
      const expected = expectedFor(groupOf.get(p)!);
      const lazy = this.lazyStateKeys();
      for (const name of Object.keys(entry)) {
        if (!expected.has(name) && !lazy.includes(name)) {
          throw new Error(`${who}: state[${key}] has an unexpected entry ${name} (${this.name} keeps ${[...expected.keys(), ...lazy].join(", ") || "nothing"} here)`);
        }
      }
      for (const [name, kind] of expected) {
        const v = (entry as Record<string, unknown>)[name];
        if (v === undefined) throw new Error(`${who}: state[${key}] lacks ${name} (${this.name} keeps ${[...expected.keys()].join(", ")})`);
        if (kind === "number" && typeof v !== "number") throw new TypeError(`${who}: state[${key}].${name} must be a number, got ${JSON.stringify(v)}`);
        if (kind === "tensor" && !isTensorJson(v)) throw new TypeError(`${who}: state[${key}].${name} must be { shape, data }, got ${JSON.stringify(v)}`);
      }
      const step = (entry as Record<string, unknown>).step;
      if (step !== undefined && (typeof step !== "number" || !Number.isInteger(step) || step < 0)) {
        throw new RangeError(`${who}: state[${key}].step must be a non-negative integer, got ${String(step)}`);
      }
      for (const [name, v] of Object.entries(entry)) {
        if (typeof v === "number" && !Number.isFinite(v)) throw new RangeError(`${who}: state[${key}].${name} must be finite, got ${v}`);
      }
      const values: Record<string, number | ArrayLike<number>> = {};
      for (const [name, v] of Object.entries(entry)) {
        if (typeof v === "number") {
          if (!scalarKeys.has(name)) throw new Error(`${who}: state[${key}].${name} should be a tensor, got the number ${v}`);
          values[name] = v;
        } else if (isTensorJson(v)) {
          if (!sameShape(v.shape, p.shape)) {
            throw new RangeError(
              `${who}: state[${key}].${name} has shape ${shapeToString(v.shape)} but parameter ${key} has shape ${shapeToString(p.shape)}`,
            );
          }
          values[name] = jsonValues(`${who}: state[${key}].${name}`, v.data, p.size) as Float32Array;
        } else {
          throw new TypeError(`${who}: state[${key}].${name} must be a number or { shape, data }, got ${JSON.stringify(v)}`);
        }
      }
      staged.push([p, values]);
    }
    return () => {
      const fresh = new Map<Tensor, ParamState>();
      const created: Tensor[] = [];
      try {
        for (const [p, values] of staged) {
          const s: ParamState = {};
          for (const [name, v] of Object.entries(values)) {
            if (typeof v === "number") s[name] = v;
            else {
              const t = new Tensor(p.shape);
              created.push(t);
              t.data.set(v as Float32Array);
              s[name] = t;
            }
          }
          fresh.set(p, s);
        }
      } catch (e) {
        for (const t of created) t.dispose();
        throw e;
      }
      for (const s of this.#state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
      this.#state.clear();
      for (const [p, s] of fresh) this.#state.set(p, s);
      groups.forEach((g, gi) => Object.assign(g, newOptions[gi]));
    };
  }

  /** Frees the state buffers and scratch memory now (the optimizer is unusable afterwards). */
  dispose(): void {
    this.#disposed = true;
    for (const s of this.#state.values()) for (const v of Object.values(s)) if (v instanceof Tensor) v.dispose();
    this.#state.clear();
    for (const t of this.#tables.values()) t.dispose();
    this.#tables.clear();
    for (const t of this.#gcScratch.values()) t.dispose();
    this.#gcScratch.clear();
  }
}

/** Throws unless `p` is a live Tensor: what a parameter group may hold. */
function checkParam(where: string, p: unknown): asserts p is Tensor {
  if (!(p instanceof Tensor)) throw new TypeError(`${where}: optimizer can only optimize Tensors, but got ${describe(p)}`);
  p.assertAlive(where);
}

/** Throws unless group `g` (as found in paramGroups, possibly edited) has an array of params. */
function checkParamList(where: string, g: unknown): void {
  if (!isPlainObject(g)) throw new TypeError(`${where} must be a parameter group object, got ${describe(g)}`);
  if (!Array.isArray(g.params)) throw new TypeError(`${where}.params must be an array of Tensors, got ${describe(g.params)}`);
}

/** sameShape without a closure (it runs for every parameter at every step). */
function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A zero-filled tensor shaped like `p` (state buffers). */
export function zerosLike(p: Tensor): Tensor {
  const t = new Tensor(p.shape);
  t.data.fill(0);
  return t;
}
