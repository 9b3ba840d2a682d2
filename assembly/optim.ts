// Optimizer kernels: one fused pass per update rule over parameter, gradient
// and state (each read once, written once), plus the reductions behind
// gradient clipping, gradient centralization and Lookahead's synchronisation.
//
// Every kernel works on a table of tensors (the multi-tensor path: a group of
// many small parameters costs one call). A table row is 64 bytes, read through
// the accessors of table.ts (generated with the TypeScript writer's offsets by
// scripts/gen_table.mjs); what each slot holds per rule: the legend in
// src/backend/tensor_table.ts.
//
// Arithmetic contract (the pure-JS twins in src/reference/optim.ts follow it
// bit for bit): plain IEEE float32 operations in the order written, no fused
// multiply-add, no relaxed instructions, scalars arrive already rounded to f32.
//
// Subnormals. WebAssembly cannot flush them to zero, and float32 arithmetic
// that produces or consumes a subnormal is several times slower. Squared
// gradients of size ~1e-20 produce them, and squared-gradient state (Adam's v,
// RMSprop's square average, Adagrad's sum, ...) decays into that range and
// stays there for thousands of steps. So each aligned group of 4 elements is
// checked first: if its gradient is "tiny" (non-zero, below 2^-50, so that the
// square would be subnormal) or its squared-gradient state is (positive, below
// 2^-80; that state is never negative), the group is computed in float64 — where these values are normal —
// and each stored value is rounded to float32 once (Adam, the benchmarked
// rule, sends only its v update through float64 and takes √v on an exactly
// rescaled operand; see adamAt). That changes a result by at most float32
// rounding. Only those two inputs are checked: they
// are the ones that go and stay subnormal in training; anything else that is
// subnormal (a parameter, a first moment decaying through the range on the way
// to zero) is still computed correctly in float32, only more slowly. Tail
// elements (past the last full group) are checked and computed one by one.
//
// Speed. The updates with a division and a square root (Adam, Adagrad, RMSprop,
// Adadelta, NAdam, RAdam) are bound by the core, not by memory (the same time
// per parameter in cache and from DRAM): their long sqrt/div chain makes the
// out-of-order window, not the divider, the limit, so every instruction in
// the loop costs. Their fast loops (xxxRun) take 8 elements per
// iteration with one combined check of both groups, carry only float32 code
// (the float64 path lives in a separate function, xxxSlow, entered at the
// first tiny group and left after CLEAN_RUN clean groups in a row), skip the
// exact ·gSign when it is 1, and get their constants splatted by the caller
// (V8 re-splats a scalar inside the loop); Adam's and Adadelta's are also
// software-pipelined (see adamRun). The per-group results are the same
// as with a check per group: a group is never computed differently because of
// its neighbour.
//
// The element math is written once per rule, generic over the lane type T
// (f32: 4 lanes; f64: 2 lanes) and the width W (v128: a 4-lane group; u64:
// half a group, promoted to f64; u32: one element).

import { ROW_BYTES, eP, eG, eS0, eS1, eS2, eN, eT0, eT1, eT2, eT3, eR0, eR1 } from "./table";
import {
  TINY_GRAD_BITS, TINY_STATE_BITS, ld, st, rnd, sp, lanes, vadd, vsub, vmul, vdiv, vsqrt, tinyLanes, tinyLanesK, tinyStateK, tinyGrad2K, tinyState4K, tinyState2K, tinyOne, tinyOneS, tinyG, tinyS, CLEAN_RUN,
  optimAbsMask,
} from "./optim_lanes";
import { adamStep } from "./optim_adam";

export { optimAbsMask } from "./optim_lanes";

// ---- SGD -------------------------------------------------------------------
// d = gSign·g (+ wd·p); buf = first ? d : momentum·buf + (1 − dampening)·d;
// d = nesterov ? d + momentum·buf : buf; p = p − lr·d.
// No squares: it meets subnormals only where its inputs already are, so it
// has no float64 path.

@inline function sgdAt<W>(
  p: usize, g: usize, b: usize, lr: v128, momentum: v128, omd: v128, wd: v128, gSign: v128,
  hasWd: bool, hasMomentum: bool, first: bool, nesterov: bool, signed: bool, damped: bool,
): void {
  const pv = ld<f32, W>(p);
  let d = ld<f32, W>(g);
  if (signed) d = f32x4.mul(d, gSign);
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, pv));
  if (hasMomentum) {
    const buf = first ? d : f32x4.add(f32x4.mul(momentum, ld<f32, W>(b)), damped ? f32x4.mul(omd, d) : d);
    st<f32, W>(b, buf);
    d = nesterov ? f32x4.add(d, f32x4.mul(momentum, buf)) : buf;
  }
  st<f32, W>(p, f32x4.sub(pv, f32x4.mul(lr, d)));
}

@inline function sgdTensor(
  p: usize, g: usize, b: usize, n: i32, lr: v128, momentum: v128, omd: v128, wd: v128, gSign: v128,
  hasWd: bool, hasMomentum: bool, first: bool, nesterov: bool, signed: bool, damped: bool,
): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    sgdAt<v128>(p + o, g + o, b + o, lr, momentum, omd, wd, gSign, hasWd, hasMomentum, first, nesterov, signed, damped);
    sgdAt<v128>(p + o + 16, g + o + 16, b + o + 16, lr, momentum, omd, wd, gSign, hasWd, hasMomentum, first, nesterov, signed, damped);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    sgdAt<v128>(p + o, g + o, b + o, lr, momentum, omd, wd, gSign, hasWd, hasMomentum, first, nesterov, signed, damped);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    sgdAt<u32>(p + o, g + o, b + o, lr, momentum, omd, wd, gSign, hasWd, hasMomentum, first, nesterov, signed, damped);
  }
}

/** Plain momentum (no weight decay, dampening 0, gSign 1): both products by 1 skipped (exact). */
@noinline function sgdMomentumPlain(
  p: usize, g: usize, b: usize, n: i32, lr: v128, momentum: v128, omd: v128, wd: v128, gSign: v128,
): void {
  sgdTensor(p, g, b, n, lr, momentum, omd, wd, gSign, false, true, false, false, false, false);
}

export function sgdStep(
  table: usize, count: i32, lr_: f32, momentum_: f32, omd_: f32, wd_: f32, gSign_: f32, nesterov_: i32,
): void {
  const lr = f32x4.splat(lr_), momentum = f32x4.splat(momentum_), omd = f32x4.splat(omd_);
  const wd = f32x4.splat(wd_), gSign = f32x4.splat(gSign_);
  const hasWd = wd_ != 0, hasMomentum = momentum_ != 0, nesterov = nesterov_ != 0;
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const p = eP(e), g = eG(e), b = eS0(e), n = eN(e);
    const first = eT0(e) != 0;
    // Specialised loops for the common cases; the general one for the rest.
    if (!hasWd && hasMomentum && !first && !nesterov && gSign_ == 1 && omd_ == 1) {
      sgdMomentumPlain(p, g, b, n, lr, momentum, omd, wd, gSign);
    } else if (!hasWd && hasMomentum && !first && !nesterov) {
      sgdTensor(p, g, b, n, lr, momentum, omd, wd, gSign, false, true, false, false, true, true);
    } else if (!hasWd && !hasMomentum) {
      sgdTensor(p, g, b, n, lr, momentum, omd, wd, gSign, false, false, false, false, true, true);
    } else if (first) {
      sgdTensor(p, g, b, n, lr, momentum, omd, wd, gSign, hasWd, hasMomentum, true, nesterov, true, true);
    } else {
      sgdTensor(p, g, b, n, lr, momentum, omd, wd, gSign, hasWd, hasMomentum, false, nesterov, true, true);
    }
  }
}

// ---- Adam / AdamW (AMSGrad) ---------------------------------------------------
// assembly/optim_adam.ts, generated by scripts/gen_adam.mjs (its constants are
// passed through every function of the fast and slow paths; the generator
// writes their list once).

// ---- Adagrad ---------------------------------------------------------------
// d = gSign·g (+ wd·p); sum = sum + d·d; p = p − (clr·d)/(√sum + eps). t0 = clr.

