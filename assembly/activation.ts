// The activations added with user-defined models: SiLU, Softplus, ELU,
// forward and backward (dx written, or added when acc), one call per tensor.
import { ld, st, stGrad, expV, expm1V, sigmoidV, softplusV } from "./simdmath";

/** y = x·σ(x). */
export function siluForward(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const v = ld(x + o, rest);
    st(y + o, f32x4.mul(v, sigmoidV(v)), rest);
  }
}

/** dx (+)= dy·σ(x)·(1 + x·(1 − σ(x))). */
export function siluBackward(x: usize, dy: usize, dx: usize, n: i32, acc: i32): void {
  const one = f32x4.splat(1);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const v = ld(x + o, rest);
    const s = sigmoidV(v);
    stGrad(dx + o, f32x4.mul(ld(dy + o, rest), f32x4.mul(s, f32x4.add(one, f32x4.mul(v, f32x4.sub(one, s))))), rest, acc);
  }
}

/** y = ln(1 + e^{βx})/β, or x where βx > threshold (PyTorch's Softplus). */
export function softplusForward(x: usize, y: usize, n: i32, beta: f32, threshold: f32): void {
  const b = f32x4.splat(beta);
  const inv = f32x4.splat(1 / beta);
  const th = f32x4.splat(threshold);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const v = ld(x + o, rest);
    const z = f32x4.mul(v, b);
    st(y + o, v128.bitselect(v, f32x4.mul(softplusV(z), inv), f32x4.gt(z, th)), rest);
  }
}

/** dx (+)= dy·σ(βx), or dy where βx > threshold. */
export function softplusBackward(x: usize, dy: usize, dx: usize, n: i32, beta: f32, threshold: f32, acc: i32): void {
  const b = f32x4.splat(beta);
  const th = f32x4.splat(threshold);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const z = f32x4.mul(ld(x + o, rest), b);
    const d = ld(dy + o, rest);
    stGrad(dx + o, v128.bitselect(d, f32x4.mul(d, sigmoidV(z)), f32x4.gt(z, th)), rest, acc);
  }
}

/** e^x − 1 for x ≤ 0 (−1 below −87, where it is −1 in float32). */
@inline function expm1Neg(x: v128): v128 {
  return expm1V(f32x4.max(x, f32x4.splat(-87)));
}

/** y = x for x > 0, α·(e^x − 1) otherwise. */
export function eluForward(x: usize, y: usize, n: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  const zero = f32x4.splat(0);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const v = ld(x + o, rest);
    st(y + o, v128.bitselect(v, f32x4.mul(a, expm1Neg(f32x4.min(v, zero))), f32x4.gt(v, zero)), rest);
  }
}

/** dx (+)= dy for x > 0, dy·α·e^x otherwise. */
export function eluBackward(x: usize, dy: usize, dx: usize, n: i32, alpha: f32, acc: i32): void {
  const a = f32x4.splat(alpha);
  const zero = f32x4.splat(0);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const v = ld(x + o, rest);
    const d = ld(dy + o, rest);
    stGrad(dx + o, v128.bitselect(d, f32x4.mul(d, f32x4.mul(a, expV(f32x4.min(v, zero)))), f32x4.gt(v, zero)), rest, acc);
  }
}

export function warmupActivation(scratch: usize, bytes: i32): void {
  const n = min(bytes >> 4, 256);
  const a = scratch;
  const b = a + (<usize>n << 2);
  const c = b + (<usize>n << 2);
  for (let i = 0; i < n; i++) store<f32>(a + (<usize>i << 2), <f32>(i - 128) * 0.03);
  siluForward(a, b, n);
  siluBackward(a, b, c, n, 0);
  softplusForward(a, b, n, 1, 20);
  softplusBackward(a, b, c, n, 1, 20, 1);
  eluForward(a, b, n, 1);
  eluBackward(a, b, c, n, 1, 0);
}
