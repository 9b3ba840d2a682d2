// Pure-JS twins of the nn kernels (assembly/elementwise.ts, assembly/reduce.ts):
// the pure-JS build's implementation and the tests' oracle. They take typed
// arrays and work in float64 arithmetic, so handed Float64Arrays they are the
// float64 reference the finite-difference checks use; handed Float32Arrays they
// round only on store. exp and tanh are Math's; erf/erfc are accurate to ~1e-15
// (the WebAssembly kernels use their own polynomials, within the errors stated
// in assembly/simdmath.ts).
export type FloatArray = Float32Array | Float64Array;

export function biasAddRows(x: FloatArray, bias: FloatArray, y: FloatArray, rows: number, cols: number): void {
  for (let i = 0, k = 0; i < rows; i++) for (let j = 0; j < cols; j++, k++) y[k] = x[k] + bias[j];
}

export function reluForward(x: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
}

export function reluBackward(y: FloatArray, dy: FloatArray, dx: FloatArray, n: number, acc: number): void {
  for (let i = 0; i < n; i++) {
    const g = y[i] > 0 ? dy[i] : 0;
    dx[i] = acc ? dx[i] + g : g;
  }
}

export function leakyReluForward(x: FloatArray, y: FloatArray, n: number, slope: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : x[i] * slope;
}

export function leakyReluBackward(x: FloatArray, dy: FloatArray, dx: FloatArray, n: number, slope: number, acc: number): void {
  for (let i = 0; i < n; i++) {
    const g = x[i] > 0 ? dy[i] : dy[i] * slope;
    dx[i] = acc ? dx[i] + g : g;
  }
}

export function tanhForward(x: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
}

export function tanhBackward(y: FloatArray, dy: FloatArray, dx: FloatArray, n: number, acc: number): void {
  for (let i = 0; i < n; i++) {
    const g = dy[i] * (1 - y[i] * y[i]);
    dx[i] = acc ? dx[i] + g : g;
  }
}

export function sigmoidForward(x: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
}

export function sigmoidBackward(y: FloatArray, dy: FloatArray, dx: FloatArray, n: number, acc: number): void {
  for (let i = 0; i < n; i++) {
    const g = dy[i] * y[i] * (1 - y[i]);
    dx[i] = acc ? dx[i] + g : g;
  }
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** erf(x) in float64 (~1e-15): erf = 1 − erfc for |x| ≥ 2.5, the Maclaurin series below. */
export function erf(x: number): number {
  if (Math.abs(x) >= 2.5) return x > 0 ? 1 - erfcTail(x) : erfcTail(-x) - 1;
  const x2 = x * x;
  let term = x;
  let sum = x;
  // Terms shrink once n > x²; cancellation costs < 3 digits for |x| < 2.5.
  for (let n = 1; n < 60; n++) {
    term *= -x2 / n;
    const t = term / (2 * n + 1);
    sum += t;
    if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * sum;
}

/** erfc(z) for z ≥ 2.5: e^{−z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))), evaluated bottom-up. */
function erfcTail(z: number): number {
  let f = z;
  for (let k = 60; k >= 1; k--) f = z + k / 2 / f;
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
}

/** erfc(x) in float64, relative accuracy kept in the tail (no 1 − erf cancellation there). */
export function erfc(x: number): number {
  return x >= 2.5 ? erfcTail(x) : 1 - erf(x);
}

/** Φ(x), the standard normal CDF: ½erfc(−x/√2), accurate relative to its value for x ≪ 0. */
function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

const INV_SQRT_2PI = 0.3989422804014327;

export function geluForward(x: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i] * normalCdf(x[i]);
}

export function geluBackward(x: FloatArray, dy: FloatArray, dx: FloatArray, n: number, acc: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const g = dy[i] * (normalCdf(v) + v * Math.exp(-0.5 * v * v) * INV_SQRT_2PI);
    dx[i] = acc ? dx[i] + g : g;
  }
}

/** 2·√(2/π) and 2·√(2/π)·0.044715 (see assembly/elementwise.ts: y = x·σ(x·(A + B·x²))). */
const GELU_TANH_A = 1.5957691216057308;
const GELU_TANH_B = 0.07135481627260025;

export function geluTanhForward(x: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const c = Math.min(Math.max(v, -20), 20);
    y[i] = v / (1 + Math.exp(-c * (GELU_TANH_A + GELU_TANH_B * c * c)));
  }
}

export function geluTanhBackward(x: FloatArray, dy: FloatArray, dx: FloatArray, n: number, acc: number): void {
  for (let i = 0; i < n; i++) {
    const v = Math.min(Math.max(x[i], -20), 20);
    const v2 = v * v;
    const e = Math.exp(-v * (GELU_TANH_A + GELU_TANH_B * v2));
    const s = 1 / (1 + e);
    const g = dy[i] * (s + v * s * s * e * (GELU_TANH_A + 3 * GELU_TANH_B * v2));
    dx[i] = acc ? dx[i] + g : g;
  }
}