@inline function adagradAt<T, W>(
  p: usize, g: usize, sp_: usize, clr: v128, eps: v128, wd: v128, gSign: v128, hasWd: bool,
): void {
  const pv = ld<T, W>(p);
  let d = vmul<T>(ld<T, W>(g), lanes<T>(gSign));
  if (hasWd) d = vadd<T>(d, vmul<T>(lanes<T>(wd), pv));
  const s = rnd<T>(vadd<T>(ld<T, W>(sp_), vmul<T>(d, d)));
  st<T, W>(sp_, s);
  st<T, W>(p, vsub<T>(pv, vdiv<T>(vmul<T>(lanes<T>(clr), d), vadd<T>(vsqrt<T>(s), lanes<T>(eps)))));
}

/** Groups from i with their own checks, until CLEAN_RUN clean groups in a row (see adamSlow). */
@noinline function adagradSlow(
  p: usize, g: usize, s: usize, i: i32, n: i32, all: bool, clr: v128, eps: v128, wd: v128, gSign: v128,
  k: v128, gLimit: v128, sLimit: v128, hasWd: bool,
): i32 {
  let clean = 0;
  const limit = all ? i32.MAX_VALUE : CLEAN_RUN;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    if (v128.any_true(v128.or(tinyLanesK(v128.load(g + o), k, gLimit), tinyStateK(v128.load(s + o), k, sLimit)))) {
      adagradAt<f64, u64>(p + o, g + o, s + o, clr, eps, wd, gSign, hasWd);
      adagradAt<f64, u64>(p + o + 8, g + o + 8, s + o + 8, clr, eps, wd, gSign, hasWd);
      clean = 0;
    } else {
      adagradAt<f32, v128>(p + o, g + o, s + o, clr, eps, wd, gSign, hasWd);
      if (++clean >= limit) {
        i += 4;
        break;
      }
    }
  }
  if (all) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      if (tinyOne(g + o, TINY_GRAD_BITS) || tinyOneS(s + o)) {
        adagradAt<f64, u32>(p + o, g + o, s + o, clr, eps, wd, gSign, hasWd);
      } else {
        adagradAt<f32, u32>(p + o, g + o, s + o, clr, eps, wd, gSign, hasWd);
      }
    }
  }
  return i;
}

/** The float32 update of a clean group (g and sum as loaded for the check). */
@inline function adagradVec(
  p: usize, sp_: usize, gv: v128, sv: v128, clr: v128, eps: v128, wd: v128, gSign: v128, hasWd: bool, signed: bool,
): void {
  const pv = v128.load(p);
  let d = signed ? f32x4.mul(gv, gSign) : gv;
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, pv));
  const sum = f32x4.add(sv, f32x4.mul(d, d));
  v128.store(sp_, sum);
  v128.store(p, f32x4.sub(pv, f32x4.div(f32x4.mul(clr, d), f32x4.add(f32x4.sqrt(sum), eps))));
}

/** The fast loop (see adamRun). */
@inline function adagradRun(
  p: usize, g: usize, s: usize, n: i32, clr: v128, eps: v128, wd: v128, gSign: v128, k: v128, gLimit: v128, sLimit: v128,
  hasWd: bool, signed: bool,
): void {
  let i = 0;
  while (true) {
    let found = false;
    while (i + 8 <= n) {
      const o = <usize>i << 2;
      const g0 = v128.load(g + o), g1 = v128.load(g + o, 16);
      const s0 = v128.load(s + o), s1 = v128.load(s + o, 16);
      if (v128.any_true(v128.or(tinyGrad2K(g0, g1, k, gLimit), tinyState2K(s0, s1, k, sLimit)))) {
        found = true;
        break;
      } else {
        adagradVec(p + o, s + o, g0, s0, clr, eps, wd, gSign, hasWd, signed);
        adagradVec(p + o + 16, s + o + 16, g1, s1, clr, eps, wd, gSign, hasWd, signed);
        i += 8;
      }
    }
    if (!found) break;
    i = adagradSlow(p, g, s, i, n, false, clr, eps, wd, gSign, k, gLimit, sLimit, hasWd);
  }
  adagradSlow(p, g, s, i, n, true, clr, eps, wd, gSign, k, gLimit, sLimit, hasWd);
}

@noinline function adagradRunPlain(
  p: usize, g: usize, s: usize, n: i32, clr: v128, eps: v128, wd: v128, gSign: v128, k: v128, gLimit: v128, sLimit: v128,
): void {
  adagradRun(p, g, s, n, clr, eps, wd, gSign, k, gLimit, sLimit, false, false);
}

@noinline function adagradRunSigned(
  p: usize, g: usize, s: usize, n: i32, clr: v128, eps: v128, wd: v128, gSign: v128, k: v128, gLimit: v128, sLimit: v128,
): void {
  adagradRun(p, g, s, n, clr, eps, wd, gSign, k, gLimit, sLimit, false, true);
}

@noinline function adagradRunWd(
  p: usize, g: usize, s: usize, n: i32, clr: v128, eps: v128, wd: v128, gSign: v128, k: v128, gLimit: v128, sLimit: v128,
): void {
  adagradRun(p, g, s, n, clr, eps, wd, gSign, k, gLimit, sLimit, true, true);
}

export function adagradStep(table: usize, count: i32, eps_: f32, wd_: f32, gSign_: f32): void {
  const eps = f32x4.splat(eps_), wd = f32x4.splat(wd_), gSign = f32x4.splat(gSign_);
  const k = i32x4.splat(optimAbsMask);
  const gLimit = i32x4.splat(optimAbsMask + TINY_GRAD_BITS), sLimit = i32x4.splat(optimAbsMask + TINY_STATE_BITS);
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const p = eP(e), g = eG(e), s = eS0(e), n = eN(e), clr = f32x4.splat(eT0(e));
    if (wd_ != 0) adagradRunWd(p, g, s, n, clr, eps, wd, gSign, k, gLimit, sLimit);
    else if (gSign_ != 1) adagradRunSigned(p, g, s, n, clr, eps, wd, gSign, k, gLimit, sLimit);
    else adagradRunPlain(p, g, s, n, clr, eps, wd, gSign, k, gLimit, sLimit);
  }
}

// ---- RMSprop ---------------------------------------------------------------
// d = gSign·g (+ wd·p); sq = α·sq + ((1−α)·d)·d;
// centered: ga = α·ga + (1−α)·d, avg = √(sq − ga·ga) + eps; else avg = √sq + eps;
// momentum > 0: buf = μ·buf + d/avg, p = p − lr·buf; else p = p − (lr·d)/avg.

@inline function rmspropAt<T, W>(
  p: usize, g: usize, qp: usize, ap: usize, bp: usize, lr: v128, alpha: v128, oma: v128, eps: v128, wd: v128,
  gSign: v128, momentum: v128, hasWd: bool, centered: bool, hasMomentum: bool,
): void {
  const pv = ld<T, W>(p);
  let d = vmul<T>(ld<T, W>(g), lanes<T>(gSign));
  if (hasWd) d = vadd<T>(d, vmul<T>(lanes<T>(wd), pv));
  const sq = rnd<T>(vadd<T>(vmul<T>(lanes<T>(alpha), ld<T, W>(qp)), vmul<T>(vmul<T>(lanes<T>(oma), d), d)));
  st<T, W>(qp, sq);
  let avg: v128;
  if (centered) {
    const ga = rnd<T>(vadd<T>(vmul<T>(lanes<T>(alpha), ld<T, W>(ap)), vmul<T>(lanes<T>(oma), d)));
    st<T, W>(ap, ga);
    avg = vadd<T>(vsqrt<T>(vsub<T>(sq, vmul<T>(ga, ga))), lanes<T>(eps));
  } else {
    avg = vadd<T>(vsqrt<T>(sq), lanes<T>(eps));
  }
  if (hasMomentum) {
    const buf = rnd<T>(vadd<T>(vmul<T>(lanes<T>(momentum), ld<T, W>(bp)), vdiv<T>(d, avg)));
    st<T, W>(bp, buf);
    st<T, W>(p, vsub<T>(pv, vmul<T>(lanes<T>(lr), buf)));
  } else {
    st<T, W>(p, vsub<T>(pv, vdiv<T>(vmul<T>(lanes<T>(lr), d), avg)));
  }
}

