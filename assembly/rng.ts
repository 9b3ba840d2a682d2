// Random number kernels: Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel
// random numbers: as easy as 1, 2, 3", SC 2011) feeding uniform, normal,
// truncated-normal and Bernoulli fills.
//
// Why Philox: it is counter-based. A number is a pure function of (key,
// counter), so every output depends only on (seed, position): any split of a
// fill gives the same values, there is no sequential state to carry between
// SIMD lanes or threads, and the arithmetic is 32-bit integer multiplies and
// xors that WebAssembly and JavaScript (Math.imul) compute identically. It
// passes BigCrush, and it is what PyTorch (CUDA) and JAX use.
//
// Stream layout. Key = (seed low 32 bits, seed high 32 bits). Position p of a
// generator's stream (its offset) lies in group g = floor(p / 16); within the
// group, i = p mod 16 takes word (i >> 2) of Philox4x32-10 applied to the
// counter (g low 32, g high 32, i & 3, 0). One SIMD group runs the four
// counters (g, g, lane, 0) in the four lanes, so word j of all four lanes is
// one vector and is stored as is: outputs 4j..4j+3 of the group.
//
// Every fill consumes exactly one position per output element, so filling n
// then m values equals filling n + m values from the same offset.
//
// No relaxed-SIMD instruction is used: the pure-JS twin (src/reference/rng.ts)
// reproduces every operation, and all builds give bit-identical output.
//
// Polynomials (coefficients fitted for this file by iteratively reweighted
// least squares toward minimax, evaluated in float32 as written here; errors
// measured against Math.log / Math.sin / Math.cos in float64 by
// test/reference/rng.test.ts over dense grids):
//   log:   ln(m) = f + f²·(f·P(f) - ½), f = m - 1, m in [√½, √2), P of degree 7;
//          max relative error 1.2e-7 (about one float32 ulp) for u in [2^-33, 1).
//   sin/cos of 2πt, t in [-1/4, 1/4] (half-turn reduction on the integer),
//          odd/even polynomials of 5 terms (3e-9 in exact arithmetic): max
//          absolute error 2.1e-7 (two float32 ulps at 1) over the whole turn.
//   normal quantile (truncated normal): Acklam's rational approximation
//          (1.2e-9 relative), evaluated in float64 on float32 q and √(-2 ln q);
//          result within 1e-6·max(1, |x|) of the exact quantile of the float32 p.

import { threadLocal, TLS_RNG_GROUP, TLS_RNG_PHILOX2, TLS_RNG_ROUND_KEYS } from "./thread_local";

const M0: u32 = 0xd2511f53;
const M1: u32 = 0xcd9e8d57;
const W0: u32 = 0x9e3779b9;
const W1: u32 = 0xbb67ae85;

const KIND_UNIFORM: i32 = 0;
const KIND_NORMAL: i32 = 1;
const KIND_TRUNC_NORMAL: i32 = 2;
const KIND_BERNOULLI: i32 = 3;
// N(0, 1) exactly: r·cos and r·sin without the affine step (randn, the common case)
const KIND_STANDARD_NORMAL: i32 = 4;

// Thread-local scratch (see thread_local.ts): one group of 16 outputs, for
// the head and tail of a fill that does not cover whole groups; the four word
// vectors after Philox's first two rounds (see firstTwoRounds); the splatted
// round keys of rounds 3..10, (key0 + r·W0, key1 + r·W1), set per fill: loads
// from L1 instead of two vector adds per round.
// @ts-ignore: decorator
@inline function SCRATCH(): usize { return threadLocal(TLS_RNG_GROUP); }
// @ts-ignore: decorator
@inline function PHILOX2(): usize { return threadLocal(TLS_RNG_PHILOX2); }
// @ts-ignore: decorator
@inline function ROUND_KEYS(): usize { return threadLocal(TLS_RNG_ROUND_KEYS); }

