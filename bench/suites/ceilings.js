// This machine's ceilings, measured in WebAssembly in the same run as the
// kernels (the kernels are in assembly/ceiling.ts):
//   - compute: 12 independent register-resident chains of f32x4 mul+add, and of
//     f32x4.relaxed_madd where the engine has relaxed SIMD -> GFLOP/s;
//   - bandwidth: a v128 copy, a STREAM triad a = b + s·c and a seven-stream
//     update (four arrays read, three written: an optimizer's traffic) over
//     64 MiB arrays (L3 here is 32 MiB), counting bytes read + written -> GB/s
//     (one core moves more with more streams in flight); and the
//     engine's memory.copy for reference (not a ceiling: kernels cannot use it).
//     One call streams the next 4 MiB window of each array, cycling: a window
//     comes back only after 15 others (120+ MiB) have gone through the cache,
//     so it is always read from DRAM, and a call (~0.5 ms) is short enough to
//     run between two preemptions on a shared machine.
// The harness runs this file first and quotes every other figure as a fraction
// of these. They use the bench-only module build/ceilings.*.wasm, so they are
// measured whatever build the wasmtrain cases run.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const buildDir = fileURLToPath(new URL("../../build/", import.meta.url));
const instances = new Map();

async function kernels(build) {
  if (!instances.has(build)) {
    const bytes = readFileSync(`${buildDir}ceilings.${build}.wasm`);
    const p = WebAssembly.instantiate(bytes, { env: { abort() { throw new Error("ceiling kernel aborted"); } } }).then((r) => r.instance.exports);
    instances.set(build, p);
  }
  return instances.get(build);
}

/** True when the engine runs the relaxed-simd build (Node 20 needs --experimental-wasm-relaxed-simd). */
export function engineHasRelaxedSimd() {
  try {
    return WebAssembly.validate(readFileSync(`${buildDir}ceilings.relaxed-simd.wasm`));
  } catch {
    return false;
  }
}

const MiB = 1 << 20;

function computeCase(build, kernel, iters) {
  return async () => {
    const k = await kernels(build);
    if (kernel === "ceilingFma" && !k.ceilingHasRelaxedMadd()) throw new Error("this build has no relaxed_madd");
    return () => k[kernel](iters, 0.999, 0.001);
  };
}

const WINDOW = 4 * MiB;
/**
 * Array i starts i·STAGGER bytes into its block (5 KiB + 64 B: a whole number
 * of cache lines, different low address bits for every array). Large blocks
 * from the allocator otherwise start 16 bytes apart modulo 64 KiB, and a
 * triad whose loads and stores alias that way ran at 22–25 GB/s (fastest
 * sample) where the staggered one runs at 27.6–28.5 GB/s (30–35 GB/s in a
 * standalone best-of-400 loop): not a ceiling.
 */
const STAGGER = 5 * 1024 + 64;

/** Allocates `arrays` arrays of `bytesEach`; each call runs `run(k, ptrs, offset)` on the next window. */
function bandwidthCase(arrays, bytesEach, run) {
  return async () => {
    const k = await kernels("simd");
    const blocks = [];
    const ptrs = [];
    for (let i = 0; i < arrays; i++) {
      const p = k.alloc(bytesEach + STAGGER * arrays) >>> 0;
      if (!p) throw new Error("ceiling arrays: allocation failed");
      blocks.push(p);
      const start = p + i * STAGGER;
      new Float32Array(k.memory.buffer, start, bytesEach / 4).fill(1 + i);
      ptrs.push(start);
    }
    const windows = bytesEach / WINDOW;
    let w = 0;
    return {
      fn: () => {
        run(k, ptrs, w * WINDOW);
        w = (w + 1) % windows;
      },
      teardown: () => blocks.forEach((p) => k.free(p)),
    };
  };
}

// Short samples (one call each) and many of them: a ceiling is the fastest
// sample, and on a shared machine only a short one fits in an uncontended
// time slice.
const options = { minTime: 0.001, minSamples: 20, maxTime: 2 };

export default function suites() {
  const iters = 1 << 17;
  const flops = iters * 96; // ceilingFlopsPerIter(): 12 chains × 4 lanes × 2
  const n = 64 * MiB;
  const list = [
    {
      name: "ceiling: f32x4 mul+add, 12 chains",
      ceiling: "mulAdd",
      options,
      unit: "flop",
      items: flops,
      flops,
      cases: { wasm: computeCase("simd", "ceilingMulAdd", iters) },
    },
  ];
  if (engineHasRelaxedSimd()) {
    list.push({
      name: "ceiling: f32x4.relaxed_madd, 12 chains",
      ceiling: "fma",
      options,
      unit: "flop",
      items: flops,
      flops,
      cases: { wasm: computeCase("relaxed-simd", "ceilingFma", iters) },
    });
  }
  list.push(
    {
      name: `ceiling: copy, v128 loop, 4 MiB windows of ${n / MiB} MiB`,
      ceiling: "copy",
      options,
      unit: "byte",
      items: 2 * WINDOW,
      bytes: 2 * WINDOW,
      cases: { wasm: bandwidthCase(2, n, (k, [dst, src], o) => k.ceilingCopy(dst + o, src + o, WINDOW)) },
    },
    {
      name: `ceiling: STREAM triad a = b + s·c, 4 MiB windows of 3 × ${n / MiB} MiB`,
      ceiling: "triad",
      options,
      unit: "byte",
      items: 3 * WINDOW,
      bytes: 3 * WINDOW,
      cases: { wasm: bandwidthCase(3, n, (k, [a, b, c], o) => k.ceilingTriad(a + o, b + o, c + o, 3, WINDOW / 4)) },
    },
    {
      name: `ceiling: update a += d, b += s·d, c −= d (4 reads + 3 writes, Adam's traffic), 4 MiB windows of 4 × ${n / MiB} MiB`,
      ceiling: "update",
      options,
      unit: "byte",
      items: 7 * WINDOW,
      bytes: 7 * WINDOW,
      cases: { wasm: bandwidthCase(4, n, (k, [a, b, c, d], o) => k.ceilingUpdate(a + o, b + o, c + o, d + o, 1e-3, WINDOW / 4)) },
    },
    {
      name: `reference: memory.copy (engine memmove), 4 MiB windows of ${n / MiB} MiB`,
      ceiling: "bulkCopy",
      options,
      unit: "byte",
      items: 2 * WINDOW,
      bytes: 2 * WINDOW,
      cases: { wasm: bandwidthCase(2, n, (k, [dst, src], o) => k.ceilingBulkCopy(dst + o, src + o, WINDOW)) },
    },
  );
  return list;
}
