// SIMD helpers shared by the nn kernels (elementwise.ts, reduce.ts): tail
// loads and stores, and our own transcendental functions (no libm in
// WebAssembly). Not re-exported from index.ts: nothing here is a kernel.
//
//   exp:   2^n·p(r), r = x − n·ln2 (Cody–Waite), p the degree-7 Taylor
//          polynomial: relative error < 3e-7 on [-87.3, 88.3] (clamped outside).
//   expm1: 2^n·(p(r) − 1) + (2^n − 1), accurate relative to the result near 0.
//   tanh:  sign(x)·e/(e + 2), e = expm1(2|x|), |x| clamped at 9.
//   erfc:  Numerical Recipes' erfcc, t·e^{−z² + poly(t)}, t = 1/(1 + z/2):
//          fractional error < 1.2e-7 in exact arithmetic, so GELU keeps its
//          relative accuracy in the negative tail.
// Measured in float32 against float64 on [-12, 12]: tanh and sigmoid within
// 2e-7 relative (9e-8 absolute); GELU within 1.2e-7·max(1, |x|) absolute,
// 4e-7 relative for |x| < 2 and 2e-5 relative down to x = −12 (where e^{−z²}
// inherits z²'s rounding). test/reference/nn/kernels.test.ts pins these bounds.


@inline export function loadTail(p: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

@inline export function storeTail(p: usize, v: v128, n: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** Loads 4 lanes, or the remaining 1-3 (zeros in the others). */
@inline export function ld(p: usize, rest: i32): v128 {
  return rest >= 4 ? v128.load(p) : loadTail(p, rest);
}

@inline export function st(p: usize, v: v128, rest: i32): void {
  if (rest >= 4) v128.store(p, v);
  else storeTail(p, v, rest);
}

/** Writes dx = g, or adds it to dx when acc. */
@inline export function stGrad(p: usize, g: v128, rest: i32, acc: i32): void {
  st(p, acc ? f32x4.add(ld(p, rest), g) : g, rest);
}

// ---------------------------------------------------------------- math

export const LOG2E: f32 = 1.4426950408889634;
export const LN2_HI: f32 = 0.693359375;
export const LN2_LO: f32 = -2.12194440e-4;

/** e^r − 1 for |r| ≤ ln2/2, degree-7 Taylor polynomial (Horner). */
@inline export function expm1Poly(r: v128): v128 {
  let p = f32x4.splat(1.0 / 5040.0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 720.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  return f32x4.mul(p, r);
}

/** 2^n for integral n in [-126, 127] (as floats). */
@inline export function pow2(n: v128): v128 {
  return i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
}

@inline export function expV(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-87.33654)), f32x4.splat(88.37626));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  return f32x4.mul(f32x4.add(expm1Poly(r), f32x4.splat(1)), pow2(n));
}

/** expm1 for x in [0, 88]. */
@inline export function expm1V(x: v128): v128 {
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  const s = pow2(n);
  return f32x4.add(f32x4.mul(s, expm1Poly(r)), f32x4.sub(s, f32x4.splat(1)));
}

export const SIGN_MASK: i32 = 0x80000000;

@inline export function tanhV(x: v128): v128 {
  const sign = v128.and(x, i32x4.splat(SIGN_MASK));
  const ax = f32x4.min(f32x4.abs(x), f32x4.splat(9));
  const e = expm1V(f32x4.add(ax, ax));
  return v128.or(f32x4.div(e, f32x4.add(e, f32x4.splat(2))), sign);
}

@inline export function sigmoidV(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expV(f32x4.neg(x))));
}

export const SQRT1_2: f32 = 0.7071067811865476;
export const INV_SQRT_2PI: f32 = 0.3989422804014327;

/**
 * ln(erfc(z)·e^{z²}/t) for z ≥ 0, t = 1/(1 + z/2): the Chebyshev-fitted
 * polynomial of Numerical Recipes' erfcc, whose erfc(z) = t·e^{−z² + poly(t)}
 * has fractional error < 1.2e-7 everywhere (also deep in the tail, where an
 * absolute-error fit like A&S 7.1.26 loses all relative accuracy).
 */
