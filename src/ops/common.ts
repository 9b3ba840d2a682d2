// Shared by the operations: argument checks, gradient sinks for broadcast
// inputs, the result tensor.
import { Tensor, sameShape, shapeToString, type Shape } from "../tensor.js";
import type { GradSink } from "../autograd/node.js";
import { addInto, reduceOuter, reduceInner, copyStrided, R } from "./kernels.js";
import { contiguousStrides } from "./iterator.js";

export { result, adopt } from "../lifetime.js";

export function checkTensor(what: string, t: unknown, name = "input"): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${what}: ${name} must be a Tensor, got ${describeValue(t)}`);
  t.assertAlive(`${what} (${name})`);
}

export function describeValue(v: unknown): string {
  if (Array.isArray(v)) return `an array (${JSON.stringify(v).slice(0, 40)})`;
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

/** A tensor or a number operand. */
export function checkOperand(what: string, x: unknown, name: string): asserts x is Tensor | number {
  if (typeof x === "number") return;
  if (x instanceof Tensor) {
    x.assertAlive(`${what} (${name})`);
    return;
  }
  throw new TypeError(`${what}: ${name} must be a Tensor or a number, got ${describeValue(x)}`);
}

export function checkNumber(what: string, x: unknown, name: string): asserts x is number {
  if (typeof x !== "number" || Number.isNaN(x)) throw new TypeError(`${what}: ${name} must be a number, got ${describeValue(x)}`);
}

export function checkInt(what: string, x: unknown, name: string): asserts x is number {
  if (typeof x !== "number" || !Number.isInteger(x)) throw new TypeError(`${what}: ${name} must be an integer, got ${describeValue(x)}`);
}

export function checkBool(what: string, x: unknown, name: string): asserts x is boolean {
  if (typeof x !== "boolean") throw new TypeError(`${what}: ${name} must be a boolean, got ${describeValue(x)}`);
}

/** Options objects: undefined or a plain object. */
export function checkOptions(what: string, o: unknown): void {
  if (o !== undefined && (o === null || typeof o !== "object" || Array.isArray(o))) {
    throw new TypeError(`${what}: options must be an object, got ${describeValue(o)}`);
  }
}

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Runs `write(dst, acc)` so its result lands in the sink: straight into it, or
 * (for kernels without an accumulate flag) into a temporary added afterwards.
 */
export function intoSink(sink: GradSink, write: (dst: Tensor) => void): void {
  if (!sink.acc) {
    write(sink.tensor);
    return;
  }
  const tmp = new Tensor(sink.tensor.shape);
  try {
    write(tmp);
    addInto(tmp, sink.tensor, 1);
  } finally {
    tmp.dispose();
  }
}

/**
 * Runs `fn` with temporary tensors of the given shapes, all allocated before
 * it runs (so no allocation inside moves memory under a view it took) and
 * disposed afterwards, also when it throws.
 */
export function withTemps<T>(shapes: readonly Shape[], fn: (...temps: Tensor[]) => T): T {
  const temps: Tensor[] = [];
  try {
    for (const shape of shapes) temps.push(new Tensor(shape));
    return fn(...temps);
  } finally {
    for (const t of temps) t.dispose();
  }
}

/**
 * Reduces `x` over the dimensions flagged in `reduced` into `out` (laid out
 * in the kept dimensions' order) with reduction `op` (p: its parameter),
 * adding when acc. The reduced dimensions need not be neighbours: then a
 * transposing copy gathers them last first.
 */
export function reduceDims(op: number, x: Tensor, reduced: boolean[], out: Tensor, p: number, acc: number, outerCapable = true): void {
  // Merge neighbouring dimensions of the same kind (size-1 dimensions do not matter).
  const blocks: { size: number; red: boolean }[] = [];
  x.shape.forEach((s, d) => {
    if (s === 1) return;
    const last = blocks[blocks.length - 1];
    if (last && last.red === reduced[d]) last.size *= s;
    else blocks.push({ size: s, red: reduced[d] });
  });
  const redBlocks = blocks.filter((b) => b.red);
  if (redBlocks.length === 0) {
    reduceInner(op, x, out, x.size, 1, p, acc);
    return;
  }
  if (redBlocks.length === 1) {
    const at = blocks.indexOf(redBlocks[0]);
    const outer = numel(blocks.slice(0, at).map((b) => b.size));
    const inner = numel(blocks.slice(at + 1).map((b) => b.size));
    const n = redBlocks[0].size;
    if (inner === 1) {
      reduceInner(op, x, out, outer, n, p, acc);
      return;
    }
    if (outerCapable && (op === R.SUM || op === R.MAX || op === R.MIN || op === R.NORM2 || op === R.NORM1 || op === R.NORMINF)) {
      reduceOuter(op, x, out, outer, n, inner, p, acc);
      return;
    }
  }
  // Gather: kept dimensions first (in order), reduced ones last.
  const keptDims = x.shape.map((_, d) => d).filter((d) => !reduced[d]);
  const redDims = x.shape.map((_, d) => d).filter((d) => reduced[d]);
  const perm = [...keptDims, ...redDims];
  const sizes = perm.map((d) => x.shape[d]);
  const strides = contiguousStrides(x.shape);
  const tmp = new Tensor(sizes);
  try {
    copyStrided(sizes, tmp, contiguousStrides(sizes), 0, x, perm.map((d) => strides[d]), 0, 0);
    reduceInner(op, tmp, out, numel(keptDims.map((d) => x.shape[d])), numel(redDims.map((d) => x.shape[d])), p, acc);
  } finally {
    tmp.dispose();
  }
}

/** Which dimensions of `out` broadcasting expanded to reach `shape` (leading extra ones and 1 → n). */
export function broadcastReduced(inShape: Shape, outShape: Shape): boolean[] {
  const offset = outShape.length - inShape.length;
  return outShape.map((s, d) => d < offset || (inShape[d - offset] === 1 && s !== 1));
}

/**
 * The gradient of a broadcast input: g (the output's shape) summed over the
 * broadcast dimensions into the sink of an input shaped `shape`.
 */
export function sumToSink(g: Tensor, shape: Shape, sink: GradSink): void {
  if (g.size === sink.tensor.size && sameShape(shape, sink.tensor.shape) && g.size === numel(shape)) {
    addInto(g, sink.tensor, sink.acc);
    return;
  }
  reduceDims(R.SUM, g, broadcastReduced(shape, g.shape), sink.tensor, 1, sink.acc);
}

export function shapeText(t: Tensor): string {
  return shapeToString(t.shape);
}
