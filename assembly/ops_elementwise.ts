// Elementwise kernels of the tensor operations (src/ops/): binary and ternary
// operations with broadcasting, unary operations and their backward passes,
// and the strided copy behind every shape operation.
//
// Broadcasting is done by indexing, ATen TensorIterator-style: the facade
// (src/ops/iterator.ts, the one place that computes it) passes a descriptor
// of the iteration space — at most MAX_DIMS coalesced dimensions, and per
// operand the stride of each in elements (0 for a broadcast dimension). The
// kernel walks the outer dimensions with counters and runs the innermost one
// as a SIMD row: both strides 1, one of them 0 (a broadcast row or scalar,
// splatted once), or a scalar loop for anything else. The output is
// contiguous except in copyStrided, whose destination strides are free too.
//
// Descriptor (i32 words): [0] ndim, [1..8] sizes, then for operand k = 0
// (output), 1, 2, 3 its 8 strides at word 9 + 8k.
import { ld, st, stGrad, expV, logV } from "./simdmath";
import { threadLocal, TLS_OPS_COUNTERS } from "./thread_local";

const D_SIZES: usize = 4;
const D_STRIDES: usize = 36;
const MAX_DIMS: i32 = 8;
/** The outer-dimension counters (one iteration at a time). */
/** The per-dimension counters of a strided walk, in thread-local scratch (see thread_local.ts). */
// @ts-ignore: decorator
@inline function counters(): usize {
  return threadLocal(TLS_OPS_COUNTERS);
}

@inline function dsize(desc: usize, d: i32): i32 {
  return load<i32>(desc + D_SIZES + (<usize>d << 2));
}
@inline function dstride(desc: usize, k: i32, d: i32): usize {
  return <usize>load<i32>(desc + D_STRIDES + (<usize>k << 5) + (<usize>d << 2)) << 2;
}

// ---------------------------------------------------------------- binary ops

export const OP_ADD: i32 = 0; // a + alpha·b
export const OP_SUB: i32 = 1; // a − alpha·b
export const OP_MUL: i32 = 2;
export const OP_DIV: i32 = 3;
export const OP_MAXIMUM: i32 = 4;
export const OP_MINIMUM: i32 = 5;
export const OP_POW: i32 = 6;

@inline function binV(op: i32, a: v128, b: v128, alpha: v128): v128 {
  if (op == OP_ADD) return f32x4.add(a, f32x4.mul(b, alpha));
  if (op == OP_SUB) return f32x4.sub(a, f32x4.mul(b, alpha));
  if (op == OP_MUL) return f32x4.mul(a, b);
  if (op == OP_DIV) return f32x4.div(a, b);
  if (op == OP_MAXIMUM) return f32x4.max(a, b);
  return f32x4.min(a, b);
}

@inline function binS(op: i32, a: f32, b: f32, alpha: f32): f32 {
  if (op == OP_ADD) return a + b * alpha;
  if (op == OP_SUB) return a - b * alpha;
  if (op == OP_MUL) return a * b;
  if (op == OP_DIV) return a / b;
  if (op == OP_MAXIMUM) return a != a || b != b ? NaN : max(a, b);
  if (op == OP_MINIMUM) return a != a || b != b ? NaN : min(a, b);
  return powf(a, b);
}

/** PyTorch's pow in float32 (x^0 = 1 even for NaN, as C's pow). */
@inline function powf(a: f32, b: f32): f32 {
  return <f32>Math.pow(<f64>a, <f64>b);
}

/** Applies op to lanes [i, n) one by one (the tail after the vector loop). */
@inline function binaryTail(op: i32, po: usize, pa: usize, pb: usize, i: i32, n: i32, sa: usize, sb: usize, alpha: f32): void {
  for (; i < n; i++) {
    const k = <usize>i;
    store<f32>(po + (k << 2), binS(op, load<f32>(pa + k * sa), load<f32>(pb + k * sb), alpha));
  }
}

