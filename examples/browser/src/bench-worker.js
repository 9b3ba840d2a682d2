// The benchmark panel's worker. First a kernel set (GEMM 256³ and 512³, an
// MLP training step, an Adam step) timed with 1 thread and with every thread
// the library runs (backendInfo().threads), one row per kernel; then each
// kernel through the library (the WebAssembly build this browser runs) and
// its pure-JS twin from src/reference/ (the same arithmetic in plain
// JavaScript) on the same inputs, one row per kernel.
import { ready, backendInfo, tensor, matmul, zeros, noGrad, Generator, init, nn, optim } from "wasmtrain";
import { gemm as gemmJs } from "../../../src/reference/gemm.ts";
import { philoxNormalJs, philoxUniformJs } from "../../../src/reference/rng.ts";
import { reluForward, softmaxCrossEntropy } from "../../../src/reference/nn.ts";
import { adamStepJs } from "../../../src/reference/optim.ts";

const BUDGET_MS = 400;
const BATCH_MS = 15;

/** Median time of one call, in ms, over batches of calls lasting about BATCH_MS each. */
function time(fn) {
  // Warm up (tier-up to optimised code) before sizing the batches.
  const warm = performance.now() + 60;
  do fn();
  while (performance.now() < warm);
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

function initCase(name, n, wasmFill, jsFill) {
  return [
    `${name}, ${n.toLocaleString("en")} values`,
    () => {
      const t = zeros([n]);
      const generator = new Generator(1);
      const out = new Float32Array(n);
      let pos = 0;
      return {
        wasm: () => wasmFill(t, generator),
        js: () => {
          jsFill(out, pos);
          pos += n;
        },
        teardown: () => t.dispose(),
      };
    },
  ];
}

function reluCase(n) {
  return [
    `ReLU forward, ${n.toLocaleString("en")} values`,
    () => {
      const xv = randomArray(n, 3);
      const x = tensor(xv, [n]);
      const relu = new nn.ReLU();
      const yv = new Float32Array(n);
      return {
        // Outside a graph, forward returns a fresh tensor: free it (TLSF alloc/free is part of the cost).
        wasm: () => noGrad(() => relu.forward(x)).dispose(),
        js: () => reluForward(xv, yv, n),
        teardown: () => {
          relu.dispose();
          x.dispose();
        },
      };
    },
  ];
}

function crossEntropyCase(N, C) {
  return [
    `softmax cross-entropy + gradient, ${N}×${C} logits`,
    () => {
      const lv = randomArray(N * C, 4);
      const logits = tensor(lv, [N, C]);
      const labels = Int32Array.from({ length: N }, (_, i) => (i * 7) % C);
      const lossFn = new nn.CrossEntropyLoss();
      const grad = new Float32Array(N * C);
      return {
        wasm: () => lossFn.forward(logits, labels).dispose(),
        js: () => softmaxCrossEntropy(lv, labels, N, C, grad, null, 0, 1 / N),
        teardown: () => {
          lossFn.dispose();
          logits.dispose();
        },
      };
    },
  ];
}

function adamCase(n) {
  return [
    `Adam step, ${n.toLocaleString("en")} parameters`,
    () => {
      const pv = randomArray(n, 5);
      const gv = randomArray(n, 6);
      const p = tensor(pv, [n]);
      p.requiresGrad = true;
      p.grad = tensor(gv, [n]);
      const opt = new optim.Adam([p], { lr: 1e-3 });
      const m = new Float32Array(n);
      const v = new Float32Array(n);
      const f = Math.fround;
      return {
        wasm: () => opt.step(),
        // lr/bias1Correction and 1/√bias2Correction at step 10, as Adam passes them.
        js: () => adamStepJs(pv, gv, m, v, null, f(1e-3 / (1 - 0.9 ** 10)), f(1 / Math.sqrt(1 - 0.999 ** 10)), f(0.9), f(0.1), f(0.999), f(0.001), f(1e-8), 0, 1, 1),
        teardown: () => {
          p.grad.dispose();
          p.dispose();
        },
      };
    },
  ];
}

/** A case of the WebAssembly-vs-JS table as [name, setup() → { run, teardown }], the library's side only. */
function libraryOnly([name, setup]) {
  return [
    name,
    () => {
      const c = setup();
      return { run: c.wasm, teardown: c.teardown };
    },
  ];
}

/** One training step of the 784-256-10 ReLU MLP on a batch of 128 (forward, cross-entropy, backward, Adam). */
function trainingStep() {
  return [
    "training step, 784-256-10 MLP, batch 128, Adam",
    () => {
      const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
      const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
      const lossFn = new nn.CrossEntropyLoss();
      const x = tensor(randomArray(128 * 784, 9), [128, 784]);
      const y = Int32Array.from({ length: 128 }, (_, i) => (i * 3) % 10);
      return {
        run: () => {
          opt.zeroGrad();
          lossFn.forward(model.forward(x), y).backward();
          opt.step();
        },
        teardown: () => {
          x.dispose();
          lossFn.dispose();
          opt.dispose();
          model.dispose();
        },
      };
    },
  ];
}

/**
 * Each case's median time on 1 thread (the library started with
 * `ready({ threads: 1 })`), then with the library's default, every core
 * (`navigator.hardwareConcurrency`, as `backendInfo().threads` then reports),
 * posted as a row each. The pool only grows here: it starts its workers once.
 */
async function compareThreads() {
  const cases = [libraryOnly(gemmCase(256, 256, 256)), libraryOnly(gemmCase(512, 512, 512)), trainingStep(), libraryOnly(adamCase(1 << 20))].map(
    ([name, setup]) => ({ name, ...setup() }),
  );
  const oneMs = cases.map((c) => time(c.run));
  await ready({ threads: navigator.hardwareConcurrency || 1 }); // resolves when the workers are up
  const info = backendInfo();
  self.postMessage({ type: "threads", threads: info.threads, threadsUnavailable: info.threadsUnavailable ?? null });
  cases.forEach((c, i) => {
    const allMs = time(c.run);
    c.teardown();
    self.postMessage({ type: "threads-row", name: c.name, oneMs: oneMs[i], allMs });
  });
}

async function main() {
  const build = new URL(self.location.href).searchParams.get("build") ?? undefined;
  await ready({ threads: 1, ...(build ? { build } : {}) });
  await compareThreads();
  const cases = [
    gemmCase(64, 784, 128),
    gemmCase(784, 64, 128, { transposeA: true }),
    gemmCase(64, 128, 784, { transposeB: true }),
    gemmCase(256, 256, 256),
    initCase(
      "init.normal (Philox, Box–Muller)",
      1 << 20,
      (t, generator) => init.normal(t, { generator }),
      (out, pos) => philoxNormalJs(out, 0x9e3779b9, 0x7f4a7c15, pos, 0, 1),
    ),
    initCase(
      "init.uniform (Philox)",
      1 << 20,
      (t, generator) => init.uniform(t, { a: -1, b: 1, generator }),
      (out, pos) => philoxUniformJs(out, 0x9e3779b9, 0x7f4a7c15, pos, 2, -1),
    ),
    adamCase(1 << 20),
    reluCase(1 << 20),
    crossEntropyCase(512, 10),
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
