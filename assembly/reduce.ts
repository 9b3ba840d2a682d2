// Reductions for the nn layers: column sums (bias gradient), the fused softmax
// cross-entropy, MSE, and the batch- and layer-normalisation passes, whose
// statistics are reductions over rows (BatchNorm1d, per feature) or within a
// row (LayerNorm). Row-major matrices; one call per tensor.
//
// Kernels that both fill an output and take `acc` write (acc = 0) or add into
// (acc = 1) gradient buffers. A null pointer (0) means "not needed".
import { ld, st, stGrad, expV, lanesBelow, hsum, hmax, addF64 } from "./simdmath";

@inline function zeroFill(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n << 2);
}

// ---------------------------------------------------------------- sums

/** out[j] (+)= Σ_i x[i, j] over a rows × cols matrix (the bias gradient). */
export function columnSums(x: usize, out: usize, rows: i32, cols: i32, acc: i32): void {
  if (!acc) zeroFill(out, cols);
  for (let i = 0; i < rows; i++) {
    const row = x + (<usize>i * cols << 2);
    for (let j = 0; j < cols; j += 4) {
      const rest = cols - j;
      const o = <usize>j << 2;
      st(out + o, f32x4.add(ld(out + o, rest), ld(row + o, rest)), rest);
    }
  }
}

// ---------------------------------------------------------------- losses

/**
 * Softmax cross-entropy over the rows of logits [N, C] with integer labels,
 * forward and backward in one pass. With smoothing ε, the target is
 * (1 − ε)·onehot + ε/C, so row i's loss is
 *   lse_i − (1 − ε)·x[i, y_i] − (ε/C)·Σ_c x[i, c],  lse_i = log Σ_c e^{x[i,c]},
 * computed as m + log Σ e^{x − m} with m the row maximum (stable). The gradient
 *   grad[i, c] = gradScale · (softmax[i, c] − (1 − ε)·[c = y_i] − ε/C)
 * is written to `grad`, each row's loss to `losses` unless null. A negative
 * label marks an ignored row (ignore_index): loss 0, gradient row 0.
 *
 * With class weights w (`weights` not null; PyTorch's `weight`, W = Σ_c w_c):
 *   loss_i = (1 − ε)·w_y·(lse_i − x[i, y]) + (ε/C)·Σ_c w_c·(lse_i − x[i, c])
 *   grad[i, c] = gradScale · (softmax[i, c]·((1 − ε)·w_y + ε/C·W) − (1 − ε)·w_y·[c = y] − ε/C·w_c).
 * Returns the sum of the row losses (NaN when a row not ignored holds NaN or ±∞).
 */
export function softmaxCrossEntropy(
  logits: usize, labels: usize, N: i32, C: i32, grad: usize, losses: usize, smoothing: f32, gradScale: f32, weights: usize,
): f64 {
  let total: f64 = 0;
  const onC: f32 = smoothing / <f32>C;
  let wTotal: f32 = 0;
  if (weights) for (let j = 0; j < C; j++) wTotal += load<f32>(weights + (<usize>j << 2));
  for (let i = 0; i < N; i++) {
    const row = logits + (<usize>i * C << 2);
    const g = grad + (<usize>i * C << 2);
    const y = load<i32>(labels + (<usize>i << 2));
    if (y < 0) {
      for (let j = 0; j < C; j += 4) st(g + (<usize>j << 2), f32x4.splat(0), C - j);
      if (losses) store<f32>(losses + (<usize>i << 2), 0);
      continue;
    }
    let vmax = f32x4.splat(-Infinity);
    let vsum = f32x4.splat(0);
    for (let j = 0; j < C; j += 4) {
      const rest = C - j;
      let v = ld(row + (<usize>j << 2), rest);
      const m = lanesBelow(rest);
      vmax = f32x4.max(vmax, v128.bitselect(v, f32x4.splat(-Infinity), m));
      if (weights) v = f32x4.mul(v, ld(weights + (<usize>j << 2), rest));
      vsum = f32x4.add(vsum, v128.and(v, m));
    }
    const mx = hmax(vmax);
    const sumX = hsum(vsum);
    const vm = f32x4.splat(mx);
    let vs = f32x4.splat(0);
    for (let j = 0; j < C; j += 4) {
      const rest = C - j;
      const e = v128.and(expV(f32x4.sub(ld(row + (<usize>j << 2), rest), vm)), lanesBelow(rest));
      vs = f32x4.add(vs, e);
      st(g + (<usize>j << 2), e, rest);
    }
    const s = hsum(vs);
    const lse: f64 = <f64>mx + Math.log(<f64>s);
    const wy: f32 = weights ? load<f32>(weights + (<usize>y << 2)) : 1;
    // Σ of the target distribution's weights: 1 without class weights.
    const mass: f32 = weights ? (1 - smoothing) * wy + onC * wTotal : 1;
    const loss: f64 = <f64>mass * lse - <f64>((1 - smoothing) * wy) * <f64>load<f32>(row + (<usize>y << 2)) - <f64>onC * <f64>sumX;
    total += loss;
    if (losses) store<f32>(losses + (<usize>i << 2), <f32>loss);
    const scale = f32x4.splat(gradScale * mass / s);
    const shift = f32x4.splat(onC * gradScale);
    for (let j = 0; j < C; j += 4) {
      const rest = C - j;
      const o = g + (<usize>j << 2);
      const sh = weights ? f32x4.mul(shift, ld(weights + (<usize>j << 2), rest)) : shift;
      st(o, f32x4.sub(f32x4.mul(ld(o, rest), scale), sh), rest);
    }
    const gy = g + (<usize>y << 2);
    store<f32>(gy, load<f32>(gy) - (1 - smoothing) * wy * gradScale);
  }
  return total;
}

