// Softmax and log-softmax over one dimension of a tensor seen as
// [outer, C, inner] (C the softmax dimension), forward and backward; the
// cross-entropy with probability targets (fused, like softmaxCrossEntropy in
// reduce.ts); the negative log-likelihood of log-probabilities.
//
// With inner = 1 a row is contiguous and the lanes run along it; with
// inner > 1 the lanes run across four neighbouring inner positions, each lane
// its own softmax over C strided values. Statistics as softmaxCrossEntropy:
// m = max, s = Σ e^{x − m}, log-softmax = x − m − ln s.
import { ld, st, stGrad, expV, lanesBelow, hsum, hmax } from "./simdmath";

/** ln of each lane (a few per row: scalar is fine). */
@inline function logLanes(s: v128): v128 {
  return f32x4(
    <f32>Math.log(<f64>f32x4.extract_lane(s, 0)),
    <f32>Math.log(<f64>f32x4.extract_lane(s, 1)),
    <f32>Math.log(<f64>f32x4.extract_lane(s, 2)),
    <f32>Math.log(<f64>f32x4.extract_lane(s, 3)),
  );
}

/** y = softmax(x) (log = 0) or log_softmax(x) (log = 1) along C of [outer, C, inner]. */
export function softmaxForward(x: usize, y: usize, outer: i32, C: i32, inner: i32, log: i32): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const row = x + (<usize>o * C << 2);
      const out = y + (<usize>o * C << 2);
      let vmax = f32x4.splat(-Infinity);
      for (let j = 0; j < C; j += 4) {
        const rest = C - j;
        vmax = f32x4.max(vmax, v128.bitselect(ld(row + (<usize>j << 2), rest), f32x4.splat(-Infinity), lanesBelow(rest)));
      }
      const m = f32x4.splat(hmax(vmax));
      let vs = f32x4.splat(0);
      for (let j = 0; j < C; j += 4) {
        const rest = C - j;
        const e = v128.and(expV(f32x4.sub(ld(row + (<usize>j << 2), rest), m)), lanesBelow(rest));
        vs = f32x4.add(vs, e);
        if (!log) st(out + (<usize>j << 2), e, rest);
      }
      const s = hsum(vs);
      if (log) {
        const shift = f32x4.add(m, f32x4.splat(<f32>Math.log(<f64>s)));
        for (let j = 0; j < C; j += 4) {
          const rest = C - j;
          st(out + (<usize>j << 2), f32x4.sub(ld(row + (<usize>j << 2), rest), shift), rest);
        }
      } else {
        const inv = f32x4.splat(1 / s);
        for (let j = 0; j < C; j += 4) {
          const rest = C - j;
          const p = out + (<usize>j << 2);
          st(p, f32x4.mul(ld(p, rest), inv), rest);
        }
      }
    }
    return;
  }
  const stride = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const base = <usize>o * C * inner << 2;
    for (let j = 0; j < inner; j += 4) {
      const rest = inner - j;
      const xs = x + base + (<usize>j << 2);
      const ys = y + base + (<usize>j << 2);
      let m = f32x4.splat(-Infinity);
      for (let c = 0; c < C; c++) m = f32x4.max(m, ld(xs + <usize>c * stride, rest));
      let s = f32x4.splat(0);
      for (let c = 0; c < C; c++) {
        const e = expV(f32x4.sub(ld(xs + <usize>c * stride, rest), m));
        s = f32x4.add(s, e);
        if (!log) st(ys + <usize>c * stride, e, rest);
      }
      if (log) {
        const shift = f32x4.add(m, logLanes(v128.bitselect(s, f32x4.splat(1), lanesBelow(rest))));
        for (let c = 0; c < C; c++) st(ys + <usize>c * stride, f32x4.sub(ld(xs + <usize>c * stride, rest), shift), rest);
      } else {
        const inv = f32x4.div(f32x4.splat(1), s);
        for (let c = 0; c < C; c++) st(ys + <usize>c * stride, f32x4.mul(ld(ys + <usize>c * stride, rest), inv), rest);
      }
    }
  }
}

/**
 * dx (+)= the gradient through softmax / log-softmax given the forward output y:
 *   softmax      dx = y·(dy − Σ_c dy·y)
 *   log-softmax  dx = dy − e^y·Σ_c dy
 */
