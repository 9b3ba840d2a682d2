// Pure-JS twins of assembly/softmax.ts (softmax, log-softmax, cross-entropy
// with probability targets, NLL), in float64 arithmetic over typed arrays
// (see reference/nn.ts): Float64Arrays make them the float64 reference.
import type { FloatArray } from "./nn.js";

export function softmaxForward(x: FloatArray, y: FloatArray, outer: number, C: number, inner: number, log: number): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * C * inner + j;
      let m = -Infinity;
      for (let c = 0; c < C; c++) {
        const v = x[base + c * inner];
        if (v > m || v !== v) m = v;
      }
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.exp(x[base + c * inner] - m);
      const shift = m + Math.log(s);
      for (let c = 0; c < C; c++) {
        const k = base + c * inner;
        y[k] = log ? x[k] - shift : Math.exp(x[k] - m) / s;
      }
    }
  }
}

export function softmaxBackward(
  y: FloatArray, dy: FloatArray, dx: FloatArray, outer: number, C: number, inner: number, log: number, acc: number,
): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * C * inner + j;
      let dot = 0;
      for (let c = 0; c < C; c++) {
        const k = base + c * inner;
        dot += log ? dy[k] : dy[k] * y[k];
      }
      for (let c = 0; c < C; c++) {
        const k = base + c * inner;
        const g = log ? dy[k] - Math.exp(y[k]) * dot : y[k] * (dy[k] - dot);
        dx[k] = acc ? dx[k] + g : g;
      }
    }
  }
}

export function softmaxCrossEntropyProb(
  logits: FloatArray, target: FloatArray, N: number, C: number, grad: FloatArray, losses: FloatArray | null,
  smoothing: number, gradScale: number, weights: FloatArray | null,
): number {
  let total = 0;
  const spread = smoothing / C;
  for (let i = 0; i < N; i++) {
    const o = i * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) if (logits[o + c] > m || logits[o + c] !== logits[o + c]) m = logits[o + c];
    let s = 0;
    let a = 0;
    let b = 0;
    for (let c = 0; c < C; c++) {
      const e = Math.exp(logits[o + c] - m);
      grad[o + c] = e;
      s += e;
      const wt = (target[o + c] * (1 - smoothing) + spread) * (weights ? weights[c] : 1);
      a += wt;
      b += wt * logits[o + c];
    }
    const loss = a * (m + Math.log(s)) - b;
    total += loss;
    if (losses) losses[i] = loss;
    for (let c = 0; c < C; c++) {
      const wt = (target[o + c] * (1 - smoothing) + spread) * (weights ? weights[c] : 1);
      grad[o + c] = gradScale * ((grad[o + c] / s) * a - wt);
    }
  }
  return total;
}

export function nllLossForward(
  logp: FloatArray, labels: Int32Array, N: number, C: number, weights: FloatArray | null, losses: FloatArray | null,
): number {
  let total = 0;
  for (let i = 0; i < N; i++) {
    const y = labels[i];
    const loss = y < 0 ? 0 : -(weights ? weights[y] : 1) * logp[i * C + y];
    total += loss;
    if (losses) losses[i] = loss;
  }
  return total;
}

export function nllLossBackward(
  labels: Int32Array, N: number, C: number, weights: FloatArray | null, dy: FloatArray, dyStride: number, scale: number,
  dx: FloatArray, acc: number,
): void {
  if (!acc) dx.fill(0, 0, N * C);
  for (let i = 0; i < N; i++) {
    const y = labels[i];
    if (y < 0) continue;
    dx[i * C + y] -= (weights ? weights[y] : 1) * scale * dy[i * dyStride];
  }
}

export function scaleRows(src: FloatArray, scales: FloatArray, dst: FloatArray, rows: number, cols: number, acc: number): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      const g = src[k] * scales[i];
      dst[k] = acc ? dst[k] + g : g;
    }
  }
}
