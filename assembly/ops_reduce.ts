// Reductions of the tensor operations (sum, mean, amax, amin, var, norms,
// argmax, argmin) over one block of contiguous dimensions. The facade
// (src/ops/reduce.ts) views the input as [outer, R, inner] — R the reduced
// elements — copying first only when the reduced dimensions are not one
// contiguous block.
//
//   reduceInner (inner = 1): each row of R contiguous values is cut into
//     chunks of CHUNK elements; a chunk is summed in SIMD lanes (float64),
//     and the chunks' results are combined in order. The result does not
//     depend on how the chunks would be split between threads.
//   reduceOuter (inner > 1): out[o, i] accumulates x[o, r, i] over r in order,
//     SIMD across i (float32, as the nn layers' column sums).
//
// `acc` = 1 adds into out (gradient accumulation) instead of writing it.
import { ld, st } from "./simdmath";

export const R_SUM: i32 = 0; //     Σ x · p (p = 1 for sum, 1/R for mean)
export const R_MAX: i32 = 1;
export const R_MIN: i32 = 2;
export const R_VAR: i32 = 3; //     Σ (x − mean)² / max(0, R − p) (p = correction)
export const R_NORM2: i32 = 4; //   √Σ x²
export const R_NORM1: i32 = 5; //   Σ |x|
export const R_NORMINF: i32 = 6; // max |x|
export const R_NORMP: i32 = 7; //   (Σ |x|^p)^(1/p) (also p = 0: count of nonzeros, p = −inf: min |x|)
export const R_ARGMAX: i32 = 8; //  index of the first maximum (NaN counts as the maximum)
export const R_ARGMIN: i32 = 9;

const CHUNK: i32 = 2048;

@inline function sumF64(acc: v128, v: v128): v128 {
  return f64x2.add(f64x2.add(acc, f64x2.promote_low_f32x4(v)), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
}

@inline function hsum64(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Σ x[i] (kind 0), Σ x[i]² (1), Σ |x[i]| (2), Σ (x[i] − c)² (3) over n contiguous values, chunked. */
@inline function chunkedSum(kind: i32, x: usize, n: i32, c: f32): f64 {
  let total: f64 = 0;
  const vc = f32x4.splat(c);
  for (let start = 0; start < n; start += CHUNK) {
    const end = min(n, start + CHUNK);
    let acc = f64x2.splat(0);
    for (let i = start; i < end; i += 4) {
      const rest = end - i;
      let v = ld(x + (<usize>i << 2), rest); // zero lanes past the end
      if (kind == 1) v = f32x4.mul(v, v);
      else if (kind == 2) v = f32x4.abs(v);
      else if (kind == 3) {
        v = f32x4.sub(v, vc);
        if (rest < 4) v = v128.and(v, i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(rest)));
        v = f32x4.mul(v, v);
      }
      acc = sumF64(acc, v);
    }
    total += hsum64(acc);
  }
  return total;
}

@inline function extremum(isMax: bool, absolute: bool, x: usize, n: i32): f32 {
  let best = f32x4.splat(isMax ? -Infinity : Infinity);
  let nan = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    let v = v128.load(x + (<usize>i << 2));
    if (absolute) v = f32x4.abs(v);
    nan = v128.or(nan, f32x4.ne(v, v));
    best = isMax ? f32x4.max(best, v) : f32x4.min(best, v);
  }
  let r: f32 = isMax
    ? max(max(f32x4.extract_lane(best, 0), f32x4.extract_lane(best, 1)), max(f32x4.extract_lane(best, 2), f32x4.extract_lane(best, 3)))
    : min(min(f32x4.extract_lane(best, 0), f32x4.extract_lane(best, 1)), min(f32x4.extract_lane(best, 2), f32x4.extract_lane(best, 3)));
  let sawNaN = v128.any_true(nan);
  for (; i < n; i++) {
    let v = load<f32>(x + (<usize>i << 2));
    if (absolute) v = abs(v);
    if (v != v) sawNaN = true;
    r = isMax ? max(r, v) : min(r, v);
  }
  return sawNaN ? NaN : r;
}

@inline function argExtremum(isMax: bool, x: usize, n: i32): f32 {
  let best = load<f32>(x);
  let at = 0;
  if (best != best) return 0;
  for (let i = 1; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v != v) return <f32>i;
    if (isMax ? v > best : v < best) {
      best = v;
      at = i;
    }
  }
  return <f32>at;
}