export function softmaxBackward(y: usize, dy: usize, dx: usize, outer: i32, C: i32, inner: i32, log: i32, acc: i32): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const off = <usize>o * C << 2;
      let vd = f32x4.splat(0);
      for (let j = 0; j < C; j += 4) {
        const rest = C - j;
        const q = off + (<usize>j << 2);
        const d = ld(dy + q, rest);
        vd = f32x4.add(vd, log ? d : f32x4.mul(d, ld(y + q, rest)));
      }
      const dot = f32x4.splat(hsum(vd));
      for (let j = 0; j < C; j += 4) {
        const rest = C - j;
        const q = off + (<usize>j << 2);
        const v = ld(y + q, rest);
        const d = ld(dy + q, rest);
        const g = log ? f32x4.sub(d, f32x4.mul(expV(v), dot)) : f32x4.mul(v, f32x4.sub(d, dot));
        stGrad(dx + q, g, rest, acc);
      }
    }
    return;
  }
  const stride = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const base = <usize>o * C * inner << 2;
    for (let j = 0; j < inner; j += 4) {
      const rest = inner - j;
      const q0 = base + (<usize>j << 2);
      let dot = f32x4.splat(0);
      for (let c = 0; c < C; c++) {
        const q = q0 + <usize>c * stride;
        const d = ld(dy + q, rest);
        dot = f32x4.add(dot, log ? d : f32x4.mul(d, ld(y + q, rest)));
      }
      for (let c = 0; c < C; c++) {
        const q = q0 + <usize>c * stride;
        const v = ld(y + q, rest);
        const d = ld(dy + q, rest);
        const g = log ? f32x4.sub(d, f32x4.mul(expV(v), dot)) : f32x4.mul(v, f32x4.sub(d, dot));
        stGrad(dx + q, g, rest, acc);
      }
    }
  }
}

/**
 * Cross-entropy between logits [N, C] and target distributions [N, C]
 * (PyTorch's probability targets), forward and gradient in one pass. With
 * smoothing ε the target is t' = (1 − ε)·t + ε/C; with class weights w
 * (null: 1):
 *   loss_i = Σ_c w_c·t'_c·(lse_i − x_c) = A_i·lse_i − Σ_c w_c·t'_c·x_c,  A_i = Σ_c w_c·t'_c
 *   grad[i, c] = gradScale·(softmax[i, c]·A_i − w_c·t'_c)
 * Row losses go to `losses` unless null; returns their sum.
 */
export function softmaxCrossEntropyProb(
  logits: usize, target: usize, N: i32, C: i32, grad: usize, losses: usize, smoothing: f32, gradScale: f32, weights: usize,
): f64 {
  let total: f64 = 0;
  const keep = f32x4.splat(1 - smoothing);
  const spread = f32x4.splat(smoothing / <f32>C);
  const one = f32x4.splat(1);
  for (let i = 0; i < N; i++) {
    const off = <usize>i * C << 2;
    const row = logits + off;
    const g = grad + off;
    let vmax = f32x4.splat(-Infinity);
    for (let j = 0; j < C; j += 4) {
      const rest = C - j;
      vmax = f32x4.max(vmax, v128.bitselect(ld(row + (<usize>j << 2), rest), f32x4.splat(-Infinity), lanesBelow(rest)));
    }
    const vm = f32x4.splat(hmax(vmax));
    let vs = f32x4.splat(0);
    let va = f32x4.splat(0);
    let vb = f32x4.splat(0);
    for (let j = 0; j < C; j += 4) {
      const rest = C - j;
      const o = <usize>j << 2;
      const mask = lanesBelow(rest);
      const xv = ld(row + o, rest);
      const e = v128.and(expV(f32x4.sub(xv, vm)), mask);
      vs = f32x4.add(vs, e);
      st(g + o, e, rest);
      const wt = v128.and(f32x4.mul(f32x4.add(f32x4.mul(ld(target + off + o, rest), keep), spread), weights ? ld(weights + o, rest) : one), mask);
      va = f32x4.add(va, wt);
      vb = f32x4.add(vb, f32x4.mul(wt, xv));
    }
    const s = hsum(vs);
    const a = hsum(va);
    const lse: f64 = <f64>hmax(vmax) + Math.log(<f64>s);
    const loss: f64 = <f64>a * lse - <f64>hsum(vb);
    total += loss;
    if (losses) store<f32>(losses + (<usize>i << 2), <f32>loss);
    const scale = f32x4.splat(gradScale * a / s);
    const gs = f32x4.splat(gradScale);
    for (let j = 0; j < C; j += 4) {
      const rest = C - j;
      const o = <usize>j << 2;
      const wt = f32x4.mul(f32x4.add(f32x4.mul(ld(target + off + o, rest), keep), spread), weights ? ld(weights + o, rest) : one);
      st(g + o, f32x4.sub(f32x4.mul(ld(g + o, rest), scale), f32x4.mul(wt, gs)), rest);
    }
  }
  return total;
}

