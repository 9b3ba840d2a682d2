// The functional losses (PyTorch's F.cross_entropy, F.nll_loss, F.mse_loss,
// F.binary_cross_entropy(_with_logits), F.l1_loss, F.smooth_l1_loss,
// F.huber_loss): each computes the loss and its gradient with respect to the
// input in one fused kernel; backward scales that gradient by the upstream
// one. Options are the module's (reduction, weight, ignoreIndex,
// labelSmoothing, posWeight, beta, delta).
import { Tensor, sameShape, shapeToString } from "../tensor.js";
import { isGradEnabled, needsGrad, sinkFor, wantsGrad } from "./autograd.js";
import { backend } from "../backend/index.js";
import {
  IntBuffer, LOSS, nllLossBackward, nllLossForward, pointwiseLoss, scaleRows, softmaxCrossEntropyLabels, softmaxCrossEntropyProb,
} from "./new_kernels.js";
import { broadcastCopy, checkOptionsArg, checkTensorArg, output, recordOp, toIndices, type IndexLike } from "./op_helpers.js";
import { describe as describeValue } from "../validate.js";
import { undoAllocationsOnError } from "../runtime/memory.js";
import { broadcastShapes } from "../ops/iterator.js";
import { expand } from "../ops/shape.js";

export type Reduction = "mean" | "sum" | "none";

function checkReduction(what: string, r: unknown): Reduction {
  if (r === undefined) return "mean";
  if (r !== "mean" && r !== "sum" && r !== "none") throw new (typeof r === "string" ? RangeError : TypeError)(`${what}: ${describeValue(r)} is not a valid value for reduction`);
  return r;
}

function checkSameShape(what: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`${what}: Target size (${shapeToString(target.shape)}) must be the same as input size (${shapeToString(input.shape)})`);
  }
}

const warnedBroadcast = new Set<string>();