function reduceRow(op: i32, x: usize, n: i32, p: f32): f32 {
  switch (op) {
    case R_SUM: return <f32>(chunkedSum(0, x, n, 0) * <f64>p);
    case R_MAX: return extremum(true, false, x, n);
    case R_MIN: return extremum(false, false, x, n);
    case R_VAR: {
      const mean = <f32>(chunkedSum(0, x, n, 0) / <f64>n);
      return <f32>(chunkedSum(3, x, n, mean) / max(0.0, <f64>n - <f64>p));
    }
    case R_NORM2: return <f32>Math.sqrt(chunkedSum(1, x, n, 0));
    case R_NORM1: return <f32>chunkedSum(2, x, n, 0);
    case R_NORMINF: return n ? extremum(true, true, x, n) : 0;
    case R_NORMP: {
      if (p == -Infinity) return extremum(false, true, x, n);
      let s: f64 = 0;
      for (let i = 0; i < n; i++) {
        const a = abs(<f64>load<f32>(x + (<usize>i << 2)));
        s += p == 0 ? (a != 0 ? 1 : 0) : Math.pow(a, <f64>p);
      }
      return p == 0 ? <f32>s : <f32>Math.pow(s, 1 / <f64>p);
    }
    case R_ARGMAX: return argExtremum(true, x, n);
    default: return argExtremum(false, x, n);
  }
}

/** out[o] (+)= reduce(x[o, 0..R)) for `outer` contiguous rows of R values. */
export function reduceInner(op: i32, x: usize, out: usize, outer: i32, R: i32, p: f32, acc: i32): void {
  for (let o = 0; o < outer; o++) {
    const v = reduceRow(op, x + (<usize>o * R << 2), R, p);
    const q = out + (<usize>o << 2);
    store<f32>(q, acc ? load<f32>(q) + v : v);
  }
}

/**
 * out[o, i] (+)= reduce over r of x[o, r, i] (sum·p, max, min, Σx², Σ|x|,
 * max|x|) for the [outer, R, inner] view; the other reductions go through
 * reduceInner after a transposing copy.
 */
export function reduceOuter(op: i32, x: usize, out: usize, outer: i32, R: i32, inner: i32, p: f32, acc: i32): void {
  const vp = f32x4.splat(p);
  for (let o = 0; o < outer; o++) {
    const base = x + (<usize>o * R * inner << 2);
    const dst = out + (<usize>o * inner << 2);
    for (let i = 0; i < inner; i += 4) {
      const rest = inner - i;
      const off = <usize>i << 2;
      let s = f32x4.splat(op == R_MAX ? -Infinity : op == R_MIN ? Infinity : 0);
      let nan = f32x4.splat(0);
      for (let r = 0; r < R; r++) {
        let v = ld(base + (<usize>r * inner << 2) + off, rest);
        if (op == R_SUM) s = f32x4.add(s, v);
        else if (op == R_NORM2) s = f32x4.add(s, f32x4.mul(v, v));
        else if (op == R_NORM1) s = f32x4.add(s, f32x4.abs(v));
        else {
          if (op == R_NORMINF) v = f32x4.abs(v);
          nan = v128.or(nan, f32x4.ne(v, v));
          s = op == R_MIN ? f32x4.min(s, v) : f32x4.max(s, v);
        }
      }
      if (op == R_SUM) s = f32x4.mul(s, vp);
      else if (op == R_NORM2) s = f32x4.sqrt(s);
      else if (op != R_NORM1) s = v128.bitselect(f32x4.splat(NaN), s, nan);
      if (acc) s = f32x4.add(s, ld(dst + off, rest));
      st(dst + off, s, rest);
    }
  }
}

/**
 * The per-chunk partial results behind reduceRow, for the thread pool: for
 * each CHUNK of n contiguous values (x at a chunk boundary) one float64 into
 * partials: kind 0 Σx, 1 Σx², 2 Σ|x|, 3 Σ(x − c)² (the chunk sums of
 * chunkedSum, which adds them in order), 4 max, 5 min, 6 max|x| (extremum's
 * result for the chunk: NaN when it holds one).
 */
export function reducePartials(kind: i32, x: usize, n: i32, c: f32, partials: usize): void {
  for (let start = 0, k = 0; start < n; start += CHUNK, k++) {
    const p = x + (<usize>start << 2);
    const len = min(n - start, CHUNK);
    let r: f64;
    if (kind == 4) r = <f64>extremum(true, false, p, len);
    else if (kind == 5) r = <f64>extremum(false, false, p, len);
    else if (kind == 6) r = <f64>extremum(true, true, p, len);
    else r = chunkedSum(kind, p, len, c);
    store<f64>(partials + (<usize>k << 3), r);
  }
}

export function warmupOpsReduce(scratch: usize, bytes: i32): void {
  const n = min(bytes >> 4, 512);
  const x = scratch;
  const out = x + (<usize>n << 2);
  for (let i = 0; i < n; i++) store<f32>(x + (<usize>i << 2), <f32>((i * 7) % 13) * 0.1 - 0.5);
  for (let op = 0; op <= R_ARGMIN; op++) reduceInner(op, x, out, 4, n >> 2, 2, 0);
  for (let op = 0; op <= R_NORMINF; op++) {
    if (op == R_VAR) continue;
    reduceOuter(op, x, out, 2, 4, n >> 3, 1, 0);
  }
  for (let kind = 0; kind <= 6; kind++) reducePartials(kind, x, n >> 1, 0.5, out);
}