// log polynomial P(f), f in [√½ - 1, √2 - 1]
const LP0: f32 = 0.3333332655247981;
const LP1: f32 = -0.25000280604100833;
const LP2: f32 = 0.20001877446017047;
const LP3: f32 = -0.16643502026014104;
const LP4: f32 = 0.1419031596895475;
const LP5: f32 = -0.12943306952958433;
const LP6: f32 = 0.12798232437356932;
const LP7: f32 = -0.08304966862984572;
const LN2: f32 = 0.6931471805599453;
// sin(2πt) and cos(2πt) - 1 on t in [-1/4, 1/4]: odd and even polynomials
const S0: f32 = 6.283185160174727;
const S1: f32 = -41.341655052581004;
const S2: f32 = 81.60100545925718;
const S3: f32 = -76.54981534153417;
const S4: f32 = 39.53696534130867;
const C1: f32 = -19.73920862443437;
const C2: f32 = 64.93935361100132;
const C3: f32 = -85.45383151584329;
const C4: f32 = 60.14822187982471;
const C5: f32 = -25.00691806936926;
// Acklam's rational approximation of the normal quantile (relative error
// 1.2e-9 in exact arithmetic; float32 evaluation dominates).
const IA0: f64 = -39.69683028665376;
const IA1: f64 = 220.9460984245205;
const IA2: f64 = -275.9285104469687;
const IA3: f64 = 138.357751867269;
const IA4: f64 = -30.66479806614716;
const IA5: f64 = 2.506628277459239;
const IB0: f64 = -54.47609879822406;
const IB1: f64 = 161.5858368580409;
const IB2: f64 = -155.6989798598866;
const IB3: f64 = 66.80131188771972;
const IB4: f64 = -13.28068155288572;
const IC0: f64 = -0.007784894002430293;
const IC1: f64 = -0.3223964580411365;
const IC2: f64 = -2.400758277161838;
const IC3: f64 = -2.549732539343734;
const IC4: f64 = 4.374664141464968;
const IC5: f64 = 2.938163982698783;
const ID0: f64 = 0.007784695709041462;
const ID1: f64 = 0.3224671290700398;
const ID2: f64 = 2.445134137142996;
const ID3: f64 = 3.754408661907416;
const QUANTILE_TAIL: f64 = 0.02425;

@inline function splatF(x: f32): v128 {
  return f32x4.splat(x);
}

@inline function horner(x: v128, c0: f32, c1: f32): v128 {
  return f32x4.add(f32x4.mul(splatF(c0), x), splatF(c1));
}

@inline function hornerNext(acc: v128, x: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(acc, x), splatF(c));
}

/**
 * ln(u·2^-scaleExp) for positive, finite, normal float32 lanes u (see the
 * error bound above); scaleExp folds an exact power-of-two scaling of the
 * argument into the exponent.
 */
@inline function logF32x4(u: v128, scaleExp: i32 = 0): v128 {
  const bits = i32x4.add(u, i32x4.splat(0x3f800000 - 0x3f3504f3));
  const e = i32x4.sub(i32x4.shr_s(bits, 23), i32x4.splat(127 + scaleExp));
  const m = i32x4.add(v128.and(bits, i32x4.splat(0x7fffff)), i32x4.splat(0x3f3504f3));
  const f = f32x4.sub(m, splatF(1));
  const f2 = f32x4.mul(f, f);
  let p = horner(f, LP7, LP6);
  p = hornerNext(p, f, LP5);
  p = hornerNext(p, f, LP4);
  p = hornerNext(p, f, LP3);
  p = hornerNext(p, f, LP2);
  p = hornerNext(p, f, LP1);
  p = hornerNext(p, f, LP0);
  const t = f32x4.mul(f2, f32x4.sub(f32x4.mul(f, p), splatF(0.5)));
  const lnm = f32x4.add(f, t);
  return f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(e), splatF(LN2)), lnm);
}

/** Sqrt(-2 ln u) for u = (x >>> 1 + ½)·2^-31 in (0, 1]: the Box–Muller radius. */
@inline function boxMullerRadius(x: v128): v128 {
  // ln((v)·2^-31), v = (x >>> 1) + ½ in [½, 2^31]: the scaling is exact, so it goes into the exponent
  const v = f32x4.add(f32x4.convert_i32x4_s(i32x4.shr_u(x, 1)), splatF(0.5));
  return f32x4.sqrt(f32x4.mul(logF32x4(v, 31), splatF(-2)));
}

@inline function hornerD(x: v128, c0: f64, c1: f64): v128 {
  return f64x2.add(f64x2.mul(f64x2.splat(c0), x), f64x2.splat(c1));
}

