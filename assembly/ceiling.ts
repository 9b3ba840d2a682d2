// Machine ceilings for the benchmark harness (bench/suites/ceilings.js): what
// one core can reach from WebAssembly at best, so that every kernel's figure
// can be quoted as a fraction of it.
//
// Compute: independent chains of f32x4 updates `c = c·m + a`, kept in
// registers. Twelve chains hide the latency of mul+add (and of FMA) on this
// machine's core; with 6, 8, 10, 12, 14 and 16 chains measured, 12 was the
// fastest and 14+ spill to the stack (V8 keeps a scratch register).
// Each chain step is 8 flops (4 lanes × one multiply and one add).
//
// Bandwidth: a copy and a STREAM triad (a = b + s·c) over arrays far larger
// than the last-level cache, with plain v128 loads and stores — what any
// kernel here can do. STREAM counts bytes read plus bytes written.
//
// Nothing here is named `warmup*`: ready() would run it. The harness warms
// these up itself.

/** Flops per iteration of ceilingMulAdd / ceilingFma: 12 chains × 4 lanes × (mul + add). */
export function ceilingFlopsPerIter(): i32 {
  return 12 * 8;
}

/** Whether ceilingFma uses f32x4.relaxed_madd (only in the relaxed-simd build). */
export function ceilingHasRelaxedMadd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}

/** 12 chains of `c = c·m + a` with separate f32x4.mul and f32x4.add, `iters` steps each. */
export function ceilingMulAdd(iters: i32, m: f32, a: f32): f32 {
  const vm = f32x4.splat(m);
  const va = f32x4.splat(a);
  let c0 = f32x4.splat(0), c1 = f32x4.splat(1), c2 = f32x4.splat(2), c3 = f32x4.splat(3);
  let c4 = f32x4.splat(4), c5 = f32x4.splat(5), c6 = f32x4.splat(6), c7 = f32x4.splat(7);
  let c8 = f32x4.splat(8), c9 = f32x4.splat(9), c10 = f32x4.splat(10), c11 = f32x4.splat(11);
  for (let i = 0; i < iters; i++) {
    c0 = f32x4.add(f32x4.mul(c0, vm), va);
    c1 = f32x4.add(f32x4.mul(c1, vm), va);
    c2 = f32x4.add(f32x4.mul(c2, vm), va);
    c3 = f32x4.add(f32x4.mul(c3, vm), va);
    c4 = f32x4.add(f32x4.mul(c4, vm), va);
    c5 = f32x4.add(f32x4.mul(c5, vm), va);
    c6 = f32x4.add(f32x4.mul(c6, vm), va);
    c7 = f32x4.add(f32x4.mul(c7, vm), va);
    c8 = f32x4.add(f32x4.mul(c8, vm), va);
    c9 = f32x4.add(f32x4.mul(c9, vm), va);
    c10 = f32x4.add(f32x4.mul(c10, vm), va);
    c11 = f32x4.add(f32x4.mul(c11, vm), va);
  }
  return sumLanes0(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
}

/**
 * 12 chains of `c = relaxed_madd(c, m, a)` (a fused multiply-add where the
 * engine and CPU have one). In the plain simd build it is ceilingMulAdd.
 */
export function ceilingFma(iters: i32, m: f32, a: f32): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    const vm = f32x4.splat(m);
    const va = f32x4.splat(a);
    let c0 = f32x4.splat(0), c1 = f32x4.splat(1), c2 = f32x4.splat(2), c3 = f32x4.splat(3);
    let c4 = f32x4.splat(4), c5 = f32x4.splat(5), c6 = f32x4.splat(6), c7 = f32x4.splat(7);
    let c8 = f32x4.splat(8), c9 = f32x4.splat(9), c10 = f32x4.splat(10), c11 = f32x4.splat(11);
    for (let i = 0; i < iters; i++) {
      c0 = f32x4.relaxed_madd(c0, vm, va);
      c1 = f32x4.relaxed_madd(c1, vm, va);
      c2 = f32x4.relaxed_madd(c2, vm, va);
      c3 = f32x4.relaxed_madd(c3, vm, va);
      c4 = f32x4.relaxed_madd(c4, vm, va);
      c5 = f32x4.relaxed_madd(c5, vm, va);
      c6 = f32x4.relaxed_madd(c6, vm, va);
      c7 = f32x4.relaxed_madd(c7, vm, va);
      c8 = f32x4.relaxed_madd(c8, vm, va);
      c9 = f32x4.relaxed_madd(c9, vm, va);
      c10 = f32x4.relaxed_madd(c10, vm, va);
      c11 = f32x4.relaxed_madd(c11, vm, va);
    }
    return sumLanes0(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11);
  } else {
    return ceilingMulAdd(iters, m, a);
  }
}