@inline export function erfcLogPoly(t: v128): v128 {
  let p = f32x4.splat(0.17087277);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.82215223));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.48851587));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.13520398));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.27886807));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.18628806));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.09678418));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.37409196));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.00002368));
  return f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.26551223));
}

/** t = 1/(1 + z/2). */
@inline export function erfcT(z: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), f32x4.mul(z, f32x4.splat(0.5))));
}

/** Φ(x) = ½(1 + erf(x/√2)) given erfc(|x|/√2). */
@inline export function normalCdfFrom(x: v128, erfc: v128): v128 {
  // ½erfc(|x|/√2) is Φ(−|x|); Φ(x) = 1 − Φ(−|x|) for x ≥ 0.
  const halfErfc = f32x4.mul(erfc, f32x4.splat(0.5));
  return v128.bitselect(halfErfc, f32x4.sub(f32x4.splat(1), halfErfc), f32x4.lt(x, f32x4.splat(0)));
}


/**
 * ln x for float32 lanes: x = 2^e·m with m in [√½, √2), ln m from the
 * Cephes logf polynomial in m − 1 (relative error ~1e-7 on normal inputs);
 * subnormals are scaled by 2^25 first. ln 0 = −∞, ln ∞ = ∞, x < 0 or NaN → NaN.
 */
@inline export function logV(x0: v128): v128 {
  const tiny = f32x4.lt(x0, f32x4.splat(1.17549435e-38));
  const x = v128.bitselect(f32x4.mul(x0, f32x4.splat(33554432.0)), x0, tiny);
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(126)));
  e = f32x4.sub(e, v128.and(tiny, f32x4.splat(25)));
  let m = v128.or(v128.and(x, i32x4.splat(0x807fffff)), i32x4.splat(0x3f000000));
  const small = f32x4.lt(m, f32x4.splat(0.7071067811865476));
  e = f32x4.sub(e, v128.and(small, f32x4.splat(1)));
  m = f32x4.sub(f32x4.add(m, v128.and(small, m)), f32x4.splat(1));
  const z = f32x4.mul(m, m);
  let p = f32x4.splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.1514610310e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.1676998740e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-2.4999993993e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, z), m);
  y = f32x4.add(y, f32x4.mul(e, f32x4.splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let r = f32x4.add(f32x4.add(m, y), f32x4.mul(e, f32x4.splat(LN2_HI)));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x0, f32x4.splat(0)));
  r = v128.bitselect(f32x4.splat(Infinity), r, f32x4.eq(x0, f32x4.splat(Infinity)));
  return v128.bitselect(f32x4.splat(NaN), r, v128.not(f32x4.ge(x0, f32x4.splat(0))));
}

/**
 * ln(1 + u) for u in [0, 1] (the softplus tail, u = e^{−|z|}): ln v·u/(v − 1)
 * with v = 1 + u, which cancels the rounding of v (Goldberg's trick); u when v
 * rounds to 1.
 */
@inline export function log1pUnitV(u: v128): v128 {
  const v = f32x4.add(f32x4.splat(1), u);
  const d = f32x4.sub(v, f32x4.splat(1));
  const q = f32x4.div(f32x4.mul(logV(v), u), d);
  return v128.bitselect(u, q, f32x4.eq(d, f32x4.splat(0)));
}

/** softplus(z) = ln(1 + e^z) = max(z, 0) + ln(1 + e^{−|z|}), stable for every z. */
@inline export function softplusV(z: v128): v128 {
  return f32x4.add(f32x4.max(z, f32x4.splat(0)), log1pUnitV(expV(f32x4.neg(f32x4.abs(z)))));
}

/** All-ones in the first min(rest, 4) lanes. */
@inline export function lanesBelow(rest: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(rest));
}

@inline export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

@inline export function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/** acc (two f64 lanes) += the four lanes of v, widened. */
@inline export function addF64(acc: v128, v: v128): v128 {
  return f64x2.add(f64x2.add(acc, f64x2.promote_low_f32x4(v)), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
}
