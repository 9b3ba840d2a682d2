// Normalisations over NCHW tensors, x [N, C, HW] (HW = H·W, or L for 1-d
// layers): BatchNorm2d (per channel over N and HW), GroupNorm (per sample and
// group of C/G channels, over those channels' HW values; InstanceNorm is the
// G = C case) and the per-plane scaling of Dropout2d.
//
// Sums run in 4-lane float32 along each contiguous HW row and are combined in
// float64 across rows; variances are two-pass (centred squares). Kernels that
// take `acc` write (0) or add into (1) gradient buffers; a null pointer (0)
// means "not needed" (weight/bias null: 1 and 0).
import { threadLocal, TLS_NORM_SUMS } from "./thread_local";

/** Σ row[0, n) in 4 float32 lanes, then float64. */
// @ts-ignore: decorator
@inline
function rowSum(row: usize, n: i32): f64 {
  let s = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= n; k += 4) s = f32x4.add(s, v128.load(row + (<usize>k << 2)));
  let t = <f64>f32x4.extract_lane(s, 0) + <f64>f32x4.extract_lane(s, 1) + <f64>f32x4.extract_lane(s, 2) + <f64>f32x4.extract_lane(s, 3);
  for (; k < n; k++) t += <f64>load<f32>(row + (<usize>k << 2));
  return t;
}

/** Σ (row[k] − m)² over [0, n). */
// @ts-ignore: decorator
@inline
function rowCentredSquares(row: usize, n: i32, m: f32): f64 {
  const mv = f32x4.splat(m);
  let s = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const d = f32x4.sub(v128.load(row + (<usize>k << 2)), mv);
    s = f32x4.add(s, f32x4.mul(d, d));
  }
  let t = <f64>f32x4.extract_lane(s, 0) + <f64>f32x4.extract_lane(s, 1) + <f64>f32x4.extract_lane(s, 2) + <f64>f32x4.extract_lane(s, 3);
  for (; k < n; k++) {
    const d = load<f32>(row + (<usize>k << 2)) - m;
    t += <f64>(d * d);
  }
  return t;
}

/** Σ dy[k] and Σ dy[k]·(x[k] − m)·r over a row, into sums[0], sums[1]. */
// @ts-ignore: decorator
@inline
function rowGradSums(x: usize, dy: usize, n: i32, m: f32, r: f32, out: StaticArray<f64>): void {
  const mv = f32x4.splat(m);
  const rv = f32x4.splat(r);
  let a = f32x4.splat(0);
  let b = f32x4.splat(0);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    const g = v128.load(dy + o);
    a = f32x4.add(a, g);
    b = f32x4.add(b, f32x4.mul(g, f32x4.mul(f32x4.sub(v128.load(x + o), mv), rv)));
  }
  let ta = <f64>f32x4.extract_lane(a, 0) + <f64>f32x4.extract_lane(a, 1) + <f64>f32x4.extract_lane(a, 2) + <f64>f32x4.extract_lane(a, 3);
  let tb = <f64>f32x4.extract_lane(b, 0) + <f64>f32x4.extract_lane(b, 1) + <f64>f32x4.extract_lane(b, 2) + <f64>f32x4.extract_lane(b, 3);
  for (; k < n; k++) {
    const o = <usize>k << 2;
    const g = load<f32>(dy + o);
    ta += <f64>g;
    tb += <f64>(g * ((load<f32>(x + o) - m) * r));
  }
  unchecked((out[0] += ta));
  unchecked((out[1] += tb));
}

/** rowGradSums' two sums, in thread-local scratch (see thread_local.ts). */
// @ts-ignore: decorator
@inline function sumsScratch(): StaticArray<f64> {
  return changetype<StaticArray<f64>>(threadLocal(TLS_NORM_SUMS));
}

/** y[k] = x[k]·scale + shift over a row. */
// @ts-ignore: decorator
@inline
function rowAffine(x: usize, y: usize, n: i32, scale: f32, shift: f32): void {
  const sv = f32x4.splat(scale);
  const bv = f32x4.splat(shift);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    v128.store(y + o, f32x4.add(f32x4.mul(v128.load(x + o), sv), bv));
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    store<f32>(y + o, load<f32>(x + o) * scale + shift);
  }
}