/** Elements per block of a loss's sum: blocks are summed apart and added in order (the thread pool sums blocks on any thread). */
export const LOSS_BLOCK: i32 = 16384;

@inline function mseBlock(a: usize, b: usize, grad: usize, losses: usize, n: i32, gradScale: f32): f64 {
  let acc = f64x2.splat(0);
  const two = f32x4.splat(2 * gradScale);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const d = f32x4.sub(ld(a + o, rest), ld(b + o, rest));
    const sq = f32x4.mul(d, d);
    acc = addF64(acc, sq);
    st(grad + o, f32x4.mul(d, two), rest);
    if (losses) st(losses + o, sq, rest);
  }
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

/**
 * Squared error between a and b (n values): returns Σ (a − b)² and writes
 * grad = gradScale · 2(a − b) (gradScale = 1/n for the mean). Per-element
 * losses go to `losses` unless null. The sum adds the sums of LOSS_BLOCK
 * blocks in order.
 */
export function mseLoss(a: usize, b: usize, grad: usize, losses: usize, n: i32, gradScale: f32): f64 {
  let total: f64 = 0;
  for (let s = 0; s < n; s += LOSS_BLOCK) {
    const o = <usize>s << 2;
    total += mseBlock(a + o, b + o, grad + o, losses ? losses + o : 0, min(n - s, LOSS_BLOCK), gradScale);
  }
  return total;
}

/** mseLoss with each block's sum written to partials (one float64 per block) instead of added. */
export function mseLossPartials(a: usize, b: usize, grad: usize, losses: usize, n: i32, gradScale: f32, partials: usize): void {
  for (let s = 0, k = 0; s < n; s += LOSS_BLOCK, k++) {
    const o = <usize>s << 2;
    store<f64>(partials + (<usize>k << 3), mseBlock(a + o, b + o, grad + o, losses ? losses + o : 0, min(n - s, LOSS_BLOCK), gradScale));
  }
}

// ---------------------------------------------------------------- BatchNorm1d

/**
 * BatchNorm1d in training mode over x [N, C]: per feature j the batch mean and
 * biased variance, invstd = 1/√(var + eps), y = (x − mean)·invstd·w + b
 * (w, b null: 1, 0). `mean` and `invstd` (C each) are kept for the backward
 * pass. Unless `runMean` is null, the running statistics move by `momentum`,
 * the variance with the unbiased batch variance (× N/(N − 1)) as PyTorch.
 * Returns the first feature whose statistics are not finite (the input held
 * NaN or ±∞), or -1; in that case neither the running statistics nor y change.
 */
