// Bindings of the nn kernels: each takes tensors, calls the WebAssembly kernel
// (pointers) or its pure-JS twin (arrays) for the running build. Callers have
// checked shapes; `null` means "not needed" (a null pointer in WebAssembly).
import type { Tensor } from "../tensor.js";
import { wasmOrNull, type WasmExports } from "../runtime/runtime.js";
import * as ref from "../reference/nn.js";
import { gemm as gemmJs } from "../reference/gemm.js";

const ptr = (t: Tensor | null): number => (t ? t.ptr : 0);
const arr = (t: Tensor | null): Float32Array | null => (t ? t.data : null);

type Unary = "reluForward" | "tanhForward" | "sigmoidForward" | "geluForward" | "geluTanhForward";
type UnaryBackward = "reluBackward" | "tanhBackward" | "sigmoidBackward" | "geluBackward" | "geluTanhBackward";

export function unaryForward(kind: Unary, x: Tensor, y: Tensor): void {
  const w = wasmOrNull();
  if (w) w[kind](x.ptr, y.ptr, x.size);
  else ref[kind](x.data, y.data, x.size);
}

/** `saved` is the forward output (ReLU, Tanh, Sigmoid) or input (both GELUs). */
export function unaryBackward(kind: UnaryBackward, saved: Tensor, dy: Tensor, dx: Tensor, acc: number): void {
  const w = wasmOrNull();
  if (w) w[kind](saved.ptr, dy.ptr, dx.ptr, dy.size, acc);
  else ref[kind](saved.data, dy.data, dx.data, dy.size, acc);
}

export function leakyReluForward(x: Tensor, y: Tensor, slope: number): void {
  const w = wasmOrNull();
  if (w) w.leakyReluForward(x.ptr, y.ptr, x.size, slope);
  else ref.leakyReluForward(x.data, y.data, x.size, Math.fround(slope));
}

export function leakyReluBackward(x: Tensor, dy: Tensor, dx: Tensor, slope: number, acc: number): void {
  const w = wasmOrNull();
  if (w) w.leakyReluBackward(x.ptr, dy.ptr, dx.ptr, x.size, slope, acc);
  else ref.leakyReluBackward(x.data, dy.data, dx.data, x.size, Math.fround(slope), acc);
}

/**
 * c = alpha·op(a)·op(b) + beta·c on row-major blocks given by their sizes, so
 * an [*, K] tensor is used as [rows, K] without a reshaping copy.
 */
export function gemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  a: Tensor, lda: number, b: Tensor, ldb: number, beta: number, c: Tensor, ldc: number,
): void {
  if (M === 0 || N === 0) return;
  const w = wasmOrNull();
  if (w) w.gemm(+transA, +transB, M, N, K, 1, a.ptr, lda, b.ptr, ldb, beta, c.ptr, ldc);
  else gemmJs(transA, transB, M, N, K, 1, a.data, lda, b.data, ldb, beta, c.data, ldc);
}

export function biasAddRows(x: Tensor, bias: Tensor, y: Tensor, rows: number, cols: number): void {
  const w = wasmOrNull();
  if (w) w.biasAddRows(x.ptr, bias.ptr, y.ptr, rows, cols);
  else ref.biasAddRows(x.data, bias.data, y.data, rows, cols);
}

export function columnSums(x: Tensor, out: Tensor, rows: number, cols: number, acc: number): void {
  const w = wasmOrNull();
  if (w) w.columnSums(x.ptr, out.ptr, rows, cols, acc);
  else ref.columnSums(x.data, out.data, rows, cols, acc);
}

export function mulInto(a: Tensor, b: Tensor, out: Tensor, acc: number): void {
  const w = wasmOrNull();
  if (w) w.mulInto(a.ptr, b.ptr, out.ptr, a.size, acc);
  else ref.mulInto(a.data, b.data, out.data, a.size, acc);
}

/** out[b] (+)= src[b]ᵀ for `batch` matrices rows × cols. */
export function batchTranspose(src: Tensor, out: Tensor, batch: number, rows: number, cols: number, acc: number): void {
  const w = wasmOrNull();
  if (w) w.batchTranspose(src.ptr, out.ptr, batch, rows, cols, acc);
  else ref.batchTranspose(src.data, out.data, batch, rows, cols, acc);
}

export function scaleInto(src: Tensor, out: Tensor, alpha: number, acc: number): void {
  const w = wasmOrNull();
  if (w) w.scaleInto(src.ptr, out.ptr, src.size, alpha, acc);
  else ref.scaleInto(src.data, out.data, src.size, Math.fround(alpha), acc);
}

export function firstNaN(x: Tensor): number {
  const w = wasmOrNull();
  return w ? w.firstNaN(x.ptr, x.size) : ref.firstNaN(x.data, x.size);
}