/** Groups from i with their own checks, until CLEAN_RUN clean groups in a row (see adamSlow). */
@noinline function rmspropSlow(
  p: usize, g: usize, q: usize, a: usize, b: usize, i: i32, n: i32, all: bool, lr: v128, alpha: v128, oma: v128,
  eps: v128, wd: v128, gSign: v128, momentum: v128, k: v128, gLimit: v128, sLimit: v128,
  hasWd: bool, centered: bool, hasMomentum: bool,
): i32 {
  let clean = 0;
  const limit = all ? i32.MAX_VALUE : CLEAN_RUN;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    if (v128.any_true(v128.or(tinyLanesK(v128.load(g + o), k, gLimit), tinyStateK(v128.load(q + o), k, sLimit)))) {
      rmspropAt<f64, u64>(p + o, g + o, q + o, a + o, b + o, lr, alpha, oma, eps, wd, gSign, momentum, hasWd, centered, hasMomentum);
      rmspropAt<f64, u64>(p + o + 8, g + o + 8, q + o + 8, a + o + 8, b + o + 8, lr, alpha, oma, eps, wd, gSign, momentum, hasWd, centered, hasMomentum);
      clean = 0;
    } else {
      rmspropAt<f32, v128>(p + o, g + o, q + o, a + o, b + o, lr, alpha, oma, eps, wd, gSign, momentum, hasWd, centered, hasMomentum);
      if (++clean >= limit) {
        i += 4;
        break;
      }
    }
  }
  if (all) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      if (tinyOne(g + o, TINY_GRAD_BITS) || tinyOneS(q + o)) {
        rmspropAt<f64, u32>(p + o, g + o, q + o, a + o, b + o, lr, alpha, oma, eps, wd, gSign, momentum, hasWd, centered, hasMomentum);
      } else {
        rmspropAt<f32, u32>(p + o, g + o, q + o, a + o, b + o, lr, alpha, oma, eps, wd, gSign, momentum, hasWd, centered, hasMomentum);
      }
    }
  }
  return i;
}

/** The float32 update of a clean group (g and sq as loaded for the check). */
@inline function rmspropVec(
  p: usize, qp: usize, ap: usize, bp: usize, gv: v128, qv: v128, lr: v128, alpha: v128, oma: v128, eps: v128, wd: v128,
  gSign: v128, momentum: v128, hasWd: bool, centered: bool, hasMomentum: bool, signed: bool,
): void {
  const pv = v128.load(p);
  let d = signed ? f32x4.mul(gv, gSign) : gv;
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, pv));
  const sq = f32x4.add(f32x4.mul(alpha, qv), f32x4.mul(f32x4.mul(oma, d), d));
  v128.store(qp, sq);
  let avg: v128;
  if (centered) {
    const ga = f32x4.add(f32x4.mul(alpha, v128.load(ap)), f32x4.mul(oma, d));
    v128.store(ap, ga);
    avg = f32x4.add(f32x4.sqrt(f32x4.sub(sq, f32x4.mul(ga, ga))), eps);
  } else {
    avg = f32x4.add(f32x4.sqrt(sq), eps);
  }
  if (hasMomentum) {
    const buf = f32x4.add(f32x4.mul(momentum, v128.load(bp)), f32x4.div(d, avg));
    v128.store(bp, buf);
    v128.store(p, f32x4.sub(pv, f32x4.mul(lr, buf)));
  } else {
    v128.store(p, f32x4.sub(pv, f32x4.div(f32x4.mul(lr, d), avg)));
  }
}

/** The fast loop (see adamRun). */
@inline function rmspropRun(
  p: usize, g: usize, q: usize, a: usize, b: usize, n: i32, lr: v128, alpha: v128, oma: v128, eps: v128, wd: v128,
  gSign: v128, momentum: v128, k: v128, gLimit: v128, sLimit: v128, hasWd: bool, centered: bool, hasMomentum: bool, signed: bool,
): void {
  let i = 0;
  while (true) {
    let found = false;
    while (i + 8 <= n) {
      const o = <usize>i << 2;
      const g0 = v128.load(g + o), g1 = v128.load(g + o, 16);
      const q0 = v128.load(q + o), q1 = v128.load(q + o, 16);
      if (v128.any_true(v128.or(tinyGrad2K(g0, g1, k, gLimit), tinyState2K(q0, q1, k, sLimit)))) {
        found = true;
        break;
      } else {
        rmspropVec(p + o, q + o, a + o, b + o, g0, q0, lr, alpha, oma, eps, wd, gSign, momentum, hasWd, centered, hasMomentum, signed);
        rmspropVec(p + o + 16, q + o + 16, a + o + 16, b + o + 16, g1, q1, lr, alpha, oma, eps, wd, gSign, momentum, hasWd, centered, hasMomentum, signed);
        i += 8;
      }
    }
    if (!found) break;
    i = rmspropSlow(p, g, q, a, b, i, n, false, lr, alpha, oma, eps, wd, gSign, momentum, k, gLimit, sLimit, hasWd, centered, hasMomentum);
  }
  rmspropSlow(p, g, q, a, b, i, n, true, lr, alpha, oma, eps, wd, gSign, momentum, k, gLimit, sLimit, hasWd, centered, hasMomentum);
}

// Specialised loops for the plain rule and plain + momentum; the general one for the rest.
@noinline function rmspropRunPlain(
  p: usize, g: usize, q: usize, a: usize, b: usize, n: i32, lr: v128, alpha: v128, oma: v128, eps: v128, wd: v128,
  gSign: v128, momentum: v128, k: v128, gLimit: v128, sLimit: v128,
): void {
  rmspropRun(p, g, q, a, b, n, lr, alpha, oma, eps, wd, gSign, momentum, k, gLimit, sLimit, false, false, false, false);
}

@noinline function rmspropRunMomentum(
  p: usize, g: usize, q: usize, a: usize, b: usize, n: i32, lr: v128, alpha: v128, oma: v128, eps: v128, wd: v128,
  gSign: v128, momentum: v128, k: v128, gLimit: v128, sLimit: v128,
): void {
  rmspropRun(p, g, q, a, b, n, lr, alpha, oma, eps, wd, gSign, momentum, k, gLimit, sLimit, false, false, true, false);
}

@noinline function rmspropRunGeneral(
  p: usize, g: usize, q: usize, a: usize, b: usize, n: i32, lr: v128, alpha: v128, oma: v128, eps: v128, wd: v128,
  gSign: v128, momentum: v128, k: v128, gLimit: v128, sLimit: v128, hasWd: bool, centered: bool, hasMomentum: bool,
): void {
  rmspropRun(p, g, q, a, b, n, lr, alpha, oma, eps, wd, gSign, momentum, k, gLimit, sLimit, hasWd, centered, hasMomentum, true);
}

export function rmspropStep(
  table: usize, count: i32, lr_: f32, alpha_: f32, oma_: f32, eps_: f32, wd_: f32, gSign_: f32, momentum_: f32,
  centered_: i32,
): void {
  const lr = f32x4.splat(lr_), alpha = f32x4.splat(alpha_), oma = f32x4.splat(oma_), eps = f32x4.splat(eps_);
  const wd = f32x4.splat(wd_), gSign = f32x4.splat(gSign_), momentum = f32x4.splat(momentum_);
  const k = i32x4.splat(optimAbsMask);
  const gLimit = i32x4.splat(optimAbsMask + TINY_GRAD_BITS), sLimit = i32x4.splat(optimAbsMask + TINY_STATE_BITS);
  const hasWd = wd_ != 0, centered = centered_ != 0, hasMomentum = momentum_ > 0, signed = gSign_ != 1;
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const p = eP(e), g = eG(e), q = eS0(e), a = eS1(e), b = eS2(e), n = eN(e);
    if (!hasWd && !centered && !hasMomentum && !signed) {
      rmspropRunPlain(p, g, q, a, b, n, lr, alpha, oma, eps, wd, gSign, momentum, k, gLimit, sLimit);
    } else if (!hasWd && !centered && hasMomentum && !signed) {
      rmspropRunMomentum(p, g, q, a, b, n, lr, alpha, oma, eps, wd, gSign, momentum, k, gLimit, sLimit);
    } else {
      rmspropRunGeneral(p, g, q, a, b, n, lr, alpha, oma, eps, wd, gSign, momentum, k, gLimit, sLimit, hasWd, centered, hasMomentum);
    }
  }
}

// ---- Adamax ------------------------------------------------------------------
// d = gSign·g (+ wd·p); m = β1·m + (1−β1)·d; u = max(β2·u, |d| + eps);
// p = p − (clr·m)/u, clr = lr/bc1 (t0). No squares, and u >= eps: it meets
// subnormals only where its inputs already are, so it has no float64 path.

