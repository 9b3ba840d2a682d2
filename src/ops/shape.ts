// Shape operations. Every tensor is contiguous, so:
//   views (share storage, as in PyTorch): reshape, view, flatten, squeeze,
//     unsqueeze, detach, contiguous (the tensor itself), narrow / split /
//     chunk along the first dimension larger than 1;
//   copies (same values as PyTorch's views; writing into the copy does not
//     reach the original): transpose, t, permute, expand, narrow / split /
//     chunk along other dimensions.
// cat, stack and indexSelect copy, as in PyTorch. Every copy is one strided
// copy kernel (copyStrided); backward passes are the same kernel the other way.
import { Tensor, shapeToString, type Shape } from "../tensor.js";
import { Node, record, sinkFor, setGradFn } from "../autograd/node.js";
import { addInto, copyStrided } from "./kernels.js";
import { broadcastStrides, contiguousStrides, normDim } from "./iterator.js";
import { adopt, checkInt, checkTensor, describeValue, intoSink, numel, result, sumToSink } from "./common.js";
import { sumTo } from "./reduce.js";

/** Accepts reshape(2, 3), reshape([2, 3]) and reshape() alike. */
export function shapeArgs(args: readonly (number | readonly number[])[], what: string): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as number[])];
  for (const a of args) {
    if (typeof a !== "number") throw new TypeError(`${what}: expected sizes as numbers or one array, got ${describeValue(a)}`);
  }
  return args as number[];
}

function inferShape(what: string, x: Tensor, shape: readonly number[]): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${what}: shape must be an array of sizes, got ${describeValue(shape)}`);
  let infer = -1;
  let known = 1;
  shape.forEach((s, i) => {
    if (typeof s !== "number" || !Number.isInteger(s)) throw new TypeError(`${what}: shape[${i}] must be an integer, got ${describeValue(s)}`);
    if (s === -1) {
      if (infer >= 0) throw new RangeError(`${what}: only one dimension can be inferred (shape ${shapeToString(shape)})`);
      infer = i;
    } else if (s < 0) {
      throw new RangeError(`${what}: invalid shape dimension ${s} (shape ${shapeToString(shape)})`);
    } else known *= s;
  });
  const out = shape.slice();
  if (infer >= 0) {
    if (known === 0 || x.size % known !== 0) {
      throw new RangeError(`${what}: shape '${shapeToString(shape)}' is invalid for input of size ${x.size}`);
    }
    out[infer] = x.size / known;
  } else if (known !== x.size) {
    throw new RangeError(`${what}: shape '${shapeToString(shape)}' is invalid for input of size ${x.size}`);
  }
  return out;
}

/** A view of x's storage with `shape` (same number of elements), recording the gradient's pass-through. */
function viewAs(x: Tensor, shape: Shape, offset: number, name: string): Tensor {
  const out = adopt(new Tensor(shape, { of: x, offset }));
  if (offset === 0 && out.size === x.size) {
    record(out, [x], () => {
      const node: Node = new Node(name, [x], shape, () => {
        const s = sinkFor(node, 0);
        if (s) addInto(node.grad!, s.tensor, s.acc);
      });
      node.diff = (g) => [reshape(g, x.shape)];
      return node;
    });
  }
  return out;
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("reshape", x);
  return viewAs(x, inferShape("reshape", x, shape), 0, "ReshapeAliasBackward0");
}

export function view(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("view", x);
  return viewAs(x, inferShape("view", x, shape), 0, "ViewBackward0");
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  const what = "flatten";
  checkTensor(what, x);
  const s = normDim(what, startDim, x.ndim);
  const e = normDim(what, endDim, x.ndim);
  if (s > e) throw new RangeError(`${what}: flatten() has invalid args: start_dim cannot come after end_dim`);
  if (x.ndim === 0) return viewAs(x, [1], 0, "ViewBackward0");
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return viewAs(x, shape, 0, "ViewBackward0");
}

/** Removes size-1 dimensions (all, or `dim` if it has size 1). */
export function squeeze(x: Tensor, dim?: number): Tensor {
  const what = "squeeze";
  checkTensor(what, x);
  if (dim === undefined || dim === null) return viewAs(x, x.shape.filter((s) => s !== 1), 0, "SqueezeBackward0");
  const d = normDim(what, dim, x.ndim);
  if (x.ndim === 0 || x.shape[d] !== 1) return viewAs(x, x.shape, 0, "SqueezeBackward1");
  return viewAs(x, x.shape.filter((_, i) => i !== d), 0, "SqueezeBackward1");
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const what = "unsqueeze";
  checkTensor(what, x);
  const d = normDim(what, dim, x.ndim + 1);
  const shape = x.shape.slice();
  shape.splice(d, 0, 1);
  return viewAs(x, shape, 0, "UnsqueezeBackward0");
}

/** A new handle on the same storage, outside the graph (PyTorch's detach: shares storage). */
export function detach(x: Tensor): Tensor {
  checkTensor("detach", x);
  return adopt(new Tensor(x.shape, { of: x, offset: 0 }));
}

/** x itself: every tensor is contiguous. */
export function contiguous(x: Tensor): Tensor {
  checkTensor("contiguous", x);
  return x;
}

/** out = x with its dimensions permuted (a copy). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const what = "permute";
  checkTensor(what, x);
  if (!Array.isArray(dims)) throw new TypeError(`${what}: dims must be a list of integers, got ${describeValue(dims)}`);
  if (dims.length !== x.ndim) {
    throw new RangeError(
      `${what}: number of dims don't match in permute (the input has ${x.ndim} dimensions, ${dims.length} were given: ${shapeToString(dims)})`,
    );
  }
  const perm = dims.map((d) => normDim(what, d, x.ndim));
  if (new Set(perm).size !== perm.length) throw new RangeError(`${what}: repeated dim in permute ${shapeToString(dims)}`);
  const shape = perm.map((d) => x.shape[d]);
  const xs = contiguousStrides(x.shape);
  const out = result(shape);
  copyStrided(shape, out, contiguousStrides(shape), 0, x, perm.map((d) => xs[d]), 0, 0);
  record(out, [x], () => {
    const node: Node = new Node("PermuteBackward0", [x], shape, () => {
      const s = sinkFor(node, 0);
      if (!s) return;
      // dx[perm-indexed] (+)= g: walk g's shape, writing x's strides
      copyStrided(shape, s.tensor, perm.map((d) => xs[d]), 0, node.grad!, contiguousStrides(shape), 0, s.acc);
    });
    node.diff = (g) => {
      const inverse = new Array<number>(perm.length);
      perm.forEach((d, i) => (inverse[d] = i));
      return [permute(g, inverse)];
    };
    return node;
  });
  return out;
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const what = "transpose";
  checkTensor(what, x);
  const a = normDim(what, dim0, x.ndim);
  const b = normDim(what, dim1, x.ndim);
  if (x.ndim < 2) return viewAs(x, x.shape, 0, "TransposeBackward0");
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** The transpose of a ≤ 2-D tensor. */
export function t(x: Tensor): Tensor {
  checkTensor("t", x);
  if (x.ndim > 2) throw new RangeError(`t: t() expects a tensor with <= 2 dimensions, but self is ${x.ndim}D`);
  return x.ndim < 2 ? viewAs(x, x.shape, 0, "TBackward0") : transpose(x, 0, 1);
}

