// This machine's ceilings, measured in WebAssembly in the same run as the
// kernels (the kernels are in assembly/ceiling.ts):
//   - compute: 12 independent register-resident chains of f32x4 mul+add, and of
//     f32x4.relaxed_madd where the engine has relaxed SIMD -> GFLOP/s;
//   - bandwidth: a v128 copy and a STREAM triad a = b + s·c over 64 MiB arrays
//     (L3 here is 32 MiB), counting bytes read + written -> GB/s; and the
//     engine's memory.copy for reference (not a ceiling: kernels cannot use it).
// The harness runs this file first and quotes every other figure as a fraction
// of these. They use their own instances of build/wasmtrain.*.wasm, so they are
// measured whatever build the wasmtrain cases run.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const buildDir = fileURLToPath(new URL("../../build/", import.meta.url));
const instances = new Map();

async function kernels(build) {
  if (!instances.has(build)) {
    const bytes = readFileSync(`${buildDir}wasmtrain.${build}.wasm`);
    const p = WebAssembly.instantiate(bytes, { env: { abort() { throw new Error("ceiling kernel aborted"); } } }).then((r) => r.instance.exports);
    instances.set(build, p);
  }
  return instances.get(build);
}

/** True when the engine runs the relaxed-simd build (Node 20 needs --experimental-wasm-relaxed-simd). */
export function engineHasRelaxedSimd() {
  try {
    return WebAssembly.validate(readFileSync(`${buildDir}wasmtrain.relaxed-simd.wasm`));
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

function bandwidthCase(arrays, bytesEach, run) {
  return async () => {
    const k = await kernels("simd");
    const ptrs = [];
    for (let i = 0; i < arrays; i++) {
      const p = k.alloc(bytesEach) >>> 0;
      if (!p) throw new Error("ceiling arrays: allocation failed");
      new Float32Array(k.memory.buffer, p, bytesEach / 4).fill(1 + i);
      ptrs.push(p);
    }
    return { fn: () => run(k, ptrs), teardown: () => ptrs.forEach((p) => k.free(p)) };
  };
}

// Short samples (one call each) and many of them: a ceiling is the fastest
// sample, and on a shared machine only a short one fits in an uncontended
// time slice.
const options = { minTime: 0.001, minSamples: 20, maxTime: 2 };

export default function suites({ quick }) {
  const iters = 1 << 17;
  const flops = iters * 96; // ceilingFlopsPerIter(): 12 chains × 4 lanes × 2
  const n = (quick ? 32 : 64) * MiB;
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
      name: `ceiling: copy, v128 loop, ${n / MiB} MiB`,
      ceiling: "copy",
      options,
      unit: "byte",
      items: 2 * n,
      bytes: 2 * n,
      cases: { wasm: bandwidthCase(2, n, (k, [dst, src]) => k.ceilingCopy(dst, src, n)) },
    },
    {
      name: `ceiling: STREAM triad a = b + s·c, 3 × ${n / MiB} MiB`,
      ceiling: "triad",
      options,
      unit: "byte",
      items: 3 * n,
      bytes: 3 * n,
      cases: { wasm: bandwidthCase(3, n, (k, [a, b, c]) => k.ceilingTriad(a, b, c, 3, n / 4)) },
    },
    {
      name: `reference: memory.copy (engine memmove), ${n / MiB} MiB`,
      ceiling: "bulkCopy",
      options,
      unit: "byte",
      items: 2 * n,
      bytes: 2 * n,
      cases: { wasm: bandwidthCase(2, n, (k, [dst, src]) => k.ceilingBulkCopy(dst, src, n)) },
    },
  );
  return list;
}
