// Bindings of the tensor-operation kernels: each takes tensors, works out the
// strided iteration for broadcast operands (src/ops/iterator.ts), and calls
// the installed backend. Callers have checked shapes.
import type { Tensor } from "../tensor.js";
import { backend, type Operand } from "../backend/index.js";
import * as ref from "../reference/ops.js";
import { broadcastStrides, coalesce, type Iteration } from "./iterator.js";

export const OP = ref.OP;
export const TER = ref.TER;
export const U = ref.U;
export const R = ref.R;

/** Strides of each operand over `shape` (numbers: all zeros). */
function iteration(shape: readonly number[], operands: Operand[]): Iteration {
  const strides = operands.map((o) => (typeof o === "number" ? new Array<number>(shape.length).fill(0) : broadcastStrides(o.shape, shape)));
  return coalesce(shape, strides);
}

/** out = op(a, b) broadcast to out's shape (out contiguous, not aliasing a broadcast operand). */
export function binary(op: number, out: Tensor, a: Operand, b: Operand, alpha = 1): void {
  const n = out.size;
  if (n === 0) return;
  if (typeof a !== "number" && typeof b !== "number" && a.size === n && b.size === n) backend().ewBinaryContiguous(op, out, a, b, n, alpha);
  else backend().ewBinary(op, iteration(out.shape, [out, a, b]), out, a, b, alpha);
}

/** out = op(x, y, z) broadcast to out's shape. */
export function ternary(op: number, out: Tensor, x: Operand, y: Operand, z: Operand): void {
  if (out.size === 0) return;
  backend().ewTernary(op, iteration(out.shape, [out, x, y, z]), out, x, y, z);
}

/**
 * out[outOffset + Σ i_d·outStrides_d] (+)= src[srcOffset + Σ i_d·srcStrides_d]
 * over `sizes`: every shape operation's copy.
 */
export function copyStrided(
  sizes: readonly number[], out: Tensor, outStrides: number[], outOffset: number,
  src: Tensor, srcStrides: number[], srcOffset: number, acc: number,
): void {
  if (sizes.some((s) => s === 0)) return;
  backend().copyStrided(coalesce(sizes, [outStrides, srcStrides]), out, outOffset, src, srcOffset, acc);
}

/** y = op(x; p, q) elementwise (same size; y may be x). */
export function unary(op: number, x: Tensor, y: Tensor, p = 0, q = 0): void {
  if (x.size > 0) backend().ewUnary(op, x, y, x.size, p, q);
}

/** dx (+)= dy·op′ given the forward input x and output y. */
export function unaryBackward(op: number, x: Tensor, y: Tensor, dy: Tensor, dx: Tensor, acc: number, p = 0, q = 0): void {
  if (x.size > 0) backend().ewUnaryBackward(op, x, y, dy, dx, x.size, acc, p, q);
}

/** dst (+)= src (same size). */
export function addInto(src: Tensor, dst: Tensor, acc: number): void {
  if (acc) binary(OP.ADD, dst, dst, src, 1);
  else unary(U.MUL_SCALAR, src, dst, 1);
}

/** out[o] (+)= reduce of the o-th run of R contiguous values of x. */
export function reduceInner(op: number, x: Tensor, out: Tensor, outer: number, n: number, p: number, acc: number): void {
  if (outer > 0) backend().reduceInner(op, x, out, outer, n, p, acc);
}

/** out[o, i] (+)= reduce over r of x[o, r, i]. */
export function reduceOuter(op: number, x: Tensor, out: Tensor, outer: number, n: number, inner: number, p: number, acc: number): void {
  if (outer > 0 && inner > 0) backend().reduceOuter(op, x, out, outer, n, inner, p, acc);
}

// ---------------------------------------------------------------- activations (the nn kernels)

export type Activation = "relu" | "tanh" | "sigmoid" | "gelu" | "geluTanh";
const forwardName = { relu: "reluForward", tanh: "tanhForward", sigmoid: "sigmoidForward", gelu: "geluForward", geluTanh: "geluTanhForward" } as const;
const backwardName = { relu: "reluBackward", tanh: "tanhBackward", sigmoid: "sigmoidBackward", gelu: "geluBackward", geluTanh: "geluTanhBackward" } as const;

export function activation(kind: Activation, x: Tensor, y: Tensor): void {
  if (x.size > 0) backend()[forwardName[kind]](x, y, x.size);
}

/** `saved` is the forward output (relu, tanh, sigmoid) or input (both GELUs). */
export function activationBackward(kind: Activation, saved: Tensor, dy: Tensor, dx: Tensor, acc: number): void {
  if (dy.size > 0) backend()[backwardName[kind]](saved, dy, dx, dy.size, acc);
}

export function leakyRelu(x: Tensor, y: Tensor, slope: number): void {
  if (x.size > 0) backend().leakyReluForward(x, y, x.size, slope);
}

export function leakyReluBackward(x: Tensor, dy: Tensor, dx: Tensor, slope: number, acc: number): void {
  if (x.size > 0) backend().leakyReluBackward(x, dy, dx, x.size, slope, acc);
}

/** c (+)= op(a)·op(b) on row-major blocks at element offsets (the packed GEMM; K = 0 gives zeros). */
export function gemmAt(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  a: Tensor, aOff: number, lda: number, b: Tensor, bOff: number, ldb: number, beta: number, c: Tensor, cOff: number, ldc: number,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (!beta) c.data.fill(0, cOff, cOff + M * ldc);
    return;
  }
  backend().gemm(transA, transB, M, N, K, 1, a, lda, b, ldb, beta, c, ldc, aOff, bOff, cOff);
}