@inline function adamaxAt<W>(
  p: usize, g: usize, mp: usize, up: usize, clr: v128, b1: v128, omb1: v128, b2: v128, eps: v128, wd: v128, gSign: v128,
  hasWd: bool, signed: bool,
): void {
  const pv = ld<f32, W>(p);
  let d = ld<f32, W>(g);
  if (signed) d = f32x4.mul(d, gSign);
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, pv));
  const m = f32x4.add(f32x4.mul(b1, ld<f32, W>(mp)), f32x4.mul(omb1, d));
  const u = f32x4.max(f32x4.mul(b2, ld<f32, W>(up)), f32x4.add(f32x4.abs(d), eps));
  st<f32, W>(mp, m);
  st<f32, W>(up, u);
  st<f32, W>(p, f32x4.sub(pv, f32x4.div(f32x4.mul(clr, m), u)));
}

/** One tensor, 8 elements per iteration; constants splatted by the caller (see adamRun). */
@inline function adamaxRun(
  p: usize, g: usize, m: usize, u: usize, n: i32, clr: v128, b1: v128, omb1: v128, b2: v128, eps: v128, wd: v128,
  gSign: v128, hasWd: bool, signed: bool,
): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    adamaxAt<v128>(p + o, g + o, m + o, u + o, clr, b1, omb1, b2, eps, wd, gSign, hasWd, signed);
    adamaxAt<v128>(p + o + 16, g + o + 16, m + o + 16, u + o + 16, clr, b1, omb1, b2, eps, wd, gSign, hasWd, signed);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    adamaxAt<v128>(p + o, g + o, m + o, u + o, clr, b1, omb1, b2, eps, wd, gSign, hasWd, signed);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    adamaxAt<u32>(p + o, g + o, m + o, u + o, clr, b1, omb1, b2, eps, wd, gSign, hasWd, signed);
  }
}

@noinline function adamaxRunPlain(
  p: usize, g: usize, m: usize, u: usize, n: i32, clr: v128, b1: v128, omb1: v128, b2: v128, eps: v128, wd: v128, gSign: v128,
): void {
  adamaxRun(p, g, m, u, n, clr, b1, omb1, b2, eps, wd, gSign, false, false);
}

@noinline function adamaxRunGeneral(
  p: usize, g: usize, m: usize, u: usize, n: i32, clr: v128, b1: v128, omb1: v128, b2: v128, eps: v128, wd: v128, gSign: v128,
  hasWd: bool,
): void {
  adamaxRun(p, g, m, u, n, clr, b1, omb1, b2, eps, wd, gSign, hasWd, true);
}

export function adamaxStep(table: usize, count: i32, b1_: f32, omb1_: f32, b2_: f32, eps_: f32, wd_: f32, gSign_: f32): void {
  const b1 = f32x4.splat(b1_), omb1 = f32x4.splat(omb1_), b2 = f32x4.splat(b2_), eps = f32x4.splat(eps_);
  const wd = f32x4.splat(wd_), gSign = f32x4.splat(gSign_);
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const p = eP(e), g = eG(e), m = eS0(e), u = eS1(e), n = eN(e), clr = f32x4.splat(eT0(e));
    if (wd_ == 0 && gSign_ == 1) adamaxRunPlain(p, g, m, u, n, clr, b1, omb1, b2, eps, wd, gSign);
    else adamaxRunGeneral(p, g, m, u, n, clr, b1, omb1, b2, eps, wd, gSign, wd_ != 0);
  }
}

// ---- NAdam -------------------------------------------------------------------
// d = g (+ wd·p); m = β1·m + (1−β1)·d; v = β2·v + ((1−β2)·d)·d;
// denom = √(v · (1/bc2)) + eps; p = p − (c1·d)/denom; p = p − (c2·m)/denom.
// t0 = 1/bc2, t1 = c1 = lr(1−μt)/(1−Πμ), t2 = c2 = lr·μt+1/(1−Πμ·μt+1).

@inline function nadamAt<T, W>(
  p: usize, g: usize, mp: usize, vp: usize, rbc2: v128, c1: v128, c2: v128, b1: v128, omb1: v128, b2: v128, omb2: v128,
  eps: v128, wd: v128, hasWd: bool,
): void {
  let pv = ld<T, W>(p);
  let d = ld<T, W>(g);
  if (hasWd) d = vadd<T>(d, vmul<T>(lanes<T>(wd), pv));
  const m = rnd<T>(vadd<T>(vmul<T>(lanes<T>(b1), ld<T, W>(mp)), vmul<T>(lanes<T>(omb1), d)));
  const v = rnd<T>(vadd<T>(vmul<T>(lanes<T>(b2), ld<T, W>(vp)), vmul<T>(vmul<T>(lanes<T>(omb2), d), d)));
  st<T, W>(mp, m);
  st<T, W>(vp, v);
  const denom = rnd<T>(vadd<T>(vsqrt<T>(rnd<T>(vmul<T>(v, lanes<T>(rbc2)))), lanes<T>(eps)));
  pv = rnd<T>(vsub<T>(pv, vdiv<T>(vmul<T>(lanes<T>(c1), d), denom)));
  st<T, W>(p, vsub<T>(pv, vdiv<T>(vmul<T>(lanes<T>(c2), m), denom)));
}

/** Groups from i with their own checks, until CLEAN_RUN clean groups in a row (see adamSlow). */
@noinline function nadamSlow(
  p: usize, g: usize, m: usize, v: usize, i: i32, n: i32, all: bool, rbc2: v128, c1: v128, c2: v128, b1: v128, omb1: v128,
  b2: v128, omb2: v128, eps: v128, wd: v128, k: v128, gLimit: v128, sLimit: v128, hasWd: bool,
): i32 {
  let clean = 0;
  const limit = all ? i32.MAX_VALUE : CLEAN_RUN;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    if (v128.any_true(v128.or(tinyLanesK(v128.load(g + o), k, gLimit), tinyStateK(v128.load(v + o), k, sLimit)))) {
      nadamAt<f64, u64>(p + o, g + o, m + o, v + o, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd, hasWd);
      nadamAt<f64, u64>(p + o + 8, g + o + 8, m + o + 8, v + o + 8, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd, hasWd);
      clean = 0;
    } else {
      nadamAt<f32, v128>(p + o, g + o, m + o, v + o, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd, hasWd);
      if (++clean >= limit) {
        i += 4;
        break;
      }
    }
  }
  if (all) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      if (tinyOne(g + o, TINY_GRAD_BITS) || tinyOneS(v + o)) {
        nadamAt<f64, u32>(p + o, g + o, m + o, v + o, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd, hasWd);
      } else {
        nadamAt<f32, u32>(p + o, g + o, m + o, v + o, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd, hasWd);
      }
    }
  }
  return i;
}

/** The fast loop (see adamRun, without the pipelining). */
@inline function nadamRun(
  p: usize, g: usize, m: usize, v: usize, n: i32, rbc2: v128, c1: v128, c2: v128, b1: v128, omb1: v128,
  b2: v128, omb2: v128, eps: v128, wd: v128, k: v128, gLimit: v128, sLimit: v128, hasWd: bool,
): void {
  let i = 0;
  while (true) {
    let found = false;
    while (i + 8 <= n) {
      const o = <usize>i << 2;
      if (v128.any_true(v128.or(
        tinyGrad2K(v128.load(g + o), v128.load(g + o, 16), k, gLimit), tinyState2K(v128.load(v + o), v128.load(v + o, 16), k, sLimit),
      ))) {
        found = true;
        break;
      }
      nadamAt<f32, v128>(p + o, g + o, m + o, v + o, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd, hasWd);
      nadamAt<f32, v128>(p + o + 16, g + o + 16, m + o + 16, v + o + 16, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd, hasWd);
      i += 8;
    }
    if (!found) break;
    i = nadamSlow(p, g, m, v, i, n, false, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd, k, gLimit, sLimit, hasWd);
  }
  nadamSlow(p, g, m, v, i, n, true, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd, k, gLimit, sLimit, hasWd);
}

@noinline function nadamRunPlain(
  p: usize, g: usize, m: usize, v: usize, n: i32, rbc2: v128, c1: v128, c2: v128, b1: v128, omb1: v128,
  b2: v128, omb2: v128, eps: v128, wd: v128, k: v128, gLimit: v128, sLimit: v128,
): void {
  nadamRun(p, g, m, v, n, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd, k, gLimit, sLimit, false);
}

