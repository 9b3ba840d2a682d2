// Broadcasting, in one place (ATen's TensorIterator idea): the output shape
// of operands broadcast together, each operand's strides over that shape (0
// along a broadcast dimension — nothing is materialised), and the coalesced
// iteration space the kernels walk (size-1 dimensions dropped, neighbours
// merged where every operand is contiguous across them).
import { shapeToString, type Shape } from "../tensor.js";

/** The kernels' descriptor holds at most this many (coalesced) dimensions. */
export const MAX_DIMS = 8;

/** PyTorch's broadcast of two shapes, or its error naming both shapes. */
export function broadcastShapes(what: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `${what}: The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i} ` +
          `(shapes ${shapeToString(a)} and ${shapeToString(b)})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

export function contiguousStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

/** Strides (in elements) of a contiguous `shape` read as `out` (right-aligned broadcast: 0 where expanded). */
export function broadcastStrides(shape: Shape, out: Shape): number[] {
  const s = new Array<number>(out.length).fill(0);
  const offset = out.length - shape.length;
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 || out[d + offset] === 1) s[d + offset] = shape[d] === 1 ? 0 : acc;
    acc *= shape[d];
  }
  return s;
}

export interface Iteration {
  sizes: number[];
  /** strides[k][d]: operand k's stride along dimension d. */
  strides: number[][];
}

/** Drops size-1 dimensions and merges neighbours that every operand walks contiguously. */
export function coalesce(sizes: Shape, strides: number[][]): Iteration {
  const outSizes: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < sizes.length; d++) {
    if (sizes[d] === 1) continue;
    const last = outSizes.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * sizes[d])) {
      outSizes[last] *= sizes[d];
      strides.forEach((s, k) => (outStrides[k][last] = s[d]));
    } else {
      outSizes.push(sizes[d]);
      strides.forEach((s, k) => outStrides[k].push(s[d]));
    }
  }
  if (outSizes.length === 0) {
    outSizes.push(1);
    outStrides.forEach((s) => s.push(1));
  }
  if (outSizes.length > MAX_DIMS) {
    throw new RangeError(
      `tensor operation: more than ${MAX_DIMS} dimensions remain after merging contiguous ones (shape ${shapeToString(sizes)}); ` +
        "call contiguous() on the operands first",
    );
  }
  return { sizes: outSizes, strides: outStrides };
}

/** Normalises a possibly negative dimension (PyTorch's message when out of range). */
export function normDim(what: string, dim: unknown, ndim: number): number {
  if (typeof dim !== "number" || !Number.isInteger(dim)) {
    throw new TypeError(`${what}: dim must be an integer, got ${String(dim)}`);
  }
  const n = Math.max(ndim, 1);
  if (dim < -n || dim >= n) {
    throw new RangeError(`${what}: Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}
