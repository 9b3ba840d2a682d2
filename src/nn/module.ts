// Module: PyTorch's nn.Module — a tree of submodules owning parameters and
// buffers, with recursive traversal, train/eval mode and state dicts.
import { Tensor, isParameter, jsonValues, markParameter, shapeToString } from "../tensor.js";
import { backend } from "../backend/index.js";
import { isReleasingNode } from "../autograd/node.js";
import { enterCall, exitCall, releaseClock, result } from "../lifetime.js";
import { booleanOption, describe as describeValue, optionsArg } from "../validate.js";
import { addIndent } from "./repr.js";
import { memoryMark, restoreMemoryMark, settleMemoryMark, undoAllocationsOnError } from "../runtime/memory.js";
import { rewindGeneratorsOnError } from "../random.js";

/**
 * Every module's `forward` property: runs the class's forward as a call of
 * this module, so a call from the top level ticks the module's lifetime
 * clock (src/lifetime.ts) and what it computes is released two calls later.
 */
function forwardEntry(this: Module, ...args: unknown[]): Tensor {
  const impl = (Object.getPrototypeOf(this) as { forward: (...a: unknown[]) => Tensor }).forward;
  enterCall(this, forwardName, args);
  try {
    return impl.apply(this, args);
  } finally {
    exitCall();
  }
}