@noinline function nadamRunWd(
  p: usize, g: usize, m: usize, v: usize, n: i32, rbc2: v128, c1: v128, c2: v128, b1: v128, omb1: v128,
  b2: v128, omb2: v128, eps: v128, wd: v128, k: v128, gLimit: v128, sLimit: v128,
): void {
  nadamRun(p, g, m, v, n, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd, k, gLimit, sLimit, true);
}

export function nadamStep(
  table: usize, count: i32, b1_: f32, omb1_: f32, b2_: f32, omb2_: f32, eps_: f32, wd_: f32,
): void {
  const b1 = f32x4.splat(b1_), omb1 = f32x4.splat(omb1_), b2 = f32x4.splat(b2_), omb2 = f32x4.splat(omb2_);
  const eps = f32x4.splat(eps_), wd = f32x4.splat(wd_);
  const k = i32x4.splat(optimAbsMask);
  const gLimit = i32x4.splat(optimAbsMask + TINY_GRAD_BITS), sLimit = i32x4.splat(optimAbsMask + TINY_STATE_BITS);
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const p = eP(e), g = eG(e), m = eS0(e), v = eS1(e), n = eN(e);
    const rbc2 = f32x4.splat(eT0(e)), c1 = f32x4.splat(eT1(e)), c2 = f32x4.splat(eT2(e));
    if (wd_ != 0) nadamRunWd(p, g, m, v, n, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd, k, gLimit, sLimit);
    else nadamRunPlain(p, g, m, v, n, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd, k, gLimit, sLimit);
  }
}

// ---- RAdam -------------------------------------------------------------------
// d = g (+ wd·p); m = β1·m + (1−β1)·d; v = β2·v + ((1−β2)·d)·d; m̂ = m·(1/bc1);
// rect > 0: p = p − ((m̂·lr)·(√bc2/(√v + eps)))·rect;  else p = p − m̂·lr.
// t0 = 1/bc1, t1 = lr, t2 = rect (0 while ρt ≤ 5), t3 = √bc2.

@inline function radamAt<T, W>(
  p: usize, g: usize, mp: usize, vp: usize, rbc1: v128, lr: v128, rect: v128, sbc2: v128, b1: v128, omb1: v128, b2: v128,
  omb2: v128, eps: v128, wd: v128, hasWd: bool, rectified: bool,
): void {
  const pv = ld<T, W>(p);
  let d = ld<T, W>(g);
  if (hasWd) d = vadd<T>(d, vmul<T>(lanes<T>(wd), pv));
  const m = rnd<T>(vadd<T>(vmul<T>(lanes<T>(b1), ld<T, W>(mp)), vmul<T>(lanes<T>(omb1), d)));
  const v = rnd<T>(vadd<T>(vmul<T>(lanes<T>(b2), ld<T, W>(vp)), vmul<T>(vmul<T>(lanes<T>(omb2), d), d)));
  st<T, W>(mp, m);
  st<T, W>(vp, v);
  const ml = rnd<T>(vmul<T>(rnd<T>(vmul<T>(m, lanes<T>(rbc1))), lanes<T>(lr)));
  if (rectified) {
    const adaptive = rnd<T>(vdiv<T>(lanes<T>(sbc2), vadd<T>(vsqrt<T>(v), lanes<T>(eps))));
    st<T, W>(p, vsub<T>(pv, vmul<T>(rnd<T>(vmul<T>(ml, adaptive)), lanes<T>(rect))));
  } else {
    st<T, W>(p, vsub<T>(pv, ml));
  }
}

/** Groups from i with their own checks, until CLEAN_RUN clean groups in a row (see adamSlow). */
@noinline function radamSlow(
  p: usize, g: usize, m: usize, v: usize, i: i32, n: i32, all: bool, rbc1: v128, lr: v128, rect: v128, sbc2: v128,
  b1: v128, omb1: v128, b2: v128, omb2: v128, eps: v128, wd: v128, k: v128, gLimit: v128, sLimit: v128,
  hasWd: bool, rectified: bool,
): i32 {
  let clean = 0;
  const limit = all ? i32.MAX_VALUE : CLEAN_RUN;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    if (v128.any_true(v128.or(tinyLanesK(v128.load(g + o), k, gLimit), tinyStateK(v128.load(v + o), k, sLimit)))) {
      radamAt<f64, u64>(p + o, g + o, m + o, v + o, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd, hasWd, rectified);
      radamAt<f64, u64>(p + o + 8, g + o + 8, m + o + 8, v + o + 8, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd, hasWd, rectified);
      clean = 0;
    } else {
      radamAt<f32, v128>(p + o, g + o, m + o, v + o, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd, hasWd, rectified);
      if (++clean >= limit) {
        i += 4;
        break;
      }
    }
  }
  if (all) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      if (tinyOne(g + o, TINY_GRAD_BITS) || tinyOneS(v + o)) {
        radamAt<f64, u32>(p + o, g + o, m + o, v + o, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd, hasWd, rectified);
      } else {
        radamAt<f32, u32>(p + o, g + o, m + o, v + o, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd, hasWd, rectified);
      }
    }
  }
  return i;
}

/** The fast loop (see adamRun, without the pipelining). */
@inline function radamRun(
  p: usize, g: usize, m: usize, v: usize, n: i32, rbc1: v128, lr: v128, rect: v128, sbc2: v128,
  b1: v128, omb1: v128, b2: v128, omb2: v128, eps: v128, wd: v128, k: v128, gLimit: v128, sLimit: v128,
  hasWd: bool, rectified: bool,
): void {
  let i = 0;
  while (true) {
    let found = false;
    while (i + 8 <= n) {
      const o = <usize>i << 2;
      if (v128.any_true(v128.or(
        tinyGrad2K(v128.load(g + o), v128.load(g + o, 16), k, gLimit), tinyState2K(v128.load(v + o), v128.load(v + o, 16), k, sLimit),
      ))) {
        found = true;
        break;
      }
      radamAt<f32, v128>(p + o, g + o, m + o, v + o, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd, hasWd, rectified);
      radamAt<f32, v128>(p + o + 16, g + o + 16, m + o + 16, v + o + 16, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd, hasWd, rectified);
      i += 8;
    }
    if (!found) break;
    i = radamSlow(p, g, m, v, i, n, false, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd, k, gLimit, sLimit, hasWd, rectified);
  }
  radamSlow(p, g, m, v, i, n, true, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd, k, gLimit, sLimit, hasWd, rectified);
}

@noinline function radamRunRectified(
  p: usize, g: usize, m: usize, v: usize, n: i32, rbc1: v128, lr: v128, rect: v128, sbc2: v128,
  b1: v128, omb1: v128, b2: v128, omb2: v128, eps: v128, wd: v128, k: v128, gLimit: v128, sLimit: v128,
): void {
  radamRun(p, g, m, v, n, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd, k, gLimit, sLimit, false, true);
}

@noinline function radamRunGeneral(
  p: usize, g: usize, m: usize, v: usize, n: i32, rbc1: v128, lr: v128, rect: v128, sbc2: v128,
  b1: v128, omb1: v128, b2: v128, omb2: v128, eps: v128, wd: v128, k: v128, gLimit: v128, sLimit: v128,
  hasWd: bool, rectified: bool,
): void {
  radamRun(p, g, m, v, n, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd, k, gLimit, sLimit, hasWd, rectified);
}

export function radamStep(
  table: usize, count: i32, b1_: f32, omb1_: f32, b2_: f32, omb2_: f32, eps_: f32, wd_: f32,
): void {
  const b1 = f32x4.splat(b1_), omb1 = f32x4.splat(omb1_), b2 = f32x4.splat(b2_), omb2 = f32x4.splat(omb2_);
  const eps = f32x4.splat(eps_), wd = f32x4.splat(wd_);
  const k = i32x4.splat(optimAbsMask);
  const gLimit = i32x4.splat(optimAbsMask + TINY_GRAD_BITS), sLimit = i32x4.splat(optimAbsMask + TINY_STATE_BITS);
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const p = eP(e), g = eG(e), m = eS0(e), v = eS1(e), n = eN(e);
    const rectified = eT2(e) > 0;
    const rbc1 = f32x4.splat(eT0(e)), lr = f32x4.splat(eT1(e)), rect = f32x4.splat(eT2(e)), sbc2 = f32x4.splat(eT3(e));
    if (wd_ == 0 && rectified) radamRunRectified(p, g, m, v, n, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd, k, gLimit, sLimit);
    else radamRunGeneral(p, g, m, v, n, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd, k, gLimit, sLimit, wd_ != 0, rectified);
  }
}