export function mulInto(a: FloatArray, b: FloatArray, out: FloatArray, n: number, acc: number): void {
  for (let i = 0; i < n; i++) out[i] = acc ? out[i] + a[i] * b[i] : a[i] * b[i];
}

export function batchTranspose(src: FloatArray, out: FloatArray, batch: number, rows: number, cols: number, acc: number): void {
  const size = rows * cols;
  for (let b = 0; b < batch; b++) {
    const o = b * size;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const v = src[o + i * cols + j];
        const p = o + j * rows + i;
        out[p] = acc ? out[p] + v : v;
      }
    }
  }
}

export function scaleInto(src: FloatArray, out: FloatArray, n: number, alpha: number, acc: number): void {
  for (let i = 0; i < n; i++) out[i] = acc ? out[i] + alpha * src[i] : alpha * src[i];
}

export function firstNaN(x: FloatArray, n: number): number {
  for (let i = 0; i < n; i++) if (x[i] !== x[i]) return i;
  return -1;
}

export function columnSums(x: FloatArray, out: FloatArray, rows: number, cols: number, acc: number): void {
  if (!acc) out.fill(0, 0, cols);
  for (let i = 0, k = 0; i < rows; i++) for (let j = 0; j < cols; j++, k++) out[j] += x[k];
}

/** See assembly/reduce.ts for the formulas (class weights `weights`, ignored rows labelled −1). */
export function softmaxCrossEntropy(
  logits: FloatArray, labels: Int32Array, N: number, C: number, grad: FloatArray, losses: FloatArray | null,
  smoothing: number, gradScale: number, weights: FloatArray | null = null,
): number {
  let total = 0;
  const onC = smoothing / C;
  let wTotal = 0;
  if (weights) for (let j = 0; j < C; j++) wTotal += weights[j];
  for (let i = 0; i < N; i++) {
    const o = i * C;
    const y = labels[i];
    if (y < 0) {
      grad.fill(0, o, o + C);
      if (losses) losses[i] = 0;
      continue;
    }
    let mx = -Infinity;
    let sumX = 0;
    for (let j = 0; j < C; j++) {
      const v = logits[o + j];
      if (v > mx || v !== v) mx = v;
      sumX += weights ? v * weights[j] : v;
    }
    let s = 0;
    for (let j = 0; j < C; j++) {
      const e = Math.exp(logits[o + j] - mx);
      grad[o + j] = e;
      s += e;
    }
    const wy = weights ? weights[y] : 1;
    const mass = weights ? (1 - smoothing) * wy + onC * wTotal : 1;
    const loss = mass * (mx + Math.log(s)) - (1 - smoothing) * wy * logits[o + y] - onC * sumX;
    total += loss;
    if (losses) losses[i] = loss;
    const scale = (gradScale * mass) / s;
    for (let j = 0; j < C; j++) grad[o + j] = grad[o + j] * scale - onC * gradScale * (weights ? weights[j] : 1);
    grad[o + y] -= (1 - smoothing) * wy * gradScale;
  }
  return total;
}

export function mseLoss(a: FloatArray, b: FloatArray, grad: FloatArray, losses: FloatArray | null, n: number, gradScale: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    total += d * d;
    grad[i] = 2 * gradScale * d;
    if (losses) losses[i] = d * d;
  }
  return total;
}

function normalize(
  x: FloatArray, N: number, C: number, w: FloatArray | null, b: FloatArray | null, y: FloatArray, mean: FloatArray, invstd: FloatArray,
): void {
  for (let i = 0, k = 0; i < N; i++) {
    for (let j = 0; j < C; j++, k++) {
      const xh = (x[k] - mean[j]) * invstd[j];
      y[k] = xh * (w ? w[j] : 1) + (b ? b[j] : 0);
    }
  }
}

