// The pure-JS implementation of the kernel interface: each method runs the
// twin of the WebAssembly kernel (src/reference/) on the tensors' arrays, with
// the float32 roundings the WebAssembly boundary would apply. The optimizer
// kernels run their twin once per table row.
import type { Tensor } from "../tensor.js";
import { gemm as gemmJs } from "../reference/gemm.js";
import * as nn from "../reference/nn.js";
import * as optim from "../reference/optim.js";
import * as rng from "../reference/rng.js";
import { swaEmaJs, swaEqualAverageJs } from "../reference/swa.js";
import * as sm from "../reference/softmax.js";
import * as loss from "../reference/loss.js";
import * as act from "../reference/activation.js";
import * as emb from "../reference/embedding.js";
import * as conv from "../reference/conv.js";
import * as pool from "../reference/pool.js";
import * as norm from "../reference/norm.js";
import * as ops from "../reference/ops.js";
import {
  BACKWARD_KERNELS, FORWARD_KERNELS, type Backend, type BackwardKernel, type BuildName, type ConvGeometry, type ForwardKernel,
  type Operand, type PoolGeometry, type Strided,
} from "./backend.js";
import type { TableRow, TensorTable } from "./tensor_table.js";

const arr = (t: Tensor | null): Float32Array | null => (t ? t.data : null);
const f32 = Math.fround;

/** A tensor's array from element `offset` on. */
const at = (t: Tensor, offset: number): Float32Array => (offset ? t.data.subarray(offset) : t.data);

/** The rows of a table as the twins' loops want them (a row's state slots are set where the rule has them). */
const rowsOf = (table: TensorTable): TableRow[] => table.rows as TableRow[];

