// The kernel interface: every kernel the library runs, with its signature.
// An entry is its AssemblyScript export (assembly/, typed for the WebAssembly
// side in wasm_exports.generated.ts) with each pointer replaced by the Tensor
// it points into (`Tensor | null` where the kernel accepts a null pointer), an
// optimizer kernel's (table, count) by its TensorTable, the RNG's 64-bit stream
// position (posLo, posHi) by one number, and 0/1 switches by booleans. Lengths
// and scalars pass through as they are; float32 scalars are rounded to float32
// by the implementation (WebAssembly does it at the boundary, the pure-JS side
// with Math.fround), never by the caller.
//
// Two implementations: WasmBackend (wasm.ts, one per WebAssembly build) and
// JsBackend (js.ts, the pure-JS twins of src/reference/). `ready()` installs
// one; every call site calls `backend().kernel(...)`. Adding a kernel:
// docs/kernels.md.
import type { Tensor } from "../tensor.js";
import type { TensorTable } from "./tensor_table.js";
import type { ConvGeometry } from "../reference/conv.js";
import type { PoolGeometry } from "../reference/pool.js";

export type { ConvGeometry, PoolGeometry };

/**
 * A strided iteration space: at most 8 (coalesced) dimensions and, per
 * operand, its stride along each in elements (0 where it is broadcast). The
 * operations build it (src/ops/iterator.ts); the kernels read it from a
 * descriptor block (assembly/ops_elementwise.ts), which the implementation writes.
 */
export interface Strided {
  readonly sizes: readonly number[];
  readonly strides: readonly (readonly number[])[];
}

/** An elementwise operand: a tensor, or a number standing for every element. */
export type Operand = Tensor | number;

export type BuildName = "relaxed-simd" | "simd" | "js";

/** The forward passes with the signature (x, y, n): each implementation binds them from this list. */
export const FORWARD_KERNELS = ["reluForward", "tanhForward", "sigmoidForward", "geluForward", "geluTanhForward", "siluForward"] as const;
/** The backward passes (and the product) with the signature (saved, dy, dx, n, acc), bound likewise. */
export const BACKWARD_KERNELS = [
  "reluBackward", "tanhBackward", "sigmoidBackward", "geluBackward", "geluTanhBackward", "siluBackward", "mulInto",
] as const;
export type ForwardKernel = (typeof FORWARD_KERNELS)[number];
export type BackwardKernel = (typeof BACKWARD_KERNELS)[number];

export interface Backend {
  /** The build this implementation runs. */
  readonly build: BuildName;