/** x broadcast to `shape` (−1 keeps a size), as a copy. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const what = "expand";
  checkTensor(what, x);
  if (!Array.isArray(shape)) throw new TypeError(`${what}: shape must be an array of sizes, got ${describeValue(shape)}`);
  if (shape.length < x.ndim) {
    throw new RangeError(
      `${what}: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${x.ndim})`,
    );
  }
  const offset = shape.length - x.ndim;
  const target = shape.map((s, i) => {
    checkInt(what, s, `shape[${i}]`);
    const own = i >= offset ? x.shape[i - offset] : null;
    if (s === -1) {
      if (own === null) throw new RangeError(`${what}: The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      return own;
    }
    if (own !== null && own !== s && own !== 1) {
      throw new RangeError(
        `${what}: The expanded size of the tensor (${s}) must match the existing size (${own}) at non-singleton dimension ${i}.  ` +
          `Target sizes: ${shapeToString(shape)}.  Tensor sizes: ${shapeToString(x.shape)}`,
      );
    }
    if (s < 0) throw new RangeError(`${what}: invalid size ${s} at dimension ${i}`);
    return s;
  });
  const out = result(target);
  copyStrided(target, out, contiguousStrides(target), 0, x, broadcastStrides(x.shape, target), 0, 0);
  record(out, [x], () => {
    const node: Node = new Node("ExpandBackward0", [x], target, () => {
      const s = sinkFor(node, 0);
      if (s) sumToSink(node.grad!, x.shape, s);
    });
    node.diff = (g) => [sumTo(g, x.shape)];
    return node;
  });
  return out;
}

/** x[..., start:start+length, ...] along dim: a view when dim is the first one larger than 1, else a copy. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const what = "narrow";
  checkTensor(what, x);
  if (x.ndim === 0) throw new RangeError(`${what}: narrow() cannot be applied to a 0-dim tensor.`);
  const d = normDim(what, dim, x.ndim);
  checkInt(what, start, "start");
  checkInt(what, length, "length");
  const size = x.shape[d];
  if (start < -size || start > size) {
    throw new RangeError(`${what}: start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  }
  const s0 = start < 0 ? start + size : start;
  if (length < 0 || s0 + length > size) {
    throw new RangeError(`${what}: start (${s0}) + length (${length}) exceeds dimension size (${size}).`);
  }
  const shape = x.shape.slice();
  shape[d] = length;
  const inner = numel(x.shape.slice(d + 1));
  const outerOnes = x.shape.slice(0, d).every((s) => s === 1);
  if (outerOnes) {
    const out = adopt(new Tensor(shape, { of: x, offset: s0 * inner }));
    recordNarrow(x, out, d, s0, "NarrowBackward0");
    return out;
  }
  const out = result(shape);
  const xs = contiguousStrides(x.shape);
  copyStrided(shape, out, contiguousStrides(shape), 0, x, xs, s0 * inner, 0);
  recordNarrow(x, out, d, s0, "NarrowBackward0");
  return out;
}

function recordNarrow(x: Tensor, out: Tensor, d: number, s0: number, name: string): void {
  const shape = out.shape;
  const inner = numel(x.shape.slice(d + 1));
  record(out, [x], () => {
    const node: Node = new Node(name, [x], shape, () => {
      const s = sinkFor(node, 0);
      if (!s) return;
      if (!s.acc) s.tensor.data.fill(0);
      copyStrided(shape, s.tensor, contiguousStrides(x.shape), s0 * inner, node.grad!, contiguousStrides(shape), 0, 1);
    });
    return node;
  });
}

/** Pieces of `splitSize` along dim (the last may be smaller), or of the listed sizes. */
export function split(x: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  const what = "split";
  checkTensor(what, x);
  const d = normDim(what, dim, x.ndim);
  const size = x.ndim === 0 ? 1 : x.shape[d];
  let sizes: number[];
  if (Array.isArray(splitSize)) {
    sizes = splitSize.map((s, i) => {
      checkInt(what, s, `splitSize[${i}]`);
      if (s < 0) throw new RangeError(`${what}: split sizes must be non-negative, got ${s}`);
      return s;
    });
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== size) {
      throw new RangeError(`${what}: split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=${shapeToString(sizes)}`);
    }
  } else {
    checkInt(what, splitSize, "splitSize");
    if (splitSize < 0 || (splitSize === 0 && size !== 0)) throw new RangeError(`${what}: split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
    sizes = [];
    for (let at = 0; at < size; at += splitSize) sizes.push(Math.min(splitSize, size - at));
    if (sizes.length === 0) sizes.push(0);
  }
  const out: Tensor[] = [];
  let at = 0;
  for (const s of sizes) {
    out.push(narrow(x, d, at, s));
    at += s;
  }
  return out;
}

/** `chunks` pieces of ceil(size/chunks) along dim (fewer when it does not divide, as PyTorch). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const what = "chunk";
  checkTensor(what, x);
  checkInt(what, chunks, "chunks");
  if (chunks <= 0) throw new RangeError(`${what}: chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = normDim(what, dim, x.ndim);
  const size = x.shape[d];
  return split(x, Math.max(1, Math.ceil(size / chunks)), d);
}

function checkList(what: string, tensors: unknown): asserts tensors is Tensor[] {
  if (!Array.isArray(tensors)) throw new TypeError(`${what}: tensors must be an array of Tensors, got ${describeValue(tensors)}`);
  if (tensors.length === 0) throw new RangeError(`${what}: expected a non-empty list of Tensors`);
  tensors.forEach((t, i) => checkTensor(what, t, `tensors[${i}]`));
}

/** Joins tensors along an existing dimension (a copy). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const what = "cat";
  checkList(what, tensors);
  // PyTorch skips 1-D empty tensors in cat.
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.size === 0));
  if (parts.length === 0) return result([0]);
  const ref = parts[0];
  if (ref.ndim === 0) throw new RangeError(`${what}: zero-dimensional tensor (at position ${tensors.indexOf(ref)}) cannot be concatenated`);
  const d = normDim(what, dim, ref.ndim);
  parts.forEach((t) => {
    const i = tensors.indexOf(t);
    if (t.ndim !== ref.ndim) {
      throw new RangeError(`${what}: Tensors must have same number of dimensions: got ${ref.ndim} and ${t.ndim} (tensors[${i}] has shape ${shapeToString(t.shape)})`);
    }
    t.shape.forEach((s, k) => {
      if (k !== d && s !== ref.shape[k]) {
        throw new RangeError(
          `${what}: Sizes of tensors must match except in dimension ${d}. Expected size ${ref.shape[k]} but got size ${s} for tensor number ${i} in the list.`,
        );
      }
    });
  });
  const shape = ref.shape.slice();
  shape[d] = parts.reduce((a, t) => a + t.shape[d], 0);
  const out = result(shape);
  const outStrides = contiguousStrides(shape);
  const inner = numel(shape.slice(d + 1));
  let at = 0;
  const offsets: number[] = [];
  for (const t of parts) {
    offsets.push(at);
    copyStrided(t.shape, out, outStrides, at * inner, t, contiguousStrides(t.shape), 0, 0);
    at += t.shape[d];
  }
  record(out, parts, () => {
    const node: Node = new Node("CatBackward0", parts, shape, () => {
      parts.forEach((t, i) => {
        const s = sinkFor(node, i);
        if (s) copyStrided(t.shape, s.tensor, contiguousStrides(t.shape), 0, node.grad!, outStrides, offsets[i] * inner, s.acc);
      });
    });
    return node;
  });
  return out;
}

/** Joins tensors of one shape along a new dimension. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const what = "stack";
  checkList(what, tensors);
  const ref = tensors[0];
  tensors.forEach((t, i) => {
    if (t.ndim !== ref.ndim || t.shape.some((s, k) => s !== ref.shape[k])) {
      throw new RangeError(`${what}: stack expects each tensor to be equal size, but got ${shapeToString(ref.shape)} at entry 0 and ${shapeToString(t.shape)} at entry ${i}`);
    }
  });
  const d = normDim(what, dim, ref.ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

export type IndexLike = Tensor | Int32Array | readonly number[];

/** Integer indices from an Int32Array, a number array or a float tensor holding integers, each checked against `size`. */
export function indexValues(what: string, index: unknown, size: number): Int32Array {
  let values: ArrayLike<number>;
  if (index instanceof Tensor) {
    index.assertAlive(`${what} (index)`);
    if (index.ndim > 1) throw new RangeError(`${what}: Index is supposed to be a vector, got shape ${shapeToString(index.shape)}`);
    values = index.data;
  } else if (index instanceof Int32Array || Array.isArray(index)) {
    values = index;
  } else {
    throw new TypeError(`${what}: index must be an Int32Array, a number array or a Tensor of integers, got ${describeValue(index)}`);
  }
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${what}: index[${i}] = ${describeValue(v)} is not an integer`);
    if (v < -size || v >= size) throw new RangeError(`${what}: index out of range in self (index[${i}] = ${v} for a dimension of size ${size})`);
    out[i] = v < 0 ? v + size : v;
  }
  return out;
}

/** The slices of x at `index` along dim (a copy; the gradient adds up repeated indices). */
export function indexSelect(x: Tensor, dim: number, index: IndexLike): Tensor {
  const what = "indexSelect";
  checkTensor(what, x);
  const d = normDim(what, dim, x.ndim);
  const size = x.ndim === 0 ? 1 : x.shape[d];
  const idx = indexValues(what, index, size);
  const shape = x.ndim === 0 ? (index instanceof Tensor && index.ndim === 0 ? [] : [idx.length]) : x.shape.slice();
  if (x.ndim > 0) shape[d] = idx.length;
  const out = result(shape);
  const outer = x.ndim === 0 ? 1 : numel(x.shape.slice(0, d));
  const inner = x.ndim === 0 ? 1 : numel(x.shape.slice(d + 1));
  const block = [outer, inner];
  const srcStrides = [size * inner, 1];
  const dstStrides = [idx.length * inner, 1];
  for (let j = 0; j < idx.length; j++) copyStrided(block, out, dstStrides, j * inner, x, srcStrides, idx[j] * inner, 0);
  record(out, [x], () => {
    const node: Node = new Node("IndexSelectBackward0", [x], shape, () => {
      const s = sinkFor(node, 0);
      if (!s) return;
      intoSink(s, (dst) => {
        dst.data.fill(0);
        for (let j = 0; j < idx.length; j++) copyStrided(block, dst, srcStrides, idx[j] * inner, node.grad!, dstStrides, j * inner, 1);
      });
    });
    return node;
  });
  return out;
}

export { setGradFn };
