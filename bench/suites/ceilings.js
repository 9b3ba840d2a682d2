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
// The three bandwidth ceilings are measured again with 2 threads (the calling
// thread and one worker, each streaming its own arrays in its own instance of
// the module, started together on every sample): the bandwidth two cores
// reach, which bounds a memory-bound kernel's 2-thread scaling (Adam on 10M
// parameters in threads.js). These are not ceilings for the fractions.
// The harness runs this file first and quotes every other figure as a fraction
// of these. They use the bench-only module build/ceilings.*.wasm, so they are
// measured whatever build the wasmtrain cases run.
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
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

/** The bandwidth kernels by name, as bandwidthCase's `run` (the 2-thread worker runs them by name). */
const RUNS = {
  copy: (k, [dst, src], o) => k.ceilingCopy(dst + o, src + o, WINDOW),
  triad: (k, [a, b, c], o) => k.ceilingTriad(a + o, b + o, c + o, 3, WINDOW / 4),
  update: (k, [a, b, c, d], o) => k.ceilingUpdate(a + o, b + o, c + o, d + o, 1e-3, WINDOW / 4),
};
const ARRAYS = { copy: 2, triad: 3, update: 4 };

/**
 * A worker that instantiates the ceilings module on its own memory, allocates
 * the same arrays, and runs one window of the kernel each time word 0 of the
 * control block moves on (spinning between samples, so it starts with the
 * caller), adding 1 to word 1 when done; word 0 = -1 stops it.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { wasm, kind, arrays, bytesEach, window, stagger, control } = workerData;
const k = new WebAssembly.Instance(new WebAssembly.Module(wasm), { env: { abort() { throw new Error("abort"); } } }).exports;
const runs = {
  copy: (p, o) => k.ceilingCopy(p[0] + o, p[1] + o, window),
  triad: (p, o) => k.ceilingTriad(p[0] + o, p[1] + o, p[2] + o, 3, window / 4),
  update: (p, o) => k.ceilingUpdate(p[0] + o, p[1] + o, p[2] + o, p[3] + o, 1e-3, window / 4),
};
const ptrs = [];
for (let i = 0; i < arrays; i++) {
  const start = (k.alloc(bytesEach + stagger * arrays) >>> 0) + i * stagger;
  new Float32Array(k.memory.buffer, start, bytesEach / 4).fill(1 + i);
  ptrs.push(start);
}
const c = new Int32Array(control);
const windows = bytesEach / window;
let seen = 0, w = 0;
parentPort.postMessage("ready");
for (;;) {
  let s, spins = 0;
  while ((s = Atomics.load(c, 0)) === seen) if (++spins > 1e7) { Atomics.wait(c, 0, seen, 50); spins = 0; }
  if (s < 0) break;
  seen = s;
  runs[kind](ptrs, w * window);
  w = (w + 1) % windows;
  Atomics.add(c, 1, 1);
}
`;

/** bandwidthCase on `threads` threads at once: the caller's window and each worker's run together. */
function bandwidthCaseThreads(threads, kind, bytesEach) {
  const single = bandwidthCase(ARRAYS[kind], bytesEach, RUNS[kind]);
  return async () => {
    const own = await single();
    const control = new SharedArrayBuffer(8);
    const c = new Int32Array(control);
    const wasm = readFileSync(`${buildDir}ceilings.simd.wasm`);
    const workers = [];
    for (let i = 1; i < threads; i++) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { wasm, kind, arrays: ARRAYS[kind], bytesEach, window: WINDOW, stagger: STAGGER, control },
      });
      workers.push(w);
      await new Promise((resolve, reject) => {
        w.once("message", resolve);
        w.once("error", reject);
      });
    }
    let seq = 0;
    return {
      fn: () => {
        seq++;
        Atomics.store(c, 0, seq);
        Atomics.notify(c, 0);
        own.fn();
        const target = seq * (threads - 1);
        while (Atomics.load(c, 1) < target);
      },
      teardown: async () => {
        Atomics.store(c, 0, -1);
        Atomics.notify(c, 0);
        await Promise.all(workers.map((w) => w.terminate()));
        own.teardown();
      },
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
  const TWO = 2;
  const perWindow = { copy: 2, triad: 3, update: 7 };
  const twoThreads = ["copy", "triad", "update"].map((kind) => ({
    name: `bandwidth, ${TWO} threads: ${kind} (each thread its own 4 MiB windows of ${ARRAYS[kind]} × ${n / MiB} MiB)`,
    options,
    unit: "byte",
    items: TWO * perWindow[kind] * WINDOW,
    bytes: TWO * perWindow[kind] * WINDOW,
    cases: { wasm: bandwidthCaseThreads(TWO, kind, n) },
  }));
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
    ...twoThreads,
  );
  return list;
}
