// Pure-JS twin of assembly/embedding.ts: row gather and scatter-add.
import type { FloatArray } from "./nn.js";

export function embeddingForward(weight: FloatArray, indices: Int32Array, n: number, dim: number, out: FloatArray): void {
  for (let i = 0; i < n; i++) {
    const k = indices[i];
    out.set(weight.subarray(k * dim, (k + 1) * dim), i * dim);
  }
}

export function embeddingBackward(
  dy: FloatArray, indices: Int32Array, n: number, dim: number, num: number, paddingIdx: number, dw: FloatArray, acc: number,
): void {
  if (!acc) dw.fill(0, 0, num * dim);
  for (let i = 0; i < n; i++) {
    const k = indices[i];
    if (k === paddingIdx) continue;
    for (let j = 0; j < dim; j++) dw[k * dim + j] += dy[i * dim + j];
  }
}