/** dx[k] (+)= (dy[k] − a − (x[k] − m)·r·b)·s over a row. */
// @ts-ignore: decorator
@inline
function rowInputGrad(x: usize, dy: usize, dx: usize, n: i32, m: f32, r: f32, a: f32, b: f32, s: f32, acc: i32): void {
  const mv = f32x4.splat(m);
  const rv = f32x4.splat(r);
  const av = f32x4.splat(a);
  const bv = f32x4.splat(b);
  const sv = f32x4.splat(s);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    const xh = f32x4.mul(f32x4.sub(v128.load(x + o), mv), rv);
    let g = f32x4.mul(f32x4.sub(f32x4.sub(v128.load(dy + o), av), f32x4.mul(xh, bv)), sv);
    if (acc) g = f32x4.add(g, v128.load(dx + o));
    v128.store(dx + o, g);
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    const g = (load<f32>(dy + o) - a - (load<f32>(x + o) - m) * r * b) * s;
    store<f32>(dx + o, acc ? load<f32>(dx + o) + g : g);
  }
}

// @ts-ignore: decorator
@inline
function param(p: usize, c: i32, otherwise: f32): f32 {
  return p ? load<f32>(p + (<usize>c << 2)) : otherwise;
}

/**
 * BatchNorm2d in training: per channel the batch mean and biased variance
 * over N·HW values, invstd = 1/√(var + eps), y = (x − mean)·invstd·w + b;
 * mean and invstd are kept for backward. runMean/runVar (null: not tracked)
 * move by `momentum` toward the mean and the unbiased variance. Returns the
 * first channel whose statistics are not finite (nothing updated), or -1.
 */
export function batchNorm2dTrainForward(
  x: usize, N: i32, C: i32, HW: i32, w: usize, b: usize, y: usize, mean: usize, invstd: usize,
  runMean: usize, runVar: usize, momentum: f32, eps: f32,
): i32 {
  const count = <f64>N * <f64>HW;
  const plane = <usize>HW << 2;
  const sample = <usize>C * plane;
  for (let c = 0; c < C; c++) {
    let s: f64 = 0;
    for (let n = 0; n < N; n++) s += rowSum(x + <usize>n * sample + <usize>c * plane, HW);
    const m = <f32>(s / count);
    let q: f64 = 0;
    for (let n = 0; n < N; n++) q += rowCentredSquares(x + <usize>n * sample + <usize>c * plane, HW, m);
    if (!isFinite(m) || !isFinite(q)) return c;
    store<f32>(mean + (<usize>c << 2), m);
    store<f32>(invstd + (<usize>c << 2), <f32>q);
  }
  for (let c = 0; c < C; c++) {
    const o = <usize>c << 2;
    const m = load<f32>(mean + o);
    const q = <f64>load<f32>(invstd + o);
    const v = <f32>(q / count);
    if (runMean) {
      const unbiased = <f32>(count > 1 ? q / (count - 1) : q);
      store<f32>(runMean + o, (1 - momentum) * load<f32>(runMean + o) + momentum * m);
      store<f32>(runVar + o, (1 - momentum) * load<f32>(runVar + o) + momentum * unbiased);
    }
    const is: f32 = <f32>1 / Mathf.sqrt(v + eps);
    store<f32>(invstd + o, is);
    const scale = is * param(w, c, 1);
    const shift = param(b, c, 0) - m * scale;
    for (let n = 0; n < N; n++) {
      const off = <usize>n * sample + <usize>c * plane;
      rowAffine(x + off, y + off, HW, scale, shift);
    }
  }
  return -1;
}

/** BatchNorm2d with the running statistics: y = (x − runMean)·invstd·w + b; invstd is written. */
export function batchNorm2dEvalForward(
  x: usize, N: i32, C: i32, HW: i32, w: usize, b: usize, y: usize, runMean: usize, runVar: usize, eps: f32, invstd: usize,
): void {
  const plane = <usize>HW << 2;
  const sample = <usize>C * plane;
  for (let c = 0; c < C; c++) {
    const o = <usize>c << 2;
    const is: f32 = <f32>1 / Mathf.sqrt(load<f32>(runVar + o) + eps);
    store<f32>(invstd + o, is);
    const scale = is * param(w, c, 1);
    const shift = param(b, c, 0) - load<f32>(runMean + o) * scale;
    for (let n = 0; n < N; n++) {
      const off = <usize>n * sample + <usize>c * plane;
      rowAffine(x + off, y + off, HW, scale, shift);
    }
  }
}

/**
 * BatchNorm2d backward: with x̂ = (x − mean)·invstd, dw (+)= Σ dy·x̂,
 * db (+)= Σ dy, and dx (+)= (dy − Σdy/M − x̂·Σ(dy·x̂)/M)·w·invstd over the
 * M = N·HW values of a channel (batch statistics), or dy·w·invstd (running
 * statistics, batchStats = 0).
 */