/** The clock's name for messages (called with the module as `this` only when its clock is created). */
function forwardName(this: Module): string {
  return `${this.describe()}.forward()`;
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

  /** Training mode (true) or evaluation mode (false); see train() and eval(). */
  training = true;
  protected readonly _parameters = new Map<string, Tensor | null>();
  protected readonly _buffers = new Map<string, Tensor>();
  protected readonly _modules = new Map<string, Module>();
  /** The buffers this module allocated (releaseOutput() accepts only these). */

  /** Names of buffers left out of the state dict (registerBuffer with `persistent: false`). */
  protected readonly _nonPersistentBuffers = new Set<string>();

  /**
   * Returns a Proxy of the new module, so that assigning a module, a parameter
   * or a registered buffer to a property registers it (PyTorch's
   * `__setattr__`): `this.fc1 = new nn.Linear(4, 8)` makes `fc1` a child.
   * Class fields (`fc1 = new nn.Linear(4, 8)`) and constructor assignments
   * both go through it; `instanceof`, subclasses' private fields and method
   * calls see the proxy as the module itself.
   */
  constructor() {
    Object.defineProperty(this, "forward", { value: forwardEntry, writable: true, configurable: true, enumerable: false });
    return wrap(this);
  }

  /**
   * Registers a parameter (or null, e.g. a disabled bias) under `name`
   * (PyTorch's `register_parameter`); `this[name]` then reads it. The tensor
   * is made a parameter (requiresGrad = true). A leaf tensor is required.
   */
  registerParameter<T extends Tensor | null>(name: string, t: T): T {
    this.checkNewName("registerParameter", "parameter", name, this._parameters, t);
    if (t !== null && t !== undefined) {
      if (!(t instanceof Tensor)) {
        throw new TypeError(`registerParameter: cannot assign '${typeNameOf(t)}' object to parameter '${name}' (nn.Parameter or null required)`);
      }
      if (t.gradFn !== null) {
        throw new Error(
          `registerParameter: Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. ` +
            `To express '${name}' as a function of another Tensor, compute the value in the forward() method.`,
        );
      }
    }
    setRegistered(this, "parameter", name, t ?? null);
    return t;
  }

  /**
   * Registers state that is not trained, e.g. running statistics (PyTorch's
   * `register_buffer`). A persistent buffer (default) is part of stateDict();
   * `this[name]` reads it. Returns the tensor (so a class field can say
   * `steps = this.registerBuffer("steps", zeros([1]))`).
   */
  registerBuffer<T extends Tensor | null>(name: string, t: T, { persistent = true }: { persistent?: boolean } = {}): T {
    this.checkNewName("registerBuffer", "buffer", name, this._buffers, t);
    if (t !== null && t !== undefined && !(t instanceof Tensor)) {
      throw new TypeError(`registerBuffer: cannot assign '${typeNameOf(t)}' object to buffer '${name}' (Tensor or null required)`);
    }
    if (typeof persistent !== "boolean") throw new TypeError(`registerBuffer: persistent must be a boolean, got ${String(persistent)}`);
    setRegistered(this, "buffer", name, t ?? null);
    if (persistent) this._nonPersistentBuffers.delete(name);
    else this._nonPersistentBuffers.add(name);
    return t;
  }

  /** Adds a child module under `name` (PyTorch's `register_module` / `add_module`); `this[name]` reads it. */
  registerModule<M extends Module | null>(name: string, m: M): M {
    if (m !== null && m !== undefined && !(m instanceof Module)) {
      throw new TypeError(`registerModule: ${typeNameOf(m)} is not a Module subclass`);
    }
    this.checkNewName("registerModule", "module", name, this._modules, m);
    setRegistered(this, "module", name, m ?? null);
    return m;
  }

  /** PyTorch's checks of a name given to registerParameter/registerBuffer/registerModule. */
  private checkNewName(what: string, kind: string, name: unknown, registry: Map<string, unknown>, value: unknown): asserts name is string {
    if (typeof name !== "string") throw new TypeError(`${what}: ${kind} name should be a string. Got ${typeNameOf(name)}`);
    if (name.includes(".")) {
      throw new KeyError(`${what}: ${kind} name can't contain "."${kind === "module" ? `, got: ${name}` : ""}`);
    }
    if (name === "") throw new KeyError(`${what}: ${kind} name can't be empty string ""`);
    // An existing attribute (a field, a method, another registry's entry) may
    // not be shadowed; re-registering the value a field already holds (as the
    // built-in layers do: `this.weight = w; registerParameter("weight", w)`),
    // or a field declared but not yet assigned (undefined), is fine.
    if (name in this && !registry.has(name)) {
      const own = Object.getOwnPropertyDescriptor(this, name);
      const holdsValue = own !== undefined && "value" in own && (own.value === undefined || own.value === value);
      if (!holdsValue || this._parameters.has(name) || this._buffers.has(name) || this._modules.has(name)) {
        throw new KeyError(`${what}: attribute '${name}' already exists`);
      }
    }
  }

  forward(..._inputs: unknown[]): Tensor {
    throw new Error(`${this.typeName}.forward is not implemented`);
  }

  /** The direct children with their names, each module once (PyTorch's `named_children`). */
  *namedChildren(): IterableIterator<[string, Module]> {
    const seen = new Set<Module>();
    for (const [name, m] of this._modules) {
      if (seen.has(m)) continue;
      seen.add(m);
      yield [name, m];
    }
  }

  children(): Module[] {
    return [...this.namedChildren()].map(([, m]) => m);
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
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  train(mode = true): this {
    if (typeof mode !== "boolean") throw new TypeError(`train: mode must be a boolean, got ${describeValue(mode)}`);
    this.training = mode;
    for (const m of this.children()) m.train(mode);
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
      else p.grad!.zero_();
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

  /**
   * Copies of every parameter and persistent buffer, keyed by dotted name in
   * PyTorch's order. As PyTorch's `state_dict`, a module reachable by several
   * paths (the same layer used twice) is listed under each of them.
   */
  stateDict(): StateDict {
    this.assertAlive(`${this.typeName}.stateDict`);
    return undoAllocationsOnError((made) => {
      const out: StateDict = {};
      for (const [key, t] of this.stateTensors()) made.push((out[key] = t.clone()));
      return out;
    });
  }

  /**
   * Copies values in from a state dict (Tensors, or `{ shape, data }` objects
   * as JSON gives back; NaN and ±Infinity may appear as the strings "NaN",
   * "Infinity", "-Infinity", as toJSON writes them). With `strict` (default),
   * missing and unexpected keys are errors (PyTorch's messages). Everything is
   * checked before anything is copied. Returns the keys that did not match,
   * as PyTorch's `load_state_dict` does (`missing_keys`, `unexpected_keys`;
   * empty when everything matched).
   */
  loadStateDict(
    sd: Record<string, Tensor | { shape: readonly number[]; data: ArrayLike<number | string> }>,
    { strict = true }: { strict?: boolean } = {},
  ): { missingKeys: string[]; unexpectedKeys: string[] } {
    const { apply, missingKeys, unexpectedKeys } = this.planLoadStateDict(sd, { strict });
    apply();
    return { missingKeys, unexpectedKeys };
  }

  /**
   * loadStateDict's validation without its effect: throws as loadStateDict
   * would, else returns the key lists and `apply`, which copies the values
   * in (checkpoint loading validates every part before applying any).
   */
  planLoadStateDict(
    sd: Record<string, Tensor | { shape: readonly number[]; data: ArrayLike<number | string> }>,
    { strict = true }: { strict?: boolean } = {},
  ): { missingKeys: string[]; unexpectedKeys: string[]; apply: () => void } {
    if (sd === null || typeof sd !== "object" || Array.isArray(sd)) throw new TypeError(`loadStateDict: expected an object, got ${String(sd)}`);
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
    const plan: [Tensor, Tensor | ArrayLike<number>][] = [];
    for (const [k, v] of Object.entries(sd)) {
      const target = own.get(k);
      if (!target) continue;
      if (v instanceof Tensor) v.assertAlive(`loadStateDict: ${k}`);
      else if (v === null || typeof v !== "object") throw new TypeError(`loadStateDict: ${k} must be a Tensor or { shape, data }, got ${String(v)}`);
      const shape = v.shape;
      if (!Array.isArray(shape)) throw new TypeError(`loadStateDict: ${k} has no shape (expected an array of sizes, got ${JSON.stringify(shape)})`);
      if (shape.some((d) => typeof d !== "number" || !Number.isInteger(d) || d < 0)) {
        throw new TypeError(`loadStateDict: ${k} has shape ${JSON.stringify(shape)}: every size must be a non-negative integer`);
      }
      if (shape.length !== target.shape.length || shape.some((d, i) => d !== target.shape[i])) {
        throw new RangeError(
          `loadStateDict: ${k} has shape ${shapeToString(shape)} in the state dict but ${shapeToString(target.shape)} in the module ` +
            `(size mismatch for ${k}: copying a param with shape ${shapeToString(shape)} from checkpoint, the shape in current model is ${shapeToString(target.shape)}.)`,
        );
      }
      const data = v instanceof Tensor ? v.data : v.data;
      // a Tensor's view is read when applying: memory may grow in between (a checkpoint's optimizer load allocates)
      plan.push([target, v instanceof Tensor ? v : jsonValues(`loadStateDict: ${k}`, data, target.size)]);
    }
    return { missingKeys, unexpectedKeys, apply: () => {
      for (const [target, src] of plan) {
        target.data.set(src instanceof Tensor ? src.data : src);
        target.bumpVersion(); // PyTorch's param.copy_(input_param)
      }
    } };
  }

  /** Every state-dict entry (the tensors themselves), each path of a shared module listed. */
  private stateTensors(prefix = "", out = new Map<string, Tensor>(), path = new Set<Module>()): Map<string, Tensor> {
    if (path.has(this)) throw new Error(`stateDict: module ${this.typeName} contains itself (at '${prefix}')`);
    path.add(this);
    for (const [name, p] of this._parameters) if (p) out.set(prefix + name, p);
    for (const [name, b] of this._buffers) if (!this._nonPersistentBuffers.has(name)) out.set(prefix + name, b);
    for (const [name, m] of this._modules) m.stateTensors(`${prefix}${name}.`, out, path);
    path.delete(this);
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
    return undoAllocationsOnError((made) => this.cloneInto(made));
  }

  /** clone(), recording every tensor it allocates in `made` (freed by clone() if a later one fails). */
  private cloneInto(made: { dispose(): void }[]): this {
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
      else if (key === "_nonPersistentBuffers") nv = new Set(this._nonPersistentBuffers);
      Object.defineProperty(copy, key, { ...Object.getOwnPropertyDescriptor(this, key)!, value: nv });
    }
    const wrapped = wrap(copy);
    wrapped.resetScratch();
    return wrapped;
  }

  /** Subclasses holding scratch buffers override this so a clone allocates its own. */
  protected resetScratch(): void {}

  /**
   * A buffer of `shape` for this forward: a computed tensor held by the
   * lifetime clock of the module called from the top level (src/lifetime.ts),
   * whose storage comes from the caching allocator.
   */
  protected lend(shape: readonly number[]): Tensor {
    const t = result(shape);
    t.madeBy = this;
    loans?.push({ module: this, t, fresh: true });
    return t;
  }

  /**
   * Runs `fn` (a container's forward) so that if it throws, every buffer lent
   * during it is handed back: those taken from a pool return to it, those
   * allocated are freed — and every generator it drew from (a dropout mask)
   * is rewound. A failing forward deep inside a Sequential thus leaves
   * memoryStats() and the random streams as they were. (Batch-norm running
   * statistics updated before the failure stay updated, as in PyTorch.)
   */
  static rollbackOnError<T>(fn: () => T): T {
    return rewindGeneratorsOnError(() => Module.returnLoansOnError(fn));
  }

  private static returnLoansOnError<T>(fn: () => T): T {
    const outer = loans;
    const mine: Loan[] = [];
    const mark = memoryMark();
    loans = mine;
    try {
      const result = fn();
      outer?.push(...mine);
      settleMemoryMark(mark);
      return result;
    } catch (e) {
      for (let i = mine.length - 1; i >= 0; i--) {
        const { module, t, fresh } = mine[i];
        if (fresh) t.dispose();
        else module.recycle(t);
      }
      restoreMemoryMark(mark);
      throw e;
    } finally {
      loans = outer;
    }
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
    if (!(t instanceof Tensor)) throw new TypeError(`releaseOutput: expected a Tensor, got ${describeValue(t)}`);
    const fn = t.gradFn as { consumed?: boolean } | null;
    if (fn && fn.consumed === false) {
      throw new Error(`releaseOutput: Tensor${shapeToString(t.shape)} belongs to a graph that backward() has not consumed yet`);
    }
    if (t.madeBy === this || (t.madeBy !== null && t.madeBy === rawTargets.get(this))) {
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
    for (const m of this.modules()) releaseClock(m, `was released: ${m.describe()}.dispose() freed what it computed. Read what you need before disposing the module, or keep a copy with t.clone()`);
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

  /**
   * This module's own settings as PyTorch's `extra_repr` prints them, e.g.
   * "in_features=784, out_features=256, bias=True" (empty by default).
   * Override it in your own modules to show yours in toString().
   */
  extraRepr(): string {
    return "";
  }

  /** PyTorch's repr: `Sequential(\n  (0): Linear(in_features=784, out_features=256, bias=True)\n  …\n)`. */
  toString(): string {
    const extra = this.extraRepr();
    const extraLines = extra ? extra.split("\n") : [];
    const childLines = [...this._modules].map(([name, m]) => `(${name}): ${addIndent(m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let body = "";
    if (extraLines.length === 1 && childLines.length === 0) body = extraLines[0];
    else if (lines.length) body = `\n  ${lines.join("\n  ")}\n`;
    return `${this.typeName}(${body})`;
  }

  /** Throws unless x is a live Tensor (before any state changes). */
  protected checkTensorInput(x: unknown, what = "input"): asserts x is Tensor {
    if (!(x instanceof Tensor)) throw new TypeError(`${this.describe()}: ${what} must be a Tensor, got ${describeValue(x)}`);
    x.assertAlive(`${this.describe()} (${what})`);
  }

  /** Throws naming this module and the position when x holds a NaN (one SIMD scan). */
  protected checkNoNaN(x: Tensor, what = "input"): void {
    const i = backend().firstNaN(x, x.size);
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

/** PyTorch's KeyError for a bad attribute name (an Error named "KeyError"). */
export class KeyError extends Error {
  override name = "KeyError";
}

/** A value's type for messages, as PyTorch's torch.typename: "Tensor", "Linear", "number", "string", … */
export function typeNameOf(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof Tensor) return isParameter(v) ? "Parameter" : "Tensor";
  if (v instanceof Module) return v.typeName;
  if (Array.isArray(v)) return "Array";
  if (typeof v === "object" || typeof v === "function") return (v as object).constructor?.name || typeof v;
  return typeof v;
}

type Registry = "parameter" | "buffer" | "module";

/** The maps of a module (its raw target, reached from the proxy's traps). */
interface Registries {
  _parameters: Map<string, Tensor | null>;
  _buffers: Map<string, Tensor>;
  _modules: Map<string, Module>;
  _nonPersistentBuffers: Set<string>;
}

/**
 * Puts `value` in one registry under `name`, out of the others, and makes
 * `module[name]` read it (an own data property, so reads cost nothing extra).
 * A null buffer or child is dropped from its map (PyTorch keeps the name with
 * None; nothing else differs).
 */
function setRegistered(module: Module, kind: Registry, name: string, value: Tensor | Module | null): void {
  const r = module as unknown as Registries;
  if (kind !== "parameter") r._parameters.delete(name);
  if (kind !== "buffer") {
    r._buffers.delete(name);
    r._nonPersistentBuffers.delete(name);
  }
  if (kind !== "module") r._modules.delete(name);
  if (kind === "parameter") {
    const t = value as Tensor | null;
    if (t) {
      t.requiresGrad = true;
      markParameter(t);
    }
    r._parameters.set(name, t);
  } else if (kind === "buffer") {
    if (value) r._buffers.set(name, value as Tensor);
    else r._buffers.delete(name);
  } else if (value) r._modules.set(name, value as Module);
  else r._modules.delete(name);
  // Straight onto the target: defining through the proxy would come back here.
  const target = rawTargets.get(module) ?? module;
  Reflect.defineProperty(target, name, { value, writable: true, enumerable: true, configurable: true });
}

/** Proxy → its module object (for defining properties without re-entering the trap). */
const rawTargets = new WeakMap<object, Module>();
/** Module object → its proxy. */
const proxyOf = new WeakMap<Module, Module>();

function wrap<M extends Module>(m: M): M {
  const p = new Proxy(m, registrar);
  rawTargets.set(p, m);
  proxyOf.set(m, p);
  return p as M;
}

/**
 * The traps behind user-defined modules: PyTorch's `Module.__setattr__`.
 * Assignment (`this.x = v`) and class fields (`x = v`) both arrive at
 * defineProperty (a proxy's [[Set]] defines on its receiver, the proxy).
 */
const registrar: ProxyHandler<Module> = {
  defineProperty(target, key, desc) {
    if (typeof key !== "string" || !("value" in desc)) return Reflect.defineProperty(target, key, desc);
    const value: unknown = desc.value;
    const r = target as unknown as Registries;
    // `undefined` leaves a registered name alone: a TypeScript field declared
    // without initializer (`fc!: Linear`) in a subclass defines it as undefined.
    if (value === undefined && (r._parameters.has(key) || r._modules.has(key) || r._buffers.has(key))) return true;
    const self = proxyOf.get(target)!;
    if (isParameter(value)) {
      (value as Tensor).assertAlive(`${target.typeName}.${key}`);
      setRegistered(self, "parameter", key, value as Tensor);
    } else if (r._parameters.has(key)) {
      if (value !== null && value !== undefined) {
        throw new TypeError(`${target.typeName}: cannot assign '${typeNameOf(value)}' as parameter '${key}' (nn.Parameter or null expected)`);
      }
      setRegistered(self, "parameter", key, null);
    } else if (value instanceof Module) {
      setRegistered(self, "module", key, value);
    } else if (r._modules.has(key)) {
      if (value !== null && value !== undefined) {
        throw new TypeError(`${target.typeName}: cannot assign '${typeNameOf(value)}' as child module '${key}' (nn.Module or null expected)`);
      }
      setRegistered(self, "module", key, null);
    } else if (r._buffers.has(key)) {
      if (value !== null && value !== undefined && !(value instanceof Tensor)) {
        throw new TypeError(`${target.typeName}: cannot assign '${typeNameOf(value)}' as buffer '${key}' (Tensor or null expected)`);
      }
      const persistent = !r._nonPersistentBuffers.has(key);
      setRegistered(self, "buffer", key, (value as Tensor | null | undefined) ?? null);
      if (!persistent && value) r._nonPersistentBuffers.add(key);
    } else {
      return Reflect.defineProperty(target, key, desc);
    }
    return true;
  },
  deleteProperty(target, key) {
    if (typeof key === "string") {
      const r = target as unknown as Registries;
      r._parameters.delete(key);
      r._buffers.delete(key);
      r._nonPersistentBuffers.delete(key);
      r._modules.delete(key);
    }
    return Reflect.deleteProperty(target, key);
  },
};