@inline function hornerNextD(acc: v128, x: v128, c: f64): v128 {
  return f64x2.add(f64x2.mul(acc, x), f64x2.splat(c));
}

/**
 * Acklam's rational functions in float64 for two lanes (q, and qt = √(-2 ln q)
 * computed in float32): float32 would lose up to 1e-4 to cancellation in the
 * central numerator, float64 leaves only the float32 rounding of q and qt.
 */
@inline function quantileRationalF64x2(q: v128, qt: v128): v128 {
  let nt = hornerD(qt, IC0, IC1);
  nt = hornerNextD(nt, qt, IC2);
  nt = hornerNextD(nt, qt, IC3);
  nt = hornerNextD(nt, qt, IC4);
  nt = hornerNextD(nt, qt, IC5);
  let dt = hornerD(qt, ID0, ID1);
  dt = hornerNextD(dt, qt, ID2);
  dt = hornerNextD(dt, qt, ID3);
  dt = hornerNextD(dt, qt, 1);
  const xt = f64x2.div(nt, dt);
  const y = f64x2.sub(q, f64x2.splat(0.5));
  const r = f64x2.mul(y, y);
  let nc = hornerD(r, IA0, IA1);
  nc = hornerNextD(nc, r, IA2);
  nc = hornerNextD(nc, r, IA3);
  nc = hornerNextD(nc, r, IA4);
  nc = hornerNextD(nc, r, IA5);
  let dc = hornerD(r, IB0, IB1);
  dc = hornerNextD(dc, r, IB2);
  dc = hornerNextD(dc, r, IB3);
  dc = hornerNextD(dc, r, IB4);
  dc = hornerNextD(dc, r, 1);
  const xc = f64x2.div(f64x2.mul(nc, y), dc);
  return v128.bitselect(xt, xc, f64x2.lt(q, f64x2.splat(QUANTILE_TAIL)));
}

/** Normal quantile Φ⁻¹(p) for p in (0, 1), float32 lanes (by symmetry on q = min(p, 1 - p)). */
@inline function normalQuantileF32x4(p: v128): v128 {
  const upper = f32x4.gt(p, splatF(0.5));
  const q = v128.bitselect(f32x4.sub(splatF(1), p), p, upper);
  const qt = f32x4.sqrt(f32x4.mul(logF32x4(q), splatF(-2)));
  const lo = quantileRationalF64x2(f64x2.promote_low_f32x4(q), f64x2.promote_low_f32x4(qt));
  const hi = quantileRationalF64x2(
    f64x2.promote_low_f32x4(i32x4.shuffle(q, q, 2, 3, 2, 3)),
    f64x2.promote_low_f32x4(i32x4.shuffle(qt, qt, 2, 3, 2, 3)),
  );
  const x = i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
  return v128.xor(x, v128.and(upper, i32x4.splat(0x80000000)));
}

/** Uniform [0, 1) from the top 24 bits: k·2^-24, so 1.0 never occurs. */
@inline function unit24(x: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(x, 8)), splatF(5.960464477539063e-8));
}

/**
 * Box–Muller on one pair of word vectors: radius from `xr`, angle 2π·xa/2^32.
 * The angle is reduced on the integer to the nearest half turn k (0 or 1) and
 * a remainder t in [-1/4, 1/4) of a turn, so cos and sin of the angle are
 * (-1)^k·cos(2πt) and (-1)^k·sin(2πt): one sign flip, no quadrant swap.
 * Writes (r·std)·cos + mean and (r·std)·sin + mean, or r·cos and r·sin when
 * `standard` (a compile-time constant).
 */
