// Tensor: a shape and a block of float32 storage owned by the facade
// (WebAssembly linear memory, or a Float32Array in the pure-JS build).
import { allocate, heapBuffer, retain, track, untrack, unretain, type Storage } from "./runtime/memory.js";
import * as ops from "./ops/index.js";
import { describe } from "./validate.js";

export type Shape = readonly number[];
/** Values accepted by tensor(): flat array-likes or nested arrays. */
export type NestedArray = number | readonly NestedArray[];
export type TensorLike = ArrayLike<number> | readonly NestedArray[];

export function shapeToString(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Validates a shape and returns [copy, numel]. */
export function checkShape(shape: unknown, what = "shape"): [number[], number] {
  if (!Array.isArray(shape)) throw new TypeError(`${what} must be an array of sizes, got ${describe(shape)}`);
  let size = 1;
  for (const d of shape) {
    if (typeof d !== "number") throw new TypeError(`${what} ${describe(shape)}: every size must be a non-negative integer, got ${describe(d)}`);
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`${what} ${describe(shape)}: every size must be a non-negative integer, got ${describe(d)}`);
    }
    size *= d;
  }
  return [shape.slice(), size];
}

/**
 * What the autograd engine hangs on a tensor it computed (a node of the
 * graph): counted references, so a graph whose every output tensor is gone
 * frees what it saved (PyTorch's reference counting of grad_fn).
 */
export interface GradFn {
  incRef(): void;
  decRef(): void;
}

/**
 * Internal construction options: a view (share `of`'s storage from element
 * `offset`), and `held` for tensors something releases deterministically (a
 * lifetime clock, the autograd engine), which skip the garbage-collection
 * safety net and the shape validation of user-facing constructors.
 */
interface ViewSource {
  of?: Tensor;
  offset?: number;
  held?: boolean;
}

export class Tensor {
  readonly shape: readonly number[];
  /** Number of elements (PyTorch's numel()). */
  readonly size: number;
  #requiresGrad = false;
  #gradFn: GradFn | null = null;
  #storage: Storage;
  /** First element of this tensor in its storage (views). */
  #offset = 0;
  #grad: Tensor | null = null;
  /** Whether #grad was allocated by backward (then replacing it or setting it to null releases it). */
  #gradOwned = false;
  #view: Float32Array | null = null;
  #viewBuffer: ArrayBufferLike | Float32Array | null = null;
  /** Why this handle is no longer usable (disposed, or released by the library), or null. */
  #released: string | null = null;
  #disposedByUser = false;
  /** Autograd nodes that saved this handle (they keep its storage; see pin()). */
  #pins = 0;

