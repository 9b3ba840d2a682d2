// Bindings of the tensor-operation kernels: each takes tensors, calls the
// WebAssembly kernel (pointers) or its pure-JS twin (arrays and offsets) for
// the running build. Callers have checked shapes. Broadcast operands are
// described by strides (src/ops/iterator.ts), written into a small
// descriptor block the kernels read.
import { Tensor } from "../tensor.js";
import { wasmOrNull, type WasmExports } from "../runtime/runtime.js";
import * as ref from "../reference/ops.js";
import * as nnRef from "../reference/nn.js";
import { broadcastStrides, coalesce, type Iteration } from "./iterator.js";

export const OP = ref.OP;
export const TER = ref.TER;
export const U = ref.U;
export const R = ref.R;

const DESC_WORDS = 64;
/** The descriptor block in WebAssembly memory (allocated once), its scalar cells at word 48. */
let descPtr = 0;
let descWasm: WasmExports | null = null;
let descBuffer: ArrayBufferLike | null = null;
let descI32 = new Int32Array(DESC_WORDS);
let descF32 = new Float32Array(descI32.buffer);
const jsDesc = new Int32Array(DESC_WORDS);
const jsScalars = [new Float32Array(1), new Float32Array(1), new Float32Array(1), new Float32Array(1)];
const SCALAR_WORD = 48;

/** The descriptor's views, re-derived when WebAssembly memory has grown. */
function descriptor(w: WasmExports): Int32Array {
  if (descWasm !== w) {
    descPtr = w.alloc(DESC_WORDS * 4) >>> 0;
    descWasm = w;
    descBuffer = null;
  }
  if (descBuffer !== w.memory.buffer) {
    descBuffer = w.memory.buffer;
    descI32 = new Int32Array(descBuffer, descPtr, DESC_WORDS);
    descF32 = new Float32Array(descBuffer, descPtr, DESC_WORDS);
  }
  return descI32;
}

function writeDesc(d: Int32Array, it: Iteration): void {
  const nd = it.sizes.length;
  d[0] = nd;
  for (let i = 0; i < nd; i++) d[ref.D_SIZES + i] = it.sizes[i];
  it.strides.forEach((s, k) => {
    for (let i = 0; i < nd; i++) d[ref.D_STRIDES + 8 * k + i] = s[i];
  });
}

type Operand = Tensor | number;

/** Strides of each operand over `shape` (numbers: all zeros). */
function iteration(shape: readonly number[], operands: Operand[]): Iteration {
  const strides = operands.map((o) => (typeof o === "number" ? new Array<number>(shape.length).fill(0) : broadcastStrides(o.shape, shape)));
  return coalesce(shape, strides);
}

/** Pointers for the WebAssembly kernels: a tensor's storage, or a scalar written into cell k. */
function pointer(o: Operand, k: number): number {
  if (typeof o !== "number") return o.ptr;
  descF32[SCALAR_WORD + k] = o;
  return descPtr + (SCALAR_WORD + k) * 4;
}

function array(o: Operand, k: number): Float32Array {
  if (typeof o !== "number") return o.data;
  jsScalars[k][0] = o;
  return jsScalars[k];
}

/** out = op(a, b) broadcast to out's shape (out contiguous, not aliasing a broadcast operand). */
export function binary(op: number, out: Tensor, a: Operand, b: Operand, alpha = 1): void {
  if (out.size === 0) return;
  const w = wasmOrNull();
  const n = out.size;
  if (typeof a !== "number" && typeof b !== "number" && a.size === n && b.size === n) {
    if (w) w.ewBinaryContiguous(op, out.ptr, a.ptr, b.ptr, n, alpha);
    else ref.ewBinaryContiguous(op, out.data, 0, a.data, 0, b.data, 0, n, alpha);
    return;
  }
  const it = iteration(out.shape, [out, a, b]);
  if (w) {
    writeDesc(descriptor(w), it);
    w.ewBinary(op, descPtr, out.ptr, pointer(a, 1), pointer(b, 2), alpha);
  } else {
    writeDesc(jsDesc, it);
    ref.ewBinary(op, jsDesc, out.data, 0, array(a, 1), 0, array(b, 2), 0, alpha);
  }
}

/** out = op(x, y, z) broadcast to out's shape. */
export function ternary(op: number, out: Tensor, x: Operand, y: Operand, z: Operand): void {
  if (out.size === 0) return;
  const w = wasmOrNull();
  const it = iteration(out.shape, [out, x, y, z]);
  if (w) {
    writeDesc(descriptor(w), it);
    w.ewTernary(op, descPtr, out.ptr, pointer(x, 1), pointer(y, 2), pointer(z, 3));
  } else {
    writeDesc(jsDesc, it);
    ref.ewTernary(op, jsDesc, out.data, 0, array(x, 1), 0, array(y, 2), 0, array(z, 3), 0);
  }
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
  const it = coalesce(sizes, [outStrides, srcStrides]);
  const w = wasmOrNull();
  if (w) {
    writeDesc(descriptor(w), it);
    w.copyStrided(descPtr, out.ptr + outOffset * 4, src.ptr + srcOffset * 4, acc);
  } else {
    writeDesc(jsDesc, it);
    ref.copyStrided(jsDesc, out.data, outOffset, src.data, srcOffset, acc);
  }
}