@inline function boxMullerStore(dst: usize, xr: v128, xa: v128, mean: f32, std: f32, standard: bool): void {
  const radius = boxMullerRadius(xr);
  const k = i32x4.shr_u(i32x4.add(xa, i32x4.splat(0x40000000)), 31);
  const half = i32x4.shl(k, 31);
  const t = f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(xa, half)), splatF(2.3283064365386963e-10));
  const t2 = f32x4.mul(t, t);
  let s = horner(t2, S4, S3);
  s = hornerNext(s, t2, S2);
  s = hornerNext(s, t2, S1);
  s = hornerNext(s, t2, S0);
  s = f32x4.mul(s, t);
  let c = horner(t2, C5, C4);
  c = hornerNext(c, t2, C3);
  c = hornerNext(c, t2, C2);
  c = hornerNext(c, t2, C1);
  c = f32x4.add(f32x4.mul(c, t2), splatF(1));
  if (standard) {
    v128.store(dst, f32x4.mul(radius, v128.xor(c, half)));
    v128.store(dst, f32x4.mul(radius, v128.xor(s, half)), 16);
  } else {
    const scaled = f32x4.mul(radius, splatF(std));
    const mu = splatF(mean);
    v128.store(dst, f32x4.add(f32x4.mul(scaled, v128.xor(c, half)), mu));
    v128.store(dst, f32x4.add(f32x4.mul(scaled, v128.xor(s, half)), mu), 16);
  }
}

@inline function truncNormalStore(dst: usize, x: v128, pLo: f32, pWidth: f32, flip: f32, mean: f32, std: f32, lo: f32, hi: f32): void {
  const u = f32x4.mul(f32x4.add(f32x4.convert_i32x4_u(x), splatF(0.5)), splatF(2.3283064365386963e-10));
  const p = f32x4.add(f32x4.mul(u, splatF(pWidth)), splatF(pLo));
  const z = f32x4.mul(normalQuantileF32x4(p), splatF(flip));
  const v = f32x4.add(f32x4.mul(z, splatF(std)), splatF(mean));
  v128.store(dst, f32x4.min(f32x4.max(v, splatF(lo)), splatF(hi)));
}

/** Stores the 16 outputs of one group from its four Philox word vectors (see `group`). */
@inline function emit(
  kind: i32, dst: usize, x0: v128, x1: v128, x2: v128, x3: v128,
  a: f32, b: f32, c: f32, d: f32, e: f32, f: f32, g: f32,
): void {
  if (kind == KIND_UNIFORM) {
    // a = scale, b = shift
    const sc = splatF(a);
    const sh = splatF(b);
    v128.store(dst, f32x4.add(f32x4.mul(unit24(x0), sc), sh));
    v128.store(dst, f32x4.add(f32x4.mul(unit24(x1), sc), sh), 16);
    v128.store(dst, f32x4.add(f32x4.mul(unit24(x2), sc), sh), 32);
    v128.store(dst, f32x4.add(f32x4.mul(unit24(x3), sc), sh), 48);
  } else if (kind == KIND_NORMAL) {
    // a = mean, b = std
    boxMullerStore(dst, x0, x1, a, b, false);
    boxMullerStore(dst + 32, x2, x3, a, b, false);
  } else if (kind == KIND_STANDARD_NORMAL) {
    boxMullerStore(dst, x0, x1, 0, 1, true);
    boxMullerStore(dst + 32, x2, x3, 0, 1, true);
  } else if (kind == KIND_TRUNC_NORMAL) {
    // a = pLo, b = pWidth, c = flip, d = mean, e = std, f = lo, g = hi
    truncNormalStore(dst, x0, a, b, c, d, e, f, g);
    truncNormalStore(dst + 16, x1, a, b, c, d, e, f, g);
    truncNormalStore(dst + 32, x2, a, b, c, d, e, f, g);
    truncNormalStore(dst + 48, x3, a, b, c, d, e, f, g);
  } else {
    // a = p, b = value written where u < p
    const pv = splatF(a);
    const val = splatF(b);
    v128.store(dst, v128.and(f32x4.lt(unit24(x0), pv), val));
    v128.store(dst, v128.and(f32x4.lt(unit24(x1), pv), val), 16);
    v128.store(dst, v128.and(f32x4.lt(unit24(x2), pv), val), 32);
    v128.store(dst, v128.and(f32x4.lt(unit24(x3), pv), val), 48);
  }
}

// M1·lane for lanes 0..3, high and low words: the first round's products of
// the counter word c2 = lane, the same for every group.
const LANE_HI: v128 = i32x4(0, 0, 1, 2);
const LANE_LO: v128 = i32x4(0, 0xcd9e8d57, 0x9b3d1aae, 0x68dba805);

/**
 * Philox state after the first two rounds for counter (grp, lane, 0). In those
 * rounds most words are the same in all four lanes (c0, c1 and c3 are, and c2
 * = lane is a constant), so they cost two scalar multiplies and one vector
 * multiply instead of two full vector rounds. Writes the four word vectors to
 * the PHILOX2() scratch (read back at once, from L1).
 */