// ---- Adadelta ----------------------------------------------------------------
// d = gSign·g (+ wd·p); sq = ρ·sq + ((1−ρ)·d)·d; δ = √((acc + eps)/(sq + eps))·d
// (one square root instead of PyTorch's two and a division: equal up to float32 rounding);
// acc = ρ·acc + ((1−ρ)·δ)·δ; p = p − lr·δ.

@inline function adadeltaAt<T, W>(
  p: usize, g: usize, qp: usize, ap: usize, lr: v128, rho: v128, omr: v128, eps: v128, wd: v128, gSign: v128, hasWd: bool,
): void {
  const pv = ld<T, W>(p);
  let d = vmul<T>(ld<T, W>(g), lanes<T>(gSign));
  if (hasWd) d = vadd<T>(d, vmul<T>(lanes<T>(wd), pv));
  const sq = rnd<T>(vadd<T>(vmul<T>(lanes<T>(rho), ld<T, W>(qp)), vmul<T>(vmul<T>(lanes<T>(omr), d), d)));
  st<T, W>(qp, sq);
  const acc = ld<T, W>(ap);
  const ratio = rnd<T>(vdiv<T>(rnd<T>(vadd<T>(acc, lanes<T>(eps))), rnd<T>(vadd<T>(sq, lanes<T>(eps)))));
  const delta = rnd<T>(vmul<T>(rnd<T>(vsqrt<T>(ratio)), d));
  st<T, W>(ap, vadd<T>(vmul<T>(lanes<T>(rho), acc), vmul<T>(vmul<T>(lanes<T>(omr), delta), delta)));
  st<T, W>(p, vsub<T>(pv, vmul<T>(lanes<T>(lr), delta)));
}

/** Groups from i with their own checks, until CLEAN_RUN clean groups in a row (see adamSlow). */
@noinline function adadeltaSlow(
  p: usize, g: usize, q: usize, a: usize, i: i32, n: i32, all: bool, lr: v128, rho: v128, omr: v128, eps: v128, wd: v128,
  gSign: v128, k: v128, gLimit: v128, sLimit: v128, hasWd: bool,
): i32 {
  let clean = 0;
  const limit = all ? i32.MAX_VALUE : CLEAN_RUN;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    if (v128.any_true(v128.or(tinyLanesK(v128.load(g + o), k, gLimit), tinyState2K(v128.load(q + o), v128.load(a + o), k, sLimit)))) {
      adadeltaAt<f64, u64>(p + o, g + o, q + o, a + o, lr, rho, omr, eps, wd, gSign, hasWd);
      adadeltaAt<f64, u64>(p + o + 8, g + o + 8, q + o + 8, a + o + 8, lr, rho, omr, eps, wd, gSign, hasWd);
      clean = 0;
    } else {
      adadeltaAt<f32, v128>(p + o, g + o, q + o, a + o, lr, rho, omr, eps, wd, gSign, hasWd);
      if (++clean >= limit) {
        i += 4;
        break;
      }
    }
  }
  if (all) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      if (tinyOne(g + o, TINY_GRAD_BITS) || tinyOneS(q + o) || tinyOneS(a + o)) {
        adadeltaAt<f64, u32>(p + o, g + o, q + o, a + o, lr, rho, omr, eps, wd, gSign, hasWd);
      } else {
        adadeltaAt<f32, u32>(p + o, g + o, q + o, a + o, lr, rho, omr, eps, wd, gSign, hasWd);
      }
    }
  }
  return i;
}

/** First half of a clean group's float32 update: stores sq, returns √((acc + eps)/(sq + eps)). */
@inline function adadeltaFront(
  po: usize, qo: usize, gv: v128, qv: v128, av: v128, rho: v128, omr: v128, eps: v128, wd: v128, gSign: v128,
  hasWd: bool, signed: bool,
): v128 {
  let d = signed ? f32x4.mul(gv, gSign) : gv;
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, v128.load(po)));
  const sq = f32x4.add(f32x4.mul(rho, qv), f32x4.mul(f32x4.mul(omr, d), d));
  v128.store(qo, sq);
  return f32x4.sqrt(f32x4.div(f32x4.add(av, eps), f32x4.add(sq, eps)));
}

/** Second half: δ = r·d (d recomputed from g and p, which the first half left unchanged); stores acc and p. */
@inline function adadeltaBack(
  r: v128, po: usize, go: usize, ao: usize, lr: v128, rho: v128, omr: v128, wd: v128, gSign: v128, hasWd: bool, signed: bool,
): void {
  const pv = v128.load(po), av = v128.load(ao);
  let d = v128.load(go);
  if (signed) d = f32x4.mul(d, gSign);
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, pv));
  const delta = f32x4.mul(r, d);
  v128.store(ao, f32x4.add(f32x4.mul(rho, av), f32x4.mul(f32x4.mul(omr, delta), delta)));
  v128.store(po, f32x4.sub(pv, f32x4.mul(lr, delta)));
}

/**
 * The fast loop (see adamRun), software-pipelined: each iteration takes the
 * division and square root of its 8 elements and finishes the previous 8 with
 * theirs, so the long div → sqrt latency of one iteration overlaps the next
 * instead of filling the out-of-order window.
 */
@inline function adadeltaRun(
  p: usize, g: usize, q: usize, a: usize, n: i32, lr: v128, rho: v128, omr: v128, eps: v128, wd: v128, gSign: v128,
  k: v128, gLimit: v128, sLimit: v128, hasWd: bool, signed: bool,
): void {
  let i = 0;
  while (true) {
    let r0 = v128.splat<i32>(0), r1 = v128.splat<i32>(0);
    let pending = false, found = false;
    while (i + 8 <= n) {
      const o = <usize>i << 2;
      const tiny = v128.or(
        tinyGrad2K(v128.load(g + o), v128.load(g + o, 16), k, gLimit),
        tinyState4K(v128.load(q + o), v128.load(a + o), v128.load(q + o, 16), v128.load(a + o, 16), k, sLimit),
      );
      if (v128.any_true(tiny)) {
        found = true;
        break;
      } else {
        const s0 = adadeltaFront(p + o, q + o, v128.load(g + o), v128.load(q + o), v128.load(a + o), rho, omr, eps, wd, gSign, hasWd, signed);
        const s1 = adadeltaFront(p + o + 16, q + o + 16, v128.load(g + o, 16), v128.load(q + o, 16), v128.load(a + o, 16), rho, omr, eps, wd, gSign, hasWd, signed);
        if (pending) {
          const b = o - 32;
          adadeltaBack(r0, p + b, g + b, a + b, lr, rho, omr, wd, gSign, hasWd, signed);
          adadeltaBack(r1, p + b + 16, g + b + 16, a + b + 16, lr, rho, omr, wd, gSign, hasWd, signed);
        }
        r0 = s0;
        r1 = s1;
        pending = true;
        i += 8;
      }
    }
    if (pending) {
      const b = (<usize>i << 2) - 32;
      adadeltaBack(r0, p + b, g + b, a + b, lr, rho, omr, wd, gSign, hasWd, signed);
      adadeltaBack(r1, p + b + 16, g + b + 16, a + b + 16, lr, rho, omr, wd, gSign, hasWd, signed);
    }
    if (!found) break;
    i = adadeltaSlow(p, g, q, a, i, n, false, lr, rho, omr, eps, wd, gSign, k, gLimit, sLimit, hasWd);
  }
  adadeltaSlow(p, g, q, a, i, n, true, lr, rho, omr, eps, wd, gSign, k, gLimit, sLimit, hasWd);
}

@noinline function adadeltaRunPlain(
  p: usize, g: usize, q: usize, a: usize, n: i32, lr: v128, rho: v128, omr: v128, eps: v128, wd: v128, gSign: v128,
  k: v128, gLimit: v128, sLimit: v128,
): void {
  adadeltaRun(p, g, q, a, n, lr, rho, omr, eps, wd, gSign, k, gLimit, sLimit, false, false);
}

@noinline function adadeltaRunSigned(
  p: usize, g: usize, q: usize, a: usize, n: i32, lr: v128, rho: v128, omr: v128, eps: v128, wd: v128, gSign: v128,
  k: v128, gLimit: v128, sLimit: v128,
): void {
  adadeltaRun(p, g, q, a, n, lr, rho, omr, eps, wd, gSign, k, gLimit, sLimit, false, true);
}

