// The benchmark panel's worker: times each kernel through the library (the
// WebAssembly build this browser runs) and its pure-JS twin from
// src/reference/ (the same arithmetic in plain JavaScript) on the same inputs,
// and posts one row per kernel.
import { ready, tensor, matmul } from "wasmtrain";
import { gemm as gemmJs } from "../../../src/reference/gemm.ts";

const BUDGET_MS = 400;
const BATCH_MS = 15;

/** Median time of one call, in ms, over batches of calls lasting about BATCH_MS each. */
function time(fn) {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    if (performance.now() - t0 >= BATCH_MS || reps >= 1 << 20) break;
    reps *= 2;
  }
  const samples = [];
  const end = performance.now() + BUDGET_MS;
  while (samples.length < 3 || (performance.now() < end && samples.length < 200)) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    samples.push((performance.now() - t0) / reps);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

function randomArray(n, seed) {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 31 - 1;
  }
  return a;
}

/** [name, setup() → { wasm, js, teardown }] */
function gemmCase(M, K, N, { transposeA = false, transposeB = false } = {}) {
  const op = `${transposeA ? "Aᵀ" : "A"}·${transposeB ? "Bᵀ" : "B"}`;
  return [
    `matmul ${op}, ${M}×${K} by ${K}×${N}`,
    () => {
      const av = randomArray(M * K, 1);
      const bv = randomArray(K * N, 2);
      const aShape = transposeA ? [K, M] : [M, K];
      const bShape = transposeB ? [N, K] : [K, N];
      const a = tensor(av, aShape);
      const b = tensor(bv, bShape);
      const c = tensor(new Float32Array(M * N), [M, N]);
      const cv = new Float32Array(M * N);
      return {
        wasm: () => matmul(a, b, { out: c, transposeA, transposeB }),
        js: () => gemmJs(transposeA, transposeB, M, N, K, 1, av, aShape[1], bv, bShape[1], 0, cv, N),
        teardown: () => [a, b, c].forEach((t) => t.dispose()),
      };
    },
  ];
}

async function main() {
  const build = new URL(self.location.href).searchParams.get("build") ?? undefined;
  await ready(build ? { build } : undefined);
  const cases = [
    gemmCase(64, 784, 128),
    gemmCase(784, 64, 128, { transposeA: true }),
    gemmCase(64, 128, 784, { transposeB: true }),
    gemmCase(256, 256, 256),
  ];
  for (const [name, setup] of cases) {
    const c = setup();
    const wasmMs = time(c.wasm);
    const jsMs = time(c.js);
    c.teardown();
    self.postMessage({ type: "row", name, wasmMs, jsMs });
  }
  self.postMessage({ type: "done" });
}

main().catch((err) => self.postMessage({ type: "error", message: `benchmark failed: ${String(err?.stack ?? err)}` }));