@inline function firstTwoRounds(grp: u64, key0: u32, key1: u32, m0: v128): void {
  const gLo = <u32>grp;
  const gHi = <u32>(grp >> 32);
  // round 1: x = (gLo, gHi, lane, 0), key (key0, key1)
  const p0 = <u64>M0 * <u64>gLo;
  const a0 = v128.xor(LANE_HI, i32x4.splat(gHi ^ key0));
  const s2 = <u32>(p0 >> 32) ^ key1;
  const s3 = <u32>p0;
  // round 2: x = (a0, LANE_LO, s2, s3), key + W
  const q0l = i64x2.extmul_low_i32x4_u(a0, m0);
  const q0h = i64x2.extmul_high_i32x4_u(a0, m0);
  const p1 = <u64>M1 * <u64>s2;
  v128.store(PHILOX2(), v128.xor(LANE_LO, i32x4.splat(<u32>(p1 >> 32) ^ (key0 + W0))));
  v128.store(PHILOX2(), i32x4.splat(<u32>p1), 16);
  v128.store(PHILOX2(), v128.xor(i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), i32x4.splat(s3 ^ (key1 + W1))), 32);
  v128.store(PHILOX2(), i32x4.shuffle(q0l, q0h, 0, 2, 4, 6), 48);
}

/**
 * The 16 outputs of group `grp` at dst: Philox4x32-10 on the counters
 * (grp, lane, 0) in the four lanes. a..g are the kind's float parameters (see
 * the exported kernels).
 */
@inline function group(
  kind: i32, dst: usize, grp: u64, key0: u32, key1: u32,
  a: f32, b: f32, c: f32, d: f32, e: f32, f: f32, g: f32,
): void {
  const m0 = i32x4.splat(M0);
  const m1 = i32x4.splat(M1);
  firstTwoRounds(grp, key0, key1, m0);
  let x0 = v128.load(PHILOX2());
  let x1 = v128.load(PHILOX2(), 16);
  let x2 = v128.load(PHILOX2(), 32);
  let x3 = v128.load(PHILOX2(), 48);
  for (let r = 2; r < 10; r++) {
    const k0 = v128.load(ROUND_KEYS() + (<usize>(r - 2) << 5));
    const k1 = v128.load(ROUND_KEYS() + (<usize>(r - 2) << 5), 16);
    const p0l = i64x2.extmul_low_i32x4_u(x0, m0);
    const p0h = i64x2.extmul_high_i32x4_u(x0, m0);
    const p1l = i64x2.extmul_low_i32x4_u(x2, m1);
    const p1h = i64x2.extmul_high_i32x4_u(x2, m1);
    x0 = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), x1), k0);
    x1 = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
    x2 = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), x3), k1);
    x3 = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
  }
  emit(kind, dst, x0, x1, x2, x3, a, b, c, d, e, f, g);
}

/**
 * Groups grp and grp + 1 (32 outputs) with their rounds interleaved: one
 * Philox round is a chain of dependent multiply-shuffle-xor steps, and two
 * independent chains keep the multiplier busy.
 */