@noinline function adadeltaRunWd(
  p: usize, g: usize, q: usize, a: usize, n: i32, lr: v128, rho: v128, omr: v128, eps: v128, wd: v128, gSign: v128,
  k: v128, gLimit: v128, sLimit: v128,
): void {
  adadeltaRun(p, g, q, a, n, lr, rho, omr, eps, wd, gSign, k, gLimit, sLimit, true, true);
}

export function adadeltaStep(
  table: usize, count: i32, lr_: f32, rho_: f32, omr_: f32, eps_: f32, wd_: f32, gSign_: f32,
): void {
  const lr = f32x4.splat(lr_), rho = f32x4.splat(rho_), omr = f32x4.splat(omr_), eps = f32x4.splat(eps_);
  const wd = f32x4.splat(wd_), gSign = f32x4.splat(gSign_);
  const k = i32x4.splat(optimAbsMask);
  const gLimit = i32x4.splat(optimAbsMask + TINY_GRAD_BITS), sLimit = i32x4.splat(optimAbsMask + TINY_STATE_BITS);
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const p = eP(e), g = eG(e), q = eS0(e), a = eS1(e), n = eN(e);
    if (wd_ != 0) adadeltaRunWd(p, g, q, a, n, lr, rho, omr, eps, wd, gSign, k, gLimit, sLimit);
    else if (gSign_ != 1) adadeltaRunSigned(p, g, q, a, n, lr, rho, omr, eps, wd, gSign, k, gLimit, sLimit);
    else adadeltaRunPlain(p, g, q, a, n, lr, rho, omr, eps, wd, gSign, k, gLimit, sLimit);
  }
}

// ---- LAMB ----------------------------------------------------------------------
// Pass 1 (lambMoments): d = gSign·g; m = β1·m + (1−β1)·d; v = β2·v + ((1−β2)·d)·d;
//   u = (m·(1/bc1))/(√(v·(1/bc2)) + eps) + wd·p, rounded to f32; accumulates
//   Σp² and Σu² in float64 (four lane sums, then (s0+s1)+(s2+s3), then the tail
//   in order) into the entry's two f64 results. t0 = 1/bc1, t1 = 1/bc2.
// Pass 2 (lambApply): recomputes the same u from the stored m, v and p (cheaper
//   than keeping it in memory) and sets p = p − (lr·r)·u, t2 = lr·r.

@inline function lambDirection<T>(pv: v128, m: v128, v: v128, rbc1: f32, rbc2: f32, eps: f32, wd: f32): v128 {
  const mh = rnd<T>(vmul<T>(m, sp<T>(rbc1)));
  const vh = rnd<T>(vmul<T>(v, sp<T>(rbc2)));
  let u = rnd<T>(vdiv<T>(mh, rnd<T>(vadd<T>(vsqrt<T>(vh), sp<T>(eps)))));
  if (wd != 0) u = vadd<T>(u, vmul<T>(sp<T>(wd), pv));
  return rnd<T>(u);
}

/** Updates m and v and returns u (lanes of T, values already rounded to float32). */
@inline function lambMomentsAt<T, W>(
  p: usize, g: usize, mp: usize, vp: usize, rbc1: f32, rbc2: f32, b1: f32, omb1: f32, b2: f32, omb2: f32, eps: f32,
  wd: f32, gSign: f32,
): v128 {
  const pv = ld<T, W>(p);
  const d = vmul<T>(ld<T, W>(g), sp<T>(gSign));
  const m = rnd<T>(vadd<T>(vmul<T>(sp<T>(b1), ld<T, W>(mp)), vmul<T>(sp<T>(omb1), d)));
  const v = rnd<T>(vadd<T>(vmul<T>(sp<T>(b2), ld<T, W>(vp)), vmul<T>(vmul<T>(sp<T>(omb2), d), d)));
  st<T, W>(mp, m);
  st<T, W>(vp, v);
  return lambDirection<T>(pv, m, v, rbc1, rbc2, eps, wd);
}

@inline function hi2(x: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1));
}

@inline function lambApplyAt<T, W>(
  p: usize, mp: usize, vp: usize, rbc1: f32, rbc2: f32, lrr: f32, eps: f32, wd: f32,
): void {
  const pv = ld<T, W>(p);
  const u = lambDirection<T>(pv, ld<T, W>(mp), ld<T, W>(vp), rbc1, rbc2, eps, wd);
  st<T, W>(p, vsub<T>(pv, vmul<T>(sp<T>(lrr), u)));
}

/**
 * LAMB pass 1: the moments, and per tensor Σp² (result 0) and Σu² (result 1)
 * in float64, summed in pieces of REDUCE_PIECE elements added in order (see
 * gradNorms), so the thread pool can sum pieces on any threads.
 */
export function lambMoments(
  table: usize, count: i32, b1: f32, omb1: f32, b2: f32, omb2: f32, eps: f32, wd: f32, gSign: f32,
): void {
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const p0 = eP(e), g0 = eG(e), m0 = eS0(e), v0 = eS1(e), total = eN(e), rbc1 = eT0(e), rbc2 = eT1(e);
    let sP: f64 = 0, sU: f64 = 0;
    for (let s = 0; s == 0 || s < total; s += REDUCE_PIECE) {
      const off = <usize>s << 2;
      const p = p0 + off, g = g0 + off, m = m0 + off, v = v0 + off, n = min(total - s, REDUCE_PIECE);
      let accP0 = f64x2.splat(0), accP1 = f64x2.splat(0), accU0 = f64x2.splat(0), accU1 = f64x2.splat(0);
      let tailP: f64 = 0, tailU: f64 = 0;
      let i = 0;
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        const pv = v128.load(p + o);
        const pl = f64x2.promote_low_f32x4(pv), ph = hi2(pv);
        accP0 = f64x2.add(accP0, f64x2.mul(pl, pl));
        accP1 = f64x2.add(accP1, f64x2.mul(ph, ph));
        if (v128.any_true(v128.or(tinyG(g + o), tinyS(v + o)))) {
          const u0 = lambMomentsAt<f64, u64>(p + o, g + o, m + o, v + o, rbc1, rbc2, b1, omb1, b2, omb2, eps, wd, gSign);
          const u1 = lambMomentsAt<f64, u64>(p + o + 8, g + o + 8, m + o + 8, v + o + 8, rbc1, rbc2, b1, omb1, b2, omb2, eps, wd, gSign);
          accU0 = f64x2.add(accU0, f64x2.mul(u0, u0));
          accU1 = f64x2.add(accU1, f64x2.mul(u1, u1));
        } else {
          const u = lambMomentsAt<f32, v128>(p + o, g + o, m + o, v + o, rbc1, rbc2, b1, omb1, b2, omb2, eps, wd, gSign);
          const u0 = f64x2.promote_low_f32x4(u), u1 = hi2(u);
          accU0 = f64x2.add(accU0, f64x2.mul(u0, u0));
          accU1 = f64x2.add(accU1, f64x2.mul(u1, u1));
        }
      }
      for (; i < n; i++) {
        const o = <usize>i << 2;
        const x = <f64>load<f32>(p + o);
        tailP += x * x;
        let y: f64;
        if (tinyOne(g + o, TINY_GRAD_BITS) || tinyOneS(v + o)) {
          y = f64x2.extract_lane(lambMomentsAt<f64, u32>(p + o, g + o, m + o, v + o, rbc1, rbc2, b1, omb1, b2, omb2, eps, wd, gSign), 0);
        } else {
          y = <f64>f32x4.extract_lane(lambMomentsAt<f32, u32>(p + o, g + o, m + o, v + o, rbc1, rbc2, b1, omb1, b2, omb2, eps, wd, gSign), 0);
        }
        tailU += y * y;
      }
      sP += (f64x2.extract_lane(accP0, 0) + f64x2.extract_lane(accP0, 1)) +
        (f64x2.extract_lane(accP1, 0) + f64x2.extract_lane(accP1, 1)) + tailP;
      sU += (f64x2.extract_lane(accU0, 0) + f64x2.extract_lane(accU0, 1)) +
        (f64x2.extract_lane(accU1, 0) + f64x2.extract_lane(accU1, 1)) + tailU;
    }
    eR0(e, sP);
    eR1(e, sU);
  }
}

