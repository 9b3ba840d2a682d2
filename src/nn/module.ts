// Module: PyTorch's nn.Module — a tree of submodules owning parameters and
// buffers, with recursive traversal, train/eval mode and state dicts.
import { Tensor, markParameter, shapeToString } from "../tensor.js";
import { firstNaN } from "./kernels.js";
import { bumpVersion } from "./autograd.js";
import { booleanOption, describe as describeValue, optionsArg } from "../validate.js";

export type StateDict = Record<string, Tensor>;

export class Module {
  /**
   * The class name as PyTorch spells it (for messages and toString). Each
   * module states it, since a minifying bundler renames classes; a subclass
   * that does not (a user's own module) gets its constructor's name.
   */
  static readonly moduleName: string = "Module";

  /** This module's class name (see `moduleName`). */
  get typeName(): string {
    const ctor = this.constructor as typeof Module;
    return Object.prototype.hasOwnProperty.call(ctor, "moduleName") ? ctor.moduleName : ctor.name;
  }

  /** Training mode (true) or evaluation mode (false); see train() and eval(). */
  training = true;
  protected readonly _parameters = new Map<string, Tensor | null>();
  protected readonly _buffers = new Map<string, Tensor>();
  protected readonly _modules = new Map<string, Module>();
  /**
   * Free buffers by shape ("4,256"): outputs, saved activations and gradient
   * buffers that a consumed graph handed back (see lend() and recycle()).
   * A training step takes its buffers from here and backward() returns them,
   * so steady-state training allocates nothing.
   */
  protected _pool = new Map<string, Tensor[]>();
  /** The buffers this module allocated (releaseOutput() accepts only these). */
  protected _made = new WeakSet<Tensor>();

  /** Registers a parameter (or null, e.g. a disabled bias) under `name`. */
  protected registerParameter(name: string, t: Tensor | null): void {
    if (t) {
      t.requiresGrad = true;
      markParameter(t);
    }
    this._parameters.set(name, t);
  }

  /** Registers persistent state that is not trained (e.g. running statistics). */
  protected registerBuffer(name: string, t: Tensor): void {
    this._buffers.set(name, t);
  }

  protected registerModule(name: string, m: Module): void {
    if (!(m instanceof Module)) throw new TypeError(`registerModule: ${name} must be a Module, got ${describeValue(m)}`);
    this._modules.set(name, m);
  }

  forward(..._inputs: unknown[]): Tensor {
    throw new Error(`${this.typeName}.forward is not implemented`);
  }

  *namedChildren(): IterableIterator<[string, Module]> {
    yield* this._modules;
  }

  children(): Module[] {
    return [...this._modules.values()];
  }

  /** This module and every descendant, pre-order, each once. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  namedModules(prefix = "", seen = new Set<Module>()): [string, Module][] {
    if (seen.has(this)) return [];
    seen.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, m] of this._modules) out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name, seen));
    return out;
  }

  /** Every parameter, in registration order, each once. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedParameters(): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, p] of m._parameters) {
        if (p && !seen.has(p)) {
          seen.add(p);
          out.push([prefix ? `${prefix}.${name}` : name, p]);
        }
      }
    }
    return out;
  }

  namedBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      for (const [name, b] of m._buffers) out.push([prefix ? `${prefix}.${name}` : name, b]);
    }
    return out;
  }

  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Calls fn on every submodule (children first) and then on this one, as PyTorch does. */
  apply(fn: (m: Module) => void): this {
    for (const m of this._modules.values()) m.apply(fn);
    fn(this);
    return this;
  }

