// Pointwise losses between an input and a target of the same shape, forward
// and gradient in one pass (as mseLoss in reduce.ts): L1, smooth L1, Huber,
// binary cross-entropy on probabilities and on logits. Each returns the sum
// of the elementwise losses, writes grad = gradScale·∂loss_i/∂input_i, and the
// elementwise losses to `losses` unless null. `weight` and `posWeight` are
// null or tensors of the input's size (PyTorch's broadcast weights, expanded
// by the caller).
import { ld, st, expV, sigmoidV, logV, softplusV, addF64 } from "./simdmath";
import { LOSS_BLOCK } from "./reduce";

export const LOSS_L1: i32 = 0;
/** p = beta: 0.5·d²/beta where |d| < beta, |d| − 0.5·beta elsewhere (L1 when beta = 0). */
export const LOSS_SMOOTH_L1: i32 = 1;
/** p = delta: 0.5·d² where |d| ≤ delta, delta·(|d| − 0.5·delta) elsewhere. */
export const LOSS_HUBER: i32 = 2;
/** −(t·ln x + (1 − t)·ln(1 − x)), each ln clamped at −100 as PyTorch. */
export const LOSS_BCE: i32 = 3;
/** (1 − t)·x + (1 + (pw − 1)·t)·softplus(−x) (PyTorch's stable form). */
export const LOSS_BCE_LOGITS: i32 = 4;

@inline function signV(d: v128): v128 {
  const zero = f32x4.splat(0);
  return v128.or(v128.and(f32x4.gt(d, zero), f32x4.splat(1)), v128.and(f32x4.lt(d, zero), f32x4.splat(-1)));
}

/** [loss, ∂loss/∂x] of one kind; returned through the two globals below (no tuples in AssemblyScript). */
let gradOut: v128 = f32x4.splat(0);

@inline function lossV(kind: i32, x: v128, t: v128, pw: v128, p: f32): v128 {
  const half = f32x4.splat(0.5);
  const one = f32x4.splat(1);
  if (kind == LOSS_L1) {
    const d = f32x4.sub(x, t);
    gradOut = signV(d);
    return f32x4.abs(d);
  }
  if (kind == LOSS_SMOOTH_L1) {
    const d = f32x4.sub(x, t);
    const a = f32x4.abs(d);
    if (p == 0) {
      gradOut = signV(d);
      return a;
    }
    const b = f32x4.splat(p);
    const inside = f32x4.lt(a, b);
    gradOut = v128.bitselect(f32x4.div(d, b), signV(d), inside);
    return v128.bitselect(f32x4.div(f32x4.mul(half, f32x4.mul(d, d)), b), f32x4.sub(a, f32x4.mul(half, b)), inside);
  }
  if (kind == LOSS_HUBER) {
    const d = f32x4.sub(x, t);
    const a = f32x4.abs(d);
    const b = f32x4.splat(p);
    const inside = f32x4.le(a, b);
    gradOut = v128.bitselect(d, f32x4.mul(b, signV(d)), inside);
    return v128.bitselect(f32x4.mul(half, f32x4.mul(d, d)), f32x4.mul(b, f32x4.sub(a, f32x4.mul(half, b))), inside);
  }
  if (kind == LOSS_BCE) {
    const floor = f32x4.splat(-100);
    const lx = f32x4.max(logV(x), floor);
    const l1x = f32x4.max(logV(f32x4.sub(one, x)), floor);
    // PyTorch's backward: (x − t) / max((1 − x)·x, 1e-12).
    gradOut = f32x4.div(f32x4.sub(x, t), f32x4.max(f32x4.mul(f32x4.sub(one, x), x), f32x4.splat(1e-12)));
    return f32x4.neg(f32x4.add(f32x4.mul(t, lx), f32x4.mul(f32x4.sub(one, t), l1x)));
  }
  // LOSS_BCE_LOGITS: lw = 1 + (pw − 1)·t; gradient lw·σ(x) − pw·t.
  const lw = f32x4.add(one, f32x4.mul(f32x4.sub(pw, one), t));
  gradOut = f32x4.sub(f32x4.mul(lw, sigmoidV(x)), f32x4.mul(pw, t));
  return f32x4.add(f32x4.mul(f32x4.sub(one, t), x), f32x4.mul(lw, softplusV(f32x4.neg(x))));
}