export function lambApply(table: usize, count: i32, eps: f32, wd: f32): void {
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const p = eP(e), m = eS0(e), v = eS1(e), n = eN(e), rbc1 = eT0(e), rbc2 = eT1(e), lrr = eT2(e);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      if (v128.any_true(tinyS(v + o))) {
        lambApplyAt<f64, u64>(p + o, m + o, v + o, rbc1, rbc2, lrr, eps, wd);
        lambApplyAt<f64, u64>(p + o + 8, m + o + 8, v + o + 8, rbc1, rbc2, lrr, eps, wd);
      } else {
        lambApplyAt<f32, v128>(p + o, m + o, v + o, rbc1, rbc2, lrr, eps, wd);
      }
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      if (tinyOneS(v + o)) {
        lambApplyAt<f64, u32>(p + o, m + o, v + o, rbc1, rbc2, lrr, eps, wd);
      } else {
        lambApplyAt<f32, u32>(p + o, m + o, v + o, rbc1, rbc2, lrr, eps, wd);
      }
    }
  }
}

// ---- Lookahead ---------------------------------------------------------------
// slow = slow + α·(fast − slow); fast = slow. Table: param = fast, state0 = slow.

export function lookaheadSync(table: usize, count: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const p = eP(e), s = eS0(e), n = eN(e);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const sv = v128.load(s + o);
      const r = f32x4.add(sv, f32x4.mul(a, f32x4.sub(v128.load(p + o), sv)));
      v128.store(s + o, r);
      v128.store(p + o, r);
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const sv = load<f32>(s + o);
      const r = sv + alpha * (load<f32>(p + o) - sv);
      store<f32>(s + o, r);
      store<f32>(p + o, r);
    }
  }
}

// ---- gradient clipping ------------------------------------------------------------
// gradNorms: per tensor, into result 0: normType 2 → Σg² (float64), 1 → Σ|g|
// (float64), 0 (∞) → max|g|. A tensor is summed in pieces of REDUCE_PIECE
// elements (the thread pool's optimizer-table pieces), each piece with two
// float64x2 lane accumulators over full groups, combined as (s0+s1)+(s2+s3),
// then its tail in order; the pieces' sums are added in order. So the pool
// can sum pieces on any threads and combine them as here: the same bits for
// any thread count.

/** Elements per piece of a table reduction (src/runtime/threads/parallel.ts TABLE_PIECE). */
const REDUCE_PIECE: i32 = 32768;

@inline function normPiece(g: usize, n: i32, normType: i32): f64 {
  let i = 0;
  if (normType == 0) {
    let mx = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) mx = f32x4.max(mx, f32x4.abs(v128.load(g + (<usize>i << 2))));
    let r = max(max(f32x4.extract_lane(mx, 0), f32x4.extract_lane(mx, 1)), max(f32x4.extract_lane(mx, 2), f32x4.extract_lane(mx, 3)));
    for (; i < n; i++) r = max(r, abs(load<f32>(g + (<usize>i << 2))));
    return <f64>r;
  }
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  for (; i + 4 <= n; i += 4) {
    let x = v128.load(g + (<usize>i << 2));
    if (normType == 1) x = f32x4.abs(x);
    const lo = f64x2.promote_low_f32x4(x), hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 0, 1));
    if (normType == 1) {
      a0 = f64x2.add(a0, lo);
      a1 = f64x2.add(a1, hi);
    } else {
      a0 = f64x2.add(a0, f64x2.mul(lo, lo));
      a1 = f64x2.add(a1, f64x2.mul(hi, hi));
    }
  }
  let result = (f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1)) + (f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1));
  for (; i < n; i++) {
    const x = <f64>load<f32>(g + (<usize>i << 2));
    result += normType == 1 ? abs(x) : x * x;
  }
  return result;
}

export function gradNorms(table: usize, count: i32, normType: i32): void {
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const g = eG(e), n = eN(e);
    let result = normPiece(g, min(n, REDUCE_PIECE), normType);
    for (let s = REDUCE_PIECE; s < n; s += REDUCE_PIECE) {
      const r = normPiece(g + (<usize>s << 2), min(n - s, REDUCE_PIECE), normType);
      result = normType == 0 ? max(result, r) : result + r;
    }
    eR0(e, result);
  }
}

/** g = g·coef for every tensor of the table. */
export function scaleGrads(table: usize, count: i32, coef: f32): void {
  const c = f32x4.splat(coef);
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const g = eG(e), n = eN(e);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = g + (<usize>i << 2);
      v128.store(o, f32x4.mul(v128.load(o), c));
    }
    for (; i < n; i++) {
      const o = g + (<usize>i << 2);
      store<f32>(o, load<f32>(o) * coef);
    }
  }
}

/** g = min(max(g, −clip), clip) for every tensor of the table (NaN stays NaN). */
export function clampGrads(table: usize, count: i32, clip: f32): void {
  const hi = f32x4.splat(clip), lo = f32x4.splat(-clip);
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const g = eG(e), n = eN(e);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = g + (<usize>i << 2);
      v128.store(o, f32x4.min(f32x4.max(v128.load(o), lo), hi));
    }
    for (; i < n; i++) {
      const o = g + (<usize>i << 2);
      store<f32>(o, min(max(load<f32>(o), -clip), clip));
    }
  }
}

// ---- gradient centralization -----------------------------------------------------
// out = x − mean(x) per row of `cols` elements, x = gSign·g (+ wd·p) in float32;
// the row sum is a float64 sum in order, the mean rounded to float32. With
// center = 0 it only writes x (parameters of one dimension are not centred).

export function centralizeRows(
  out: usize, g: usize, p: usize, rows: i32, cols: i32, gSign: f32, wd: f32, center: i32,
): void {
  for (let r = 0; r < rows; r++) {
    const base = <usize>r * <usize>cols << 2;
    let sum: f64 = 0;
    for (let j = 0; j < cols; j++) {
      const o = base + (<usize>j << 2);
      let x = load<f32>(g + o) * gSign;
      if (wd != 0) x = x + wd * load<f32>(p + o);
      store<f32>(out + o, x);
      sum += <f64>x;
    }
    if (center == 0) continue;
    const mean = <f32>(sum / <f64>cols);
    const mv = f32x4.splat(mean);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = out + base + (<usize>j << 2);
      v128.store(o, f32x4.sub(v128.load(o), mv));
    }
    for (; j < cols; j++) {
      const o = out + base + (<usize>j << 2);
      store<f32>(o, load<f32>(o) - mean);
    }
  }
}

// ---- warm-up -----------------------------------------------------------------------

export function warmupOptim(scratchPtr: usize, scratchBytes: i32): void {
  // One table entry, then five 64-element arrays (param, grad, three states).
  const n = 64;
  const e = scratchPtr;
  const data = scratchPtr + 64;
  if (<i32>(64 + 5 * n * 4) > scratchBytes) return;
  for (let k = 0; k < 5 * n; k++) store<f32>(data + (<usize>k << 2), k < 2 * n ? 0.5 : 0.25);
  store<u32>(e, <u32>data);
  store<u32>(e, <u32>(data + n * 4), 4);
  store<u32>(e, <u32>(data + 2 * n * 4), 8);
  store<u32>(e, <u32>(data + 3 * n * 4), 12);
  store<u32>(e, <u32>(data + 4 * n * 4), 16);
  store<i32>(e, n - 1, 20);
  store<f32>(e, 0.001, 24);
  store<f32>(e, 1, 28);
  store<f32>(e, 0.001, 32);
  store<f32>(e, 1, 36);
  sgdStep(e, 1, 0.001, 0.9, 1, 0, 1, 0);
  adamStep(e, 1, 0.9, 0.1, 0.999, 0.001, 1e-8, 0, 1, 1, 0);
  adagradStep(e, 1, 1e-10, 0, 1);
  rmspropStep(e, 1, 0.01, 0.99, 0.01, 1e-8, 0, 1, 0, 0);
  adamaxStep(e, 1, 0.9, 0.1, 0.999, 1e-8, 0, 1);
  nadamStep(e, 1, 0.9, 0.1, 0.999, 0.001, 1e-8, 0);
  radamStep(e, 1, 0.9, 0.1, 0.999, 0.001, 1e-8, 0);
  adadeltaStep(e, 1, 1, 0.9, 0.1, 1e-6, 0, 1);
  lambMoments(e, 1, 0.9, 0.1, 0.999, 0.001, 1e-6, 0, 1);
  lambApply(e, 1, 1e-6, 0);
  gradNorms(e, 1, 2);
  scaleGrads(e, 1, 1);
  clampGrads(e, 1, 10);
  lookaheadSync(e, 1, 0.5);
}