  train(mode = true): this {
    if (typeof mode !== "boolean") throw new TypeError(`train: mode must be a boolean, got ${describeValue(mode)}`);
    this.training = mode;
    for (const m of this._modules.values()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /**
   * Resets gradients: to null (default, as PyTorch 2) or to zero. Every
   * gradient is checked first, so an error (a disposed one) changes none.
   */
  zeroGrad(options?: { setToNone?: boolean }): void {
    const where = `${this.typeName}.zeroGrad`;
    const setToNone = booleanOption(where, "setToNone", optionsArg(where, options, ["setToNone"]).setToNone, true);
    const named = this.namedParameters().filter(([, p]) => p.grad !== null);
    if (!setToNone) for (const [name, p] of named) p.grad!.assertAlive(`${where}: gradient of ${name}`);
    for (const [, p] of named) {
      if (setToNone) p.grad = null;
      else p.grad!.data.fill(0);
    }
  }

  /**
   * Throws, naming the first disposed parameter or buffer of this module tree
   * by its state-dict key, if any is disposed (what stateDict(), clone() and
   * the like check before they allocate anything).
   */
  assertAlive(where = this.describe()): void {
    for (const [prefix, m] of this.namedModules()) {
      const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, p] of m._parameters) if (p?.disposed) p.assertAlive(`${where}: parameter ${key(name)} of ${m.describe()}`);
      for (const [name, b] of m._buffers) if (b.disposed) b.assertAlive(`${where}: buffer ${key(name)} of ${m.describe()}`);
    }
  }

  /** Copies of every parameter and buffer, keyed by dotted name (PyTorch's order). */
  stateDict(): StateDict {
    this.assertAlive(`${this.typeName}.stateDict`);
    const out: StateDict = {};
    try {
      for (const [prefix, m] of this.namedModules()) {
        const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
        for (const [name, p] of m._parameters) if (p) out[key(name)] = p.clone();
        for (const [name, b] of m._buffers) out[key(name)] = b.clone();
      }
    } catch (e) {
      for (const t of Object.values(out)) t.dispose();
      throw e;
    }
    return out;
  }