  /** Allocates uninitialised storage for `shape`; prefer empty()/zeros()/tensor(). */
  constructor(shape: Shape, view?: ViewSource) {
    if (view?.held) {
      let size = 1;
      for (let i = 0; i < shape.length; i++) size *= shape[i];
      // another tensor's (frozen) shape is shared, not copied
      this.shape = Object.isFrozen(shape) ? shape : Object.freeze(shape.slice());
      this.size = size;
    } else {
      const [s, size] = checkShape(shape);
      this.shape = Object.freeze(s);
      this.size = size;
    }
    const of = view?.of;
    if (of) {
      of.assertAlive("view");
      this.#storage = of.#storage;
      this.#offset = of.#offset + (view!.offset ?? 0);
    } else {
      this.#storage = allocate(this.size, () => `Tensor${shapeToString(this.shape)}`);
    }
    if (view?.held) {
      this.#held = true;
      retain(this.#storage);
    } else track(this, this.#storage);
  }

  /** Whether the library releases this handle itself (no garbage-collection safety net). */
  #held = false;
  /** The module whose forward lent this tensor (Module.releaseOutput accepts only its own). */
  madeBy: object | null = null;

  /** Autograd: the recorded operation that produced this tensor, or null for a leaf. */
  get gradFn(): GradFn | null {
    return this.#gradFn;
  }

  set gradFn(fn: GradFn | null) {
    if (fn === this.#gradFn) return;
    fn?.incRef();
    const old = this.#gradFn;
    this.#gradFn = fn;
    old?.decRef();
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Whether this handle can no longer be used (disposed, or released by the library). */
  get disposed(): boolean {
    return this.#released !== null || this.#storage.freed;
  }

  /** Whether dispose() was called on this handle (rather than the library releasing it). */
  get disposedByUser(): boolean {
    return this.#disposedByUser;
  }

  /** Throws if disposed or released; `what` names the operation for the message. */
  assertAlive(what = "tensor"): void {
    if ((this.#released !== null && !(this.#pins > 0 && internalReads > 0 && !this.#disposedByUser)) || this.#storage.freed) {
      throw new Error(`${what}: Tensor${shapeToString(this.shape)} ${this.#released ?? "has been disposed and cannot be used"}`);
    }
  }

  /** Byte offset of the storage in WebAssembly memory (WebAssembly builds only). */
  get ptr(): number {
    this.assertAlive();
    if (this.#storage.ptr < 0) throw new Error("Tensor.ptr: the pure-JS build has no WebAssembly memory");
    return this.#storage.ptr + this.#offset * 4;
  }

  /**
   * A live Float32Array over the storage. Writes go straight to the tensor.
   * Re-created when WebAssembly memory grows, so read it again after any call
   * that may allocate rather than holding on to an old one.
   */
  get data(): Float32Array {
    this.assertAlive();
    const s = this.#storage;
    if (s.js) {
      if (this.#viewBuffer !== s.js) {
        this.#view = this.#offset === 0 && this.size === s.js.length ? s.js : s.js.subarray(this.#offset, this.#offset + this.size);
        this.#viewBuffer = s.js;
      }
      return this.#view!;
    }
    const buffer = heapBuffer();
    if (this.#viewBuffer !== buffer) {
      this.#view = new Float32Array(buffer, s.ptr + this.#offset * 4, this.size);
      this.#viewBuffer = buffer;
    }
    return this.#view!;
  }

  /** PyTorch's version counter of the storage (bumped by in-place operations). */
  get version(): number {
    return this.#storage.version;
  }

  /** Marks an in-place change (every in-place operation calls it). */
  bumpVersion(): void {
    this.#storage.version++;
  }

  /** Whether `other` shares this tensor's storage (a view of it, or it of this). */
  sharesStorage(other: Tensor): boolean {
    return this.#storage === other.#storage;
  }

  /** An extra reference to the storage, for autograd's saved tensors (see releaseSaved()). */
  retainStorage(): object {
    this.assertAlive();
    retain(this.#storage);
    return this.#storage;
  }

  /**
   * An autograd node saved this handle: its storage stays until unpin(), and
   * backward may read it even after the library released it for the user.
   */
  pin(): void {
    this.#pins++;
    retain(this.#storage);
  }

  unpin(): void {
    this.#pins--;
    unretain(this.#storage);
  }

  /** The storage was handed back for reuse by Module.releaseOutput(). */
  get handedBack(): boolean {
    return this.#storage.handedBack;
  }

  /**
   * Invalidates this handle because the library reclaimed it; `reason` ends
   * the message of every later use ("was released by …; … clone() …").
   */
  release(reason: string): void {
    if (this.#released !== null) return;
    this.#released = reason;
    this.#view = null;
    this.#viewBuffer = null;
    this.gradFn = null;
    if (this.#held) unretain(this.#storage);
    else untrack(this, this.#storage);
  }

  /** Module.releaseOutput(): the storage may be reused while a graph still saved it; backward will refuse. */
  handBack(reason: string): void {
    if (this.#released !== null) return;
    this.#storage.handedBack = true;
    this.#storage.version++;
    this.release(reason);
  }

  /** A copy of the values. */
  toArray(): Float32Array {
    return this.data.slice();
  }

  /** The value of a one-element tensor. */
  item(): number {
    this.assertAlive("Tensor.item");
    if (this.size !== 1) {
      throw new RangeError(`Tensor.item: only one-element tensors can be converted, this one has shape ${shapeToString(this.shape)}`);
    }
    return this.data[0];
  }

  /** Whether autograd records operations on this tensor and fills its grad. */
  get requiresGrad(): boolean {
    return this.#requiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (typeof value !== "boolean") throw new TypeError(`Tensor.requiresGrad must be a boolean, got ${describe(value)}`);
    if (!value && this.#gradFn !== null) {
      throw new Error(
        "Tensor.requiresGrad: you can only change requires_grad flags of leaf variables. If you want to use a computed variable " +
          "in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
      );
    }
    this.#requiresGrad = value;
  }

  /** Sets requiresGrad for the engine (outputs of recorded operations), leaf or not. */
  setRequiresGradUnchecked(value: boolean): void {
    this.#requiresGrad = value;
  }

  /** PyTorch's requires_grad_(): sets the flag on a leaf and returns this tensor. */
  requiresGrad_(flag = true): this {
    if (typeof flag !== "boolean") throw new TypeError(`requiresGrad_: flag must be a boolean, got ${String(flag)}`);
    this.requiresGrad = flag;
    return this;
  }

  /** Whether this tensor is a leaf of the graph (no recorded operation made it). */
  get isLeaf(): boolean {
    return this.#gradFn === null;
  }

  get grad(): Tensor | null {
    return this.#grad;
  }

  /** Assigning checks that the gradient is another live tensor of this tensor's shape. */
  set grad(g: Tensor | null) {
    if (g !== null) {
      this.assertAlive("Tensor.grad");
      if (!(g instanceof Tensor)) throw new TypeError(`Tensor.grad must be a Tensor or null, got ${describe(g)}`);
      if (g === this) throw new RangeError(`Tensor.grad: can't assign Variable as its own grad (${this.toString()})`);
      g.assertAlive("Tensor.grad");
      if (!sameShape(g.shape, this.shape)) {
        throw new RangeError(
          `Tensor.grad: gradient shape ${shapeToString(g.shape)} does not match the tensor's shape ${shapeToString(this.shape)} ` +
            `(assigned grad has data of a different size)`,
        );
      }
    }
    const old = this.#grad;
    const owned = this.#gradOwned;
    this.#grad = g;
    this.#gradOwned = false;
    if (old && old !== g && owned) {
      old.release(
        "was released: the gradient was replaced or set to null (zeroGrad(), p.grad = null) and the library reused its memory. " +
          "Keep a copy with grad.clone() first, or use zeroGrad({ setToNone: false })",
      );
    }
  }

  /** Installs a gradient that backward allocated: released again when it is replaced or set to null. */
  setOwnedGrad(g: Tensor): void {
    this.grad = g;
    this.#gradOwned = true;
  }

  /** Copies `src`'s values into this tensor (same number of elements). Returns this. */
  copy(src: Tensor): this {
    this.assertAlive("Tensor.copy");
    if (!(src instanceof Tensor)) throw new TypeError(`Tensor.copy: source must be a Tensor, got ${describe(src)}`);
    src.assertAlive("Tensor.copy");
    if (src.size !== this.size) {
      throw new RangeError(`Tensor.copy: source has ${src.size} elements, destination ${shapeToString(this.shape)} has ${this.size}`);
    }
    this.data.set(src.data);
    this.bumpVersion();
    return this;
  }

  /**
   * A new tensor with the same shape and values that is yours: the library
   * never releases it (dispose() frees it now, else the garbage collector).
   * No graph; requiresGrad is copied.
   */
  clone(): Tensor {
    this.assertAlive("Tensor.clone");
    const t = new Tensor(this.shape);
    t.data.set(this.data);
    t.requiresGrad = this.requiresGrad;
    return t;
  }

  /**
   * Backpropagates from this tensor: fills `.grad` of every tensor with
   * requiresGrad that it depends on. `gradient` (the same shape) is required
   * unless this tensor has one element. `retainGraph` keeps the graph for
   * another backward; `createGraph` records the gradients' computation (the
   * `.grad` tensors then have a graph: higher-order gradients).
   */
  backward(gradient?: Tensor | null, options?: { retainGraph?: boolean; createGraph?: boolean }): void {
    if (!backwardHook) throw new Error("Tensor.backward: no autograd engine is loaded (import nn from wasmtrain)");
    backwardHook(this, gradient ?? null, options ?? {});
  }

  /** Frees the storage now (once no view shares it). Later use throws. Idempotent. */
  dispose(): void {
    if (this.#released !== null) return;
    this.#disposedByUser = true;
    this.release("has been disposed and cannot be used");
  }


  /**
   * `{ shape, data }` with plain numbers, so `JSON.stringify(model.stateDict())`
   * keeps the values; NaN and ±Infinity (which JSON cannot hold) are written
   * as the strings "NaN", "Infinity" and "-Infinity", which loadStateDict reads.
   */
  toJSON(): { shape: number[]; data: (number | string)[] } {
    this.assertAlive("Tensor.toJSON");
    return { shape: [...this.shape], data: jsonData(this.data) };
  }

  toString(): string {
    if (this.#disposedByUser) return `Tensor${shapeToString(this.shape)} (disposed)`;
    return this.disposed ? `Tensor${shapeToString(this.shape)} (released)` : `Tensor${shapeToString(this.shape)}`;
  }

  // ------------------------------------------------------------ operations
  // The tensor operations (src/ops/): each returns a new tensor and records
  // its backward when an input requires grad, as the functions in F do.

  add(other: Tensor | number, options?: { alpha?: number }): Tensor { return ops.add(this, other, options); }
  sub(other: Tensor | number, options?: { alpha?: number }): Tensor { return ops.sub(this, other, options); }
  mul(other: Tensor | number): Tensor { return ops.mul(this, other); }
  div(other: Tensor | number): Tensor { return ops.div(this, other); }
  neg(): Tensor { return ops.neg(this); }
  pow(exponent: Tensor | number): Tensor { return ops.pow(this, exponent); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  rsqrt(): Tensor { return ops.rsqrt(this); }
  abs(): Tensor { return ops.abs(this); }
  square(): Tensor { return ops.square(this); }
  clamp(options: { min?: number | null; max?: number | null }): Tensor { return ops.clamp(this, options); }
  maximum(other: Tensor | number): Tensor { return ops.maximum(this, other); }
  minimum(other: Tensor | number): Tensor { return ops.minimum(this, other); }
  relu(): Tensor { return ops.relu(this); }
  leakyRelu(negativeSlope = 0.01): Tensor { return ops.leakyRelu(this, negativeSlope); }
  gelu(options?: { approximate?: "none" | "tanh" }): Tensor { return ops.gelu(this, options); }
  tanh(): Tensor { return ops.tanh(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  softmax(dim?: number | null): Tensor { return nnMethods.softmax(this, dim); }
  logSoftmax(dim?: number | null): Tensor { return nnMethods.logSoftmax(this, dim); }
  silu(): Tensor { return nnMethods.silu(this); }
  softplus(options?: { beta?: number; threshold?: number }): Tensor { return nnMethods.softplus(this, options); }
  elu(options?: { alpha?: number }): Tensor { return nnMethods.elu(this, options); }
  sum(options?: ops.ReduceOptions): Tensor { return ops.sum(this, options); }
  mean(options?: ops.ReduceOptions): Tensor { return ops.mean(this, options); }
  amax(options?: ops.ReduceOptions): Tensor { return ops.amax(this, options); }
  amin(options?: ops.ReduceOptions): Tensor { return ops.amin(this, options); }
  var(options?: ops.VarOptions): Tensor { return ops.variance(this, options); }
  std(options?: ops.VarOptions): Tensor { return ops.std(this, options); }
  norm(options?: ops.NormOptions): Tensor { return ops.norm(this, options); }
  argmax(options?: ops.ArgOptions): Tensor { return ops.argmax(this, options); }
  argmin(options?: ops.ArgOptions): Tensor { return ops.argmin(this, options); }
  reshape(...shape: (number | readonly number[])[]): Tensor { return ops.reshape(this, ops.shapeArgs(shape, "reshape")); }
  view(...shape: (number | readonly number[])[]): Tensor { return ops.view(this, ops.shapeArgs(shape, "view")); }
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten(this, startDim, endDim); }
  squeeze(dim?: number): Tensor { return ops.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return ops.unsqueeze(this, dim); }
  transpose(dim0: number, dim1: number): Tensor { return ops.transpose(this, dim0, dim1); }
  t(): Tensor { return ops.t(this); }
  permute(...dims: (number | readonly number[])[]): Tensor { return ops.permute(this, ops.shapeArgs(dims, "permute")); }
  expand(...shape: (number | readonly number[])[]): Tensor { return ops.expand(this, ops.shapeArgs(shape, "expand")); }
  contiguous(): Tensor { return ops.contiguous(this); }
  split(splitSize: number | readonly number[], dim = 0): Tensor[] { return ops.split(this, splitSize, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return ops.chunk(this, chunks, dim); }
  narrow(dim: number, start: number, length: number): Tensor { return ops.narrow(this, dim, start, length); }
  indexSelect(dim: number, index: ops.IndexLike): Tensor { return ops.indexSelect(this, dim, index); }
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }
  detach(): Tensor { return ops.detach(this); }
  add_(other: Tensor | number, options?: { alpha?: number }): this { return ops.add_(this, other, options); }
  sub_(other: Tensor | number, options?: { alpha?: number }): this { return ops.sub_(this, other, options); }
  mul_(other: Tensor | number): this { return ops.mul_(this, other); }
  div_(other: Tensor | number): this { return ops.div_(this, other); }
  copy_(src: Tensor): this { return ops.copy_(this, src); }
  fill_(value: number): this { return ops.fill_(this, value); }
  zero_(): this { return ops.fill_(this, 0); }
  clamp_(options: { min?: number | null; max?: number | null }): this { return ops.clamp_(this, options); }
}

let internalReads = 0;

/** Runs fn while backward passes may read the tensors their nodes pinned, released or not. */
export function withPinnedReads<T>(fn: () => T): T {
  internalReads++;
  try {
    return fn();
  } finally {
    internalReads--;
  }
}

/** Values for JSON: numbers, with NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity". */
export function jsonData(values: ArrayLike<number>): (number | string)[] {
  const out = new Array<number | string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v - v === 0 ? v : String(v);
  }
  return out;
}

/**
 * Checks tensor data from a state dict (a typed array, or a JSON array of
 * numbers where "NaN", "Infinity" and "-Infinity" stand for themselves) and
 * returns it as something `Float32Array.set` takes. Throws naming `what` on a
 * wrong length or any other value (a string, null, ...).
 */
export function jsonValues(what: string, data: unknown, size: number): ArrayLike<number> {
  if (data instanceof Float32Array || data instanceof Float64Array) {
    if (data.length !== size) throw new RangeError(`${what} has ${data.length} values, its shape holds ${size}`);
    return data;
  }
  if (!Array.isArray(data)) throw new TypeError(`${what}: data must be an array of numbers, got ${data === null ? "null" : typeof data}`);
  if (data.length !== size) throw new RangeError(`${what} has ${data.length} values, its shape holds ${size}`);
  let out: number[] | null = null;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === "number") continue;
    if (v === "NaN" || v === "Infinity" || v === "-Infinity") {
      (out ??= data.slice())[i] = Number(v);
      continue;
    }
    throw new TypeError(`${what}: data[${i}] is ${typeof v === "string" ? JSON.stringify(v) : String(v)}, not a number (NaN and ±Infinity are written "NaN", "Infinity", "-Infinity")`);
  }
  return out ?? (data as number[]);
}

/**
 * The methods implemented by nn's fused kernels (softmax, logSoftmax, silu,
 * softplus, elu), installed when src/nn/ loads (tensor.ts cannot import nn).
 */
export const nnMethods = {
  softmax: notLoaded as (x: Tensor, dim?: number | null) => Tensor,
  logSoftmax: notLoaded as (x: Tensor, dim?: number | null) => Tensor,
  silu: notLoaded as (x: Tensor) => Tensor,
  softplus: notLoaded as (x: Tensor, options?: { beta?: number; threshold?: number }) => Tensor,
  elu: notLoaded as (x: Tensor, options?: { alpha?: number }) => Tensor,
};

function notLoaded(): never {
  throw new Error("Tensor: nn is not loaded (import from wasmtrain's entry point)");
}

// `using t = …` (explicit resource management) disposes at the end of the
// block. Installed at run time only where the engine has Symbol.dispose, and
// kept out of the declared class type so that consumers compiling against
// lib ES2022 (no esnext.disposable) type-check the declarations.
const disposeSymbol = (Symbol as { dispose?: symbol }).dispose;
if (disposeSymbol) {
  Object.defineProperty(Tensor.prototype, disposeSymbol, {
    value(this: Tensor): void {
      this.dispose();
    },
    writable: true,
    configurable: true,
  });
}

export type BackwardHook = (t: Tensor, gradient: Tensor | null, options: { retainGraph?: boolean; createGraph?: boolean }) => void;
let backwardHook: BackwardHook | null = null;

/** Installs the autograd engine behind Tensor.backward() (called once by src/autograd/). */
export function setBackwardHook(fn: BackwardHook): void {
  backwardHook = fn;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function inferShape(values: readonly NestedArray[]): number[] {
  const shape: number[] = [];
  let level: NestedArray = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  return shape;
}

function flattenInto(values: NestedArray, shape: number[], dim: number, out: Float32Array, offset: number): number {
  if (dim === shape.length) {
    if (typeof values !== "number") throw new TypeError(`tensor: expected a number at depth ${dim}, got ${describe(values)}`);
    out[offset] = values;
    return offset + 1;
  }
  if (!Array.isArray(values) || values.length !== shape[dim]) {
    throw new RangeError(`tensor: ragged nested array; expected ${shape[dim]} entries at depth ${dim} (shape ${shapeToString(shape)})`);
  }
  for (const v of values) offset = flattenInto(v, shape, dim + 1, out, offset);
  return offset;
}

/**
 * Copies values into a new tensor. Nested arrays infer the shape; flat ones
 * default to 1-D; a bare number gives a 0-d tensor (shape [], as torch.tensor(5)).
 */
export function tensor(values: TensorLike | Tensor | number, shape?: Shape): Tensor {
  if (typeof values === "number") return tensor([values], shape ?? []);
  if (values instanceof Tensor) {
    // torch.tensor(t) copies t (values only: no grad, requiresGrad false)
    values.assertAlive("tensor");
    const [s, size] = checkShape(shape ?? values.shape);
    if (size !== values.size) throw new RangeError(`tensor: shape ${shapeToString(s)} holds ${size} values but ${values.toString()} has ${values.size}`);
    return new Tensor(s).copy(values);
  }
  if (values === null || typeof values !== "object") {
    throw new TypeError(`tensor: values must be an array, a typed array or a Tensor, got ${describe(values)}`);
  }
  const nested = Array.isArray(values) && values.length > 0 && Array.isArray(values[0]);
  let flat: Float32Array;
  let inferred: number[];
  if (nested) {
    inferred = inferShape(values as readonly NestedArray[]);
    flat = new Float32Array(inferred.reduce((a, b) => a * b, 1));
    flattenInto(values as NestedArray, inferred, 0, flat, 0);
  } else {
    const list = values as ArrayLike<number>;
    for (let i = 0; i < list.length; i++) {
      if (typeof list[i] !== "number") throw new TypeError(`tensor: values[${i}] must be a number, got ${describe(list[i])}`);
    }
    // Always a copy: `list` may be another tensor's view of WebAssembly memory,
    // which the allocation below can detach by growing memory.
    flat = Float32Array.from(list);
    inferred = [list.length];
  }
  const [s, size] = checkShape(shape ?? inferred);
  if (size !== flat.length) {
    throw new RangeError(`tensor: shape ${shapeToString(s)} holds ${size} values but ${flat.length} were given`);
  }
  const t = new Tensor(s);
  t.data.set(flat);
  return t;
}

/** Uninitialised values (whatever the storage held). */
export function empty(shape: Shape): Tensor {
  return new Tensor(shape);
}

export function full(shape: Shape, value: number): Tensor {
  if (typeof value !== "number") throw new TypeError(`full: value must be a number, got ${describe(value)}`);
  const t = new Tensor(shape);
  t.data.fill(value);
  return t;
}

export function zeros(shape: Shape): Tensor {
  return full(shape, 0);
}

export function ones(shape: Shape): Tensor {
  return full(shape, 1);
}

const parameters = new WeakSet<Tensor>();

/** Marks `t` as a parameter (what `x instanceof nn.Parameter` tests): parameter() and modules' registered weights. */
export function markParameter(t: Tensor): void {
  parameters.add(t);
}

/** Whether `t` was made by parameter() / nn.Parameter or registered as a module's parameter. */
export function isParameter(t: unknown): boolean {
  return t instanceof Tensor && parameters.has(t);
}

/** A tensor with requiresGrad = true (PyTorch's nn.Parameter). */
export function parameter(values: TensorLike | Tensor, shape?: Shape): Tensor {
  const t = tensor(values, shape);
  t.requiresGrad = true;
  markParameter(t);
  return t;
}
