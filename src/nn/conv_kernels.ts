// Bindings of the convolution, pooling and normalisation kernels
// (assembly/conv.ts, pool.ts, norm.ts): each takes tensors and calls the
// WebAssembly kernel (pointers) or its pure-JS twin (arrays) for the running
// build. Callers have checked shapes; `null` means "not needed".
import type { Tensor } from "../tensor.js";
import { wasmOrNull } from "../runtime/runtime.js";
import * as conv from "../reference/conv.js";
import * as pool from "../reference/pool.js";
import * as norm from "../reference/norm.js";
import type { ConvGeometry } from "../reference/conv.js";
import type { PoolGeometry } from "../reference/pool.js";

export type { ConvGeometry, PoolGeometry };
export { colsSize } from "../reference/conv.js";

const ptr = (t: Tensor | null): number => (t ? t.ptr : 0);
const arr = (t: Tensor | null): Float32Array | null => (t ? t.data : null);
/** A tensor's storage read as int32 (max-pooling indices). */
export const int32Of = (t: Tensor): Int32Array => new Int32Array(t.data.buffer, t.data.byteOffset, t.size);

const geo = (g: ConvGeometry) =>
  [g.N, g.C, g.H, g.W, g.Co, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.groups, g.Ho, g.Wo] as const;

export function conv2dForward(x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor, cols: Tensor, g: ConvGeometry): void {
  const m = wasmOrNull();
  if (m) m.conv2dForward(x.ptr, w.ptr, ptr(bias), y.ptr, cols.ptr, ...geo(g));
  else conv.conv2dForward(x.data, w.data, arr(bias), y.data, cols.data, g);
}

export function conv2dBackwardInput(dy: Tensor, w: Tensor, dx: Tensor, cols: Tensor, g: ConvGeometry, acc: number): void {
  const m = wasmOrNull();
  if (m) m.conv2dBackwardInput(dy.ptr, w.ptr, dx.ptr, cols.ptr, ...geo(g), acc);
  else conv.conv2dBackwardInput(dy.data, w.data, dx.data, cols.data, g, acc);
}

export function conv2dBackwardWeight(
  x: Tensor, dy: Tensor, dw: Tensor | null, db: Tensor | null, cols: Tensor, g: ConvGeometry, acc: number,
): void {
  const m = wasmOrNull();
  if (m) m.conv2dBackwardWeight(x.ptr, dy.ptr, ptr(dw), ptr(db), cols.ptr, ...geo(g), acc);
  else conv.conv2dBackwardWeight(x.data, dy.data, arr(dw), arr(db), cols.data, g, acc);
}

/** ind: a tensor of y's size whose storage receives the int32 indices (or null). */
export function maxPool2dForward(x: Tensor, y: Tensor, ind: Tensor | null, g: PoolGeometry): void {
  const m = wasmOrNull();
  if (m) m.maxPool2dForward(x.ptr, y.ptr, ptr(ind), g.planes, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.Ho, g.Wo);
  else pool.maxPool2dForward(x.data, y.data, ind ? int32Of(ind) : null, g);
}

export function maxPool2dBackward(dy: Tensor, ind: Tensor, dx: Tensor, g: PoolGeometry, acc: number): void {
  const m = wasmOrNull();
  const HW = g.H * g.W, P = g.Ho * g.Wo;
  if (m) m.maxPool2dBackward(dy.ptr, ind.ptr, dx.ptr, g.planes, HW, P, acc);
  else pool.maxPool2dBackward(dy.data, int32Of(ind), dx.data, g.planes, HW, P, acc);
}

export function avgPool2dForward(x: Tensor, y: Tensor, g: PoolGeometry, countIncludePad: boolean): void {
  const m = wasmOrNull();
  if (m) m.avgPool2dForward(x.ptr, y.ptr, g.planes, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, +countIncludePad, g.Ho, g.Wo);
  else pool.avgPool2dForward(x.data, y.data, g, countIncludePad);
}

export function avgPool2dBackward(dy: Tensor, dx: Tensor, g: PoolGeometry, countIncludePad: boolean, acc: number): void {
  const m = wasmOrNull();
  if (m) m.avgPool2dBackward(dy.ptr, dx.ptr, g.planes, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, +countIncludePad, g.Ho, g.Wo, acc);
  else pool.avgPool2dBackward(dy.data, dx.data, g, countIncludePad, acc);
}