export function batchNormTrainForward(
  x: FloatArray, N: number, C: number, w: FloatArray | null, b: FloatArray | null, y: FloatArray, mean: FloatArray,
  invstd: FloatArray, runMean: FloatArray | null, runVar: FloatArray | null, momentum: number, eps: number,
): number {
  const sum = new Float64Array(C);
  for (let i = 0, k = 0; i < N; i++) for (let j = 0; j < C; j++, k++) sum[j] += x[k];
  for (let j = 0; j < C; j++) mean[j] = sum[j] / N;
  sum.fill(0);
  for (let i = 0, k = 0; i < N; i++) {
    for (let j = 0; j < C; j++, k++) {
      const d = x[k] - mean[j];
      sum[j] += d * d;
    }
  }
  for (let j = 0; j < C; j++) if (!Number.isFinite(mean[j]) || !Number.isFinite(sum[j])) return j;
  const unbias = N > 1 ? N / (N - 1) : 1;
  for (let j = 0; j < C; j++) {
    const v = sum[j] / N;
    if (runMean && runVar) {
      runMean[j] = (1 - momentum) * runMean[j] + momentum * mean[j];
      runVar[j] = (1 - momentum) * runVar[j] + momentum * v * unbias;
    }
    invstd[j] = 1 / Math.sqrt(v + eps);
  }
  normalize(x, N, C, w, b, y, mean, invstd);
  return -1;
}

export function batchNormEvalForward(
  x: FloatArray, N: number, C: number, w: FloatArray | null, b: FloatArray | null, y: FloatArray,
  runMean: FloatArray, runVar: FloatArray, eps: number, invstd: FloatArray,
): void {
  for (let j = 0; j < C; j++) invstd[j] = 1 / Math.sqrt(runVar[j] + eps);
  normalize(x, N, C, w, b, y, runMean, invstd);
}

export function batchNormBackward(
  x: FloatArray, dy: FloatArray, N: number, C: number, mean: FloatArray, invstd: FloatArray, w: FloatArray | null,
  sums: FloatArray, dx: FloatArray | null, dxAcc: number, dw: FloatArray | null, db: FloatArray | null,
  paramAcc: number, batchStats: number,
): void {
  sums.fill(0, 0, 2 * C);
  for (let i = 0, k = 0; i < N; i++) {
    for (let j = 0; j < C; j++, k++) {
      sums[j] += dy[k];
      sums[C + j] += dy[k] * (x[k] - mean[j]) * invstd[j];
    }
  }
  for (let j = 0; j < C; j++) {
    if (dw) dw[j] = paramAcc ? dw[j] + sums[C + j] : sums[C + j];
    if (db) db[j] = paramAcc ? db[j] + sums[j] : sums[j];
  }
  if (!dx) return;
  const invN = batchStats ? 1 / N : 0;
  for (let i = 0, k = 0; i < N; i++) {
    for (let j = 0; j < C; j++, k++) {
      const xh = (x[k] - mean[j]) * invstd[j];
      const g = (w ? w[j] : 1) * invstd[j] * (dy[k] - sums[j] * invN - xh * sums[C + j] * invN);
      dx[k] = dxAcc ? dx[k] + g : g;
    }
  }
}

export function layerNormForward(
  x: FloatArray, rows: number, D: number, w: FloatArray | null, b: FloatArray | null, y: FloatArray,
  mean: FloatArray, rstd: FloatArray, eps: number,
): number {
  let bad = -1;
  for (let i = 0; i < rows; i++) {
    const o = i * D;
    let s = 0;
    for (let j = 0; j < D; j++) s += x[o + j];
    const m = s / D;
    let q = 0;
    for (let j = 0; j < D; j++) {
      const d = x[o + j] - m;
      q += d * d;
    }
    const v = q / D;
    if (bad < 0 && !(Number.isFinite(m) && Number.isFinite(v))) bad = i;
    const r = 1 / Math.sqrt(v + eps);
    mean[i] = m;
    rstd[i] = r;
    for (let j = 0; j < D; j++) y[o + j] = (x[o + j] - m) * r * (w ? w[j] : 1) + (b ? b[j] : 0);
  }
  return bad;
}

export function layerNormBackward(
  x: FloatArray, dy: FloatArray, rows: number, D: number, mean: FloatArray, rstd: FloatArray, w: FloatArray | null,
  dx: FloatArray | null, dxAcc: number, dw: FloatArray | null, db: FloatArray | null, paramAcc: number,
): void {
  if (!paramAcc) {
    dw?.fill(0, 0, D);
    db?.fill(0, 0, D);
  }
  for (let i = 0; i < rows; i++) {
    const o = i * D;
    const m = mean[i];
    const r = rstd[i];
    let sg = 0;
    let sgx = 0;
    for (let j = 0; j < D; j++) {
      const d = dy[o + j];
      const xh = (x[o + j] - m) * r;
      const g = d * (w ? w[j] : 1);
      sg += g;
      sgx += g * xh;
      if (dw) dw[j] += d * xh;
      if (db) db[j] += d;
    }
    if (!dx) continue;
    const a = sg / D;
    const c = sgx / D;
    for (let j = 0; j < D; j++) {
      const xh = (x[o + j] - m) * r;
      const g = r * (dy[o + j] * (w ? w[j] : 1) - a - xh * c);
      dx[o + j] = dxAcc ? dx[o + j] + g : g;
    }
  }
}