// The result depends on every chain, so no chain is dead code.
@inline
function sumLanes0(
  c0: v128, c1: v128, c2: v128, c3: v128, c4: v128, c5: v128,
  c6: v128, c7: v128, c8: v128, c9: v128, c10: v128, c11: v128,
): f32 {
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7))),
    f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11)),
  );
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

/** dst[0..bytes) = src[0..bytes) with v128 loads and stores; `bytes` a multiple of 64. */
export function ceilingCopy(dst: usize, src: usize, bytes: i32): void {
  const end = src + <usize>bytes;
  while (src < end) {
    const x0 = v128.load(src, 0);
    const x1 = v128.load(src, 16);
    const x2 = v128.load(src, 32);
    const x3 = v128.load(src, 48);
    v128.store(dst, x0, 0);
    v128.store(dst, x1, 16);
    v128.store(dst, x2, 32);
    v128.store(dst, x3, 48);
    src += 64;
    dst += 64;
  }
}

/** The same copy with the bulk-memory `memory.copy` instruction (the engine's memmove). */
export function ceilingBulkCopy(dst: usize, src: usize, bytes: i32): void {
  memory.copy(dst, src, <usize>bytes);
}

/** STREAM triad a[i] = b[i] + s·c[i] over n floats; n a multiple of 16. */
export function ceilingTriad(a: usize, b: usize, c: usize, s: f32, n: i32): void {
  const vs = f32x4.splat(s);
  const end = a + (<usize>n << 2);
  while (a < end) {
    v128.store(a, f32x4.add(v128.load(b, 0), f32x4.mul(vs, v128.load(c, 0))), 0);
    v128.store(a, f32x4.add(v128.load(b, 16), f32x4.mul(vs, v128.load(c, 16))), 16);
    v128.store(a, f32x4.add(v128.load(b, 32), f32x4.mul(vs, v128.load(c, 32))), 32);
    v128.store(a, f32x4.add(v128.load(b, 48), f32x4.mul(vs, v128.load(c, 48))), 48);
    a += 64;
    b += 64;
    c += 64;
  }
}

/**
 * An optimizer's memory traffic without its arithmetic: reads four streams and
 * writes three (a += d, b += s·d, c −= d; 28 bytes per element, Adam's). One
 * core's bandwidth grows with the number of streams it has in flight (more
 * misses outstanding): here this runs at about 1.7× the triad's rate, so the
 * triad alone would understate what a fused optimizer kernel can move.
 * `n` a multiple of 8.
 */
export function ceilingUpdate(a: usize, b: usize, c: usize, d: usize, s: f32, n: i32): void {
  const vs = f32x4.splat(s);
  const end = d + (<usize>n << 2);
  while (d < end) {
    const x0 = v128.load(d, 0);
    const x1 = v128.load(d, 16);
    v128.store(a, f32x4.add(v128.load(a, 0), x0), 0);
    v128.store(a, f32x4.add(v128.load(a, 16), x1), 16);
    v128.store(b, f32x4.add(v128.load(b, 0), f32x4.mul(vs, x0)), 0);
    v128.store(b, f32x4.add(v128.load(b, 16), f32x4.mul(vs, x1)), 16);
    v128.store(c, f32x4.sub(v128.load(c, 0), x0), 0);
    v128.store(c, f32x4.sub(v128.load(c, 16), x1), 16);
    a += 32;
    b += 32;
    c += 32;
    d += 32;
  }
}