export class JsBackend implements Backend {
  readonly build: BuildName = "js";

  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    a: Tensor, lda: number, b: Tensor, ldb: number, beta: number, c: Tensor, ldc: number,
    aOffset = 0, bOffset = 0, cOffset = 0,
  ): void {
    gemmJs(transA, transB, M, N, K, f32(alpha), at(a, aOffset), lda, at(b, bOffset), ldb, f32(beta), at(c, cOffset), ldc);
  }

  // The tensor operations' descriptor, and the one-element arrays standing for scalar operands 1-3.
  readonly #desc = new Int32Array(ops.D_WORDS);
  readonly #scalars = [new Float32Array(1), new Float32Array(1), new Float32Array(1), new Float32Array(1)];

  #operand(o: Operand, k: number): Float32Array {
    if (typeof o !== "number") return o.data;
    this.#scalars[k][0] = o;
    return this.#scalars[k];
  }
  #descriptor(it: Strided): Int32Array {
    ops.writeDescriptor(this.#desc, it);
    return this.#desc;
  }

  ewBinary(op: number, it: Strided, out: Tensor, a: Operand, b: Operand, alpha: number): void {
    ops.ewBinary(op, this.#descriptor(it), out.data, 0, this.#operand(a, 1), 0, this.#operand(b, 2), 0, f32(alpha));
  }
  ewBinaryContiguous(op: number, out: Tensor, a: Tensor, b: Tensor, n: number, alpha: number): void {
    ops.ewBinaryContiguous(op, out.data, 0, a.data, 0, b.data, 0, n, f32(alpha));
  }
  ewTernary(op: number, it: Strided, out: Tensor, x: Operand, y: Operand, z: Operand): void {
    ops.ewTernary(op, this.#descriptor(it), out.data, 0, this.#operand(x, 1), 0, this.#operand(y, 2), 0, this.#operand(z, 3), 0);
  }
  copyStrided(it: Strided, out: Tensor, outOffset: number, src: Tensor, srcOffset: number, acc: number): void {
    ops.copyStrided(this.#descriptor(it), out.data, outOffset, src.data, srcOffset, acc);
  }
  ewUnary(op: number, x: Tensor, y: Tensor, n: number, p: number, q: number): void {
    ops.ewUnary(op, x.data, 0, y.data, 0, n, f32(p), f32(q));
  }
  ewUnaryBackward(op: number, x: Tensor, y: Tensor, dy: Tensor, dx: Tensor, n: number, acc: number, p: number, q: number): void {
    ops.ewUnaryBackward(op, x.data, y.data, dy.data, dx.data, 0, n, acc, f32(p), f32(q));
  }
  reduceInner(op: number, x: Tensor, out: Tensor, outer: number, R: number, p: number, acc: number): void {
    ops.reduceInner(op, x.data, 0, out.data, 0, outer, R, f32(p), acc);
  }
  reduceOuter(op: number, x: Tensor, out: Tensor, outer: number, R: number, inner: number, p: number, acc: number): void {
    ops.reduceOuter(op, x.data, 0, out.data, 0, outer, R, inner, f32(p), acc);
  }

  biasAddRows(x: Tensor, bias: Tensor, y: Tensor, rows: number, cols: number): void {
    nn.biasAddRows(x.data, bias.data, y.data, rows, cols);
  }
  leakyReluForward(x: Tensor, y: Tensor, n: number, slope: number): void {
    nn.leakyReluForward(x.data, y.data, n, f32(slope));
  }
  leakyReluBackward(x: Tensor, dy: Tensor, dx: Tensor, n: number, slope: number, acc: number): void {
    nn.leakyReluBackward(x.data, dy.data, dx.data, n, f32(slope), acc);
  }
  batchTranspose(src: Tensor, out: Tensor, batch: number, rows: number, cols: number, acc: number): void {
    nn.batchTranspose(src.data, out.data, batch, rows, cols, acc);
  }
  scaleInto(src: Tensor, out: Tensor, n: number, alpha: number, acc: number): void {
    nn.scaleInto(src.data, out.data, n, f32(alpha), acc);
  }
  firstNaN(x: Tensor, n: number): number {
    return nn.firstNaN(x.data, n);
  }

  columnSums(x: Tensor, out: Tensor, rows: number, cols: number, acc: number): void {
    nn.columnSums(x.data, out.data, rows, cols, acc);
  }
  softmaxCrossEntropy(
    logits: Tensor, labels: Tensor, N: number, C: number, grad: Tensor, losses: Tensor | null,
    smoothing: number, gradScale: number, weights: Tensor | null,
  ): number {
    const bits = labels.data;
    const labelsI32 = new Int32Array(bits.buffer, bits.byteOffset, N);
    return nn.softmaxCrossEntropy(logits.data, labelsI32, N, C, grad.data, arr(losses), f32(smoothing), f32(gradScale), arr(weights));
  }
  mseLoss(a: Tensor, b: Tensor, grad: Tensor, losses: Tensor | null, n: number, gradScale: number): number {
    return nn.mseLoss(a.data, b.data, grad.data, arr(losses), n, f32(gradScale));
  }
  batchNormTrainForward(
    x: Tensor, N: number, C: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, invstd: Tensor,
    runMean: Tensor | null, runVar: Tensor | null, momentum: number, eps: number,
  ): number {
    return nn.batchNormTrainForward(
      x.data, N, C, arr(w), arr(b), y.data, mean.data, invstd.data, arr(runMean), arr(runVar), f32(momentum), f32(eps),
    );
  }
  batchNormEvalForward(
    x: Tensor, N: number, C: number, w: Tensor | null, b: Tensor | null, y: Tensor, runMean: Tensor, runVar: Tensor,
    eps: number, invstd: Tensor,
  ): void {
    nn.batchNormEvalForward(x.data, N, C, arr(w), arr(b), y.data, runMean.data, runVar.data, f32(eps), invstd.data);
  }
  batchNormBackward(
    x: Tensor, dy: Tensor, N: number, C: number, mean: Tensor, invstd: Tensor, w: Tensor | null, sums: Tensor,
    dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number, batchStats: boolean,
  ): void {
    nn.batchNormBackward(
      x.data, dy.data, N, C, mean.data, invstd.data, arr(w), sums.data, arr(dx), dxAcc, arr(dw), arr(db), paramAcc, +batchStats,
    );
  }
  layerNormForward(
    x: Tensor, rows: number, D: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, rstd: Tensor, eps: number,
  ): number {
    return nn.layerNormForward(x.data, rows, D, arr(w), arr(b), y.data, mean.data, rstd.data, f32(eps));
  }
  layerNormBackward(
    x: Tensor, dy: Tensor, rows: number, D: number, mean: Tensor, rstd: Tensor, w: Tensor | null,
    dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number,
  ): void {
    nn.layerNormBackward(x.data, dy.data, rows, D, mean.data, rstd.data, arr(w), arr(dx), dxAcc, arr(dw), arr(db), paramAcc);
  }

  philoxUniform(out: Tensor, n: number, key0: number, key1: number, pos: number, scale: number, shift: number): void {
    rng.philoxUniformJs(out.data.subarray(0, n), key0, key1, pos, scale, shift);
  }
  philoxNormal(out: Tensor, n: number, key0: number, key1: number, pos: number, mean: number, std: number): void {
    rng.philoxNormalJs(out.data.subarray(0, n), key0, key1, pos, mean, std);
  }
  philoxTruncNormal(
    out: Tensor, n: number, key0: number, key1: number, pos: number,
    pLo: number, pWidth: number, flip: number, mean: number, std: number, lo: number, hi: number,
  ): void {
    rng.philoxTruncNormalJs(out.data.subarray(0, n), key0, key1, pos, pLo, pWidth, flip, mean, std, lo, hi);
  }
  philoxBernoulli(out: Tensor, n: number, key0: number, key1: number, pos: number, p: number, value: number): void {
    rng.philoxBernoulliJs(out.data.subarray(0, n), key0, key1, pos, p, value);
  }

  sgdStep(table: TensorTable, lr: number, momentum: number, omd: number, wd: number, gSign: number, nesterov: boolean): void {
    for (const r of rowsOf(table)) {
      optim.sgdStepJs(r.p.data, r.g.data, arr(r.s0 ?? null), r.t0 === 1, lr, momentum, omd, wd, gSign, nesterov);
    }
  }
  adamStep(
    table: TensorTable, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number, decay: number,
    gSign: number, _amsgrad: boolean,
  ): void {
    for (const r of rowsOf(table)) {
      optim.adamStepJs(r.p.data, r.g.data, r.s0!.data, r.s1!.data, arr(r.s2 ?? null), r.t0!, r.t1!, b1, omb1, b2, omb2, eps, wd, decay, gSign);
    }
  }
  adagradStep(table: TensorTable, eps: number, wd: number, gSign: number): void {
    for (const r of rowsOf(table)) optim.adagradStepJs(r.p.data, r.g.data, r.s0!.data, r.t0!, eps, wd, gSign);
  }
  rmspropStep(
    table: TensorTable, lr: number, alpha: number, oma: number, eps: number, wd: number, gSign: number, momentum: number,
    _centered: boolean,
  ): void {
    for (const r of rowsOf(table)) {
      optim.rmspropStepJs(r.p.data, r.g.data, r.s0!.data, arr(r.s1 ?? null), arr(r.s2 ?? null), lr, alpha, oma, eps, wd, gSign, momentum);
    }
  }
  adamaxStep(table: TensorTable, b1: number, omb1: number, b2: number, eps: number, wd: number, gSign: number): void {
    for (const r of rowsOf(table)) optim.adamaxStepJs(r.p.data, r.g.data, r.s0!.data, r.s1!.data, r.t0!, b1, omb1, b2, eps, wd, gSign);
  }
  nadamStep(table: TensorTable, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number): void {
    for (const r of rowsOf(table)) {
      optim.nadamStepJs(r.p.data, r.g.data, r.s0!.data, r.s1!.data, r.t0!, r.t1!, r.t2!, b1, omb1, b2, omb2, eps, wd);
    }
  }
  radamStep(table: TensorTable, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number): void {
    for (const r of rowsOf(table)) {
      optim.radamStepJs(r.p.data, r.g.data, r.s0!.data, r.s1!.data, r.t0!, r.t1!, r.t2!, r.t3!, b1, omb1, b2, omb2, eps, wd);
    }
  }
  adadeltaStep(table: TensorTable, lr: number, rho: number, omr: number, eps: number, wd: number, gSign: number): void {
    for (const r of rowsOf(table)) optim.adadeltaStepJs(r.p.data, r.g.data, r.s0!.data, r.s1!.data, lr, rho, omr, eps, wd, gSign);
  }
  lambMoments(table: TensorTable, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number, gSign: number): void {
    for (const r of rowsOf(table)) {
      [r.r0, r.r1] = optim.lambMomentsJs(r.p.data, r.g.data, r.s0!.data, r.s1!.data, r.t0!, r.t1!, b1, omb1, b2, omb2, eps, wd, gSign);
    }
  }
  lambApply(table: TensorTable, eps: number, wd: number): void {
    for (const r of rowsOf(table)) optim.lambApplyJs(r.p.data, r.s0!.data, r.s1!.data, r.t0!, r.t1!, r.t2!, eps, wd);
  }
  lookaheadSync(table: TensorTable, alpha: number): void {
    for (const r of rowsOf(table)) optim.lookaheadSyncJs(r.p.data, r.s0!.data, alpha);
  }
  gradNorms(table: TensorTable, normType: number): void {
    for (const r of rowsOf(table)) r.r0 = optim.gradNormJs(r.g.data, normType);
  }
  scaleGrads(table: TensorTable, coef: number): void {
    for (const r of rowsOf(table)) optim.scaleGradJs(r.g.data, coef);
  }
  clampGrads(table: TensorTable, clip: number): void {
    for (const r of rowsOf(table)) optim.clampGradJs(r.g.data, clip);
  }
  centralizeRows(out: Tensor, g: Tensor, p: Tensor, rows: number, cols: number, gSign: number, wd: number, center: boolean): void {
    optim.centralizeRowsJs(out.data, g.data, p.data, rows, cols, f32(gSign), f32(wd), center);
  }

  swaEqualAverage(avg: Tensor, p: Tensor, n: number, k: number): void {
    swaEqualAverageJs(avg.data.subarray(0, n), p.data, k);
  }
  swaEma(avg: Tensor, p: Tensor, n: number, decay: number, oneMinusDecay: number): void {
    swaEmaJs(avg.data.subarray(0, n), p.data, decay, oneMinusDecay);
  }

  softmaxForward(x: Tensor, y: Tensor, outer: number, C: number, inner: number, log: boolean): void {
    sm.softmaxForward(x.data, y.data, outer, C, inner, +log);
  }
  softmaxBackward(y: Tensor, dy: Tensor, dx: Tensor, outer: number, C: number, inner: number, log: boolean, acc: number): void {
    sm.softmaxBackward(y.data, dy.data, dx.data, outer, C, inner, +log, acc);
  }
  softmaxCrossEntropyProb(
    logits: Tensor, target: Tensor, N: number, C: number, grad: Tensor, losses: Tensor | null,
    smoothing: number, gradScale: number, weights: Tensor | null,
  ): number {
    return sm.softmaxCrossEntropyProb(logits.data, target.data, N, C, grad.data, arr(losses), f32(smoothing), f32(gradScale), arr(weights));
  }
  nllLossForward(logp: Tensor, labels: Tensor, N: number, C: number, weights: Tensor | null, losses: Tensor | null): number {
    return sm.nllLossForward(logp.data, int32Of(labels, N), N, C, arr(weights), arr(losses));
  }
  nllLossBackward(labels: Tensor, N: number, C: number, weights: Tensor | null, dy: Tensor, dyStride: number, scale: number, dx: Tensor, acc: number): void {
    sm.nllLossBackward(int32Of(labels, N), N, C, arr(weights), dy.data, dyStride, f32(scale), dx.data, acc);
  }
  scaleRows(src: Tensor, scales: Tensor, dst: Tensor, rows: number, cols: number, acc: number): void {
    sm.scaleRows(src.data, scales.data, dst.data, rows, cols, acc);
  }

  pointwiseLoss(
    kind: number, x: Tensor, t: Tensor, weight: Tensor | null, posWeight: Tensor | null, grad: Tensor, losses: Tensor | null,
    n: number, gradScale: number, p: number,
  ): number {
    return loss.pointwiseLoss(kind, x.data, t.data, arr(weight), arr(posWeight), grad.data, arr(losses), n, f32(gradScale), f32(p));
  }

  softplusForward(x: Tensor, y: Tensor, n: number, beta: number, threshold: number): void {
    act.softplusForward(x.data, y.data, n, f32(beta), f32(threshold));
  }
  softplusBackward(x: Tensor, dy: Tensor, dx: Tensor, n: number, beta: number, threshold: number, acc: number): void {
    act.softplusBackward(x.data, dy.data, dx.data, n, f32(beta), f32(threshold), acc);
  }
  eluForward(x: Tensor, y: Tensor, n: number, alpha: number): void {
    act.eluForward(x.data, y.data, n, f32(alpha));
  }
  eluBackward(x: Tensor, dy: Tensor, dx: Tensor, n: number, alpha: number, acc: number): void {
    act.eluBackward(x.data, dy.data, dx.data, n, f32(alpha), acc);
  }

  embeddingForward(weight: Tensor, indices: Tensor, n: number, dim: number, out: Tensor): void {
    emb.embeddingForward(weight.data, int32Of(indices, n), n, dim, out.data);
  }
  embeddingBackward(dy: Tensor, indices: Tensor, n: number, dim: number, num: number, paddingIdx: number, dw: Tensor, acc: number): void {
    emb.embeddingBackward(dy.data, int32Of(indices, n), n, dim, num, paddingIdx, dw.data, acc);
  }
  conv2dForward(x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor, cols: Tensor, g: ConvGeometry): void {
    conv.conv2dForward(x.data, w.data, arr(bias), y.data, cols.data, g);
  }
  conv2dBackwardInput(dy: Tensor, w: Tensor, dx: Tensor, cols: Tensor, g: ConvGeometry, acc: number): void {
    conv.conv2dBackwardInput(dy.data, w.data, dx.data, cols.data, g, acc);
  }
  conv2dBackwardWeight(x: Tensor, dy: Tensor, dw: Tensor | null, db: Tensor | null, cols: Tensor, g: ConvGeometry, acc: number): void {
    conv.conv2dBackwardWeight(x.data, dy.data, arr(dw), arr(db), cols.data, g, acc);
  }
  maxPool2dForward(x: Tensor, y: Tensor, ind: Tensor | null, g: PoolGeometry): void {
    pool.maxPool2dForward(x.data, y.data, ind ? int32Of(ind, ind.size) : null, g);
  }
  maxPool2dBackward(dy: Tensor, ind: Tensor, dx: Tensor, g: PoolGeometry, acc: number): void {
    pool.maxPool2dBackward(dy.data, int32Of(ind, ind.size), dx.data, g.planes, g.H * g.W, g.Ho * g.Wo, acc);
  }
  avgPool2dForward(x: Tensor, y: Tensor, g: PoolGeometry, countIncludePad: boolean): void {
    pool.avgPool2dForward(x.data, y.data, g, countIncludePad);
  }
  avgPool2dBackward(dy: Tensor, dx: Tensor, g: PoolGeometry, countIncludePad: boolean, acc: number): void {
    pool.avgPool2dBackward(dy.data, dx.data, g, countIncludePad, acc);
  }
  adaptiveAvgPool2dForward(x: Tensor, y: Tensor, planes: number, H: number, W: number, Ho: number, Wo: number): void {
    pool.adaptiveAvgPool2dForward(x.data, y.data, planes, H, W, Ho, Wo);
  }
  adaptiveAvgPool2dBackward(dy: Tensor, dx: Tensor, planes: number, H: number, W: number, Ho: number, Wo: number, acc: number): void {
    pool.adaptiveAvgPool2dBackward(dy.data, dx.data, planes, H, W, Ho, Wo, acc);
  }
  batchNorm2dTrainForward(
    x: Tensor, N: number, C: number, HW: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, invstd: Tensor,
    runMean: Tensor | null, runVar: Tensor | null, momentum: number, eps: number,
  ): number {
    return norm.batchNorm2dTrainForward(
      x.data, N, C, HW, arr(w), arr(b), y.data, mean.data, invstd.data, arr(runMean), arr(runVar), f32(momentum), f32(eps),
    );
  }
  batchNorm2dEvalForward(
    x: Tensor, N: number, C: number, HW: number, w: Tensor | null, b: Tensor | null, y: Tensor, runMean: Tensor, runVar: Tensor,
    eps: number, invstd: Tensor,
  ): void {
    norm.batchNorm2dEvalForward(x.data, N, C, HW, arr(w), arr(b), y.data, runMean.data, runVar.data, f32(eps), invstd.data);
  }
  batchNorm2dBackward(
    x: Tensor, dy: Tensor, N: number, C: number, HW: number, mean: Tensor, invstd: Tensor, w: Tensor | null,
    dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number, batchStats: boolean,
  ): void {
    norm.batchNorm2dBackward(
      x.data, dy.data, N, C, HW, mean.data, invstd.data, arr(w), arr(dx), dxAcc, arr(dw), arr(db), paramAcc, +batchStats,
    );
  }
  groupNormForward(
    x: Tensor, N: number, C: number, HW: number, G: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, rstd: Tensor,
    eps: number,
  ): number {
    return norm.groupNormForward(x.data, N, C, HW, G, arr(w), arr(b), y.data, mean.data, rstd.data, f32(eps));
  }
  groupNormBackward(
    x: Tensor, dy: Tensor, N: number, C: number, HW: number, G: number, mean: Tensor, rstd: Tensor, w: Tensor | null,
    dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number,
  ): void {
    norm.groupNormBackward(x.data, dy.data, N, C, HW, G, mean.data, rstd.data, arr(w), arr(dx), dxAcc, arr(dw), arr(db), paramAcc);
  }
  scalePlanes(x: Tensor, s: Tensor, y: Tensor, planes: number, HW: number, acc: number): void {
    norm.scalePlanes(x.data, s.data, y.data, planes, HW, acc);
  }
}

/** The int32 values a tensor's storage holds in its bits (labels, indices). */
function int32Of(t: Tensor, n: number): Int32Array {
  const bits = t.data;
  return new Int32Array(bits.buffer, bits.byteOffset, n);
}

// The kernels bound alike (FORWARD_KERNELS, BACKWARD_KERNELS): each runs its twin on its tensors' arrays.
type Twin<Args extends unknown[]> = (...args: Args) => void;
const FORWARD_TWINS: Record<ForwardKernel, Twin<[Float32Array, Float32Array, number]>> = {
  reluForward: nn.reluForward, tanhForward: nn.tanhForward, sigmoidForward: nn.sigmoidForward, geluForward: nn.geluForward,
  geluTanhForward: nn.geluTanhForward, siluForward: act.siluForward,
};
const BACKWARD_TWINS: Record<BackwardKernel, Twin<[Float32Array, Float32Array, Float32Array, number, number]>> = {
  reluBackward: nn.reluBackward, tanhBackward: nn.tanhBackward, sigmoidBackward: nn.sigmoidBackward, geluBackward: nn.geluBackward,
  geluTanhBackward: nn.geluTanhBackward, siluBackward: act.siluBackward, mulInto: nn.mulInto,
};
export interface JsBackend extends Pick<Backend, ForwardKernel | BackwardKernel> {}
for (const name of FORWARD_KERNELS) {
  const twin = FORWARD_TWINS[name];
  JsBackend.prototype[name] = function (x: Tensor, y: Tensor, n: number): void {
    twin(x.data, y.data, n);
  };
}
for (const name of BACKWARD_KERNELS) {
  const twin = BACKWARD_TWINS[name];
  JsBackend.prototype[name] = function (s: Tensor, dy: Tensor, dx: Tensor, n: number, acc: number): void {
    twin(s.data, dy.data, dx.data, n, acc);
  };
}