  /**
   * Copies values in from a state dict (Tensors, or `{ shape, data }` objects
   * as JSON gives back). With `strict` (default), missing and unexpected keys
   * are errors. Everything is checked before anything is copied. Returns the
   * keys that did not match, as PyTorch's `load_state_dict` does
   * (`missing_keys`, `unexpected_keys`; empty when everything matched).
   */
  loadStateDict(
    sd: Record<string, Tensor | { shape: readonly number[]; data: ArrayLike<number> }>,
    { strict = true }: { strict?: boolean } = {},
  ): { missingKeys: string[]; unexpectedKeys: string[] } {
    if (sd === null || typeof sd !== "object") throw new TypeError(`loadStateDict: expected an object, got ${String(sd)}`);
    if (typeof strict !== "boolean") throw new TypeError(`loadStateDict: strict must be a boolean, got ${String(strict)}`);
    const own = this.stateTensors();
    const missingKeys = [...own.keys()].filter((k) => !(k in sd));
    const unexpectedKeys = Object.keys(sd).filter((k) => !own.has(k));
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      // PyTorch's message verbatim, then the lists in short.
      const quoted = (ks: string[]) => ks.map((k) => `"${k}"`).join(", ");
      const msgs: string[] = [];
      const parts: string[] = [];
      if (missingKeys.length) {
        msgs.push(`Missing key(s) in state_dict: ${quoted(missingKeys)}. `);
        parts.push(`missing keys [${missingKeys.join(", ")}]`);
      }
      if (unexpectedKeys.length) {
        msgs.push(`Unexpected key(s) in state_dict: ${quoted(unexpectedKeys)}. `);
        parts.push(`unexpected keys [${unexpectedKeys.join(", ")}]`);
      }
      throw new Error(`loadStateDict: Error(s) in loading state_dict for ${this.typeName}:\n\t${msgs.join("\n\t")} (${parts.join(", ")})`);
    }
    const plan: [Tensor, ArrayLike<number>][] = [];
    for (const [k, v] of Object.entries(sd)) {
      const target = own.get(k);
      if (!target) continue;
      const shape = v instanceof Tensor ? v.shape : v?.shape;
      const data = v instanceof Tensor ? v.data : v?.data;
      if (!Array.isArray(shape) && !Object.isFrozen(shape)) throw new TypeError(`loadStateDict: ${k} has no shape`);
      if (shape!.length !== target.shape.length || shape!.some((d, i) => d !== target.shape[i])) {
        throw new RangeError(
          `loadStateDict: ${k} has shape ${shapeToString(shape!)} in the state dict but ${shapeToString(target.shape)} in the module ` +
            `(size mismatch for ${k}: copying a param with shape ${shapeToString(shape!)} from checkpoint, the shape in current model is ${shapeToString(target.shape)}.)`,
        );
      }
      if (!data || data.length !== target.size) throw new RangeError(`loadStateDict: ${k} needs ${target.size} values`);
      plan.push([target, data]);
    }
    for (const [target, data] of plan) target.data.set(data);
    return { missingKeys, unexpectedKeys };
  }

  private stateTensors(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, p] of m._parameters) if (p) out.set(key(name), p);
      for (const [name, b] of m._buffers) out.set(key(name), b);
    }
    return out;
  }

  /**
   * A deep copy (PyTorch's copy.deepcopy of a module): new parameter and buffer
   * tensors with the same values, submodules cloned, other fields copied.
   * Fields that referred to this module's own parameters, buffers or
   * submodules refer to the copies'. Subclasses holding scratch buffers
   * override resetScratch() so the copy allocates its own.
   */
  clone(): this {
    this.assertAlive(`${this.typeName}.clone`);
    const made: Tensor[] = [];
    try {
      return this.cloneInto(made);
    } catch (e) {
      for (const t of made) t.dispose();
      throw e;
    }
  }

  /** clone(), recording every tensor it allocates in `made` (freed by clone() if a later one fails). */
  private cloneInto(made: Tensor[]): this {
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    const remap = new Map<unknown, unknown>();
    const params = new Map<string, Tensor | null>();
    for (const [k, p] of this._parameters) {
      const c = p ? p.clone() : null;
      if (c) made.push(c);
      if (p) remap.set(p, c);
      params.set(k, c);
    }
    const buffers = new Map<string, Tensor>();
    for (const [k, b] of this._buffers) {
      const c = b.clone();
      made.push(c);
      remap.set(b, c);
      buffers.set(k, c);
    }
    const mods = new Map<string, Module>();
    for (const [k, m] of this._modules) {
      const c = m.cloneInto(made);
      remap.set(m, c);
      mods.set(k, c);
    }
    for (const key of Reflect.ownKeys(this)) {
      const v = (this as Record<string | symbol, unknown>)[key];
      let nv: unknown = v;
      if (key === "_parameters") nv = params;
      else if (key === "_buffers") nv = buffers;
      else if (key === "_modules") nv = mods;
      else if (remap.has(v)) nv = remap.get(v);
      else if (Array.isArray(v) && v.some((x) => remap.has(x))) nv = v.map((x) => (remap.has(x) ? remap.get(x) : x));
      Object.defineProperty(copy, key, { ...Object.getOwnPropertyDescriptor(this, key)!, value: nv });
    }
    copy.resetScratch();
    return copy;
  }

  /** Drops the buffer pool so a clone does not share it. */
  protected resetScratch(): void {
    this._pool = new Map();
    this._made = new WeakSet();
  }

  /**
   * A buffer of `shape` for this forward: a free one from the pool, else a new
   * one. Its version is bumped, so a graph that still saved it would notice.
   */
  protected lend(shape: readonly number[]): Tensor {
    const list = this._pool.get(shape.join(","));
    while (list && list.length) {
      const t = list.pop()!;
      inPool.delete(t);
      if (t.disposed) continue;
      t.gradFn = null;
      t.requiresGrad = false;
      bumpVersion(t);
      loans?.push({ module: this, t, fresh: false });
      return t;
    }
    const t = new Tensor(shape);
    this._made.add(t);
    loans?.push({ module: this, t, fresh: true });
    return t;
  }

  /**
   * Runs `fn` (a container's forward) so that if it throws, every buffer lent
   * during it is handed back: those taken from a pool return to it, those
   * allocated are freed. A failing forward deep inside a Sequential thus
   * leaves memoryStats() as it was.
   */
  static rollbackOnError<T>(fn: () => T): T {
    const outer = loans;
    const mine: Loan[] = [];
    loans = mine;
    try {
      const result = fn();
      outer?.push(...mine);
      return result;
    } catch (e) {
      for (let i = mine.length - 1; i >= 0; i--) {
        const { module, t, fresh } = mine[i];
        if (fresh) t.dispose();
        else module.recycle(t);
      }
      throw e;
    } finally {
      loans = outer;
    }
  }

  /**
   * Hands buffers back to the pool (a consumed graph's, or workspace a forward
   * no longer needs). List them in the order they were lent: the next forward
   * then gets each back in the same role (its output is the same tensor).
   */
  protected recycle(...ts: (Tensor | null)[]): void {
    for (let i = ts.length - 1; i >= 0; i--) {
      const t = ts[i];
      if (!t || t.disposed || inPool.has(t)) continue;
      inPool.add(t);
      const key = t.shape.join(",");
      const list = this._pool.get(key);
      if (list) list.push(t);
      else this._pool.set(key, [t]);
    }
  }

  /**
   * Gives a tensor that this module (or a descendant) returned from forward()
   * back for reuse by its next forward — like dispose(), but the memory stays
   * with the module. Use it only for outputs of noGrad()/eval forwards that
   * nothing refers to any more: the tensor's values are overwritten later.
   * Sequential does this itself for its intermediate outputs. Returns whether
   * a module took it.
   */
  releaseOutput(t: Tensor): boolean {
    if (!(t instanceof Tensor)) throw new TypeError(`releaseOutput: expected a Tensor, got ${describeValue(t)}`);
    const fn = t.gradFn as { consumed?: boolean } | null;
    if (fn && fn.consumed === false) {
      throw new Error(`releaseOutput: Tensor${shapeToString(t.shape)} belongs to a graph that backward() has not consumed yet`);
    }
    if (this._made.has(t)) {
      this.recycle(t);
      return true;
    }
    for (const m of this._modules.values()) if (m.releaseOutput(t)) return true;
    return false;
  }

  /** Frees the pooled buffers of this module and its descendants (tensors lent out stay valid). */
  releaseScratch(): void {
    for (const m of this.modules()) {
      for (const list of m._pool.values()) {
        for (const t of list) {
          inPool.delete(t);
          t.dispose();
        }
      }
      m._pool.clear();
    }
  }

  /** Frees every parameter, buffer, gradient and scratch tensor of this module tree. */
  dispose(): void {
    this.releaseScratch();
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.dispose();
    }
    for (const b of this.buffers()) b.dispose();
  }

  /** This module's name in messages, e.g. "Linear(784, 256)". */
  describe(): string {
    return `${this.typeName}()`;
  }

  /** Throws unless x is a live Tensor (before any state changes). */
  protected checkTensorInput(x: unknown, what = "input"): asserts x is Tensor {
    if (!(x instanceof Tensor)) throw new TypeError(`${this.describe()}: ${what} must be a Tensor, got ${describeValue(x)}`);
    x.assertAlive(`${this.describe()} (${what})`);
  }

  /** Throws naming this module and the position when x holds a NaN (one SIMD scan). */
  protected checkNoNaN(x: Tensor, what = "input"): void {
    const i = firstNaN(x);
    if (i >= 0) throw new RangeError(`${this.describe()}: ${what} contains NaN at ${positionOf(x.shape, i)}`);
  }
}

/** The multi-index of flat position i in a row-major tensor, as "[i, j]". */
export function positionOf(shape: readonly number[], i: number): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(i % shape[d]);
    i = Math.floor(i / shape[d]);
  }
  return `[${idx.join(", ")}]`;
}

/** A buffer lent during a container's forward (see Module.rollbackOnError). */
interface Loan {
  module: Module;
  t: Tensor;
  /** Allocated by this lend (else taken from the module's pool). */
  fresh: boolean;
}

let loans: Loan[] | null = null;

/** Tensors currently in some module's pool (so a double release cannot lend one buffer twice). */
const inPool = new WeakSet<Tensor>();