export function batchNormTrainForward(
  x: usize, N: i32, C: i32, w: usize, b: usize, y: usize, mean: usize, invstd: usize,
  runMean: usize, runVar: usize, momentum: f32, eps: f32,
): i32 {
  zeroFill(mean, C);
  zeroFill(invstd, C);
  for (let i = 0; i < N; i++) {
    const row = x + (<usize>i * C << 2);
    for (let j = 0; j < C; j += 4) {
      const rest = C - j;
      const o = <usize>j << 2;
      st(mean + o, f32x4.add(ld(mean + o, rest), ld(row + o, rest)), rest);
    }
  }
  const invN = f32x4.splat(1 / <f32>N);
  for (let j = 0; j < C; j += 4) {
    const rest = C - j;
    const o = <usize>j << 2;
    st(mean + o, f32x4.mul(ld(mean + o, rest), invN), rest);
  }
  // Two passes (centred squares) for accuracy; invstd holds Σ(x − mean)² here.
  for (let i = 0; i < N; i++) {
    const row = x + (<usize>i * C << 2);
    for (let j = 0; j < C; j += 4) {
      const rest = C - j;
      const o = <usize>j << 2;
      const d = f32x4.sub(ld(row + o, rest), ld(mean + o, rest));
      st(invstd + o, f32x4.add(ld(invstd + o, rest), f32x4.mul(d, d)), rest);
    }
  }
  for (let j = 0; j < C; j++) {
    const m = load<f32>(mean + (<usize>j << 2));
    const s = load<f32>(invstd + (<usize>j << 2));
    if (!isFinite(m) || !isFinite(s)) return j;
  }
  const unbias: f32 = N > 1 ? <f32>N / <f32>(N - 1) : 1;
  for (let j = 0; j < C; j++) {
    const o = <usize>j << 2;
    const v = load<f32>(invstd + o) / <f32>N;
    if (runMean) {
      store<f32>(runMean + o, (1 - momentum) * load<f32>(runMean + o) + momentum * load<f32>(mean + o));
      store<f32>(runVar + o, (1 - momentum) * load<f32>(runVar + o) + momentum * v * unbias);
    }
    store<f32>(invstd + o, 1 / Mathf.sqrt(v + eps));
  }
  normalize(x, N, C, w, b, y, mean, invstd);
  return -1;
}

/** y = (x − mean)·invstd·w + b, per column (w, b null: 1, 0). */
@inline function normalize(x: usize, N: i32, C: i32, w: usize, b: usize, y: usize, mean: usize, invstd: usize): void {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (let i = 0; i < N; i++) {
    const off = <usize>i * C << 2;
    for (let j = 0; j < C; j += 4) {
      const rest = C - j;
      const o = <usize>j << 2;
      const xh = f32x4.mul(f32x4.sub(ld(x + off + o, rest), ld(mean + o, rest)), ld(invstd + o, rest));
      const wv = w ? ld(w + o, rest) : one;
      const bv = b ? ld(b + o, rest) : zero;
      st(y + off + o, f32x4.add(f32x4.mul(xh, wv), bv), rest);
    }
  }
}

/**
 * BatchNorm1d with given statistics (eval mode, running statistics): writes
 * invstd = 1/√(runVar + eps) and y = (x − runMean)·invstd·w + b.
 */
export function batchNormEvalForward(
  x: usize, N: i32, C: i32, w: usize, b: usize, y: usize, runMean: usize, runVar: usize, eps: f32, invstd: usize,
): void {
  for (let j = 0; j < C; j++) {
    const o = <usize>j << 2;
    store<f32>(invstd + o, 1 / Mathf.sqrt(load<f32>(runVar + o) + eps));
  }
  normalize(x, N, C, w, b, y, runMean, invstd);
}

/**
 * BatchNorm1d backward. With xhat = (x − mean)·invstd, A = Σ_i dy and
 * B = Σ_i dy·xhat per feature (into `sums`, 2C floats):
 *   dw (+)= B, db (+)= A,
 *   dx (+)= w·invstd·(dy − A/N − xhat·B/N)   with batch statistics,
 *   dx (+)= w·invstd·dy                      with fixed (running) statistics.
 */
