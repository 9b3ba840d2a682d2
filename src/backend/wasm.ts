// The WebAssembly implementation of the kernel interface: each method hands
// its tensors' pointers to the export of the same name. One object per
// instance; a kernel that a worker pool can split would dispatch to `pool`
// here, with no change at any call site.
import type { Tensor } from "../tensor.js";
import {
  BACKWARD_KERNELS, FORWARD_KERNELS, type Backend, type BackwardKernel, type BuildName, type ConvGeometry, type ForwardKernel,
  type Operand, type PoolGeometry, type Strided,
} from "./backend.js";
import type { TensorTable } from "./tensor_table.js";
import type { WasmExports } from "./wasm_exports.generated.js";
import { D_SCALARS, D_WORDS, writeDescriptor } from "../reference/ops.js";

const ptr = (t: Tensor | null): number => (t ? t.ptr : 0);
const TWO_32 = 2 ** 32;
/** A convolution's sizes in the order its exports take them. */
const convSizes = (g: ConvGeometry) =>
  [g.N, g.C, g.H, g.W, g.Co, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.groups, g.Ho, g.Wo] as const;

export class WasmBackend implements Backend {
  readonly build: BuildName;
  readonly exports: WasmExports;

  constructor(build: "simd" | "relaxed-simd", exports: WasmExports) {
    this.build = build;
    this.exports = exports;
  }

