// Shared by the functional layers and losses added with user-defined models:
// output allocation, recording a backward node, dims, index inputs, and
// broadcasting a weight tensor to a shape.
import { Tensor, shapeToString, type Shape } from "../tensor.js";
import { Node, isGradEnabled, needsGrad, setGradFn } from "./autograd.js";
import { result } from "../lifetime.js";
import { describe as describeValue } from "../validate.js";

/** A new result tensor, held by the active lifetime clock (src/lifetime.ts) as every operation's. */
export function output(shape: Shape): Tensor {
  return result(shape);
}

/**
 * Records `backward(dy, node)` on `out` when grad mode is on and an input
 * needs a gradient, and returns the node (null when it records none); the
 * engine gathers the output's gradient in `dy`. Otherwise `out` gets no grad_fn (a module's lent
 * buffer may hold an earlier one). `cleanup` frees what the backward reads
 * once the node is consumed or dies (with no node: at once).
 */
export function recordOp(
  name: string, inputs: Tensor[], out: Tensor, saved: Tensor[], backward: (dy: Tensor, node: Node) => void, cleanup: (() => void) | null = null,
): Node | null {
  if (!(isGradEnabled() && inputs.some(needsGrad))) {
    setGradFn(out, null);
    cleanup?.();
    return null;
  }
  const node: Node = new Node(name, inputs, out.shape, () => backward(node.grad!, node), saved, cleanup);
  setGradFn(out, node);
  return node;
}

export function checkTensorArg(what: string, t: unknown, name = "input"): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${what}: ${name} must be a Tensor, got ${describeValue(t)}`);
  t.assertAlive(`${what} (${name})`);
}

export function checkOptionsArg(what: string, o: unknown, known: readonly string[]): void {
  if (o === undefined) return;
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw new TypeError(`${what}: options must be an object, got ${describeValue(o)}`);
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw new TypeError(`${what}: unknown option '${k}' (expected ${known.join(", ")})`);
  }
}

/** A dim in [−ndim, ndim) made non-negative (PyTorch's message otherwise); 0-d tensors take −1 and 0. */
export function normalizeDim(what: string, dim: unknown, ndim: number): number {
  if (typeof dim !== "number" || !Number.isInteger(dim)) throw new (typeof dim === "number" ? RangeError : TypeError)(`${what}: dim must be an integer, got ${describeValue(dim)}`);
  const n = Math.max(ndim, 1);
  if (dim < -n || dim >= n) {
    throw new RangeError(`${what}: Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** Index inputs: an Int32Array, a number array (nested arrays give a shape) or a float32 tensor holding integers. */
export type IndexLike = Int32Array | readonly number[] | readonly (readonly number[])[] | Tensor | number;

/** The integer values and shape of an index input; non-integers are an error naming the position. */
export function toIndices(what: string, x: IndexLike, name = "indices"): { values: Int32Array; shape: number[] } {
  let flat: ArrayLike<number>;
  let shape: number[];
  if (typeof x === "number") {
    flat = [x];
    shape = [];
  } else if (x instanceof Tensor) {
    x.assertAlive(`${what} (${name})`);
    flat = x.data;
    shape = [...x.shape];
  } else if (x instanceof Int32Array) {
    flat = x;
    shape = [x.length];
  } else if (Array.isArray(x)) {
    if (x.length > 0 && Array.isArray(x[0])) {
      const rows = x as readonly (readonly number[])[];
      shape = [rows.length, rows[0].length];
      const out: number[] = [];
      rows.forEach((r, i) => {
        if (!Array.isArray(r) || r.length !== shape[1]) throw new RangeError(`${what}: ${name} is ragged at row ${i}`);
        out.push(...r);
      });
      flat = out;
    } else {
      flat = x as readonly number[];
      shape = [x.length];
    }
  } else {
    throw new TypeError(`${what}: ${name} must be an Int32Array, a number array or a Tensor, got ${describeValue(x)}`);
  }
  const values = new Int32Array(flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v !== "number" || !Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1) {
      throw new (typeof v === "number" ? RangeError : TypeError)(`${what}: ${name}[${i}] = ${describeValue(v)} is not an integer index`);
    }
    values[i] = v;
  }
  return { values, shape };
}

/**
 * A copy of `w` broadcast to `shape` (PyTorch's rules; its message for sizes
 * that do not match), for kernels that read a weight per element.
 */
export function broadcastCopy(what: string, name: string, w: Tensor, shape: Shape): Tensor {
  w.assertAlive(`${what} (${name})`);
  const nd = shape.length;
  if (w.ndim > nd) throw new RangeError(`${what}: ${name} of shape ${shapeToString(w.shape)} cannot be broadcast to ${shapeToString(shape)}`);
  const wShape = [...Array(nd - w.ndim).fill(1), ...w.shape];
  for (let d = 0; d < nd; d++) {
    if (wShape[d] !== 1 && wShape[d] !== shape[d]) {
      throw new RangeError(
        `${what}: The size of tensor a (${wShape[d]}) must match the size of tensor b (${shape[d]}) at non-singleton dimension ${d} ` +
          `(${name} of shape ${shapeToString(w.shape)} against ${shapeToString(shape)})`,
      );
    }
  }
  const out = new Tensor(shape);
  const src = w.data;
  const dst = out.data;
  const strides = new Array<number>(nd).fill(0);
  for (let d = nd - 1, s = 1; d >= 0; d--) {
    strides[d] = wShape[d] === 1 ? 0 : s;
    s *= wShape[d];
  }
  const idx = new Array<number>(nd).fill(0);
  for (let i = 0; i < out.size; i++) {
    let k = 0;
    for (let d = 0; d < nd; d++) k += idx[d] * strides[d];
    dst[i] = src[k];
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}