export function batchNormBackward(
  x: usize, dy: usize, N: i32, C: i32, mean: usize, invstd: usize, w: usize, sums: usize,
  dx: usize, dxAcc: i32, dw: usize, db: usize, paramAcc: i32, batchStats: i32,
): void {
  const A = sums;
  const B = sums + (<usize>C << 2);
  zeroFill(sums, 2 * C);
  for (let i = 0; i < N; i++) {
    const off = <usize>i * C << 2;
    for (let j = 0; j < C; j += 4) {
      const rest = C - j;
      const o = <usize>j << 2;
      const g = ld(dy + off + o, rest);
      const xh = f32x4.mul(f32x4.sub(ld(x + off + o, rest), ld(mean + o, rest)), ld(invstd + o, rest));
      st(A + o, f32x4.add(ld(A + o, rest), g), rest);
      st(B + o, f32x4.add(ld(B + o, rest), f32x4.mul(g, xh)), rest);
    }
  }
  for (let j = 0; j < C; j += 4) {
    const rest = C - j;
    const o = <usize>j << 2;
    if (dw) stGrad(dw + o, ld(B + o, rest), rest, paramAcc);
    if (db) stGrad(db + o, ld(A + o, rest), rest, paramAcc);
  }
  if (!dx) return;
  const invN = f32x4.splat(batchStats ? 1 / <f32>N : 0);
  const one = f32x4.splat(1);
  for (let i = 0; i < N; i++) {
    const off = <usize>i * C << 2;
    for (let j = 0; j < C; j += 4) {
      const rest = C - j;
      const o = <usize>j << 2;
      const is = ld(invstd + o, rest);
      const xh = f32x4.mul(f32x4.sub(ld(x + off + o, rest), ld(mean + o, rest)), is);
      const k = f32x4.mul(w ? ld(w + o, rest) : one, is);
      let g = f32x4.sub(ld(dy + off + o, rest), f32x4.mul(ld(A + o, rest), invN));
      g = f32x4.sub(g, f32x4.mul(xh, f32x4.mul(ld(B + o, rest), invN)));
      stGrad(dx + off + o, f32x4.mul(g, k), rest, dxAcc);
    }
  }
}

// ---------------------------------------------------------------- LayerNorm

/**
 * LayerNorm over the last dimension of x [rows, D]: per row the mean and
 * biased variance, rstd = 1/√(var + eps), y = (x − mean)·rstd·w + b (w, b null:
 * 1, 0); mean and rstd (rows each) are kept for backward. Returns the first
 * row whose statistics are not finite, or -1.
 */
export function layerNormForward(
  x: usize, rows: i32, D: i32, w: usize, b: usize, y: usize, mean: usize, rstd: usize, eps: f32,
): i32 {
  let bad = -1;
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (let i = 0; i < rows; i++) {
    const row = x + (<usize>i * D << 2);
    let s = f32x4.splat(0);
    for (let j = 0; j < D; j += 4) s = f32x4.add(s, ld(row + (<usize>j << 2), D - j));
    const m: f32 = hsum(s) / <f32>D;
    const vm = f32x4.splat(m);
    let q = f32x4.splat(0);
    for (let j = 0; j < D; j += 4) {
      const rest = D - j;
      const d = v128.and(f32x4.sub(ld(row + (<usize>j << 2), rest), vm), lanesBelow(rest));
      q = f32x4.add(q, f32x4.mul(d, d));
    }
    const v: f32 = hsum(q) / <f32>D;
    if (bad < 0 && !(isFinite(m) && isFinite(v))) bad = i;
    const r: f32 = 1 / Mathf.sqrt(v + eps);
    store<f32>(mean + (<usize>i << 2), m);
    store<f32>(rstd + (<usize>i << 2), r);
    const vr = f32x4.splat(r);
    const out = y + (<usize>i * D << 2);
    for (let j = 0; j < D; j += 4) {
      const rest = D - j;
      const o = <usize>j << 2;
      const xh = f32x4.mul(f32x4.sub(ld(row + o, rest), vm), vr);
      st(out + o, f32x4.add(f32x4.mul(xh, w ? ld(w + o, rest) : one), b ? ld(b + o, rest) : zero), rest);
    }
  }
  return bad;
}

/**
 * LayerNorm backward. Per row, with xhat = (x − mean)·rstd and g = dy·w:
 *   dx (+)= rstd·(g − mean(g) − xhat·mean(g·xhat)),
 * and over rows dw (+)= Σ dy·xhat, db (+)= Σ dy.
 */
