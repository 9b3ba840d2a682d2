// Bindings of the kernels behind softmax/log-softmax, the probability-target
// cross-entropy, NLL, the pointwise losses, SiLU/Softplus/ELU and Embedding
// (assembly/softmax.ts, loss.ts, activation.ts, embedding.ts): each calls the
// WebAssembly kernel (pointers) or its pure-JS twin (arrays) for the running
// build. Callers have checked shapes; null means "not needed".
import { Tensor } from "../tensor.js";
import { wasmOrNull } from "../runtime/runtime.js";
import * as sm from "../reference/softmax.js";
import * as nnRef from "../reference/nn.js";
import * as ls from "../reference/loss.js";
import * as act from "../reference/activation.js";
import * as emb from "../reference/embedding.js";

const ptr = (t: Tensor | null): number => (t ? t.ptr : 0);
const arr = (t: Tensor | null): Float32Array | null => (t ? t.data : null);

/**
 * Int32 values where a kernel reads them: in WebAssembly memory (a scratch
 * tensor's storage reinterpreted) or an Int32Array (pure JS). dispose() frees
 * the scratch.
 */
export class IntBuffer {
  readonly js: Int32Array;
  readonly #scratch: Tensor | null;
  constructor(values: Int32Array) {
    this.js = values;
    const w = wasmOrNull();
    this.#scratch = w ? new Tensor([Math.max(values.length, 1)]) : null;
    if (w && this.#scratch) new Int32Array(w.memory.buffer, this.#scratch.ptr, values.length).set(values);
  }
  get ptr(): number {
    return this.#scratch ? this.#scratch.ptr : 0;
  }
  dispose(): void {
    this.#scratch?.dispose();
  }
}

export function softmaxForward(x: Tensor, y: Tensor, outer: number, C: number, inner: number, log: boolean): void {
  const w = wasmOrNull();
  if (w) w.softmaxForward(x.ptr, y.ptr, outer, C, inner, +log);
  else sm.softmaxForward(x.data, y.data, outer, C, inner, +log);
}

export function softmaxBackward(y: Tensor, dy: Tensor, dx: Tensor, outer: number, C: number, inner: number, log: boolean, acc: number): void {
  const w = wasmOrNull();
  if (w) w.softmaxBackward(y.ptr, dy.ptr, dx.ptr, outer, C, inner, +log, acc);
  else sm.softmaxBackward(y.data, dy.data, dx.data, outer, C, inner, +log, acc);
}

export function softmaxCrossEntropyProb(
  logits: Tensor, target: Tensor, N: number, C: number, grad: Tensor, losses: Tensor | null, smoothing: number, gradScale: number,
  weights: Tensor | null,
): number {
  const w = wasmOrNull();
  if (w) return w.softmaxCrossEntropyProb(logits.ptr, target.ptr, N, C, grad.ptr, ptr(losses), smoothing, gradScale, ptr(weights));
  return sm.softmaxCrossEntropyProb(logits.data, target.data, N, C, grad.data, arr(losses), Math.fround(smoothing), Math.fround(gradScale), arr(weights));
}

/** The fused softmax cross-entropy of reduce.ts with labels in an IntBuffer (negative: ignored row). */
export function softmaxCrossEntropyLabels(
  logits: Tensor, labels: IntBuffer, N: number, C: number, grad: Tensor, losses: Tensor | null, smoothing: number, gradScale: number,
  weights: Tensor | null,
): number {
  const w = wasmOrNull();
  if (w) return w.softmaxCrossEntropy(logits.ptr, labels.ptr, N, C, grad.ptr, ptr(losses), smoothing, gradScale, ptr(weights));
  return nnRef.softmaxCrossEntropy(logits.data, labels.js, N, C, grad.data, arr(losses), Math.fround(smoothing), Math.fround(gradScale), arr(weights));
}

export function nllLossForward(logp: Tensor, labels: IntBuffer, N: number, C: number, weights: Tensor | null, losses: Tensor | null): number {
  const w = wasmOrNull();
  if (w) return w.nllLossForward(logp.ptr, labels.ptr, N, C, ptr(weights), ptr(losses));
  return sm.nllLossForward(logp.data, labels.js, N, C, arr(weights), arr(losses));
}

export function nllLossBackward(
  labels: IntBuffer, N: number, C: number, weights: Tensor | null, dy: Tensor, dyStride: number, scale: number, dx: Tensor, acc: number,
): void {
  const w = wasmOrNull();
  if (w) w.nllLossBackward(labels.ptr, N, C, ptr(weights), dy.ptr, dyStride, scale, dx.ptr, acc);
  else sm.nllLossBackward(labels.js, N, C, arr(weights), dy.data, dyStride, Math.fround(scale), dx.data, acc);
}

export const LOSS = ls.LOSS;

export function pointwiseLoss(
  kind: number, x: Tensor, t: Tensor, weight: Tensor | null, posWeight: Tensor | null, grad: Tensor, losses: Tensor | null,
  gradScale: number, p: number,
): number {
  const w = wasmOrNull();
  if (w) return w.pointwiseLoss(kind, x.ptr, t.ptr, ptr(weight), ptr(posWeight), grad.ptr, ptr(losses), x.size, gradScale, p);
  return ls.pointwiseLoss(kind, x.data, t.data, arr(weight), arr(posWeight), grad.data, arr(losses), x.size, Math.fround(gradScale), Math.fround(p));
}

export type NewActivation = "silu" | "softplus" | "elu";

/** y = f(x); p, q: Softplus's beta and threshold, ELU's alpha. */
export function activationForward(kind: NewActivation, x: Tensor, y: Tensor, p: number, q: number): void {
  const w = wasmOrNull();
  const n = x.size;
  if (kind === "silu") {
    if (w) w.siluForward(x.ptr, y.ptr, n);
    else act.siluForward(x.data, y.data, n);
  } else if (kind === "softplus") {
    if (w) w.softplusForward(x.ptr, y.ptr, n, p, q);
    else act.softplusForward(x.data, y.data, n, Math.fround(p), Math.fround(q));
  } else if (w) w.eluForward(x.ptr, y.ptr, n, p);
  else act.eluForward(x.data, y.data, n, Math.fround(p));
}

/** dx (+)= dy·f′(x). */
export function activationBackward(kind: NewActivation, x: Tensor, dy: Tensor, dx: Tensor, p: number, q: number, acc: number): void {
  const w = wasmOrNull();
  const n = x.size;
  if (kind === "silu") {
    if (w) w.siluBackward(x.ptr, dy.ptr, dx.ptr, n, acc);
    else act.siluBackward(x.data, dy.data, dx.data, n, acc);
  } else if (kind === "softplus") {
    if (w) w.softplusBackward(x.ptr, dy.ptr, dx.ptr, n, p, q, acc);
    else act.softplusBackward(x.data, dy.data, dx.data, n, Math.fround(p), Math.fround(q), acc);
  } else if (w) w.eluBackward(x.ptr, dy.ptr, dx.ptr, n, p, acc);
  else act.eluBackward(x.data, dy.data, dx.data, n, Math.fround(p), acc);
}

export function embeddingForward(weight: Tensor, indices: IntBuffer, n: number, dim: number, out: Tensor): void {
  const w = wasmOrNull();
  if (w) w.embeddingForward(weight.ptr, indices.ptr, n, dim, out.ptr);
  else emb.embeddingForward(weight.data, indices.js, n, dim, out.data);
}

export function embeddingBackward(dy: Tensor, indices: IntBuffer, n: number, dim: number, num: number, paddingIdx: number, dw: Tensor, acc: number): void {
  const w = wasmOrNull();
  if (w) w.embeddingBackward(dy.ptr, indices.ptr, n, dim, num, paddingIdx, dw.ptr, acc);
  else emb.embeddingBackward(dy.data, indices.js, n, dim, num, paddingIdx, dw.data, acc);
}

export function scaleRows(src: Tensor, scales: Tensor, dst: Tensor, rows: number, cols: number, acc: number): void {
  const w = wasmOrNull();
  if (w) w.scaleRows(src.ptr, scales.ptr, dst.ptr, rows, cols, acc);
  else sm.scaleRows(src.data, scales.data, dst.data, rows, cols, acc);
}