export function adaptiveAvgPool2dForward(x: Tensor, y: Tensor, planes: number, H: number, W: number, Ho: number, Wo: number): void {
  const m = wasmOrNull();
  if (m) m.adaptiveAvgPool2dForward(x.ptr, y.ptr, planes, H, W, Ho, Wo);
  else pool.adaptiveAvgPool2dForward(x.data, y.data, planes, H, W, Ho, Wo);
}

export function adaptiveAvgPool2dBackward(
  dy: Tensor, dx: Tensor, planes: number, H: number, W: number, Ho: number, Wo: number, acc: number,
): void {
  const m = wasmOrNull();
  if (m) m.adaptiveAvgPool2dBackward(dy.ptr, dx.ptr, planes, H, W, Ho, Wo, acc);
  else pool.adaptiveAvgPool2dBackward(dy.data, dx.data, planes, H, W, Ho, Wo, acc);
}

export function batchNorm2dTrainForward(
  x: Tensor, N: number, C: number, HW: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, invstd: Tensor,
  runMean: Tensor | null, runVar: Tensor | null, momentum: number, eps: number,
): number {
  const m = wasmOrNull();
  if (m) {
    return m.batchNorm2dTrainForward(x.ptr, N, C, HW, ptr(w), ptr(b), y.ptr, mean.ptr, invstd.ptr, ptr(runMean), ptr(runVar), momentum, eps);
  }
  return norm.batchNorm2dTrainForward(
    x.data, N, C, HW, arr(w), arr(b), y.data, mean.data, invstd.data, arr(runMean), arr(runVar), Math.fround(momentum), Math.fround(eps),
  );
}

export function batchNorm2dEvalForward(
  x: Tensor, N: number, C: number, HW: number, w: Tensor | null, b: Tensor | null, y: Tensor, runMean: Tensor, runVar: Tensor,
  eps: number, invstd: Tensor,
): void {
  const m = wasmOrNull();
  if (m) m.batchNorm2dEvalForward(x.ptr, N, C, HW, ptr(w), ptr(b), y.ptr, runMean.ptr, runVar.ptr, eps, invstd.ptr);
  else norm.batchNorm2dEvalForward(x.data, N, C, HW, arr(w), arr(b), y.data, runMean.data, runVar.data, Math.fround(eps), invstd.data);
}

export function batchNorm2dBackward(
  x: Tensor, dy: Tensor, N: number, C: number, HW: number, mean: Tensor, invstd: Tensor, w: Tensor | null,
  dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number, batchStats: boolean,
): void {
  const m = wasmOrNull();
  if (m) {
    m.batchNorm2dBackward(x.ptr, dy.ptr, N, C, HW, mean.ptr, invstd.ptr, ptr(w), ptr(dx), dxAcc, ptr(dw), ptr(db), paramAcc, +batchStats);
  } else {
    norm.batchNorm2dBackward(
      x.data, dy.data, N, C, HW, mean.data, invstd.data, arr(w), arr(dx), dxAcc, arr(dw), arr(db), paramAcc, +batchStats,
    );
  }
}

export function groupNormForward(
  x: Tensor, N: number, C: number, HW: number, G: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, rstd: Tensor,
  eps: number,
): number {
  const m = wasmOrNull();
  if (m) return m.groupNormForward(x.ptr, N, C, HW, G, ptr(w), ptr(b), y.ptr, mean.ptr, rstd.ptr, eps);
  return norm.groupNormForward(x.data, N, C, HW, G, arr(w), arr(b), y.data, mean.data, rstd.data, Math.fround(eps));
}

export function groupNormBackward(
  x: Tensor, dy: Tensor, N: number, C: number, HW: number, G: number, mean: Tensor, rstd: Tensor, w: Tensor | null,
  dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number,
): void {
  const m = wasmOrNull();
  if (m) m.groupNormBackward(x.ptr, dy.ptr, N, C, HW, G, mean.ptr, rstd.ptr, ptr(w), ptr(dx), dxAcc, ptr(dw), ptr(db), paramAcc);
  else norm.groupNormBackward(x.data, dy.data, N, C, HW, G, mean.data, rstd.data, arr(w), arr(dx), dxAcc, arr(dw), arr(db), paramAcc);
}

export function scalePlanes(x: Tensor, s: Tensor, y: Tensor, planes: number, HW: number, acc: number): void {
  const m = wasmOrNull();
  if (m) m.scalePlanes(x.ptr, s.ptr, y.ptr, planes, HW, acc);
  else norm.scalePlanes(x.data, s.data, y.data, planes, HW, acc);
}