export function layerNormBackward(
  x: usize, dy: usize, rows: i32, D: i32, mean: usize, rstd: usize, w: usize,
  dx: usize, dxAcc: i32, dw: usize, db: usize, paramAcc: i32,
): void {
  if (!paramAcc) {
    if (dw) zeroFill(dw, D);
    if (db) zeroFill(db, D);
  }
  const one = f32x4.splat(1);
  const invD: f32 = 1 / <f32>D;
  for (let i = 0; i < rows; i++) {
    const off = <usize>i * D << 2;
    const vm = f32x4.splat(load<f32>(mean + (<usize>i << 2)));
    const vr = f32x4.splat(load<f32>(rstd + (<usize>i << 2)));
    let sg = f32x4.splat(0);
    let sgx = f32x4.splat(0);
    for (let j = 0; j < D; j += 4) {
      const rest = D - j;
      const o = <usize>j << 2;
      const d = ld(dy + off + o, rest);
      const xh = f32x4.mul(f32x4.sub(ld(x + off + o, rest), vm), vr);
      const g = f32x4.mul(d, w ? ld(w + o, rest) : one);
      sg = f32x4.add(sg, g);
      sgx = f32x4.add(sgx, f32x4.mul(g, xh));
      if (dw) st(dw + o, f32x4.add(ld(dw + o, rest), f32x4.mul(d, xh)), rest);
      if (db) st(db + o, f32x4.add(ld(db + o, rest), d), rest);
    }
    if (!dx) continue;
    const a = f32x4.splat(hsum(sg) * invD);
    const c = f32x4.splat(hsum(sgx) * invD);
    for (let j = 0; j < D; j += 4) {
      const rest = D - j;
      const o = <usize>j << 2;
      const xh = f32x4.mul(f32x4.sub(ld(x + off + o, rest), vm), vr);
      const g = f32x4.mul(ld(dy + off + o, rest), w ? ld(w + o, rest) : one);
      stGrad(dx + off + o, f32x4.mul(vr, f32x4.sub(f32x4.sub(g, a), f32x4.mul(xh, c))), rest, dxAcc);
    }
  }
}

export function warmupReduce(scratch: usize, bytes: i32): void {
  const C = 12;
  const N = 8;
  const n = N * C;
  if (bytes < (8 * n + 8 * C + 64) << 2) return;
  const x = scratch;
  const y = x + (<usize>n << 2);
  const g = y + (<usize>n << 2);
  const labels = g + (<usize>n << 2);
  const p = labels + (<usize>n << 2);
  for (let i = 0; i < n; i++) store<f32>(x + (<usize>i << 2), <f32>((i * 7) % 13) * 0.1 - 0.5);
  for (let i = 0; i < N; i++) store<i32>(labels + (<usize>i << 2), i % C);
  columnSums(x, p, N, C, 0);
  softmaxCrossEntropy(x, labels, N, C, g, 0, 0.1, 1 / <f32>N, 0);
  softmaxCrossEntropy(x, labels, N, C, g, 0, 0.1, 1 / <f32>N, x);
  mseLoss(x, y, g, 0, n, 1 / <f32>n);
  mseLossPartials(x, y, g, 0, n, 1 / <f32>n, p);
  const mean = p;
  const inv = p + (<usize>C << 2);
  const rm = inv + (<usize>C << 2);
  const rv = rm + (<usize>C << 2);
  const sums = rv + (<usize>C << 2);
  for (let j = 0; j < C; j++) { store<f32>(rm + (<usize>j << 2), 0); store<f32>(rv + (<usize>j << 2), 1); }
  batchNormTrainForward(x, N, C, 0, 0, y, mean, inv, rm, rv, 0.1, 1e-5);
  batchNormBackward(x, y, N, C, mean, inv, 0, sums, g, 0, 0, 0, 0, 1);
  batchNormEvalForward(x, N, C, 0, 0, y, rm, rv, 1e-5, inv);
  layerNormForward(x, N, C, 0, 0, y, mean, inv, 1e-5);
  layerNormBackward(x, y, N, C, mean, inv, 0, g, 1, 0, 0, 0);
}