// The vector loops are unrolled twice with plain aligned-or-not loads; the
// 0-3 leftover elements go through the scalar tail.
@inline function binaryRow(op: i32, po: usize, pa: usize, pb: usize, n: i32, sa: usize, sb: usize, alpha: f32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  if (op != OP_POW && sa == 4 && sb == 4) {
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const x0 = v128.load(pa + o), x1 = v128.load(pa + o, 16);
      const y0 = v128.load(pb + o), y1 = v128.load(pb + o, 16);
      v128.store(po + o, binV(op, x0, y0, va));
      v128.store(po + o, binV(op, x1, y1, va), 16);
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(po + o, binV(op, v128.load(pa + o), v128.load(pb + o), va));
    }
  } else if (op != OP_POW && sa == 4 && sb == 0) {
    const b = v128.load32_splat(pb);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const x0 = v128.load(pa + o), x1 = v128.load(pa + o, 16);
      v128.store(po + o, binV(op, x0, b, va));
      v128.store(po + o, binV(op, x1, b, va), 16);
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(po + o, binV(op, v128.load(pa + o), b, va));
    }
  } else if (op != OP_POW && sa == 0 && sb == 4) {
    const a = v128.load32_splat(pa);
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      const y0 = v128.load(pb + o), y1 = v128.load(pb + o, 16);
      v128.store(po + o, binV(op, a, y0, va));
      v128.store(po + o, binV(op, a, y1, va), 16);
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(po + o, binV(op, a, v128.load(pb + o), va));
    }
  }
  binaryTail(op, po, pa, pb, i, n, sa, sb, alpha);
}

@inline function binaryAll(op: i32, desc: usize, out: usize, a: usize, b: usize, alpha: f32): void {
  const nd = load<i32>(desc);
  const last = nd - 1;
  const n = dsize(desc, last);
  const sa = dstride(desc, 1, last);
  const sb = dstride(desc, 2, last);
  let rows = 1;
  for (let d = 0; d < last; d++) {
    rows *= dsize(desc, d);
    store<i32>(counters() + (<usize>d << 2), 0);
  }
  let po = out, pa = a, pb = b;
  for (let r = 0; r < rows; r++) {
    binaryRow(op, po, pa, pb, n, sa, sb, alpha);
    for (let d = last - 1; d >= 0; d--) {
      const c = load<i32>(counters() + (<usize>d << 2)) + 1;
      const so = dstride(desc, 0, d), s1 = dstride(desc, 1, d), s2 = dstride(desc, 2, d);
      if (c < dsize(desc, d)) {
        store<i32>(counters() + (<usize>d << 2), c);
        po += so; pa += s1; pb += s2;
        break;
      }
      store<i32>(counters() + (<usize>d << 2), 0);
      const back = <usize>(c - 1);
      po -= so * back; pa -= s1 * back; pb -= s2 * back;
    }
  }
}

/** out = op(a, b) over the descriptor's broadcast iteration space (out contiguous). */
export function ewBinary(op: i32, desc: usize, out: usize, a: usize, b: usize, alpha: f32): void {
  switch (op) {
    case OP_ADD: binaryAll(OP_ADD, desc, out, a, b, alpha); break;
    case OP_SUB: binaryAll(OP_SUB, desc, out, a, b, alpha); break;
    case OP_MUL: binaryAll(OP_MUL, desc, out, a, b, alpha); break;
    case OP_DIV: binaryAll(OP_DIV, desc, out, a, b, alpha); break;
    case OP_MAXIMUM: binaryAll(OP_MAXIMUM, desc, out, a, b, alpha); break;
    case OP_MINIMUM: binaryAll(OP_MINIMUM, desc, out, a, b, alpha); break;
    default: binaryAll(OP_POW, desc, out, a, b, alpha); break;
  }
}

/** out = op(a, b) for contiguous a, b, out of n elements (the no-broadcast fast path). */
export function ewBinaryContiguous(op: i32, out: usize, a: usize, b: usize, n: i32, alpha: f32): void {
  switch (op) {
    case OP_ADD: binaryRow(OP_ADD, out, a, b, n, 4, 4, alpha); break;
    case OP_SUB: binaryRow(OP_SUB, out, a, b, n, 4, 4, alpha); break;
    case OP_MUL: binaryRow(OP_MUL, out, a, b, n, 4, 4, alpha); break;
    case OP_DIV: binaryRow(OP_DIV, out, a, b, n, 4, 4, alpha); break;
    case OP_MAXIMUM: binaryRow(OP_MAXIMUM, out, a, b, n, 4, 4, alpha); break;
    case OP_MINIMUM: binaryRow(OP_MINIMUM, out, a, b, n, 4, 4, alpha); break;
    default: binaryRow(OP_POW, out, a, b, n, 4, 4, alpha); break;
  }
}

