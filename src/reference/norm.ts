// Pure-JS twins of assembly/norm.ts (BatchNorm2d, GroupNorm/InstanceNorm and
// Dropout2d's plane scaling over x [N, C, HW]), in float64 arithmetic on
// whatever arrays they are handed: Float64Arrays give the float64 reference.
import type { FloatArray } from "./nn.js";

const param = (p: FloatArray | null, c: number, otherwise: number) => (p ? p[c] : otherwise);

export function batchNorm2dTrainForward(
  x: FloatArray, N: number, C: number, HW: number, w: FloatArray | null, b: FloatArray | null, y: FloatArray,
  mean: FloatArray, invstd: FloatArray, runMean: FloatArray | null, runVar: FloatArray | null, momentum: number, eps: number,
): number {
  const count = N * HW;
  const stats: [number, number][] = [];
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) for (let k = 0, o = (n * C + c) * HW; k < HW; k++) s += x[o + k];
    const m = s / count;
    let q = 0;
    for (let n = 0; n < N; n++) for (let k = 0, o = (n * C + c) * HW; k < HW; k++) q += (x[o + k] - m) ** 2;
    if (!Number.isFinite(m) || !Number.isFinite(q)) return c;
    stats.push([m, q]);
  }
  for (let c = 0; c < C; c++) {
    const [m, q] = stats[c];
    if (runMean && runVar) {
      runMean[c] = (1 - momentum) * runMean[c] + momentum * m;
      runVar[c] = (1 - momentum) * runVar[c] + momentum * (count > 1 ? q / (count - 1) : q);
    }
    const is = 1 / Math.sqrt(q / count + eps);
    mean[c] = m;
    invstd[c] = is;
    for (let n = 0; n < N; n++) {
      for (let k = 0, o = (n * C + c) * HW; k < HW; k++) y[o + k] = (x[o + k] - m) * is * param(w, c, 1) + param(b, c, 0);
    }
  }
  return -1;
}

export function batchNorm2dEvalForward(
  x: FloatArray, N: number, C: number, HW: number, w: FloatArray | null, b: FloatArray | null, y: FloatArray,
  runMean: FloatArray, runVar: FloatArray, eps: number, invstd: FloatArray,
): void {
  for (let c = 0; c < C; c++) {
    const is = 1 / Math.sqrt(runVar[c] + eps);
    invstd[c] = is;
    for (let n = 0; n < N; n++) {
      for (let k = 0, o = (n * C + c) * HW; k < HW; k++) y[o + k] = (x[o + k] - runMean[c]) * is * param(w, c, 1) + param(b, c, 0);
    }
  }
}

export function batchNorm2dBackward(
  x: FloatArray, dy: FloatArray, N: number, C: number, HW: number, mean: FloatArray, invstd: FloatArray, w: FloatArray | null,
  dx: FloatArray | null, dxAcc: number, dw: FloatArray | null, db: FloatArray | null, paramAcc: number, batchStats: number,
): void {
  const count = N * HW;
  for (let c = 0; c < C; c++) {
    const m = mean[c], is = invstd[c];
    let A = 0, B = 0;
    for (let n = 0; n < N; n++) {
      for (let k = 0, o = (n * C + c) * HW; k < HW; k++) {
        A += dy[o + k];
        B += dy[o + k] * (x[o + k] - m) * is;
      }
    }
    if (dw) dw[c] = paramAcc ? dw[c] + B : B;
    if (db) db[c] = paramAcc ? db[c] + A : A;
    if (!dx) continue;
    const a = batchStats ? A / count : 0, bb = batchStats ? B / count : 0;
    const s = param(w, c, 1) * is;
    for (let n = 0; n < N; n++) {
      for (let k = 0, o = (n * C + c) * HW; k < HW; k++) {
        const g = (dy[o + k] - a - (x[o + k] - m) * is * bb) * s;
        dx[o + k] = dxAcc ? dx[o + k] + g : g;
      }
    }
  }
}

export function groupNormForward(
  x: FloatArray, N: number, C: number, HW: number, G: number, w: FloatArray | null, b: FloatArray | null, y: FloatArray,
  mean: FloatArray, rstd: FloatArray, eps: number,
): number {
  const Cg = C / G, D = Cg * HW;
  for (let r = 0; r < N * G; r++) {
    let s = 0;
    for (let k = 0; k < D; k++) s += x[r * D + k];
    const m = s / D;
    let q = 0;
    for (let k = 0; k < D; k++) q += (x[r * D + k] - m) ** 2;
    if (!Number.isFinite(m) || !Number.isFinite(q)) return r;
    const rs = 1 / Math.sqrt(q / D + eps);
    mean[r] = m;
    rstd[r] = rs;
    const c0 = (r % G) * Cg;
    for (let k = 0; k < D; k++) {
      const c = c0 + Math.floor(k / HW);
      y[r * D + k] = (x[r * D + k] - m) * rs * param(w, c, 1) + param(b, c, 0);
    }
  }
  return -1;
}

export function groupNormBackward(
  x: FloatArray, dy: FloatArray, N: number, C: number, HW: number, G: number, mean: FloatArray, rstd: FloatArray,
  w: FloatArray | null, dx: FloatArray | null, dxAcc: number, dw: FloatArray | null, db: FloatArray | null, paramAcc: number,
): void {
  const Cg = C / G, D = Cg * HW;
  const A = new Float64Array(C), B = new Float64Array(C);
  for (let r = 0; r < N * G; r++) {
    const m = mean[r], rs = rstd[r], c0 = (r % G) * Cg;
    let ma = 0, mb = 0;
    for (let k = 0; k < D; k++) {
      const c = c0 + Math.floor(k / HW);
      const xh = (x[r * D + k] - m) * rs;
      A[c] += dy[r * D + k];
      B[c] += dy[r * D + k] * xh;
      ma += dy[r * D + k] * param(w, c, 1);
      mb += dy[r * D + k] * param(w, c, 1) * xh;
    }
    ma /= D;
    mb /= D;
    if (!dx) continue;
    for (let k = 0; k < D; k++) {
      const c = c0 + Math.floor(k / HW);
      const xh = (x[r * D + k] - m) * rs;
      const g = rs * (dy[r * D + k] * param(w, c, 1) - ma - xh * mb);
      dx[r * D + k] = dxAcc ? dx[r * D + k] + g : g;
    }
  }
  for (let c = 0; c < C; c++) {
    if (dw) dw[c] = paramAcc ? dw[c] + B[c] : B[c];
    if (db) db[c] = paramAcc ? db[c] + A[c] : A[c];
  }
}

export function scalePlanes(x: FloatArray, s: FloatArray, y: FloatArray, planes: number, HW: number, acc: number): void {
  for (let p = 0; p < planes; p++) {
    for (let k = 0, o = p * HW; k < HW; k++) y[o + k] = acc ? y[o + k] + x[o + k] * s[p] : x[o + k] * s[p];
  }
}