/** y = op(x; p, q) elementwise (same size; y may be x). */
export function unary(op: number, x: Tensor, y: Tensor, p = 0, q = 0): void {
  if (x.size === 0) return;
  const w = wasmOrNull();
  if (w) w.ewUnary(op, x.ptr, y.ptr, x.size, p, q);
  else ref.ewUnary(op, x.data, 0, y.data, 0, x.size, Math.fround(p), Math.fround(q));
}

/** dx (+)= dy·op′ given the forward input x and output y. */
export function unaryBackward(op: number, x: Tensor, y: Tensor, dy: Tensor, dx: Tensor, acc: number, p = 0, q = 0): void {
  if (x.size === 0) return;
  const w = wasmOrNull();
  if (w) w.ewUnaryBackward(op, x.ptr, y.ptr, dy.ptr, dx.ptr, x.size, acc, p, q);
  else ref.ewUnaryBackward(op, x.data, y.data, dy.data, dx.data, 0, x.size, acc, Math.fround(p), Math.fround(q));
}

/** dst (+)= src (same size). */
export function addInto(src: Tensor, dst: Tensor, acc: number): void {
  if (acc) binary(OP.ADD, dst, dst, src, 1);
  else unary(U.MUL_SCALAR, src, dst, 1);
}

/** out[o] (+)= reduce of the o-th run of R contiguous values of x. */
export function reduceInner(op: number, x: Tensor, out: Tensor, outer: number, n: number, p: number, acc: number): void {
  if (outer === 0) return;
  const w = wasmOrNull();
  if (w) w.reduceInner(op, x.ptr, out.ptr, outer, n, p, acc);
  else ref.reduceInner(op, x.data, 0, out.data, 0, outer, n, p, acc);
}

/** out[o, i] (+)= reduce over r of x[o, r, i]. */
export function reduceOuter(op: number, x: Tensor, out: Tensor, outer: number, n: number, inner: number, p: number, acc: number): void {
  if (outer === 0 || inner === 0) return;
  const w = wasmOrNull();
  if (w) w.reduceOuter(op, x.ptr, out.ptr, outer, n, inner, p, acc);
  else ref.reduceOuter(op, x.data, 0, out.data, 0, outer, n, inner, Math.fround(p), acc);
}

// ---------------------------------------------------------------- activations (the nn kernels)

export type Activation = "relu" | "tanh" | "sigmoid" | "gelu" | "geluTanh";
const forwardName = { relu: "reluForward", tanh: "tanhForward", sigmoid: "sigmoidForward", gelu: "geluForward", geluTanh: "geluTanhForward" } as const;
const backwardName = { relu: "reluBackward", tanh: "tanhBackward", sigmoid: "sigmoidBackward", gelu: "geluBackward", geluTanh: "geluTanhBackward" } as const;

export function activation(kind: Activation, x: Tensor, y: Tensor): void {
  if (x.size === 0) return;
  const w = wasmOrNull();
  if (w) w[forwardName[kind]](x.ptr, y.ptr, x.size);
  else nnRef[forwardName[kind]](x.data, y.data, x.size);
}

/** `saved` is the forward output (relu, tanh, sigmoid) or input (both GELUs). */
export function activationBackward(kind: Activation, saved: Tensor, dy: Tensor, dx: Tensor, acc: number): void {
  if (dy.size === 0) return;
  const w = wasmOrNull();
  if (w) w[backwardName[kind]](saved.ptr, dy.ptr, dx.ptr, dy.size, acc);
  else nnRef[backwardName[kind]](saved.data, dy.data, dx.data, dy.size, acc);
}

export function leakyRelu(x: Tensor, y: Tensor, slope: number): void {
  if (x.size === 0) return;
  const w = wasmOrNull();
  if (w) w.leakyReluForward(x.ptr, y.ptr, x.size, slope);
  else nnRef.leakyReluForward(x.data, y.data, x.size, Math.fround(slope));
}

export function leakyReluBackward(x: Tensor, dy: Tensor, dx: Tensor, slope: number, acc: number): void {
  if (x.size === 0) return;
  const w = wasmOrNull();
  if (w) w.leakyReluBackward(x.ptr, dy.ptr, dx.ptr, x.size, slope, acc);
  else nnRef.leakyReluBackward(x.data, dy.data, dx.data, x.size, Math.fround(slope), acc);
}

/** c (+)= op(a)·op(b) on row-major blocks at element offsets (the packed GEMM). */
export function gemmAt(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  a: Tensor, aOff: number, lda: number, b: Tensor, bOff: number, ldb: number, beta: number, c: Tensor, cOff: number, ldc: number,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (!beta) c.data.fill(0, cOff, cOff + M * ldc);
    return;
  }
  const w = wasmOrNull();
  if (w) w.gemm(+transA, +transB, M, N, K, 1, a.ptr + aOff * 4, lda, b.ptr + bOff * 4, ldb, beta, c.ptr + cOff * 4, ldc);
  else gemmJs(transA, transB, M, N, K, 1, a.data.subarray(aOff), lda, b.data.subarray(bOff), ldb, beta, c.data.subarray(cOff), ldc);
}

import { gemm as gemmJs } from "../reference/gemm.js";
