// Module: PyTorch's nn.Module — a tree of submodules owning parameters and
// buffers, with recursive traversal, train/eval mode and state dicts.
import { Tensor, markParameter, shapeToString } from "../tensor.js";
import { firstNaN } from "./kernels.js";
import { isReleasingNode, releaseGrad } from "../autograd/node.js";
import { result, runOwned } from "../lifetime.js";

/**
 * Every module's `forward` property: runs the class's forward as a call of
 * this module, so a call from the top level ticks the module's lifetime
 * clock (src/lifetime.ts) and what it computes is released two calls later.
 */
function forwardEntry(this: Module, ...args: unknown[]): Tensor {
  const impl = (Object.getPrototypeOf(this) as { forward: (...a: unknown[]) => Tensor }).forward;
  return runOwned(this, () => `${this.describe()}.forward()`, args, () => impl.apply(this, args));
}

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

  constructor() {
    Object.defineProperty(this, "forward", { value: forwardEntry, writable: true, configurable: true, enumerable: false });
  }

  /** Training mode (true) or evaluation mode (false); see train() and eval(). */
  training = true;
  protected readonly _parameters = new Map<string, Tensor | null>();
  protected readonly _buffers = new Map<string, Tensor>();
  protected readonly _modules = new Map<string, Module>();
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
    if (!(m instanceof Module)) throw new TypeError(`registerModule: ${name} is not a Module: ${String(m)}`);
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
    if (typeof mode !== "boolean") throw new TypeError(`train: mode must be a boolean, got ${String(mode)}`);
    this.training = mode;
    for (const m of this._modules.values()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Resets gradients: to null (default, as PyTorch 2) or to zero. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (setToNone) releaseGrad(p, `${this.typeName}.zeroGrad()`);
      else p.grad.data.fill(0);
    }
  }

  /** Copies of every parameter and buffer, keyed by dotted name (PyTorch's order). */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [prefix, m] of this.namedModules()) {
      const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, p] of m._parameters) if (p) out[key(name)] = p.clone();
      for (const [name, b] of m._buffers) out[key(name)] = b.clone();
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
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    const remap = new Map<unknown, unknown>();
    const params = new Map<string, Tensor | null>();
    for (const [k, p] of this._parameters) {
      const c = p ? p.clone() : null;
      if (p) remap.set(p, c);
      params.set(k, c);
    }
    const buffers = new Map<string, Tensor>();
    for (const [k, b] of this._buffers) {
      const c = b.clone();
      remap.set(b, c);
      buffers.set(k, c);
    }
    const mods = new Map<string, Module>();
    for (const [k, m] of this._modules) {
      const c = m.clone();
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

  /** Gives a clone its own record of the buffers it made. */
  protected resetScratch(): void {
    this._made = new WeakSet();
  }

  /**
   * A buffer of `shape` for this forward: a computed tensor held by the
   * lifetime clock of the module called from the top level (src/lifetime.ts),
   * whose storage comes from the caching allocator.
   */
  protected lend(shape: readonly number[]): Tensor {
    const t = result(shape);
    this._made.add(t);
    return t;
  }

  /**
   * Releases buffers a forward no longer needs (workspace never handed to
   * the caller: their memory is reused at once). Called from a graph's
   * release callback it does nothing: those are outputs the caller may hold,
   * which the lifetime clock releases (two calls of the module later).
   */
  protected recycle(...ts: (Tensor | null)[]): void {
    if (isReleasingNode()) return;
    for (const t of ts) t?.release(`was released: ${this.describe()} used it as workspace and reused its memory`);
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
    if (!(t instanceof Tensor)) throw new TypeError(`releaseOutput: expected a Tensor, got ${String(t)}`);
    const fn = t.gradFn as { consumed?: boolean } | null;
    if (fn && fn.consumed === false) {
      throw new Error(`releaseOutput: Tensor${shapeToString(t.shape)} belongs to a graph that backward() has not consumed yet`);
    }
    if (this._made.has(t)) {
      t.handBack(
        `was released: it was handed back with ${this.describe()}.releaseOutput() for the module to reuse its memory. ` +
          "Keep a copy with t.clone() before handing it back",
      );
      return true;
    }
    for (const m of this._modules.values()) if (m.releaseOutput(t)) return true;
    return false;
  }

  /** Formerly freed pooled buffers; memory now returns through the lifetime clocks (see emptyCache()). */
  releaseScratch(): void {}

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
    if (!(x instanceof Tensor)) throw new TypeError(`${this.describe()}: ${what} must be a Tensor, got ${String(x)}`);
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
