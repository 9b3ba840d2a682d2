// The kernels behind softmax/log-softmax, the probability-target
// cross-entropy, NLL, the pointwise losses, SiLU/Softplus/ELU and Embedding,
// called through the backend (src/backend/: assembly/softmax.ts, loss.ts,
// activation.ts, embedding.ts and their twins in src/reference/), with the
// argument conventions of nn's layers. Callers have checked shapes; null
// means "not needed".
import { Tensor } from "../tensor.js";
import { backend } from "../backend/index.js";
import { LOSS as LOSS_KINDS } from "../reference/loss.js";

/** The pointwise loss kinds (assembly/loss.ts LOSS_*). */
export const LOSS = LOSS_KINDS;

/**
 * Int32 values (labels, indices) in a scratch tensor's storage bits, where the
 * kernels of either backend read them. dispose() frees the scratch.
 */
export class IntBuffer {
  readonly js: Int32Array;
  readonly tensor: Tensor;
  constructor(values: Int32Array) {
    this.js = values;
    this.tensor = new Tensor([Math.max(values.length, 1)]);
    const bits = this.tensor.data;
    new Int32Array(bits.buffer, bits.byteOffset, values.length).set(values);
  }
  dispose(): void {
    this.tensor.dispose();
  }
}

export function softmaxForward(x: Tensor, y: Tensor, outer: number, C: number, inner: number, log: boolean): void {
  backend().softmaxForward(x, y, outer, C, inner, log);
}

export function softmaxBackward(y: Tensor, dy: Tensor, dx: Tensor, outer: number, C: number, inner: number, log: boolean, acc: number): void {
  backend().softmaxBackward(y, dy, dx, outer, C, inner, log, acc);
}

export function softmaxCrossEntropyProb(
  logits: Tensor, target: Tensor, N: number, C: number, grad: Tensor, losses: Tensor | null, smoothing: number, gradScale: number,
  weights: Tensor | null,
): number {
  return backend().softmaxCrossEntropyProb(logits, target, N, C, grad, losses, smoothing, gradScale, weights);
}

/** The fused softmax cross-entropy of reduce.ts with labels in an IntBuffer (negative: ignored row). */
export function softmaxCrossEntropyLabels(
  logits: Tensor, labels: IntBuffer, N: number, C: number, grad: Tensor, losses: Tensor | null, smoothing: number, gradScale: number,
  weights: Tensor | null,
): number {
  return backend().softmaxCrossEntropy(logits, labels.tensor, N, C, grad, losses, smoothing, gradScale, weights);
}

export function nllLossForward(logp: Tensor, labels: IntBuffer, N: number, C: number, weights: Tensor | null, losses: Tensor | null): number {
  return backend().nllLossForward(logp, labels.tensor, N, C, weights, losses);
}

export function nllLossBackward(
  labels: IntBuffer, N: number, C: number, weights: Tensor | null, dy: Tensor, dyStride: number, scale: number, dx: Tensor, acc: number,
): void {
  backend().nllLossBackward(labels.tensor, N, C, weights, dy, dyStride, scale, dx, acc);
}

export function scaleRows(src: Tensor, scales: Tensor, dst: Tensor, rows: number, cols: number, acc: number): void {
  backend().scaleRows(src, scales, dst, rows, cols, acc);
}

export function pointwiseLoss(
  kind: number, x: Tensor, t: Tensor, weight: Tensor | null, posWeight: Tensor | null, grad: Tensor, losses: Tensor | null,
  gradScale: number, p: number,
): number {
  return backend().pointwiseLoss(kind, x, t, weight, posWeight, grad, losses, x.size, gradScale, p);
}

export type NewActivation = "silu" | "softplus" | "elu";

/** y = f(x); p, q: Softplus's beta and threshold, ELU's alpha. */
export function activationForward(kind: NewActivation, x: Tensor, y: Tensor, p: number, q: number): void {
  const b = backend();
  if (kind === "silu") b.siluForward(x, y, x.size);
  else if (kind === "softplus") b.softplusForward(x, y, x.size, p, q);
  else b.eluForward(x, y, x.size, p);
}

/** dx (+)= dy·f′(x). */
export function activationBackward(kind: NewActivation, x: Tensor, dy: Tensor, dx: Tensor, p: number, q: number, acc: number): void {
  const b = backend();
  if (kind === "silu") b.siluBackward(x, dy, dx, x.size, acc);
  else if (kind === "softplus") b.softplusBackward(x, dy, dx, x.size, p, q, acc);
  else b.eluBackward(x, dy, dx, x.size, p, acc);
}

export function embeddingForward(weight: Tensor, indices: IntBuffer, n: number, dim: number, out: Tensor): void {
  backend().embeddingForward(weight, indices.tensor, n, dim, out);
}

export function embeddingBackward(dy: Tensor, indices: IntBuffer, n: number, dim: number, num: number, paddingIdx: number, dw: Tensor, acc: number): void {
  backend().embeddingBackward(dy, indices.tensor, n, dim, num, paddingIdx, dw, acc);
}