  // ---- GEMM (assembly/gemm.ts) ---------------------------------------------
  /**
   * c = alpha·op(a)·op(b) + beta·c on row-major blocks (leading dimensions lda, ldb, ldc) starting
   * aOffset, bOffset, cOffset elements into their tensors; beta = 0 never reads c; M or N = 0 does nothing.
   */
  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    a: Tensor, lda: number, b: Tensor, ldb: number, beta: number, c: Tensor, ldc: number,
    aOffset?: number, bOffset?: number, cOffset?: number,
  ): void;

  // ---- elementwise (assembly/elementwise.ts); acc = 1 adds into the output --
  biasAddRows(x: Tensor, bias: Tensor, y: Tensor, rows: number, cols: number): void;
  reluForward(x: Tensor, y: Tensor, n: number): void;
  reluBackward(y: Tensor, dy: Tensor, dx: Tensor, n: number, acc: number): void;
  leakyReluForward(x: Tensor, y: Tensor, n: number, slope: number): void;
  leakyReluBackward(x: Tensor, dy: Tensor, dx: Tensor, n: number, slope: number, acc: number): void;
  tanhForward(x: Tensor, y: Tensor, n: number): void;
  tanhBackward(y: Tensor, dy: Tensor, dx: Tensor, n: number, acc: number): void;
  sigmoidForward(x: Tensor, y: Tensor, n: number): void;
  sigmoidBackward(y: Tensor, dy: Tensor, dx: Tensor, n: number, acc: number): void;
  geluForward(x: Tensor, y: Tensor, n: number): void;
  geluBackward(x: Tensor, dy: Tensor, dx: Tensor, n: number, acc: number): void;
  geluTanhForward(x: Tensor, y: Tensor, n: number): void;
  geluTanhBackward(x: Tensor, dy: Tensor, dx: Tensor, n: number, acc: number): void;
  mulInto(a: Tensor, b: Tensor, out: Tensor, n: number, acc: number): void;
  /** out[b] (+)= src[b]ᵀ for `batch` matrices rows × cols. */
  batchTranspose(src: Tensor, out: Tensor, batch: number, rows: number, cols: number, acc: number): void;
  scaleInto(src: Tensor, out: Tensor, n: number, alpha: number, acc: number): void;
  /** The index of the first NaN among the first n elements, or −1. */
  firstNaN(x: Tensor, n: number): number;

  // ---- reductions and losses (assembly/reduce.ts) --------------------------
  columnSums(x: Tensor, out: Tensor, rows: number, cols: number, acc: number): void;
  /** `labels` holds int32 class indices (−1: ignored row) in its storage's bits; returns the summed loss. */
  softmaxCrossEntropy(
    logits: Tensor, labels: Tensor, N: number, C: number, grad: Tensor, losses: Tensor | null,
    smoothing: number, gradScale: number, weights: Tensor | null,
  ): number;
  mseLoss(a: Tensor, b: Tensor, grad: Tensor, losses: Tensor | null, n: number, gradScale: number): number;
  batchNormTrainForward(
    x: Tensor, N: number, C: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, invstd: Tensor,
    runMean: Tensor | null, runVar: Tensor | null, momentum: number, eps: number,
  ): number;
  batchNormEvalForward(
    x: Tensor, N: number, C: number, w: Tensor | null, b: Tensor | null, y: Tensor, runMean: Tensor, runVar: Tensor,
    eps: number, invstd: Tensor,
  ): void;
  batchNormBackward(
    x: Tensor, dy: Tensor, N: number, C: number, mean: Tensor, invstd: Tensor, w: Tensor | null, sums: Tensor,
    dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number, batchStats: boolean,
  ): void;
  layerNormForward(
    x: Tensor, rows: number, D: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, rstd: Tensor, eps: number,
  ): number;
  layerNormBackward(
    x: Tensor, dy: Tensor, rows: number, D: number, mean: Tensor, rstd: Tensor, w: Tensor | null,
    dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number,
  ): void;

  // ---- tensor operations (assembly/ops_elementwise.ts, ops_reduce.ts) ------
  // Op codes: OP (binary), TER (ternary), U (unary), R (reductions) in src/reference/ops.ts.
  /** out = op(a, b) over `it` (strides of out, a, b; out contiguous); ADD and SUB scale b by alpha. */
  ewBinary(op: number, it: Strided, out: Tensor, a: Operand, b: Operand, alpha: number): void;
  /** out = op(a, b) over n contiguous elements (the no-broadcast path). */
  ewBinaryContiguous(op: number, out: Tensor, a: Tensor, b: Tensor, n: number, alpha: number): void;
  /** out = op(x, y, z) over `it` (strides of out, x, y, z; out contiguous). */
  ewTernary(op: number, it: Strided, out: Tensor, x: Operand, y: Operand, z: Operand): void;
  /** out (+)= src over `it` (strides of out, src), from element offsets outOffset and srcOffset. */
  copyStrided(it: Strided, out: Tensor, outOffset: number, src: Tensor, srcOffset: number, acc: number): void;
  /** y = op(x; p, q) over n contiguous elements (y may be x). */
  ewUnary(op: number, x: Tensor, y: Tensor, n: number, p: number, q: number): void;
  /** dx (+)= dy·op′ given the forward input x and output y. */
  ewUnaryBackward(op: number, x: Tensor, y: Tensor, dy: Tensor, dx: Tensor, n: number, acc: number, p: number, q: number): void;
  /** out[o] (+)= reduce of the o-th run of R contiguous values of x. */
  reduceInner(op: number, x: Tensor, out: Tensor, outer: number, R: number, p: number, acc: number): void;
  /** out[o, i] (+)= reduce over r of x[o, r, i] (SUM, MAX, MIN, NORM2, NORM1, NORMINF). */
  reduceOuter(op: number, x: Tensor, out: Tensor, outer: number, R: number, inner: number, p: number, acc: number): void;

  // ---- random fills (assembly/rng.ts): Philox stream from position pos ------
  philoxUniform(out: Tensor, n: number, key0: number, key1: number, pos: number, scale: number, shift: number): void;
  philoxNormal(out: Tensor, n: number, key0: number, key1: number, pos: number, mean: number, std: number): void;
  philoxTruncNormal(
    out: Tensor, n: number, key0: number, key1: number, pos: number,
    pLo: number, pWidth: number, flip: number, mean: number, std: number, lo: number, hi: number,
  ): void;
  philoxBernoulli(out: Tensor, n: number, key0: number, key1: number, pos: number, p: number, value: number): void;

  // ---- optimizer rules (assembly/optim.ts): one call per table of tensors ---
  // The meaning of each row's slots per rule: the legend in tensor_table.ts.
  sgdStep(table: TensorTable, lr: number, momentum: number, omd: number, wd: number, gSign: number, nesterov: boolean): void;
  adamStep(
    table: TensorTable, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number, decay: number,
    gSign: number, amsgrad: boolean,
  ): void;
  adagradStep(table: TensorTable, eps: number, wd: number, gSign: number): void;
  rmspropStep(
    table: TensorTable, lr: number, alpha: number, oma: number, eps: number, wd: number, gSign: number, momentum: number,
    centered: boolean,
  ): void;
  adamaxStep(table: TensorTable, b1: number, omb1: number, b2: number, eps: number, wd: number, gSign: number): void;
  nadamStep(table: TensorTable, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number): void;
  radamStep(table: TensorTable, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number): void;
  adadeltaStep(table: TensorTable, lr: number, rho: number, omr: number, eps: number, wd: number, gSign: number): void;
  /** Writes each row's r0 = ‖p‖², r1 = ‖u‖² (float64). */
  lambMoments(table: TensorTable, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number, gSign: number): void;
  lambApply(table: TensorTable, eps: number, wd: number): void;
  lookaheadSync(table: TensorTable, alpha: number): void;
  /** Writes each row's r0: Σ|g|² (normType 2), Σ|g| (1) or max|g| (0: infinity). */
  gradNorms(table: TensorTable, normType: number): void;
  scaleGrads(table: TensorTable, coef: number): void;
  clampGrads(table: TensorTable, clip: number): void;
  /** out = gSign·g + wd·p, minus each row's mean when `center` (gradient centralization). */
  centralizeRows(out: Tensor, g: Tensor, p: Tensor, rows: number, cols: number, gSign: number, wd: number, center: boolean): void;

  // ---- stochastic weight averaging (assembly/swa.ts) ----------------------
  swaEqualAverage(avg: Tensor, p: Tensor, n: number, k: number): void;
  swaEma(avg: Tensor, p: Tensor, n: number, decay: number, oneMinusDecay: number): void;

  // ---- softmax, probability cross-entropy, NLL (assembly/softmax.ts) ------
  /** y = softmax (log false) or log-softmax (log true) along C of [outer, C, inner]. */
  softmaxForward(x: Tensor, y: Tensor, outer: number, C: number, inner: number, log: boolean): void;
  softmaxBackward(y: Tensor, dy: Tensor, dx: Tensor, outer: number, C: number, inner: number, log: boolean, acc: number): void;
  /** Cross-entropy with probability targets [N, C]; returns the summed loss. */
  softmaxCrossEntropyProb(
    logits: Tensor, target: Tensor, N: number, C: number, grad: Tensor, losses: Tensor | null,
    smoothing: number, gradScale: number, weights: Tensor | null,
  ): number;
  /** `labels` holds int32 class indices (−1: ignored row) in its storage's bits; returns the summed loss. */
  nllLossForward(logp: Tensor, labels: Tensor, N: number, C: number, weights: Tensor | null, losses: Tensor | null): number;
  nllLossBackward(labels: Tensor, N: number, C: number, weights: Tensor | null, dy: Tensor, dyStride: number, scale: number, dx: Tensor, acc: number): void;
  /** dst[i, :] (+)= scales[i]·src[i, :]. */
  scaleRows(src: Tensor, scales: Tensor, dst: Tensor, rows: number, cols: number, acc: number): void;

  // ---- pointwise losses (assembly/loss.ts): kind is a LOSS_* constant ------
  pointwiseLoss(
    kind: number, x: Tensor, t: Tensor, weight: Tensor | null, posWeight: Tensor | null, grad: Tensor, losses: Tensor | null,
    n: number, gradScale: number, p: number,
  ): number;

  // ---- SiLU, Softplus, ELU (assembly/activation.ts) ------------------------
  siluForward(x: Tensor, y: Tensor, n: number): void;
  siluBackward(x: Tensor, dy: Tensor, dx: Tensor, n: number, acc: number): void;
  softplusForward(x: Tensor, y: Tensor, n: number, beta: number, threshold: number): void;
  softplusBackward(x: Tensor, dy: Tensor, dx: Tensor, n: number, beta: number, threshold: number, acc: number): void;
  eluForward(x: Tensor, y: Tensor, n: number, alpha: number): void;
  eluBackward(x: Tensor, dy: Tensor, dx: Tensor, n: number, alpha: number, acc: number): void;

  // ---- embedding (assembly/embedding.ts): indices are int32 bits ----------
  embeddingForward(weight: Tensor, indices: Tensor, n: number, dim: number, out: Tensor): void;
  embeddingBackward(dy: Tensor, indices: Tensor, n: number, dim: number, num: number, paddingIdx: number, dw: Tensor, acc: number): void;

  // ---- convolution, pooling, 2-d normalisation (assembly/conv.ts, pool.ts, norm.ts) ----
  // The geometry objects stand for the export's trailing sizes, in their field order.
  conv2dForward(x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor, cols: Tensor, g: ConvGeometry): void;
  conv2dBackwardInput(dy: Tensor, w: Tensor, dx: Tensor, cols: Tensor, g: ConvGeometry, acc: number): void;
  conv2dBackwardWeight(x: Tensor, dy: Tensor, dw: Tensor | null, db: Tensor | null, cols: Tensor, g: ConvGeometry, acc: number): void;
  /** `ind` (or null): a tensor of y's size whose storage receives the int32 argmax indices. */
  maxPool2dForward(x: Tensor, y: Tensor, ind: Tensor | null, g: PoolGeometry): void;
  maxPool2dBackward(dy: Tensor, ind: Tensor, dx: Tensor, g: PoolGeometry, acc: number): void;
  avgPool2dForward(x: Tensor, y: Tensor, g: PoolGeometry, countIncludePad: boolean): void;
  avgPool2dBackward(dy: Tensor, dx: Tensor, g: PoolGeometry, countIncludePad: boolean, acc: number): void;
  adaptiveAvgPool2dForward(x: Tensor, y: Tensor, planes: number, H: number, W: number, Ho: number, Wo: number): void;
  adaptiveAvgPool2dBackward(dy: Tensor, dx: Tensor, planes: number, H: number, W: number, Ho: number, Wo: number, acc: number): void;
  batchNorm2dTrainForward(
    x: Tensor, N: number, C: number, HW: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, invstd: Tensor,
    runMean: Tensor | null, runVar: Tensor | null, momentum: number, eps: number,
  ): number;
  batchNorm2dEvalForward(
    x: Tensor, N: number, C: number, HW: number, w: Tensor | null, b: Tensor | null, y: Tensor, runMean: Tensor, runVar: Tensor,
    eps: number, invstd: Tensor,
  ): void;
  batchNorm2dBackward(
    x: Tensor, dy: Tensor, N: number, C: number, HW: number, mean: Tensor, invstd: Tensor, w: Tensor | null,
    dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number, batchStats: boolean,
  ): void;
  groupNormForward(
    x: Tensor, N: number, C: number, HW: number, G: number, w: Tensor | null, b: Tensor | null, y: Tensor, mean: Tensor, rstd: Tensor,
    eps: number,
  ): number;
  groupNormBackward(
    x: Tensor, dy: Tensor, N: number, C: number, HW: number, G: number, mean: Tensor, rstd: Tensor, w: Tensor | null,
    dx: Tensor | null, dxAcc: number, dw: Tensor | null, db: Tensor | null, paramAcc: number,
  ): void;
  scalePlanes(x: Tensor, s: Tensor, y: Tensor, planes: number, HW: number, acc: number): void;
}

/** The name of every kernel in the interface. */
export type KernelName = Exclude<keyof Backend, "build">;