@inline function lossLoop(kind: i32, x: usize, t: usize, weight: usize, posWeight: usize, grad: usize, losses: usize, n: i32, gradScale: f32, p: f32): f64 {
  let acc = f64x2.splat(0);
  const gs = f32x4.splat(gradScale);
  const one = f32x4.splat(1);
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    let l = lossV(kind, ld(x + o, rest), ld(t + o, rest), posWeight ? ld(posWeight + o, rest) : one, p);
    let g = gradOut;
    if (weight) {
      const w = ld(weight + o, rest);
      l = f32x4.mul(l, w);
      g = f32x4.mul(g, w);
    }
    if (rest < 4) l = v128.and(l, i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(rest)));
    acc = addF64(acc, l);
    st(grad + o, f32x4.mul(g, gs), rest);
    if (losses) st(losses + o, l, rest);
  }
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

@inline function lossBlocks(
  kind: i32, x: usize, t: usize, weight: usize, posWeight: usize, grad: usize, losses: usize, n: i32, gradScale: f32, p: f32, partials: usize,
): f64 {
  let total: f64 = 0;
  for (let s = 0, k = 0; s < n; s += LOSS_BLOCK, k++) {
    const o = <usize>s << 2;
    const r = lossLoop(kind, x + o, t + o, weight ? weight + o : 0, posWeight ? posWeight + o : 0, grad + o, losses ? losses + o : 0, min(n - s, LOSS_BLOCK), gradScale, p);
    if (partials) store<f64>(partials + (<usize>k << 3), r);
    else total += r;
  }
  return total;
}

@inline function pointwiseLossAt(
  kind: i32, x: usize, t: usize, weight: usize, posWeight: usize, grad: usize, losses: usize, n: i32, gradScale: f32, p: f32, partials: usize,
): f64 {
  switch (kind) {
    case LOSS_L1: return lossBlocks(LOSS_L1, x, t, weight, posWeight, grad, losses, n, gradScale, p, partials);
    case LOSS_SMOOTH_L1: return lossBlocks(LOSS_SMOOTH_L1, x, t, weight, posWeight, grad, losses, n, gradScale, p, partials);
    case LOSS_HUBER: return lossBlocks(LOSS_HUBER, x, t, weight, posWeight, grad, losses, n, gradScale, p, partials);
    case LOSS_BCE: return lossBlocks(LOSS_BCE, x, t, weight, posWeight, grad, losses, n, gradScale, p, partials);
    default: return lossBlocks(LOSS_BCE_LOGITS, x, t, weight, posWeight, grad, losses, n, gradScale, p, partials);
  }
}

/**
 * One of the LOSS_* kinds over n elements of input x and target t (see the
 * file comment). The sum adds the sums of LOSS_BLOCK blocks in order.
 */
export function pointwiseLoss(
  kind: i32, x: usize, t: usize, weight: usize, posWeight: usize, grad: usize, losses: usize, n: i32, gradScale: f32, p: f32,
): f64 {
  return pointwiseLossAt(kind, x, t, weight, posWeight, grad, losses, n, gradScale, p, 0);
}

/** pointwiseLoss with each block's sum written to partials (one float64 per block) instead of added. */
export function pointwiseLossPartials(
  kind: i32, x: usize, t: usize, weight: usize, posWeight: usize, grad: usize, losses: usize, n: i32, gradScale: f32, p: f32, partials: usize,
): void {
  pointwiseLossAt(kind, x, t, weight, posWeight, grad, losses, n, gradScale, p, partials);
}

export function warmupLoss(scratch: usize, bytes: i32): void {
  const n = min(bytes >> 4, 256);
  const x = scratch;
  const t = x + (<usize>n << 2);
  const g = t + (<usize>n << 2);
  for (let i = 0; i < n; i++) {
    store<f32>(x + (<usize>i << 2), <f32>(i % 9 + 1) * 0.1);
    store<f32>(t + (<usize>i << 2), <f32>(i % 2));
  }
  for (let k = 0; k <= LOSS_BCE_LOGITS; k++) pointwiseLoss(k, x, t, 0, 0, g, 0, n, 1, 1);
  for (let k = 0; k <= LOSS_BCE_LOGITS; k++) pointwiseLossPartials(k, x, t, 0, 0, g, 0, n, 1, 1, g + (<usize>n << 2));
  expV(f32x4.splat(0));
}