// ---------------------------------------------------------------- ternary ops

export const OP_WHERE: i32 = 0; //        x ≠ 0 ? y : z
export const OP_MAX_GRAD: i32 = 1; //     g = x, a = y, b = z: a > b ? g : a == b ? g/2 : 0
export const OP_MIN_GRAD: i32 = 2; //     a < b ? g : a == b ? g/2 : 0
export const OP_DIV_GRAD_B: i32 = 3; //   −g·a/b²
export const OP_POW_GRAD_BASE: i32 = 4; // g·b·a^(b−1) (0 where b = 0)
export const OP_POW_GRAD_EXP: i32 = 5; //  g·a^b·ln a (0 where a = 0 and b ≥ 0)

@inline function terS(op: i32, x: f32, y: f32, z: f32): f32 {
  if (op == OP_WHERE) return x != 0 ? y : z;
  if (op == OP_MAX_GRAD) return y > z ? x : y == z ? x * 0.5 : 0;
  if (op == OP_MIN_GRAD) return y < z ? x : y == z ? x * 0.5 : 0;
  if (op == OP_DIV_GRAD_B) return -x * y / (z * z);
  if (op == OP_POW_GRAD_BASE) return z == 0 ? 0 : x * z * powf(y, z - 1);
  if (y == 0 && z >= 0) return 0;
  return x * powf(y, z) * <f32>Math.log(<f64>y);
}

@inline function terV(op: i32, x: v128, y: v128, z: v128): v128 {
  if (op == OP_WHERE) return v128.bitselect(z, y, f32x4.eq(x, f32x4.splat(0)));
  const half = f32x4.mul(x, f32x4.splat(0.5));
  const zero = f32x4.splat(0);
  if (op == OP_MAX_GRAD) {
    return v128.bitselect(x, v128.bitselect(half, zero, f32x4.eq(y, z)), f32x4.gt(y, z));
  }
  if (op == OP_MIN_GRAD) {
    return v128.bitselect(x, v128.bitselect(half, zero, f32x4.eq(y, z)), f32x4.lt(y, z));
  }
  return f32x4.div(f32x4.mul(f32x4.neg(x), y), f32x4.mul(z, z));
}

@inline function ternaryAll(op: i32, desc: usize, out: usize, a: usize, b: usize, c: usize): void {
  const nd = load<i32>(desc);
  const last = nd - 1;
  const n = dsize(desc, last);
  const sa = dstride(desc, 1, last), sb = dstride(desc, 2, last), sc = dstride(desc, 3, last);
  const vector = op <= OP_DIV_GRAD_B;
  let rows = 1;
  for (let d = 0; d < last; d++) {
    rows *= dsize(desc, d);
    store<i32>(counters() + (<usize>d << 2), 0);
  }
  let po = out, pa = a, pb = b, pc = c;
  for (let r = 0; r < rows; r++) {
    if (vector && (sa | sb | sc) == 4 && (sa == 4 || sa == 0) && (sb == 4 || sb == 0) && (sc == 4 || sc == 0)) {
      // each operand contiguous or splatted (a zero stride): load it the right way per lane group
      for (let i = 0; i < n; i += 4) {
        const rest = n - i;
        const o = <usize>i << 2;
        const x = sa ? ld(pa + o, rest) : v128.load32_splat(pa);
        const y = sb ? ld(pb + o, rest) : v128.load32_splat(pb);
        const z = sc ? ld(pc + o, rest) : v128.load32_splat(pc);
        st(po + o, terV(op, x, y, z), rest);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const k = <usize>i;
        store<f32>(po + (k << 2), terS(op, load<f32>(pa + k * sa), load<f32>(pb + k * sb), load<f32>(pc + k * sc)));
      }
    }
    for (let d = last - 1; d >= 0; d--) {
      const cnt = load<i32>(counters() + (<usize>d << 2)) + 1;
      const so = dstride(desc, 0, d), s1 = dstride(desc, 1, d), s2 = dstride(desc, 2, d), s3 = dstride(desc, 3, d);
      if (cnt < dsize(desc, d)) {
        store<i32>(counters() + (<usize>d << 2), cnt);
        po += so; pa += s1; pb += s2; pc += s3;
        break;
      }
      store<i32>(counters() + (<usize>d << 2), 0);
      const back = <usize>(cnt - 1);
      po -= so * back; pa -= s1 * back; pb -= s2 * back; pc -= s3 * back;
    }
  }
}