export function batchNorm2dBackward(
  x: usize, dy: usize, N: i32, C: i32, HW: i32, mean: usize, invstd: usize, w: usize,
  dx: usize, dxAcc: i32, dw: usize, db: usize, paramAcc: i32, batchStats: i32,
): void {
  const sums = sumsScratch();
  const count = <f64>N * <f64>HW;
  const plane = <usize>HW << 2;
  const sample = <usize>C * plane;
  for (let c = 0; c < C; c++) {
    const o = <usize>c << 2;
    const m = load<f32>(mean + o);
    const is = load<f32>(invstd + o);
    unchecked((sums[0] = 0));
    unchecked((sums[1] = 0));
    for (let n = 0; n < N; n++) {
      const off = <usize>n * sample + <usize>c * plane;
      rowGradSums(x + off, dy + off, HW, m, is, sums);
    }
    const A = <f32>unchecked(sums[0]);
    const B = <f32>unchecked(sums[1]);
    if (dw) store<f32>(dw + o, paramAcc ? load<f32>(dw + o) + B : B);
    if (db) store<f32>(db + o, paramAcc ? load<f32>(db + o) + A : A);
    if (!dx) continue;
    const a = batchStats ? <f32>(<f64>A / count) : 0;
    const bb = batchStats ? <f32>(<f64>B / count) : 0;
    const s = param(w, c, 1) * is;
    for (let n = 0; n < N; n++) {
      const off = <usize>n * sample + <usize>c * plane;
      rowInputGrad(x + off, dy + off, dx + off, HW, m, is, a, bb, s, dxAcc);
    }
  }
}

/**
 * GroupNorm: per sample n and group g (channels [g·C/G, (g+1)·C/G), one
 * contiguous row of D = (C/G)·HW values) the mean and biased variance,
 * rstd = 1/√(var + eps), y = (x − mean)·rstd·w[c] + b[c]. mean and rstd
 * ([N·G]) are kept for backward. Returns the first non-finite row, or -1.
 */
export function groupNormForward(
  x: usize, N: i32, C: i32, HW: i32, G: i32, w: usize, b: usize, y: usize, mean: usize, rstd: usize, eps: f32,
): i32 {
  const Cg = C / G;
  const D = Cg * HW;
  for (let r = 0; r < N * G; r++) {
    const row = x + (<usize>r * D << 2);
    const m = <f32>(rowSum(row, D) / <f64>D);
    const q = rowCentredSquares(row, D, m);
    if (!isFinite(m) || !isFinite(q)) return r;
    const rs: f32 = <f32>1 / Mathf.sqrt(<f32>(q / <f64>D) + eps);
    store<f32>(mean + (<usize>r << 2), m);
    store<f32>(rstd + (<usize>r << 2), rs);
    const c0 = (r % G) * Cg;
    for (let j = 0; j < Cg; j++) {
      const scale = rs * param(w, c0 + j, 1);
      const shift = param(b, c0 + j, 0) - m * scale;
      const off = <usize>(j * HW) << 2;
      rowAffine(row + off, y + (<usize>r * D << 2) + off, HW, scale, shift);
    }
  }
  return -1;
}

/**
 * GroupNorm backward: dw[c] (+)= Σ dy·x̂, db[c] (+)= Σ dy over samples and
 * positions; dx (+)= rstd·(g − mean(g) − x̂·mean(g·x̂)) per row, g = dy·w[c].
 */
export function groupNormBackward(
  x: usize, dy: usize, N: i32, C: i32, HW: i32, G: i32, mean: usize, rstd: usize, w: usize,
  dx: usize, dxAcc: i32, dw: usize, db: usize, paramAcc: i32,
): void {
  const sums = sumsScratch();
  const Cg = C / G;
  const D = Cg * HW;
  const plane = <usize>HW << 2;
  const sample = <usize>C * plane;
  if (dw || db) {
    for (let c = 0; c < C; c++) {
      const o = <usize>c << 2;
      unchecked((sums[0] = 0));
      unchecked((sums[1] = 0));
      for (let n = 0; n < N; n++) {
        const r = n * G + c / Cg;
        const off = <usize>n * sample + <usize>c * plane;
        rowGradSums(x + off, dy + off, HW, load<f32>(mean + (<usize>r << 2)), load<f32>(rstd + (<usize>r << 2)), sums);
      }
      const A = <f32>unchecked(sums[0]);
      const B = <f32>unchecked(sums[1]);
      if (dw) store<f32>(dw + o, paramAcc ? load<f32>(dw + o) + B : B);
      if (db) store<f32>(db + o, paramAcc ? load<f32>(db + o) + A : A);
    }
  }
  if (!dx) return;
  for (let r = 0; r < N * G; r++) {
    const m = load<f32>(mean + (<usize>r << 2));
    const rs = load<f32>(rstd + (<usize>r << 2));
    const c0 = (r % G) * Cg;
    // mean(g) and mean(g·x̂) over the row, g = dy·w[c].
    let a: f64 = 0;
    let bsum: f64 = 0;
    for (let j = 0; j < Cg; j++) {
      unchecked((sums[0] = 0));
      unchecked((sums[1] = 0));
      const off = (<usize>r * D << 2) + (<usize>(j * HW) << 2);
      rowGradSums(x + off, dy + off, HW, m, rs, sums);
      const wc = <f64>param(w, c0 + j, 1);
      a += wc * unchecked(sums[0]);
      bsum += wc * unchecked(sums[1]);
    }
    const ma = <f32>(a / <f64>D);
    const mb = <f32>(bsum / <f64>D);
    for (let j = 0; j < Cg; j++) {
      const wc = param(w, c0 + j, 1);
      const off = (<usize>r * D << 2) + (<usize>(j * HW) << 2);
      rowGroupGrad(x + off, dy + off, dx + off, HW, m, rs, wc, ma, mb, dxAcc);
    }
  }
}