/** Labels live in an int32 buffer: a tensor's storage reinterpreted (WebAssembly) or an Int32Array (pure JS). */
export function softmaxCrossEntropy(
  logits: Tensor, labels: Tensor, labelsJs: Int32Array, N: number, C: number, grad: Tensor, losses: Tensor | null,
  smoothing: number, gradScale: number, weights: Tensor | null,
): number {
  const w = wasmOrNull();
  if (w) return w.softmaxCrossEntropy(logits.ptr, labels.ptr, N, C, grad.ptr, ptr(losses), smoothing, gradScale, ptr(weights));
  return ref.softmaxCrossEntropy(
    logits.data, labelsJs, N, C, grad.data, arr(losses), Math.fround(smoothing), Math.fround(gradScale), arr(weights),
  );
}

export function int32View(w: WasmExports, t: Tensor, n: number): Int32Array {
  return new Int32Array(w.memory.buffer, t.ptr, n);
}

export function mseLoss(a: Tensor, b: Tensor, grad: Tensor, losses: Tensor | null, gradScale: number): number {
  const w = wasmOrNull();
  if (w) return w.mseLoss(a.ptr, b.ptr, grad.ptr, ptr(losses), a.size, gradScale);
  return ref.mseLoss(a.data, b.data, grad.data, arr(losses), a.size, Math.fround(gradScale));
}

export function batchNormTrainForward(
  x: Tensor, N: number, C: number, weight: Tensor | null, bias: Tensor | null, y: Tensor, mean: Tensor, invstd: Tensor,
  runMean: Tensor | null, runVar: Tensor | null, momentum: number, eps: number,
): number {
  const w = wasmOrNull();
  if (w) {
    return w.batchNormTrainForward(x.ptr, N, C, ptr(weight), ptr(bias), y.ptr, mean.ptr, invstd.ptr, ptr(runMean), ptr(runVar), momentum, eps);
  }
  return ref.batchNormTrainForward(
    x.data, N, C, arr(weight), arr(bias), y.data, mean.data, invstd.data, arr(runMean), arr(runVar), Math.fround(momentum), Math.fround(eps),
  );
}

export function batchNormEvalForward(
  x: Tensor, N: number, C: number, weight: Tensor | null, bias: Tensor | null, y: Tensor, runMean: Tensor, runVar: Tensor,
  eps: number, invstd: Tensor,
): void {
  const w = wasmOrNull();
  if (w) w.batchNormEvalForward(x.ptr, N, C, ptr(weight), ptr(bias), y.ptr, runMean.ptr, runVar.ptr, eps, invstd.ptr);
  else ref.batchNormEvalForward(x.data, N, C, arr(weight), arr(bias), y.data, runMean.data, runVar.data, Math.fround(eps), invstd.data);
}

export function batchNormBackward(
  x: Tensor, dy: Tensor, N: number, C: number, mean: Tensor, invstd: Tensor, weight: Tensor | null, sums: Tensor,
  dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number, batchStats: boolean,
): void {
  const w = wasmOrNull();
  if (w) {
    w.batchNormBackward(x.ptr, dy.ptr, N, C, mean.ptr, invstd.ptr, ptr(weight), sums.ptr, ptr(dx), dxAcc, ptr(dw), ptr(db), paramAcc, +batchStats);
  } else {
    ref.batchNormBackward(
      x.data, dy.data, N, C, mean.data, invstd.data, arr(weight), sums.data, arr(dx), dxAcc, arr(dw), arr(db), paramAcc, +batchStats,
    );
  }
}

export function layerNormForward(
  x: Tensor, rows: number, D: number, weight: Tensor | null, bias: Tensor | null, y: Tensor, mean: Tensor, rstd: Tensor, eps: number,
): number {
  const w = wasmOrNull();
  if (w) return w.layerNormForward(x.ptr, rows, D, ptr(weight), ptr(bias), y.ptr, mean.ptr, rstd.ptr, eps);
  return ref.layerNormForward(x.data, rows, D, arr(weight), arr(bias), y.data, mean.data, rstd.data, Math.fround(eps));
}

export function layerNormBackward(
  x: Tensor, dy: Tensor, rows: number, D: number, mean: Tensor, rstd: Tensor, weight: Tensor | null,
  dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number,
): void {
  const w = wasmOrNull();
  if (w) w.layerNormBackward(x.ptr, dy.ptr, rows, D, mean.ptr, rstd.ptr, ptr(weight), ptr(dx), dxAcc, ptr(dw), ptr(db), paramAcc);
  else ref.layerNormBackward(x.data, dy.data, rows, D, mean.data, rstd.data, arr(weight), arr(dx), dxAcc, arr(dw), arr(db), paramAcc);
}