/** out = op(x, y, z) over the descriptor's broadcast iteration space (out contiguous). */
export function ewTernary(op: i32, desc: usize, out: usize, x: usize, y: usize, z: usize): void {
  switch (op) {
    case OP_WHERE: ternaryAll(OP_WHERE, desc, out, x, y, z); break;
    case OP_MAX_GRAD: ternaryAll(OP_MAX_GRAD, desc, out, x, y, z); break;
    case OP_MIN_GRAD: ternaryAll(OP_MIN_GRAD, desc, out, x, y, z); break;
    case OP_DIV_GRAD_B: ternaryAll(OP_DIV_GRAD_B, desc, out, x, y, z); break;
    case OP_POW_GRAD_BASE: ternaryAll(OP_POW_GRAD_BASE, desc, out, x, y, z); break;
    default: ternaryAll(OP_POW_GRAD_EXP, desc, out, x, y, z); break;
  }
}

// ---------------------------------------------------------------- strided copy

/**
 * out (+)= src over the descriptor's space, both with free strides (operand 0
 * is the destination, 1 the source): transpose, permute, expand, narrow, cat
 * and their backward passes are all this one loop.
 */
export function copyStrided(desc: usize, out: usize, src: usize, acc: i32): void {
  const nd = load<i32>(desc);
  const last = nd - 1;
  const n = dsize(desc, last);
  const so0 = dstride(desc, 0, last), ss0 = dstride(desc, 1, last);
  let rows = 1;
  for (let d = 0; d < last; d++) {
    rows *= dsize(desc, d);
    store<i32>(counters() + (<usize>d << 2), 0);
  }
  let po = out, ps = src;
  for (let r = 0; r < rows; r++) {
    if (so0 == 4 && ss0 == 4) {
      if (acc) {
        for (let i = 0; i < n; i += 4) {
          const rest = n - i;
          const o = <usize>i << 2;
          stGrad(po + o, ld(ps + o, rest), rest, 1);
        }
      } else {
        memory.copy(po, ps, <usize>n << 2);
      }
    } else if (so0 == 4 && ss0 == 0 && !acc) {
      const v = v128.load32_splat(ps);
      for (let i = 0; i < n; i += 4) st(po + (<usize>i << 2), v, n - i);
    } else {
      for (let i = 0; i < n; i++) {
        const k = <usize>i;
        const v = load<f32>(ps + k * ss0);
        const p = po + k * so0;
        store<f32>(p, acc ? load<f32>(p) + v : v);
      }
    }
    for (let d = last - 1; d >= 0; d--) {
      const c = load<i32>(counters() + (<usize>d << 2)) + 1;
      const so = dstride(desc, 0, d), ss = dstride(desc, 1, d);
      if (c < dsize(desc, d)) {
        store<i32>(counters() + (<usize>d << 2), c);
        po += so; ps += ss;
        break;
      }
      store<i32>(counters() + (<usize>d << 2), 0);
      const back = <usize>(c - 1);
      po -= so * back; ps -= ss * back;
    }
  }
}

// ---------------------------------------------------------------- unary ops

export const U_NEG: i32 = 0;
export const U_EXP: i32 = 1;
export const U_LOG: i32 = 2;
export const U_SQRT: i32 = 3;
export const U_RSQRT: i32 = 4;
export const U_ABS: i32 = 5;
export const U_SQUARE: i32 = 6;
export const U_ADD_SCALAR: i32 = 7; // x + p
export const U_MUL_SCALAR: i32 = 8; // x · p
export const U_DIV_SCALAR: i32 = 9; // x / p
export const U_CLAMP: i32 = 10; //     min(max(x, p), q)
export const U_POW_SCALAR: i32 = 11; // x^p
export const U_RSUB_SCALAR: i32 = 12; // p − x
export const U_RDIV_SCALAR: i32 = 13; // p / x