/** dx[k] (+)= rstd·(dy[k]·w − ma − (x[k] − m)·rstd·mb) over a row. */
// @ts-ignore: decorator
@inline
function rowGroupGrad(x: usize, dy: usize, dx: usize, n: i32, m: f32, rs: f32, wc: f32, ma: f32, mb: f32, acc: i32): void {
  const mv = f32x4.splat(m);
  const rv = f32x4.splat(rs);
  const wv = f32x4.splat(wc);
  const av = f32x4.splat(ma);
  const bv = f32x4.splat(mb);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const o = <usize>k << 2;
    const xh = f32x4.mul(f32x4.sub(v128.load(x + o), mv), rv);
    let g = f32x4.mul(f32x4.sub(f32x4.sub(f32x4.mul(v128.load(dy + o), wv), av), f32x4.mul(xh, bv)), rv);
    if (acc) g = f32x4.add(g, v128.load(dx + o));
    v128.store(dx + o, g);
  }
  for (; k < n; k++) {
    const o = <usize>k << 2;
    const g = (load<f32>(dy + o) * wc - ma - (load<f32>(x + o) - m) * rs * mb) * rs;
    store<f32>(dx + o, acc ? load<f32>(dx + o) + g : g);
  }
}

/** y[p, k] (+)= x[p, k]·s[p] for planes p of HW values (Dropout2d's masks, and their gradient). */
export function scalePlanes(x: usize, s: usize, y: usize, planes: i32, HW: i32, acc: i32): void {
  for (let p = 0; p < planes; p++) {
    const off = <usize>p * HW << 2;
    const sv = f32x4.splat(load<f32>(s + (<usize>p << 2)));
    let k = 0;
    for (; k + 4 <= HW; k += 4) {
      const o = off + (<usize>k << 2);
      let v = f32x4.mul(v128.load(x + o), sv);
      if (acc) v = f32x4.add(v, v128.load(y + o));
      v128.store(y + o, v);
    }
    for (; k < HW; k++) {
      const o = off + (<usize>k << 2);
      const v = load<f32>(x + o) * f32x4.extract_lane(sv, 0);
      store<f32>(y + o, acc ? load<f32>(y + o) + v : v);
    }
  }
}

/** Runs the normalisation kernels on a small [2, 4, 5·5] tensor. */
export function warmupNorm(scratch: usize, scratchBytes: i32): void {
  const n = 2 * 4 * 25;
  const x = scratch;
  const y = x + n * 4;
  const g = y + n * 4;
  const stats = g + n * 4;
  if (<i32>(stats + 64 * 4 - scratch) > scratchBytes) return;
  for (let i = 0; i < n; i++) store<f32>(x + (<usize>i << 2), <f32>((i * 5) % 9) * 0.5);
  const mean = stats;
  const inv = stats + 8 * 4;
  const rm = stats + 16 * 4;
  const rv = stats + 24 * 4;
  const dw = stats + 32 * 4;
  const db = stats + 40 * 4;
  for (let c = 0; c < 4; c++) store<f32>(rv + (<usize>c << 2), 1);
  batchNorm2dTrainForward(x, 2, 4, 25, 0, 0, y, mean, inv, rm, rv, 0.1, 1e-5);
  batchNorm2dBackward(x, y, 2, 4, 25, mean, inv, 0, g, 0, dw, db, 0, 1);
  batchNorm2dEvalForward(x, 2, 4, 25, 0, 0, y, rm, rv, 1e-5, inv);
  groupNormForward(x, 2, 4, 25, 2, 0, 0, y, mean, inv, 1e-5);
  groupNormBackward(x, y, 2, 4, 25, 2, mean, inv, 0, g, 1, dw, db, 1);
  scalePlanes(x, rv, y, 4, 25, 0);
}