/**
 * Negative log-likelihood of log-probabilities logp [N, C] at int32 labels
 * (negative: an ignored row, loss 0): loss_i = −w[y_i]·logp[i, y_i]. Row
 * losses go to `losses` unless null; returns their sum.
 */
export function nllLossForward(logp: usize, labels: usize, N: i32, C: i32, weights: usize, losses: usize): f64 {
  let total: f64 = 0;
  for (let i = 0; i < N; i++) {
    const y = load<i32>(labels + (<usize>i << 2));
    let loss: f32 = 0;
    if (y >= 0) {
      const w: f32 = weights ? load<f32>(weights + (<usize>y << 2)) : 1;
      loss = -w * load<f32>(logp + ((<usize>i * C + y) << 2));
    }
    total += <f64>loss;
    if (losses) store<f32>(losses + (<usize>i << 2), loss);
  }
  return total;
}

/**
 * dx (+)= the NLL gradient: dx[i, y_i] = −w[y_i]·scale·dy_i, zero elsewhere;
 * dy_i is dy[i] for per-row upstream gradients (dyStride 1) or dy[0] (0).
 */
export function nllLossBackward(labels: usize, N: i32, C: i32, weights: usize, dy: usize, dyStride: i32, scale: f32, dx: usize, acc: i32): void {
  if (!acc) memory.fill(dx, 0, <usize>N * C << 2);
  for (let i = 0; i < N; i++) {
    const y = load<i32>(labels + (<usize>i << 2));
    if (y < 0) continue;
    const w: f32 = weights ? load<f32>(weights + (<usize>y << 2)) : 1;
    const p = dx + ((<usize>i * C + y) << 2);
    store<f32>(p, load<f32>(p) - w * scale * load<f32>(dy + (<usize>(i * dyStride) << 2)));
  }
}

export function warmupSoftmax(scratch: usize, bytes: i32): void {
  const N = 8;
  const C = 12;
  const n = N * C;
  if (bytes < (5 * n) << 2) return;
  const x = scratch;
  const y = x + (<usize>n << 2);
  const g = y + (<usize>n << 2);
  const t = g + (<usize>n << 2);
  const labels = t + (<usize>n << 2);
  for (let i = 0; i < n; i++) {
    store<f32>(x + (<usize>i << 2), <f32>((i * 7) % 13) * 0.1 - 0.5);
    store<f32>(t + (<usize>i << 2), 1 / <f32>C);
  }
  for (let i = 0; i < N; i++) store<i32>(labels + (<usize>i << 2), i % C);
  softmaxForward(x, y, N, C, 1, 0);
  softmaxBackward(y, x, g, N, C, 1, 0, 0);
  softmaxForward(x, y, 2, C, 4, 1);
  softmaxBackward(y, x, g, 2, C, 4, 1, 1);
  softmaxCrossEntropyProb(x, t, N, C, g, 0, 0.1, 1 / <f32>N, 0);
  nllLossForward(x, labels, N, C, 0, 0);
  nllLossBackward(labels, N, C, 0, x, 0, 1, g, 0);
  scaleRows(x, t, g, N, C, 1);
}

/** dst[i, :] (+)= scales[i]·src[i, :] for rows × cols (per-row upstream gradients of reduction 'none'). */
export function scaleRows(src: usize, scales: usize, dst: usize, rows: i32, cols: i32, acc: i32): void {
  for (let i = 0; i < rows; i++) {
    const s = f32x4.splat(load<f32>(scales + (<usize>i << 2)));
    const off = <usize>i * cols << 2;
    for (let j = 0; j < cols; j += 4) {
      const rest = cols - j;
      const o = off + (<usize>j << 2);
      stGrad(dst + o, f32x4.mul(ld(src + o, rest), s), rest, acc);
    }
  }
}
