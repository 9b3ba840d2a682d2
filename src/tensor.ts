// Tensor: a shape and a block of float32 storage owned by the facade
// (WebAssembly linear memory, or a Float32Array in the pure-JS build).
import { allocate, release, type Storage } from "./runtime/memory.js";
import { wasmOrNull } from "./runtime/runtime.js";
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

export class Tensor {
  readonly shape: readonly number[];
  /** Number of elements (PyTorch's numel()). */
  readonly size: number;
  #requiresGrad = false;
  /** Autograd: the recorded operation that produced this tensor (set by nn's tape), or null for a leaf. */
  gradFn: object | null = null;
  #storage: Storage;
  #grad: Tensor | null = null;
  #view: Float32Array | null = null;
  #viewBuffer: ArrayBufferLike | null = null;

  /** Allocates uninitialised storage for `shape`; prefer empty()/zeros()/tensor(). */
  constructor(shape: Shape) {
    const [s, size] = checkShape(shape);
    this.shape = Object.freeze(s);
    this.size = size;
    this.#storage = allocate(size, `Tensor${shapeToString(s)}`, this);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get disposed(): boolean {
    return this.#storage.freed;
  }

  /** Throws if disposed; `what` names the operation for the message. */
  assertAlive(what = "tensor"): void {
    if (this.#storage.freed) {
      throw new Error(`${what}: Tensor${shapeToString(this.shape)} has been disposed and cannot be used`);
    }
  }

  /** Byte offset of the storage in WebAssembly memory (WebAssembly builds only). */
  get ptr(): number {
    this.assertAlive();
    if (this.#storage.ptr < 0) throw new Error("Tensor.ptr: the pure-JS build has no WebAssembly memory");
    return this.#storage.ptr;
  }

  /**
   * A live Float32Array over the storage. Writes go straight to the tensor.
   * Re-created when WebAssembly memory grows, so read it again after any call
   * that may allocate rather than holding on to an old one.
   */
  get data(): Float32Array {
    this.assertAlive();
    const s = this.#storage;
    if (s.js) return s.js;
    const buffer = wasmOrNull()!.memory.buffer;
    if (this.#viewBuffer !== buffer) {
      this.#view = new Float32Array(buffer, s.ptr, this.size);
      this.#viewBuffer = buffer;
    }
    return this.#view!;
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
    this.#requiresGrad = value;
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
          `Tensor.grad: gradient shape ${shapeToString(g.shape)} does not match the tensor's shape ${shapeToString(this.shape)}`,
        );
      }
    }
    this.#grad = g;
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
    return this;
  }

  /** A new tensor with the same shape and values (no grad, requiresGrad copied). */
  clone(): Tensor {
    this.assertAlive("Tensor.clone");
    const t = new Tensor(this.shape).copy(this);
    t.requiresGrad = this.requiresGrad;
    return t;
  }

  /**
   * Backpropagates from this one-element tensor: fills `.grad` of every tensor
   * with requiresGrad that it depends on (nn's tape implements it).
   */
  backward(): void {
    if (!backwardHook) throw new Error("Tensor.backward: no autograd engine is loaded (import nn from wasmtrain)");
    backwardHook(this);
  }

  /** Frees the storage now. Later use throws. Idempotent. */
  dispose(): void {
    release(this.#storage);
    this.#view = null;
    this.#viewBuffer = null;
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
    return this.disposed ? `Tensor${shapeToString(this.shape)} (disposed)` : `Tensor${shapeToString(this.shape)}`;
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

let backwardHook: ((t: Tensor) => void) | null = null;

/** Installs the autograd engine behind Tensor.backward() (called once by nn's tape). */
export function setBackwardHook(fn: (t: Tensor) => void): void {
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
