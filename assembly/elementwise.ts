// Elementwise kernels for the nn layers: bias add, activations (forward and
// backward), masks, scaled copies and a NaN scan. One call per tensor, four
// lanes at a time; a tail of 1-3 elements goes through the same vector code
// with lanes loaded one by one.
//
// Backward kernels take `acc`: 0 writes dx, 1 adds into dx (a tensor used by
// two consumers receives the sum of their gradients).
//
// exp, tanh and erf are our own polynomials: see simdmath.ts for their errors.

import { ld, st, stGrad, expV, tanhV, sigmoidV, erfcLogPoly, erfcT, normalCdfFrom, SQRT1_2, INV_SQRT_2PI } from "./simdmath";

// ---------------------------------------------------------------- bias

/** y[i, j] = x[i, j] + bias[j] for a rows × cols matrix (y may be x). */
export function biasAddRows(x: usize, bias: usize, y: usize, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) {
    const off = <usize>i * cols << 2;
    for (let j = 0; j < cols; j += 4) {
      const rest = cols - j;
      const o = off + (<usize>j << 2);
      st(y + o, f32x4.add(ld(x + o, rest), ld(bias + (<usize>j << 2), rest)), rest);
    }
  }
}

// ---------------------------------------------------------------- activations

export function reluForward(x: usize, y: usize, n: i32): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    st(y + o, f32x4.max(ld(x + o, rest), zero), rest);
  }
}

/** dx (+)= dy · [y > 0], with y the forward output. */
export function reluBackward(y: usize, dy: usize, dx: usize, n: i32, acc: i32): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const g = v128.and(ld(dy + o, rest), f32x4.gt(ld(y + o, rest), zero));
    stGrad(dx + o, g, rest, acc);
  }
}

export function leakyReluForward(x: usize, y: usize, n: i32, slope: f32): void {
  const zero = f32x4.splat(0);
  const s = f32x4.splat(slope);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const v = ld(x + o, rest);
    st(y + o, v128.bitselect(v, f32x4.mul(v, s), f32x4.gt(v, zero)), rest);
  }
}

/** dx (+)= dy · (x > 0 ? 1 : slope), with x the forward input. */
export function leakyReluBackward(x: usize, dy: usize, dx: usize, n: i32, slope: f32, acc: i32): void {
  const zero = f32x4.splat(0);
  const s = f32x4.splat(slope);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const d = ld(dy + o, rest);
    const g = v128.bitselect(d, f32x4.mul(d, s), f32x4.gt(ld(x + o, rest), zero));
    stGrad(dx + o, g, rest, acc);
  }
}

export function tanhForward(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    st(y + o, tanhV(ld(x + o, rest)), rest);
  }
}

/** dx (+)= dy · (1 − y²), with y the forward output. */
export function tanhBackward(y: usize, dy: usize, dx: usize, n: i32, acc: i32): void {
  const one = f32x4.splat(1);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const v = ld(y + o, rest);
    stGrad(dx + o, f32x4.mul(ld(dy + o, rest), f32x4.sub(one, f32x4.mul(v, v))), rest, acc);
  }
}

export function sigmoidForward(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    st(y + o, sigmoidV(ld(x + o, rest)), rest);
  }
}

/** dx (+)= dy · y(1 − y), with y the forward output. */
export function sigmoidBackward(y: usize, dy: usize, dx: usize, n: i32, acc: i32): void {
  const one = f32x4.splat(1);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const v = ld(y + o, rest);
    stGrad(dx + o, f32x4.mul(ld(dy + o, rest), f32x4.mul(v, f32x4.sub(one, v))), rest, acc);
  }
}

/** GELU, exact form: y = x·Φ(x) = ½x(1 + erf(x/√2)). */
export function geluForward(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const v = ld(x + o, rest);
    const z = f32x4.mul(f32x4.abs(v), f32x4.splat(SQRT1_2));
    const t = erfcT(z);
    const erfc = f32x4.mul(t, expV(f32x4.sub(erfcLogPoly(t), f32x4.mul(z, z))));
    st(y + o, f32x4.mul(v, normalCdfFrom(v, erfc)), rest);
  }
}

/** dx (+)= dy · (Φ(x) + x·φ(x)), φ(x) = e^{−x²/2}/√(2π). */
export function geluBackward(x: usize, dy: usize, dx: usize, n: i32, acc: i32): void {
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const v = ld(x + o, rest);
    const z = f32x4.mul(f32x4.abs(v), f32x4.splat(SQRT1_2));
    const gauss = expV(f32x4.neg(f32x4.mul(z, z)));
    const t = erfcT(z);
    const cdf = normalCdfFrom(v, f32x4.mul(f32x4.mul(t, gauss), expV(erfcLogPoly(t))));
    const pdf = f32x4.mul(gauss, f32x4.splat(INV_SQRT_2PI));
    stGrad(dx + o, f32x4.mul(ld(dy + o, rest), f32x4.add(cdf, f32x4.mul(v, pdf))), rest, acc);
  }
}

/** √(2/π)·2 and √(2/π)·0.044715·2: u₂ = 2·√(2/π)·(x + 0.044715x³) = x·(A + B·x²). */
const GELU_TANH_A: f32 = 1.5957691216057308;
const GELU_TANH_B: f32 = 0.07135481627260025;
/** Beyond |x| = 20 the tanh form is exactly x or 0 in float32 and its slope 1 or 0. */
const GELU_TANH_CLAMP: f32 = 20;