@inline function unV(op: i32, x: v128, p: v128, q: v128): v128 {
  if (op == U_NEG) return f32x4.neg(x);
  if (op == U_EXP) {
    // expV clamps; restore the overflow to +inf and NaN to NaN
    const y = expV(x);
    return v128.bitselect(f32x4.splat(Infinity), v128.bitselect(x, y, f32x4.ne(x, x)), f32x4.gt(x, f32x4.splat(88.72283)));
  }
  if (op == U_LOG) return logV(x);
  if (op == U_SQRT) return f32x4.sqrt(x);
  if (op == U_RSQRT) return f32x4.div(f32x4.splat(1), f32x4.sqrt(x));
  if (op == U_ABS) return f32x4.abs(x);
  if (op == U_SQUARE) return f32x4.mul(x, x);
  if (op == U_ADD_SCALAR) return f32x4.add(x, p);
  if (op == U_MUL_SCALAR) return f32x4.mul(x, p);
  if (op == U_DIV_SCALAR) return f32x4.div(x, p);
  if (op == U_CLAMP) return f32x4.min(f32x4.max(x, p), q);
  if (op == U_RSUB_SCALAR) return f32x4.sub(p, x);
  return f32x4.div(p, x);
}

@inline function unaryLoop(op: i32, x: usize, y: usize, n: i32, p: f32, q: f32): void {
  const vp = f32x4.splat(p), vq = f32x4.splat(q);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = v128.load(x + o), b = v128.load(x + o, 16);
    v128.store(y + o, unV(op, a, vp, vq));
    v128.store(y + o, unV(op, b, vp, vq), 16);
  }
  for (; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    st(y + o, unV(op, ld(x + o, rest), vp, vq), rest);
  }
}

/** y = op(x; p, q) over n contiguous elements (y may be x). */
export function ewUnary(op: i32, x: usize, y: usize, n: i32, p: f32, q: f32): void {
  switch (op) {
    case U_NEG: unaryLoop(U_NEG, x, y, n, p, q); break;
    case U_EXP: unaryLoop(U_EXP, x, y, n, p, q); break;
    case U_LOG: unaryLoop(U_LOG, x, y, n, p, q); break;
    case U_SQRT: unaryLoop(U_SQRT, x, y, n, p, q); break;
    case U_RSQRT: unaryLoop(U_RSQRT, x, y, n, p, q); break;
    case U_ABS: unaryLoop(U_ABS, x, y, n, p, q); break;
    case U_SQUARE: unaryLoop(U_SQUARE, x, y, n, p, q); break;
    case U_ADD_SCALAR: unaryLoop(U_ADD_SCALAR, x, y, n, p, q); break;
    case U_MUL_SCALAR: unaryLoop(U_MUL_SCALAR, x, y, n, p, q); break;
    case U_DIV_SCALAR: unaryLoop(U_DIV_SCALAR, x, y, n, p, q); break;
    case U_CLAMP: unaryLoop(U_CLAMP, x, y, n, p, q); break;
    case U_RSUB_SCALAR: unaryLoop(U_RSUB_SCALAR, x, y, n, p, q); break;
    case U_RDIV_SCALAR: unaryLoop(U_RDIV_SCALAR, x, y, n, p, q); break;
    default: // U_POW_SCALAR
      if (p == 2) unaryLoop(U_SQUARE, x, y, n, p, q);
      else if (p == 1) memory.copy(y, x, <usize>n << 2);
      else if (p == 0.5) unaryLoop(U_SQRT, x, y, n, p, q);
      else if (p == -1) unaryLoop(U_RDIV_SCALAR, x, y, n, 1, q);
      else for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), powf(load<f32>(x + (<usize>i << 2)), p));
  }
}

/**
 * dx (+)= dy · op′(x) given the forward input x and output y, PyTorch's
 * formulas: exp dy·y, log dy/x, sqrt dy/(2y), rsqrt −½dy·y³, abs dy·sgn x,
 * square 2x·dy, clamp dy·[p ≤ x ≤ q], pow (scalar p) dy·p·x^(p−1) (0 for p = 0).
 */