@inline function group2(
  kind: i32, dst: usize, grp: u64, key0: u32, key1: u32,
  a: f32, b: f32, c: f32, d: f32, e: f32, f: f32, g: f32,
): void {
  const m0 = i32x4.splat(M0);
  const m1 = i32x4.splat(M1);
  // firstTwoRounds for both groups, kept in registers (same arithmetic)
  const grpB = grp + 1;
  const aHi = <u32>(grp >> 32);
  const bHi = <u32>(grpB >> 32);
  const pa0 = <u64>M0 * <u64><u32>grp;
  const pb0 = <u64>M0 * <u64><u32>grpB;
  const a0 = v128.xor(LANE_HI, i32x4.splat(aHi ^ key0));
  const b0 = v128.xor(LANE_HI, i32x4.splat(bHi ^ key0));
  const pa1 = <u64>M1 * <u64>(<u32>(pa0 >> 32) ^ key1);
  const pb1 = <u64>M1 * <u64>(<u32>(pb0 >> 32) ^ key1);
  const qal = i64x2.extmul_low_i32x4_u(a0, m0);
  const qah = i64x2.extmul_high_i32x4_u(a0, m0);
  const qbl = i64x2.extmul_low_i32x4_u(b0, m0);
  const qbh = i64x2.extmul_high_i32x4_u(b0, m0);
  let x0 = v128.xor(LANE_LO, i32x4.splat(<u32>(pa1 >> 32) ^ (key0 + W0)));
  let x1 = i32x4.splat(<u32>pa1);
  let x2 = v128.xor(i32x4.shuffle(qal, qah, 1, 3, 5, 7), i32x4.splat(<u32>pa0 ^ (key1 + W1)));
  let x3 = i32x4.shuffle(qal, qah, 0, 2, 4, 6);
  let y0 = v128.xor(LANE_LO, i32x4.splat(<u32>(pb1 >> 32) ^ (key0 + W0)));
  let y1 = i32x4.splat(<u32>pb1);
  let y2 = v128.xor(i32x4.shuffle(qbl, qbh, 1, 3, 5, 7), i32x4.splat(<u32>pb0 ^ (key1 + W1)));
  let y3 = i32x4.shuffle(qbl, qbh, 0, 2, 4, 6);
  for (let r = 2; r < 10; r++) {
    const k0 = v128.load(ROUND_KEYS() + (<usize>(r - 2) << 5));
    const k1 = v128.load(ROUND_KEYS() + (<usize>(r - 2) << 5), 16);
    const p0l = i64x2.extmul_low_i32x4_u(x0, m0);
    const p0h = i64x2.extmul_high_i32x4_u(x0, m0);
    const p1l = i64x2.extmul_low_i32x4_u(x2, m1);
    const p1h = i64x2.extmul_high_i32x4_u(x2, m1);
    const q0l = i64x2.extmul_low_i32x4_u(y0, m0);
    const q0h = i64x2.extmul_high_i32x4_u(y0, m0);
    const q1l = i64x2.extmul_low_i32x4_u(y2, m1);
    const q1h = i64x2.extmul_high_i32x4_u(y2, m1);
    x0 = v128.xor(v128.xor(i32x4.shuffle(p1l, p1h, 1, 3, 5, 7), x1), k0);
    x1 = i32x4.shuffle(p1l, p1h, 0, 2, 4, 6);
    x2 = v128.xor(v128.xor(i32x4.shuffle(p0l, p0h, 1, 3, 5, 7), x3), k1);
    x3 = i32x4.shuffle(p0l, p0h, 0, 2, 4, 6);
    y0 = v128.xor(v128.xor(i32x4.shuffle(q1l, q1h, 1, 3, 5, 7), y1), k0);
    y1 = i32x4.shuffle(q1l, q1h, 0, 2, 4, 6);
    y2 = v128.xor(v128.xor(i32x4.shuffle(q0l, q0h, 1, 3, 5, 7), y3), k1);
    y3 = i32x4.shuffle(q0l, q0h, 0, 2, 4, 6);
  }
  emit(kind, dst, x0, x1, x2, x3, a, b, c, d, e, f, g);
  emit(kind, dst + 64, y0, y1, y2, y3, a, b, c, d, e, f, g);
}

@inline function fill(
  kind: i32, out: usize, n: i32, key0: u32, key1: u32, posLo: u32, posHi: u32,
  a: f32, b: f32, c: f32, d: f32, e: f32, f: f32, g: f32,
): void {
  if (n <= 0) return;
  for (let r: u32 = 2; r < 10; r++) {
    v128.store(ROUND_KEYS() + (<usize>(r - 2) << 5), i32x4.splat(key0 + r * W0));
    v128.store(ROUND_KEYS() + (<usize>(r - 2) << 5), i32x4.splat(key1 + r * W1), 16);
  }
  const pos: u64 = (<u64>posHi << 32) | <u64>posLo;
  let grp: u64 = pos >> 4;
  let done: i32 = 0;
  const head = <i32>(pos & 15);
  if (head != 0) {
    group(kind, SCRATCH(), grp, key0, key1, a, b, c, d, e, f, g);
    const take = min(16 - head, n);
    memory.copy(out, SCRATCH() + (<usize>head << 2), <usize>take << 2);
    done = take;
    grp++;
  }
  while (n - done >= 32) {
    group2(kind, out + (<usize>done << 2), grp, key0, key1, a, b, c, d, e, f, g);
    done += 32;
    grp += 2;
  }
  if (n - done >= 16) {
    group(kind, out + (<usize>done << 2), grp, key0, key1, a, b, c, d, e, f, g);
    done += 16;
    grp++;
  }
  if (done < n) {
    group(kind, SCRATCH(), grp, key0, key1, a, b, c, d, e, f, g);
    memory.copy(out + (<usize>done << 2), SCRATCH(), <usize>(n - done) << 2);
  }
}

