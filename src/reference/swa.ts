// Pure-JS twins of assembly/swa.ts: the same float32 arithmetic, operation by
// operation (Math.fround after each step; a Float32Array store rounds the last).

/** avg ← avg + (p − avg)/k, with k = models averaged so far + 1. */
export function swaEqualAverageJs(avg: Float32Array, p: Float32Array, k: number): void {
  const kf = Math.fround(k);
  for (let i = 0; i < avg.length; i++) avg[i] = avg[i] + Math.fround(Math.fround(p[i] - avg[i]) / kf);
}

/** avg ← decay·avg + oneMinusDecay·p, both factors rounded to float32 first. */
export function swaEmaJs(avg: Float32Array, p: Float32Array, decay: number, oneMinusDecay: number): void {
  const d = Math.fround(decay);
  const e = Math.fround(oneMinusDecay);
  for (let i = 0; i < avg.length; i++) avg[i] = Math.fround(d * avg[i]) + Math.fround(e * p[i]);
}