export function ewUnaryBackward(op: i32, x: usize, y: usize, dy: usize, dx: usize, n: i32, acc: i32, p: f32, q: f32): void {
  const vp = f32x4.splat(p), vq = f32x4.splat(q);
  const zero = f32x4.splat(0), half = f32x4.splat(0.5), two = f32x4.splat(2);
  if (op == U_POW_SCALAR && p != 2 && p != 0) {
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      const g = load<f32>(dy + o) * p * powf(load<f32>(x + o), p - 1);
      store<f32>(dx + o, acc ? load<f32>(dx + o) + g : g);
    }
    return;
  }
  for (let i = 0; i < n; i += 4) {
    const rest = n - i;
    const o = <usize>i << 2;
    const d = ld(dy + o, rest);
    let g: v128;
    switch (op) {
      case U_NEG: g = f32x4.neg(d); break;
      case U_EXP: g = f32x4.mul(d, ld(y + o, rest)); break;
      case U_LOG: g = f32x4.div(d, ld(x + o, rest)); break;
      case U_SQRT: g = f32x4.div(d, f32x4.mul(two, ld(y + o, rest))); break;
      case U_RSQRT: {
        const v = ld(y + o, rest);
        g = f32x4.mul(f32x4.mul(f32x4.neg(half), d), f32x4.mul(v, f32x4.mul(v, v)));
        break;
      }
      case U_ABS: {
        const v = ld(x + o, rest);
        const sgn = v128.or(v128.and(f32x4.gt(v, zero), f32x4.splat(1)), v128.and(f32x4.lt(v, zero), f32x4.splat(-1)));
        g = f32x4.mul(d, sgn);
        break;
      }
      case U_SQUARE: g = f32x4.mul(d, f32x4.mul(two, ld(x + o, rest))); break;
      case U_ADD_SCALAR: g = d; break;
      case U_MUL_SCALAR: g = f32x4.mul(d, vp); break;
      case U_DIV_SCALAR: g = f32x4.div(d, vp); break;
      case U_CLAMP: {
        const v = ld(x + o, rest);
        g = v128.and(d, v128.and(f32x4.ge(v, vp), f32x4.le(v, vq)));
        break;
      }
      case U_RSUB_SCALAR: g = f32x4.neg(d); break;
      case U_RDIV_SCALAR: { // y = p/x: dy·(−p/x²) = −dy·y/x
        g = f32x4.div(f32x4.mul(f32x4.neg(d), ld(y + o, rest)), ld(x + o, rest));
        break;
      }
      default: // U_POW_SCALAR with p = 2 or p = 0
        g = p == 0 ? zero : f32x4.mul(d, f32x4.mul(two, ld(x + o, rest)));
    }
    stGrad(dx + o, g, rest, acc);
  }
}

export function warmupOpsElementwise(scratch: usize, bytes: i32): void {
  const n = min(bytes >> 5, 256);
  const a = scratch;
  const b = a + (<usize>n << 2);
  const c = b + (<usize>n << 2);
  const desc = c + (<usize>n << 2);
  for (let i = 0; i < n; i++) store<f32>(a + (<usize>i << 2), <f32>(i + 1) * 0.03);
  store<i32>(desc, 2);
  store<i32>(desc + D_SIZES, 4);
  store<i32>(desc + D_SIZES + 4, n >> 2);
  for (let k = 0; k < 4; k++) {
    store<i32>(desc + D_STRIDES + (<usize>k << 5), k == 2 ? 0 : n >> 2);
    store<i32>(desc + D_STRIDES + (<usize>k << 5) + 4, 1);
  }
  for (let op = 0; op < 6; op++) {
    ewBinary(op, desc, c, a, b, 1);
    ewBinaryContiguous(op, c, a, b, n, 1);
  }
  ewTernary(OP_WHERE, desc, c, a, b, a);
  ewTernary(OP_MAX_GRAD, desc, c, a, b, a);
  copyStrided(desc, c, a, 0);
  copyStrided(desc, c, a, 1);
  for (let op = 0; op <= U_RDIV_SCALAR; op++) {
    if (op == U_POW_SCALAR) continue;
    ewUnary(op, a, c, n, 0.5, 2);
    ewUnaryBackward(op, a, c, b, c, n, 1, 0.5, 2);
  }
}