/** out[i] = u·scale + shift, u = U[0,1) on the 2^-24 grid, for stream positions pos..pos+n-1. */
export function philoxUniform(out: usize, n: i32, key0: u32, key1: u32, posLo: u32, posHi: u32, scale: f32, shift: f32): void {
  fill(KIND_UNIFORM, out, n, key0, key1, posLo, posHi, scale, shift, 0, 0, 0, 0, 0);
}

/** out[i] = z·std + mean, z standard normal (Box–Muller); just z when mean = 0 and std = 1. */
export function philoxNormal(out: usize, n: i32, key0: u32, key1: u32, posLo: u32, posHi: u32, mean: f32, std: f32): void {
  if (mean == 0 && std == 1) fill(KIND_STANDARD_NORMAL, out, n, key0, key1, posLo, posHi, 0, 1, 0, 0, 0, 0, 0);
  else fill(KIND_NORMAL, out, n, key0, key1, posLo, posHi, mean, std, 0, 0, 0, 0, 0);
}

/**
 * Truncated normal by inversion: p uniform in [pLo, pLo + pWidth] (the
 * standard normal CDF at the standardized bounds, reflected by the caller so
 * the narrower tail is the lower one, where float32 keeps relative precision),
 * z = flip·Φ⁻¹(p), out = clamp(z·std + mean, lo, hi) (the clamp only absorbs
 * rounding at the bounds).
 */
export function philoxTruncNormal(
  out: usize, n: i32, key0: u32, key1: u32, posLo: u32, posHi: u32,
  pLo: f32, pWidth: f32, flip: f32, mean: f32, std: f32, lo: f32, hi: f32,
): void {
  fill(KIND_TRUNC_NORMAL, out, n, key0, key1, posLo, posHi, pLo, pWidth, flip, mean, std, lo, hi);
}

/** out[i] = value where u < p else 0 (u as in philoxUniform): P(value) = p on the 2^-24 grid. */
export function philoxBernoulli(out: usize, n: i32, key0: u32, key1: u32, posLo: u32, posHi: u32, p: f32, value: f32): void {
  fill(KIND_BERNOULLI, out, n, key0, key1, posLo, posHi, p, value, 0, 0, 0, 0, 0);
}

/** Raw Philox4x32-10 for the known-answer tests: 4 words of key (k0,k1), counter (c0..c3) at out. */
export function philox4x32(out: usize, c0: u32, c1: u32, c2: u32, c3: u32, key0: u32, key1: u32): void {
  let x0 = c0, x1 = c1, x2 = c2, x3 = c3, k0 = key0, k1 = key1;
  for (let r = 0; r < 10; r++) {
    const p0 = <u64>M0 * <u64>x0;
    const p1 = <u64>M1 * <u64>x2;
    x0 = <u32>(p1 >> 32) ^ x1 ^ k0;
    x1 = <u32>p1;
    x2 = <u32>(p0 >> 32) ^ x3 ^ k1;
    x3 = <u32>p0;
    k0 += W0;
    k1 += W1;
  }
  store<u32>(out, x0);
  store<u32>(out, x1, 4);
  store<u32>(out, x2, 8);
  store<u32>(out, x3, 12);
}

export function warmupRng(scratchPtr: usize, scratchBytes: i32): void {
  const n = min(scratchBytes >> 2, 1024) - 3;
  philoxUniform(scratchPtr, n, 1, 2, 3, 0, 1, 0);
  philoxNormal(scratchPtr, n, 1, 2, 5, 0, 0, 1);
  philoxTruncNormal(scratchPtr, n, 1, 2, 7, 0, 0.02, 0.96, 1, 0, 1, -2, 2);
  philoxBernoulli(scratchPtr, n, 1, 2, 9, 0, 0.5, 2);
}