/** torch.Size's repr, for PyTorch's messages: torch.Size([3, 1]). */
function torchSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(", ")}])`;
}

/** PyTorch's broadcast shape of input and target (its error naming both shapes when there is none), checked before anything runs. */
function broadcastTargetShape(what: string, input: Tensor, target: Tensor): readonly number[] {
  return sameShape(input.shape, target.shape) ? input.shape : broadcastShapes(what, input.shape, target.shape);
}

/**
 * mse/l1/smoothL1/huber with a target of another shape, as PyTorch 1.13: its
 * UserWarning (once per function, console.warn), then both broadcast with
 * differentiable expands, so each gradient is summed back to its own shape.
 */
function broadcastPair(what: string, input: Tensor, target: Tensor, shape: readonly number[]): [Tensor, Tensor] {
  if (sameShape(input.shape, target.shape)) return [input, target];
  if (!warnedBroadcast.has(what)) {
    warnedBroadcast.add(what);
    console.warn(
      `UserWarning: Using a target size (${torchSize(target.shape)}) that is different to the input size (${torchSize(input.shape)}). ` +
        "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
    );
  }
  return [sameShape(input.shape, shape) ? input : expand(input, [...shape]), sameShape(target.shape, shape) ? target : expand(target, [...shape])];
}

/** A 1-D class-weight tensor of C entries (a copy), or null. */
function classWeights(what: string, weight: unknown, C: number): Tensor | null {
  if (weight === undefined || weight === null) return null;
  if (!(weight instanceof Tensor)) throw new TypeError(`${what}: weight must be a Tensor, got ${describeValue(weight)}`);
  weight.assertAlive(`${what} (weight)`);
  if (weight.ndim !== 1 || weight.size !== C) {
    throw new RangeError(`${what}: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: ${shapeToString(weight.shape)}`);
  }
  return weight.clone();
}

/** dx (+)= upstream·grad: a scalar upstream (mean, sum) or one per element ('none'). */
function scaleBy(grad: Tensor, dy: Tensor, dx: Tensor, acc: number, sign: number): void {
  if (dy.size === 1 && grad.size !== 1) backend().scaleInto(grad, dx, grad.size, sign * dy.data[0], acc);
  else if (sign === 1) backend().mulInto(grad, dy, dx, grad.size, acc);
  else {
    const tmp = new Tensor(grad.shape);
    try {
      backend().mulInto(grad, dy, tmp, grad.size, 0);
      backend().scaleInto(tmp, dx, tmp.size, -1, acc);
    } finally {
      tmp.dispose();
    }
  }
}

/**
 * The common shape of the pointwise losses: kernel(grad, losses) fills the
 * gradient of the loss with respect to input (scaled by gradScale) and
 * returns the sum; `symmetric` losses send −grad to the target.
 */
function reduceLoss(
  what: string, name: string, input: Tensor, target: Tensor, reduction: Reduction, symmetric: boolean,
  kernel: (grad: Tensor, losses: Tensor | null, gradScale: number) => number,
  targetGrad: ((gradScale: number) => Tensor) | null = null,
): Tensor {
  const n = input.size;
  const none = reduction === "none";
  const out = output(none ? input.shape : []);
  const grad = output(input.shape);
  const total = kernel(grad, none ? out : null, reduction === "mean" ? 1 / n : 1);
  if (!none) out.data[0] = reduction === "mean" ? total / n : total;
  // the BCE losses' target gradient (PyTorch 1.13 has it), computed now when the target needs one
  const gt = !symmetric && targetGrad && isGradEnabled() && needsGrad(target) ? targetGrad(reduction === "mean" ? 1 / n : 1) : null;
  const inputs = symmetric || gt ? [input, target] : [input];
  recordOp(name, inputs, out, [], (dy, node) => {
    const dx = sinkFor(node, 0);
    if (dx) scaleBy(grad, dy, dx.tensor, dx.acc, 1);
    if ((symmetric || gt) && wantsGrad(node, 1)) {
      const dt = sinkFor(node, 1)!;
      scaleBy(gt ?? grad, dy, dt.tensor, dt.acc, gt ? 1 : -1);
    }
  }, () => {
    grad.dispose();
    gt?.dispose();
  });
  return out;
}

export interface PointwiseLossOptions {
  reduction?: Reduction;
}

/** Mean squared error (PyTorch's F.mse_loss). */
export function mseLoss(input: Tensor, target: Tensor, options: PointwiseLossOptions = {}): Tensor {
  const what = "mseLoss";
  checkTensorArg(what, input);
  checkTensorArg(what, target, "target");
  checkOptionsArg(what, options, ["reduction"]);
  const reduction = checkReduction(what, options.reduction);
  const [x, t] = broadcastPair(what, input, target, broadcastTargetShape(what, input, target));
  return reduceLoss(what, "MseLossBackward0", x, t, reduction, true, (grad, losses, s) => backend().mseLoss(x, t, grad, losses, x.size, s));
}

function pointwise(
  what: string, name: string, kind: number, input: Tensor, target: Tensor, reduction: Reduction, p: number, symmetric: boolean,
  weight: Tensor | null = null, posWeight: Tensor | null = null,
): Tensor {
  const w = weight ? broadcastCopy(what, "weight", weight, input.shape) : null;
  let pw: Tensor | null = null;
  try {
    pw = posWeight ? broadcastCopy(what, "posWeight", posWeight, input.shape) : null;
    return reduceLoss(
      what, name, input, target, reduction, symmetric, (grad, losses, s) => pointwiseLoss(kind, input, target, w, pw, grad, losses, s, p),
      kind === LOSS.BCE || kind === LOSS.BCE_LOGITS ? (s) => bceTargetGrad(kind === LOSS.BCE_LOGITS, input, w, pw, s) : null,
    );
  } finally {
    w?.dispose();
    pw?.dispose();
  }
}

/** The checks every pointwise loss makes; `broadcast` losses (mse, l1, smoothL1, huber) take a target of a broadcastable shape, the others the input's shape. */
/**
 * d(loss)/d(target) of the BCE losses, times `scale`: w·(max(log(1−x), −100) − max(log x, −100))
 * for probabilities, w·(pw·softplus(−z) − softplus(z)) for logits (PyTorch 1.13's target derivatives).
 */
function bceTargetGrad(logits: boolean, input: Tensor, w: Tensor | null, pw: Tensor | null, scale: number): Tensor {
  const out = new Tensor(input.shape);
  const x = input.data;
  const d = out.data;
  const wd = w?.data ?? null;
  const pd = pw?.data ?? null;
  const softplus = (v: number): number => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
  for (let i = 0; i < d.length; i++) {
    const v = x[i];
    const g = logits
      ? (pd ? pd[i] : 1) * softplus(-v) - softplus(v)
      : Math.max(Math.log(1 - v), -100) - Math.max(Math.log(v), -100);
    d[i] = g * (wd ? wd[i] : 1) * scale;
  }
  return out;
}

/** d(cross-entropy)/d(probability target) in the input's [N, C, d…] layout, times scale: −w_c·(1 − ε)·log_softmax(x)_c. */
function probabilityTargetGrad(
  input: Tensor, layout: { N: number; C: number; D: number }, w: Tensor | null, smoothing: number, scale: number,
): Tensor {
  const { N, C, D } = layout;
  const out = new Tensor(input.shape);
  const x = input.data;
  const d = out.data;
  const wd = w?.data ?? null;
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < D; k++) {
      const base = n * C * D + k;
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, x[base + c * D]);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(x[base + c * D] - max);
      const lse = max + Math.log(sum);
      for (let c = 0; c < C; c++) d[base + c * D] = -(wd ? wd[c] : 1) * (1 - smoothing) * (x[base + c * D] - lse) * scale;
    }
  }
  return out;
}

function lossArgs(what: string, input: unknown, target: unknown, options: unknown, known: string[], broadcast = false): Reduction {
  checkTensorArg(what, input);
  checkTensorArg(what, target, "target");
  checkOptionsArg(what, options, known);
  const reduction = checkReduction(what, (options as { reduction?: unknown } | undefined)?.reduction);
  if (broadcast) broadcastTargetShape(what, input as Tensor, target as Tensor);
  else checkSameShape(what, input as Tensor, target as Tensor);
  return reduction;
}

/** Mean absolute error (PyTorch's F.l1_loss). */
export function l1Loss(input: Tensor, target: Tensor, options: PointwiseLossOptions = {}): Tensor {
  const r = lossArgs("l1Loss", input, target, options, ["reduction"], true);
  return pointwise("l1Loss", "L1LossBackward0", LOSS.L1, ...broadcastPair("l1Loss", input, target, broadcastTargetShape("l1Loss", input, target)), r, 0, true);
}

export interface SmoothL1LossOptions extends PointwiseLossOptions {
  /** Quadratic below |d| < beta (default 1; 0 is L1). */
  beta?: number;
}

/** PyTorch's F.smooth_l1_loss: 0.5·d²/beta where |d| < beta, |d| − 0.5·beta elsewhere. */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1LossOptions = {}): Tensor {
  const r = lossArgs("smoothL1Loss", input, target, options, ["reduction", "beta"], true);
  const beta = options.beta ?? 1;
  if (typeof beta !== "number" || !(beta >= 0)) throw new (typeof beta === "number" ? RangeError : TypeError)(`smoothL1Loss: smooth_l1_loss does not support negative values for beta (beta = ${describeValue(beta)})`);
  const [x, t] = broadcastPair("smoothL1Loss", input, target, broadcastTargetShape("smoothL1Loss", input, target));
  return pointwise("smoothL1Loss", "SmoothL1LossBackward0", LOSS.SMOOTH_L1, x, t, r, beta, true);
}

export interface HuberLossOptions extends PointwiseLossOptions {
  /** Quadratic up to |d| ≤ delta (default 1; must be positive). */
  delta?: number;
}

/** PyTorch's F.huber_loss: 0.5·d² where |d| ≤ delta, delta·(|d| − 0.5·delta) elsewhere. */
export function huberLoss(input: Tensor, target: Tensor, options: HuberLossOptions = {}): Tensor {
  const r = lossArgs("huberLoss", input, target, options, ["reduction", "delta"], true);
  const delta = options.delta ?? 1;
  if (typeof delta !== "number" || !(delta > 0)) throw new (typeof delta === "number" ? RangeError : TypeError)(`huberLoss: huber_loss does not support non-positive values for delta (delta = ${describeValue(delta)})`);
  const [x, t] = broadcastPair("huberLoss", input, target, broadcastTargetShape("huberLoss", input, target));
  return pointwise("huberLoss", "HuberLossBackward0", LOSS.HUBER, x, t, r, delta, true);
}

export interface BCELossOptions extends PointwiseLossOptions {
  /** Per-element weights, broadcast to the input's shape. */
  weight?: Tensor | null;
}

/** Binary cross-entropy of probabilities in [0, 1] (PyTorch's F.binary_cross_entropy; each log clamped at −100). */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCELossOptions = {}): Tensor {
  const what = "binaryCrossEntropy";
  const r = lossArgs(what, input, target, options, ["reduction", "weight"]);
  const x = input.data;
  for (let i = 0; i < x.length; i++) {
    if (!(x[i] >= 0 && x[i] <= 1)) throw new RangeError(`${what}: all elements of input should be between 0 and 1 (input[${i}] = ${x[i]})`);
  }
  if (options.weight != null) checkTensorArg(what, options.weight, "weight");
  return pointwise(what, "BinaryCrossEntropyBackward0", LOSS.BCE, input, target, r, 0, false, options.weight ?? null);
}

export interface BCEWithLogitsLossOptions extends BCELossOptions {
  /** Weight of the positive term per class (broadcast along the last dimension), PyTorch's pos_weight. */
  posWeight?: Tensor | null;
}

/** Sigmoid and binary cross-entropy in one stable step (PyTorch's F.binary_cross_entropy_with_logits). */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BCEWithLogitsLossOptions = {}): Tensor {
  const what = "binaryCrossEntropyWithLogits";
  const r = lossArgs(what, input, target, options, ["reduction", "weight", "posWeight"]);
  if (options.weight != null) checkTensorArg(what, options.weight, "weight");
  if (options.posWeight != null) checkTensorArg(what, options.posWeight, "posWeight");
  return pointwise(what, "BinaryCrossEntropyWithLogitsBackward0", LOSS.BCE_LOGITS, input, target, r, 0, false, options.weight ?? null, options.posWeight ?? null);
}

// ---------------------------------------------------------------- class losses

/**
 * The class layout of an input [C], [N, C] or [N, C, d…]: N rows of C
 * classes, each row D = Πd positions (the class dimension has stride D).
 */
function classLayout(what: string, input: Tensor): { N: number; C: number; D: number; unbatched: boolean; rowShape: number[] } {
  if (input.ndim === 0) throw new RangeError(`${what}: expected an input of shape [C], [N, C] or [N, C, d...], got a 0-d tensor`);
  if (input.ndim === 1) return { N: 1, C: input.shape[0], D: 1, unbatched: true, rowShape: [] };
  const [N, C, ...rest] = input.shape;
  return { N, C, D: rest.reduce((a, b) => a * b, 1), unbatched: false, rowShape: [N, ...rest] };
}

/** Class labels, checked against the layout (ignoreIndex rows become −1). Returns the labels and their weight sum. */
function classLabels(
  what: string, target: IndexLike, layout: ReturnType<typeof classLayout>, ignoreIndex: number, w: Tensor | null,
): { labels: Int32Array; counted: number } {
  const { values, shape } = toIndices(what, target, "target");
  const expected = layout.rowShape;
  if (values.length !== layout.N * layout.D || (!(typeof target === "number") && !sameShape(shape, expected) && !(layout.unbatched && values.length === 1))) {
    throw new RangeError(
      `${what}: expected target of shape ${shapeToString(expected)} (one class index per row), got ${shapeToString(shape)} ` +
        `(Expected input batch_size (${layout.N}) to match target batch_size (${shape[0] ?? values.length}).)`,
    );
  }
  let counted = 0;
  const wd = w?.data;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === ignoreIndex) {
      values[i] = -1;
      continue;
    }
    if (v < 0 || v >= layout.C) throw new RangeError(`${what}: target[${i}] = ${v} is out of bounds for ${layout.C} classes (Target ${v} is out of bounds.)`);
    counted += wd ? wd[v] : 1;
  }
  return { labels: values, counted };
}

/** [N, C, D] → [N, D, C] (a copy) when D > 1, else x itself. */
function classesLast(x: Tensor, N: number, C: number, D: number): Tensor {
  if (D === 1) return x;
  const t = output([N * D, C]);
  backend().batchTranspose(x, t, N, C, D, 0);
  return t;
}

/**
 * The backward of the class losses: dx (+)= upstream·grad, where grad is
 * [N·D, C] (classes last) and the upstream gradient is a scalar or one per row.
 */
function classBackward(grad: Tensor, dy: Tensor, dx: Tensor, acc: number, N: number, C: number, D: number, perRow: boolean): void {
  if (D === 1) {
    if (perRow) scaleRows(grad, dy, dx, N, C, acc);
    else backend().scaleInto(grad, dx, grad.size, dy.data[0], acc);
    return;
  }
  const tmp = new Tensor(grad.shape);
  try {
    if (perRow) scaleRows(grad, dy, tmp, N * D, C, 0);
    else backend().scaleInto(grad, tmp, grad.size, dy.data[0], 0);
    backend().batchTranspose(tmp, dx, N, D, C, acc);
  } finally {
    tmp.dispose();
  }
}

export interface CrossEntropyOptions {
  reduction?: Reduction;
  /** Class weights [C]. */
  weight?: Tensor | null;
  /** Rows labelled this contribute nothing (default −100; class-index targets only). */
  ignoreIndex?: number;
  /** ε: the target becomes (1 − ε)·target + ε/C. */
  labelSmoothing?: number;
}

/**
 * Softmax cross-entropy of logits [C], [N, C] or [N, C, d…] against class
 * indices ([], [N] or [N, d…]; Int32Array, number array or a tensor of
 * integers) or against class probabilities (a tensor shaped like the input),
 * as PyTorch 1.13's F.cross_entropy.
 */
/** crossEntropy, freeing what it allocated if it fails (memoryStats() then unchanged). */
export function crossEntropy(input: Tensor, target: IndexLike, options: CrossEntropyOptions = {}): Tensor {
  return undoAllocationsOnError(() => crossEntropyUnchecked(input, target, options));
}

function crossEntropyUnchecked(input: Tensor, target: IndexLike, options: CrossEntropyOptions): Tensor {
  const what = "crossEntropy";
  checkTensorArg(what, input);
  checkOptionsArg(what, options, ["reduction", "weight", "ignoreIndex", "labelSmoothing"]);
  const reduction = checkReduction(what, options.reduction);
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (typeof ignoreIndex !== "number" || !Number.isInteger(ignoreIndex)) throw new TypeError(`${what}: ignoreIndex must be an integer, got ${describeValue(ignoreIndex)}`);
  const smoothing = options.labelSmoothing ?? 0;
  if (typeof smoothing !== "number" || !(smoothing >= 0 && smoothing <= 1)) {
    throw new (typeof smoothing === "number" ? RangeError : TypeError)(`${what}: label_smoothing must be between 0.0 and 1.0. Got: ${describeValue(smoothing)}`);
  }
  const layout = classLayout(what, input);
  const { N, C, D } = layout;
  const rows = N * D;
  const w = classWeights(what, options.weight, C);
  const probabilities = target instanceof Tensor && sameShape(target.shape, input.shape);
  let labels: IntBuffer | null = null;
  let counted = rows;
  let x: Tensor | null = null;
  let t: Tensor | null = null;
  const grad = output([rows, C]);
  const none = reduction === "none";
  const out = output(none ? layout.rowShape : []);
  try {
    if (probabilities) {
      target.assertAlive(`${what} (target)`);
    } else {
      const l = classLabels(what, target, layout, ignoreIndex, w);
      labels = new IntBuffer(l.labels);
      counted = l.counted;
    }
    x = classesLast(input, N, C, D);
    const gradScale = reduction === "mean" ? (counted ? 1 / counted : 0) : 1;
    let total: number;
    if (probabilities) {
      t = classesLast(target, N, C, D);
      total = softmaxCrossEntropyProb(x, t, rows, C, grad, none ? out : null, smoothing, gradScale, w);
    } else {
      total = softmaxCrossEntropyLabels(x, labels!, rows, C, grad, none ? out : null, smoothing, gradScale, w);
    }
    if (!none) out.data[0] = reduction === "mean" ? total / counted : total;
  } catch (e) {
    grad.dispose();
    labels?.dispose();
    w?.dispose();
    throw e;
  } finally {
    if (x && x !== input) x.dispose();
    if (t && t !== target) t.dispose();
  }
  labels?.dispose();
  // probability targets get PyTorch's gradient too: −w_c·(1 − ε)·log_softmax(x)_c per element
  const gt = probabilities && isGradEnabled() && needsGrad(target as Tensor)
    ? probabilityTargetGrad(input, layout, w, smoothing, reduction === "mean" ? (rows ? 1 / rows : 0) : 1)
    : null;
  recordOp("CrossEntropyLossBackward0", gt ? [input, target as Tensor] : [input], out, [], (dy, node) => {
    const dx = sinkFor(node, 0);
    if (dx) classBackward(grad, dy, dx.tensor, dx.acc, N, C, D, none);
    const dt = gt ? sinkFor(node, 1) : null;
    if (dt) {
      const g = gt!.data;
      const up = dy.data;
      const dst = dt.tensor.data;
      for (let i = 0; i < g.length; i++) {
        const n = Math.floor(i / (C * D));
        const row = none ? n * D + (i % D) : 0;
        const v = g[i] * up[row];
        dst[i] = dt.acc ? dst[i] + v : v;
      }
    }
  }, () => {
    grad.dispose();
    gt?.dispose();
    w?.dispose();
  });
  return out;
}

export interface NLLLossOptions {
  reduction?: Reduction;
  weight?: Tensor | null;
  ignoreIndex?: number;
}

/** Negative log-likelihood of log-probabilities [C], [N, C] or [N, C, d…] at class indices (PyTorch's F.nll_loss). */
/** nllLoss, freeing what it allocated if it fails (memoryStats() then unchanged). */
export function nllLoss(input: Tensor, target: IndexLike, options: NLLLossOptions = {}): Tensor {
  return undoAllocationsOnError(() => nllLossUnchecked(input, target, options));
}

function nllLossUnchecked(input: Tensor, target: IndexLike, options: NLLLossOptions): Tensor {
  const what = "nllLoss";
  checkTensorArg(what, input);
  checkOptionsArg(what, options, ["reduction", "weight", "ignoreIndex"]);
  const reduction = checkReduction(what, options.reduction);
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (typeof ignoreIndex !== "number" || !Number.isInteger(ignoreIndex)) throw new TypeError(`${what}: ignoreIndex must be an integer, got ${describeValue(ignoreIndex)}`);
  const layout = classLayout(what, input);
  const { N, C, D } = layout;
  const rows = N * D;
  const w = classWeights(what, options.weight, C);
  let l: { labels: Int32Array; counted: number };
  try {
    l = classLabels(what, target, layout, ignoreIndex, w);
  } catch (e) {
    w?.dispose();
    throw e;
  }
  const labels = new IntBuffer(l.labels);
  const none = reduction === "none";
  const out = output(none ? layout.rowShape : []);
  const x = classesLast(input, N, C, D);
  const total = nllLossForward(x, labels, rows, C, w, none ? out : null);
  if (x !== input) x.dispose();
  if (!none) out.data[0] = reduction === "mean" ? total / l.counted : total;
  const scale = reduction === "mean" ? (l.counted ? 1 / l.counted : 0) : 1;
  recordOp("NllLossBackward0", [input], out, [], (dy, node) => {
    const dx = sinkFor(node, 0);
    if (!dx) return;
    if (D === 1) {
      nllLossBackward(labels, rows, C, w, dy, none ? 1 : 0, scale, dx.tensor, dx.acc);
      return;
    }
    const tmp = new Tensor([rows, C]);
    try {
      nllLossBackward(labels, rows, C, w, dy, none ? 1 : 0, scale, tmp, 0);
      backend().batchTranspose(tmp, dx.tensor, N, D, C, dx.acc);
    } finally {
      tmp.dispose();
    }
  }, () => {
    labels.dispose();
    w?.dispose();
  });
  return out;
}