  /** Mirrors a table's rows into memory: the (table, count) the optimizer kernels take. */
  #table(table: TensorTable): number {
    return table.write(this.exports.memory);
  }

  // The tensor operations' descriptor block (allocated once) and its views, re-made when memory grows.
  #descPtr = 0;
  #descBuffer: ArrayBufferLike | null = null;
  #descI32 = new Int32Array(0);
  #descF32 = new Float32Array(0);

  /** Writes `it` into the descriptor block and returns its address. */
  #desc(it: Strided): number {
    if (this.#descPtr === 0) this.#descPtr = this.exports.alloc(D_WORDS * 4) >>> 0;
    const buffer = this.exports.memory.buffer;
    if (this.#descBuffer !== buffer) {
      this.#descBuffer = buffer;
      this.#descI32 = new Int32Array(buffer, this.#descPtr, D_WORDS);
      this.#descF32 = new Float32Array(buffer, this.#descPtr, D_WORDS);
    }
    writeDescriptor(this.#descI32, it);
    return this.#descPtr;
  }

  /** A tensor's address, or (after #desc) that of descriptor cell k holding the number. */
  #operand(o: Operand, k: number): number {
    if (typeof o !== "number") return o.ptr;
    this.#descF32[D_SCALARS + k] = o;
    return this.#descPtr + (D_SCALARS + k) * 4;
  }

  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    a: Tensor, lda: number, b: Tensor, ldb: number, beta: number, c: Tensor, ldc: number,
    aOffset = 0, bOffset = 0, cOffset = 0,
  ): void {
    if (M === 0 || N === 0) return;
    this.exports.gemm(+transA, +transB, M, N, K, alpha, a.ptr + aOffset * 4, lda, b.ptr + bOffset * 4, ldb, beta, c.ptr + cOffset * 4, ldc);
  }

  ewBinary(op: number, it: Strided, out: Tensor, a: Operand, b: Operand, alpha: number): void {
    const desc = this.#desc(it);
    this.exports.ewBinary(op, desc, out.ptr, this.#operand(a, 1), this.#operand(b, 2), alpha);
  }
  ewBinaryContiguous(op: number, out: Tensor, a: Tensor, b: Tensor, n: number, alpha: number): void {
    this.exports.ewBinaryContiguous(op, out.ptr, a.ptr, b.ptr, n, alpha);
  }
  ewTernary(op: number, it: Strided, out: Tensor, x: Operand, y: Operand, z: Operand): void {
    const desc = this.#desc(it);
    this.exports.ewTernary(op, desc, out.ptr, this.#operand(x, 1), this.#operand(y, 2), this.#operand(z, 3));
  }
  copyStrided(it: Strided, out: Tensor, outOffset: number, src: Tensor, srcOffset: number, acc: number): void {
    this.exports.copyStrided(this.#desc(it), out.ptr + outOffset * 4, src.ptr + srcOffset * 4, acc);
  }
  ewUnary(op: number, x: Tensor, y: Tensor, n: number, p: number, q: number): void {
    this.exports.ewUnary(op, x.ptr, y.ptr, n, p, q);
  }
  ewUnaryBackward(op: number, x: Tensor, y: Tensor, dy: Tensor, dx: Tensor, n: number, acc: number, p: number, q: number): void {
    this.exports.ewUnaryBackward(op, x.ptr, y.ptr, dy.ptr, dx.ptr, n, acc, p, q);
  }
  reduceInner(op: number, x: Tensor, out: Tensor, outer: number, R: number, p: number, acc: number): void {
    this.exports.reduceInner(op, x.ptr, out.ptr, outer, R, p, acc);
  }
  reduceOuter(op: number, x: Tensor, out: Tensor, outer: number, R: number, inner: number, p: number, acc: number): void {
    this.exports.reduceOuter(op, x.ptr, out.ptr, outer, R, inner, p, acc);
  }

  biasAddRows(x: Tensor, bias: Tensor, y: Tensor, rows: number, cols: number): void {
    this.exports.biasAddRows(x.ptr, bias.ptr, y.ptr, rows, cols);
  }
  leakyReluForward(x: Tensor, y: Tensor, n: number, slope: number): void {
    this.exports.leakyReluForward(x.ptr, y.ptr, n, slope);
  }
  leakyReluBackward(x: Tensor, dy: Tensor, dx: Tensor, n: number, slope: number, acc: number): void {
    this.exports.leakyReluBackward(x.ptr, dy.ptr, dx.ptr, n, slope, acc);
  }
  batchTranspose(src: Tensor, out: Tensor, batch: number, rows: number, cols: number, acc: number): void {
    this.exports.batchTranspose(src.ptr, out.ptr, batch, rows, cols, acc);
  }
  scaleInto(src: Tensor, out: Tensor, n: number, alpha: number, acc: number): void {
    this.exports.scaleInto(src.ptr, out.ptr, n, alpha, acc);
  }
  firstNaN(x: Tensor, n: number): number {
    return this.exports.firstNaN(x.ptr, n);
  }

  columnSums(x: Tensor, out: Tensor, rows: number, cols: number, acc: number): void {
    this.exports.columnSums(x.ptr, out.ptr, rows, cols, acc);
  }
  softmaxCrossEntropy(
    logits: Tensor, labels: Tensor, N: number, C: number, grad: Tensor, losses: Tensor | null,
    smoothing: number, gradScale: number, weights: Tensor | null,
  ): number {
    return this.exports.softmaxCrossEntropy(logits.ptr, labels.ptr, N, C, grad.ptr, ptr(losses), smoothing, gradScale, ptr(weights));
  }
  mseLoss(a: Tensor, b: Tensor, grad: Tensor, losses: Tensor | null, n: number, gradScale: number): number {
    return this.exports.mseLoss(a.ptr, b.ptr, grad.ptr, ptr(losses), n, gradScale);
  }
  batchNormTrainForward(
    x: Tensor, N: number, C: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, invstd: Tensor,
    runMean: Tensor | null, runVar: Tensor | null, momentum: number, eps: number,
  ): number {
    return this.exports.batchNormTrainForward(
      x.ptr, N, C, ptr(w), ptr(b), y.ptr, mean.ptr, invstd.ptr, ptr(runMean), ptr(runVar), momentum, eps,
    );
  }
  batchNormEvalForward(
    x: Tensor, N: number, C: number, w: Tensor | null, b: Tensor | null, y: Tensor, runMean: Tensor, runVar: Tensor,
    eps: number, invstd: Tensor,
  ): void {
    this.exports.batchNormEvalForward(x.ptr, N, C, ptr(w), ptr(b), y.ptr, runMean.ptr, runVar.ptr, eps, invstd.ptr);
  }
  batchNormBackward(
    x: Tensor, dy: Tensor, N: number, C: number, mean: Tensor, invstd: Tensor, w: Tensor | null, sums: Tensor,
    dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number, batchStats: boolean,
  ): void {
    this.exports.batchNormBackward(
      x.ptr, dy.ptr, N, C, mean.ptr, invstd.ptr, ptr(w), sums.ptr, ptr(dx), dxAcc, ptr(dw), ptr(db), paramAcc, +batchStats,
    );
  }
  layerNormForward(
    x: Tensor, rows: number, D: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, rstd: Tensor, eps: number,
  ): number {
    return this.exports.layerNormForward(x.ptr, rows, D, ptr(w), ptr(b), y.ptr, mean.ptr, rstd.ptr, eps);
  }
  layerNormBackward(
    x: Tensor, dy: Tensor, rows: number, D: number, mean: Tensor, rstd: Tensor, w: Tensor | null,
    dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number,
  ): void {
    this.exports.layerNormBackward(x.ptr, dy.ptr, rows, D, mean.ptr, rstd.ptr, ptr(w), ptr(dx), dxAcc, ptr(dw), ptr(db), paramAcc);
  }

  philoxUniform(out: Tensor, n: number, key0: number, key1: number, pos: number, scale: number, shift: number): void {
    if (n > 0) this.exports.philoxUniform(out.ptr, n, key0, key1, pos % TWO_32, Math.floor(pos / TWO_32), scale, shift);
  }
  philoxNormal(out: Tensor, n: number, key0: number, key1: number, pos: number, mean: number, std: number): void {
    if (n > 0) this.exports.philoxNormal(out.ptr, n, key0, key1, pos % TWO_32, Math.floor(pos / TWO_32), mean, std);
  }
  philoxTruncNormal(
    out: Tensor, n: number, key0: number, key1: number, pos: number,
    pLo: number, pWidth: number, flip: number, mean: number, std: number, lo: number, hi: number,
  ): void {
    if (n > 0) {
      this.exports.philoxTruncNormal(out.ptr, n, key0, key1, pos % TWO_32, Math.floor(pos / TWO_32), pLo, pWidth, flip, mean, std, lo, hi);
    }
  }
  philoxBernoulli(out: Tensor, n: number, key0: number, key1: number, pos: number, p: number, value: number): void {
    if (n > 0) this.exports.philoxBernoulli(out.ptr, n, key0, key1, pos % TWO_32, Math.floor(pos / TWO_32), p, value);
  }

  sgdStep(table: TensorTable, lr: number, momentum: number, omd: number, wd: number, gSign: number, nesterov: boolean): void {
    this.exports.sgdStep(this.#table(table), table.rows.length, lr, momentum, omd, wd, gSign, +nesterov);
  }
  adamStep(
    table: TensorTable, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number, decay: number,
    gSign: number, amsgrad: boolean,
  ): void {
    this.exports.adamStep(this.#table(table), table.rows.length, b1, omb1, b2, omb2, eps, wd, decay, gSign, +amsgrad);
  }
  adagradStep(table: TensorTable, eps: number, wd: number, gSign: number): void {
    this.exports.adagradStep(this.#table(table), table.rows.length, eps, wd, gSign);
  }
  rmspropStep(
    table: TensorTable, lr: number, alpha: number, oma: number, eps: number, wd: number, gSign: number, momentum: number,
    centered: boolean,
  ): void {
    this.exports.rmspropStep(this.#table(table), table.rows.length, lr, alpha, oma, eps, wd, gSign, momentum, +centered);
  }
  adamaxStep(table: TensorTable, b1: number, omb1: number, b2: number, eps: number, wd: number, gSign: number): void {
    this.exports.adamaxStep(this.#table(table), table.rows.length, b1, omb1, b2, eps, wd, gSign);
  }
  nadamStep(table: TensorTable, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number): void {
    this.exports.nadamStep(this.#table(table), table.rows.length, b1, omb1, b2, omb2, eps, wd);
  }
  radamStep(table: TensorTable, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number): void {
    this.exports.radamStep(this.#table(table), table.rows.length, b1, omb1, b2, omb2, eps, wd);
  }
  adadeltaStep(table: TensorTable, lr: number, rho: number, omr: number, eps: number, wd: number, gSign: number): void {
    this.exports.adadeltaStep(this.#table(table), table.rows.length, lr, rho, omr, eps, wd, gSign);
  }
  lambMoments(table: TensorTable, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number, gSign: number): void {
    this.exports.lambMoments(this.#table(table), table.rows.length, b1, omb1, b2, omb2, eps, wd, gSign);
    table.readResults(this.exports.memory);
  }
  lambApply(table: TensorTable, eps: number, wd: number): void {
    this.exports.lambApply(this.#table(table), table.rows.length, eps, wd);
  }
  lookaheadSync(table: TensorTable, alpha: number): void {
    this.exports.lookaheadSync(this.#table(table), table.rows.length, alpha);
  }
  gradNorms(table: TensorTable, normType: number): void {
    this.exports.gradNorms(this.#table(table), table.rows.length, normType);
    table.readResults(this.exports.memory);
  }
  scaleGrads(table: TensorTable, coef: number): void {
    this.exports.scaleGrads(this.#table(table), table.rows.length, coef);
  }
  clampGrads(table: TensorTable, clip: number): void {
    this.exports.clampGrads(this.#table(table), table.rows.length, clip);
  }
  centralizeRows(out: Tensor, g: Tensor, p: Tensor, rows: number, cols: number, gSign: number, wd: number, center: boolean): void {
    this.exports.centralizeRows(out.ptr, g.ptr, p.ptr, rows, cols, gSign, wd, +center);
  }

  swaEqualAverage(avg: Tensor, p: Tensor, n: number, k: number): void {
    this.exports.swaEqualAverage(avg.ptr, p.ptr, n, k);
  }
  swaEma(avg: Tensor, p: Tensor, n: number, decay: number, oneMinusDecay: number): void {
    this.exports.swaEma(avg.ptr, p.ptr, n, decay, oneMinusDecay);
  }

  softmaxForward(x: Tensor, y: Tensor, outer: number, C: number, inner: number, log: boolean): void {
    this.exports.softmaxForward(x.ptr, y.ptr, outer, C, inner, +log);
  }
  softmaxBackward(y: Tensor, dy: Tensor, dx: Tensor, outer: number, C: number, inner: number, log: boolean, acc: number): void {
    this.exports.softmaxBackward(y.ptr, dy.ptr, dx.ptr, outer, C, inner, +log, acc);
  }
  softmaxCrossEntropyProb(
    logits: Tensor, target: Tensor, N: number, C: number, grad: Tensor, losses: Tensor | null,
    smoothing: number, gradScale: number, weights: Tensor | null,
  ): number {
    return this.exports.softmaxCrossEntropyProb(logits.ptr, target.ptr, N, C, grad.ptr, ptr(losses), smoothing, gradScale, ptr(weights));
  }
  nllLossForward(logp: Tensor, labels: Tensor, N: number, C: number, weights: Tensor | null, losses: Tensor | null): number {
    return this.exports.nllLossForward(logp.ptr, labels.ptr, N, C, ptr(weights), ptr(losses));
  }
  nllLossBackward(labels: Tensor, N: number, C: number, weights: Tensor | null, dy: Tensor, dyStride: number, scale: number, dx: Tensor, acc: number): void {
    this.exports.nllLossBackward(labels.ptr, N, C, ptr(weights), dy.ptr, dyStride, scale, dx.ptr, acc);
  }
  scaleRows(src: Tensor, scales: Tensor, dst: Tensor, rows: number, cols: number, acc: number): void {
    this.exports.scaleRows(src.ptr, scales.ptr, dst.ptr, rows, cols, acc);
  }

  pointwiseLoss(
    kind: number, x: Tensor, t: Tensor, weight: Tensor | null, posWeight: Tensor | null, grad: Tensor, losses: Tensor | null,
    n: number, gradScale: number, p: number,
  ): number {
    return this.exports.pointwiseLoss(kind, x.ptr, t.ptr, ptr(weight), ptr(posWeight), grad.ptr, ptr(losses), n, gradScale, p);
  }

  softplusForward(x: Tensor, y: Tensor, n: number, beta: number, threshold: number): void {
    this.exports.softplusForward(x.ptr, y.ptr, n, beta, threshold);
  }
  softplusBackward(x: Tensor, dy: Tensor, dx: Tensor, n: number, beta: number, threshold: number, acc: number): void {
    this.exports.softplusBackward(x.ptr, dy.ptr, dx.ptr, n, beta, threshold, acc);
  }
  eluForward(x: Tensor, y: Tensor, n: number, alpha: number): void {
    this.exports.eluForward(x.ptr, y.ptr, n, alpha);
  }
  eluBackward(x: Tensor, dy: Tensor, dx: Tensor, n: number, alpha: number, acc: number): void {
    this.exports.eluBackward(x.ptr, dy.ptr, dx.ptr, n, alpha, acc);
  }

  embeddingForward(weight: Tensor, indices: Tensor, n: number, dim: number, out: Tensor): void {
    this.exports.embeddingForward(weight.ptr, indices.ptr, n, dim, out.ptr);
  }
  embeddingBackward(dy: Tensor, indices: Tensor, n: number, dim: number, num: number, paddingIdx: number, dw: Tensor, acc: number): void {
    this.exports.embeddingBackward(dy.ptr, indices.ptr, n, dim, num, paddingIdx, dw.ptr, acc);
  }

  conv2dForward(x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor, cols: Tensor, g: ConvGeometry): void {
    this.exports.conv2dForward(x.ptr, w.ptr, ptr(bias), y.ptr, cols.ptr, ...convSizes(g));
  }
  conv2dBackwardInput(dy: Tensor, w: Tensor, dx: Tensor, cols: Tensor, g: ConvGeometry, acc: number): void {
    this.exports.conv2dBackwardInput(dy.ptr, w.ptr, dx.ptr, cols.ptr, ...convSizes(g), acc);
  }
  conv2dBackwardWeight(x: Tensor, dy: Tensor, dw: Tensor | null, db: Tensor | null, cols: Tensor, g: ConvGeometry, acc: number): void {
    this.exports.conv2dBackwardWeight(x.ptr, dy.ptr, ptr(dw), ptr(db), cols.ptr, ...convSizes(g), acc);
  }
  maxPool2dForward(x: Tensor, y: Tensor, ind: Tensor | null, g: PoolGeometry): void {
    this.exports.maxPool2dForward(x.ptr, y.ptr, ptr(ind), g.planes, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.Ho, g.Wo);
  }
  maxPool2dBackward(dy: Tensor, ind: Tensor, dx: Tensor, g: PoolGeometry, acc: number): void {
    this.exports.maxPool2dBackward(dy.ptr, ind.ptr, dx.ptr, g.planes, g.H * g.W, g.Ho * g.Wo, acc);
  }
  avgPool2dForward(x: Tensor, y: Tensor, g: PoolGeometry, countIncludePad: boolean): void {
    this.exports.avgPool2dForward(x.ptr, y.ptr, g.planes, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, +countIncludePad, g.Ho, g.Wo);
  }
  avgPool2dBackward(dy: Tensor, dx: Tensor, g: PoolGeometry, countIncludePad: boolean, acc: number): void {
    this.exports.avgPool2dBackward(dy.ptr, dx.ptr, g.planes, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, +countIncludePad, g.Ho, g.Wo, acc);
  }
  adaptiveAvgPool2dForward(x: Tensor, y: Tensor, planes: number, H: number, W: number, Ho: number, Wo: number): void {
    this.exports.adaptiveAvgPool2dForward(x.ptr, y.ptr, planes, H, W, Ho, Wo);
  }
  adaptiveAvgPool2dBackward(dy: Tensor, dx: Tensor, planes: number, H: number, W: number, Ho: number, Wo: number, acc: number): void {
    this.exports.adaptiveAvgPool2dBackward(dy.ptr, dx.ptr, planes, H, W, Ho, Wo, acc);
  }
  batchNorm2dTrainForward(
    x: Tensor, N: number, C: number, HW: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, invstd: Tensor,
    runMean: Tensor | null, runVar: Tensor | null, momentum: number, eps: number,
  ): number {
    return this.exports.batchNorm2dTrainForward(
      x.ptr, N, C, HW, ptr(w), ptr(b), y.ptr, mean.ptr, invstd.ptr, ptr(runMean), ptr(runVar), momentum, eps,
    );
  }
  batchNorm2dEvalForward(
    x: Tensor, N: number, C: number, HW: number, w: Tensor | null, b: Tensor | null, y: Tensor, runMean: Tensor, runVar: Tensor,
    eps: number, invstd: Tensor,
  ): void {
    this.exports.batchNorm2dEvalForward(x.ptr, N, C, HW, ptr(w), ptr(b), y.ptr, runMean.ptr, runVar.ptr, eps, invstd.ptr);
  }
  batchNorm2dBackward(
    x: Tensor, dy: Tensor, N: number, C: number, HW: number, mean: Tensor, invstd: Tensor, w: Tensor | null,
    dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number, batchStats: boolean,
  ): void {
    this.exports.batchNorm2dBackward(
      x.ptr, dy.ptr, N, C, HW, mean.ptr, invstd.ptr, ptr(w), ptr(dx), dxAcc, ptr(dw), ptr(db), paramAcc, +batchStats,
    );
  }
  groupNormForward(
    x: Tensor, N: number, C: number, HW: number, G: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, rstd: Tensor,
    eps: number,
  ): number {
    return this.exports.groupNormForward(x.ptr, N, C, HW, G, ptr(w), ptr(b), y.ptr, mean.ptr, rstd.ptr, eps);
  }
  groupNormBackward(
    x: Tensor, dy: Tensor, N: number, C: number, HW: number, G: number, mean: Tensor, rstd: Tensor, w: Tensor | null,
    dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number,
  ): void {
    this.exports.groupNormBackward(x.ptr, dy.ptr, N, C, HW, G, mean.ptr, rstd.ptr, ptr(w), ptr(dx), dxAcc, ptr(dw), ptr(db), paramAcc);
  }
  scalePlanes(x: Tensor, s: Tensor, y: Tensor, planes: number, HW: number, acc: number): void {
    this.exports.scalePlanes(x.ptr, s.ptr, y.ptr, planes, HW, acc);
  }
}

// The kernels bound alike (FORWARD_KERNELS, BACKWARD_KERNELS): each hands its tensors' pointers to the export of its name.
export interface WasmBackend extends Pick<Backend, ForwardKernel | BackwardKernel> {}
for (const name of FORWARD_KERNELS) {
  WasmBackend.prototype[name] = function (this: WasmBackend, x: Tensor, y: Tensor, n: number): void {
    this.exports[name](x.ptr, y.ptr, n);
  };
}
for (const name of BACKWARD_KERNELS) {
  WasmBackend.prototype[name] = function (this: WasmBackend, s: Tensor, dy: Tensor, dx: Tensor, n: number, acc: number): void {
    this.exports[name](s.ptr, dy.ptr, dx.ptr, n, acc);
  };
}
