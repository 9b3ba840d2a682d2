// Weight averaging for SWA (AveragedModel): in-place float32 updates of the
// averaged parameters. Plain SIMD arithmetic, no relaxed instructions: the
// results are bit-identical to the pure-JS twins (src/reference/swa.ts) and to
// PyTorch's float32 tensor expressions.

/** avg ← avg + (p − avg)/k over n floats (the equal average, k = models averaged + 1). */
export function swaEqualAverage(avg: usize, p: usize, n: i32, k: f32): void {
  const kv = f32x4.splat(k);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const off = <usize>i << 2;
    const a0 = v128.load(avg + off);
    const a1 = v128.load(avg + off, 16);
    const d0 = f32x4.div(f32x4.sub(v128.load(p + off), a0), kv);
    const d1 = f32x4.div(f32x4.sub(v128.load(p + off, 16), a1), kv);
    v128.store(avg + off, f32x4.add(a0, d0));
    v128.store(avg + off, f32x4.add(a1, d1), 16);
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const a = load<f32>(avg + off);
    store<f32>(avg + off, a + (load<f32>(p + off) - a) / k);
  }
}

/** avg ← decay·avg + oneMinusDecay·p over n floats (the EMA; both factors already rounded to float32). */
export function swaEma(avg: usize, p: usize, n: i32, decay: f32, oneMinusDecay: f32): void {
  const dv = f32x4.splat(decay);
  const ev = f32x4.splat(oneMinusDecay);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const off = <usize>i << 2;
    const r0 = f32x4.add(f32x4.mul(dv, v128.load(avg + off)), f32x4.mul(ev, v128.load(p + off)));
    const r1 = f32x4.add(f32x4.mul(dv, v128.load(avg + off, 16)), f32x4.mul(ev, v128.load(p + off, 16)));
    v128.store(avg + off, r0);
    v128.store(avg + off, r1, 16);
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(avg + off, decay * load<f32>(avg + off) + oneMinusDecay * load<f32>(p + off));
  }
}

export function warmupSwa(scratch: usize, scratchBytes: i32): void {
  const n = min(scratchBytes >> 3, 1024);
  const p = scratch + (<usize>n << 2);
  for (let i = 0; i < n; i++) {
    store<f32>(scratch + (<usize>i << 2), 1);
    store<f32>(p + (<usize>i << 2), 2);
  }
  swaEqualAverage(scratch, p, n, 3);
  swaEma(scratch, p, n, 0.9, 0.1);
}