/**
 * GELU, tanh approximation: y = ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³),
 * computed as x·σ(2u) (the same function; no cancellation of 1 + tanh(u) in
 * the negative tail).
 */
export function geluTanhForward(x: usize, y: usize, n: i32): void {
  const a = f32x4.splat(GELU_TANH_A);
  const b = f32x4.splat(GELU_TANH_B);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const v = ld(x + o, rest);
    const c = f32x4.min(f32x4.max(v, f32x4.splat(-GELU_TANH_CLAMP)), f32x4.splat(GELU_TANH_CLAMP));
    const u2 = f32x4.mul(c, f32x4.add(a, f32x4.mul(b, f32x4.mul(c, c))));
    st(y + o, f32x4.mul(v, sigmoidV(u2)), rest);
  }
}

/** dx (+)= dy · (s + x·s(1 − s)·(A + 3B·x²)), s = σ(2u), with x the forward input. */
export function geluTanhBackward(x: usize, dy: usize, dx: usize, n: i32, acc: i32): void {
  const a = f32x4.splat(GELU_TANH_A);
  const b = f32x4.splat(GELU_TANH_B);
  const b3 = f32x4.splat(3 * GELU_TANH_B);
  const one = f32x4.splat(1);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const v = f32x4.min(f32x4.max(ld(x + o, rest), f32x4.splat(-GELU_TANH_CLAMP)), f32x4.splat(GELU_TANH_CLAMP));
    const v2 = f32x4.mul(v, v);
    // s = 1/(1 + e), e = exp(−2u): s(1 − s) = s²·e without the cancellation of 1 − s near x > 0.
    const e = expV(f32x4.neg(f32x4.mul(v, f32x4.add(a, f32x4.mul(b, v2)))));
    const sg = f32x4.div(one, f32x4.add(one, e));
    const slope = f32x4.mul(f32x4.mul(v, f32x4.mul(f32x4.mul(sg, sg), e)), f32x4.add(a, f32x4.mul(b3, v2)));
    stGrad(dx + o, f32x4.mul(ld(dy + o, rest), f32x4.add(sg, slope)), rest, acc);
  }
}

// ---------------------------------------------------------------- products, copies, scans

/** out (+)= a · b elementwise (dropout: y = x·mask and dx = dy·mask). */
export function mulInto(a: usize, b: usize, out: usize, n: i32, acc: i32): void {
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    stGrad(out + o, f32x4.mul(ld(a + o, rest), ld(b + o, rest)), rest, acc);
  }
}

/**
 * out[b] (+)= src[b]ᵀ for `batch` row-major rows × cols matrices (out[b] is
 * cols × rows): BatchNorm1d's [N, C, L] ↔ [N·L, C] layouts.
 */
export function batchTranspose(src: usize, out: usize, batch: i32, rows: i32, cols: i32, acc: i32): void {
  const size = <usize>rows * cols;
  for (let b = 0; b < batch; b++) {
    const s = src + (<usize>b * size << 2);
    const o = out + (<usize>b * size << 2);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const v = load<f32>(s + ((<usize>i * cols + j) << 2));
        const p = o + ((<usize>j * rows + i) << 2);
        store<f32>(p, acc ? load<f32>(p) + v : v);
      }
    }
  }
}

/** out (+)= alpha · src. */
export function scaleInto(src: usize, out: usize, n: i32, alpha: f32, acc: i32): void {
  const a = f32x4.splat(alpha);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    stGrad(out + o, f32x4.mul(ld(src + o, rest), a), rest, acc);
  }
}

/** Index of the first NaN in x, or -1. */
export function firstNaN(x: usize, n: i32): i32 {
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const d = v128.load(p, 48);
    const m = v128.or(v128.or(f32x4.ne(a, a), f32x4.ne(b, b)), v128.or(f32x4.ne(c, c), f32x4.ne(d, d)));
    if (v128.any_true(m)) break;
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v != v) return i;
  }
  return -1;
}

export function warmupElementwise(scratch: usize, bytes: i32): void {
  const n = min(bytes >> 4, 256);
  const a = scratch;
  const b = scratch + (<usize>n << 2);
  const c = b + (<usize>n << 2);
  for (let i = 0; i < n; i++) store<f32>(a + (<usize>i << 2), <f32>(i - 128) * 0.03);
  reluForward(a, b, n);
  reluBackward(b, a, c, n, 0);
  leakyReluForward(a, b, n, 0.01);
  leakyReluBackward(a, b, c, n, 0.01, 1);
  tanhForward(a, b, n);
  tanhBackward(b, a, c, n, 0);
  sigmoidForward(a, b, n);
  sigmoidBackward(b, a, c, n, 1);
  geluForward(a, b, n);
  geluBackward(a, b, c, n, 0);
  geluTanhForward(a, b, n);
  geluTanhBackward(a, b, c, n, 1);
  mulInto(a, b, c, n, 0);
  batchTranspose(a, c, 2, 8, n >> 4, 1);
  scaleInto(a, c, n, 0.5, 1);
  biasAddRows(a, b, c, 16, n >> 4);
  firstNaN(a, n);
}
