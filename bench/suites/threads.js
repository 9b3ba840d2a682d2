// bench/suites/threads.js — thread scaling: each workload with every logical
// core ("wasmtrain", the library's default) against the same workload on one
// thread ("1 thread"), so the ratio column reads as the scaling:
// "wasmtrain is 1.92× 1 thread". Results are bit-identical at both counts
// (test/runtime/threads/), so only the time differs.
//   - GEMM 512³ and the 784-256-10 MLP's three large products (forward, and
//     the two backward ones as nn.Linear runs them)
//   - one training step (784-256-10, batch 128, cross-entropy, Adam) and an
//     MNIST-sized epoch of them (60,000 samples: 469 steps, synthetic data)
//   - Adam on 10M parameters (memory-bound: the bytes column gives the GB/s
//     two cores reach) and on 1,000 parameters (below the split threshold:
//     must be no slower)
//   - a normal fill of 10M floats
//   - tensor operations: an elementwise add of 1M floats (and of 1,000: below
//     the threshold, must be no slower), sum of 1M floats (chunks summed on
//     every thread, combined in a fixed order), softmax over 256 rows of
//     4,096, clipGradNorm over 4M gradients in 4 tensors
// The machine is shared while these are measured during development: see
// bench/README.md for how to read a loaded machine's figures.
import os from "node:os";

const CORES = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;

function values(n, seed) {
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return v;
}

/** The suite's cases: the factory at every core and at one thread. */
function scaling(factory) {
  const at = (threads) => async (ctx) => {
    ctx.wt.setNumThreads(threads);
    await ctx.wt.ready();
    if (ctx.wt.getNumThreads() !== threads) throw new Error(`asked for ${threads} threads, got ${ctx.wt.getNumThreads()} (${ctx.wt.backendInfo().threadsUnavailable})`);
    return factory(ctx);
  };
  return { wasmtrain: at(CORES), "1 thread": at(1) };
}

function gemmCase(M, N, K, ta, tb) {
  return ({ wt }) => {
    const a = wt.tensor(values(M * K, 1), ta ? [K, M] : [M, K]);
    const b = wt.tensor(values(K * N, 2), tb ? [N, K] : [K, N]);
    const out = wt.empty([M, N]);
    const opts = { transposeA: ta, transposeB: tb, out };
    return { fn: () => wt.matmul(a, b, opts), teardown: () => [a, b, out].forEach((t) => t.dispose()) };
  };
}

function mlp(wt) {
  wt.manualSeed(0);
  const model = new wt.nn.Sequential(new wt.nn.Linear(784, 256), new wt.nn.ReLU(), new wt.nn.Linear(256, 10));
  const opt = new wt.optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new wt.nn.CrossEntropyLoss();
  const step = (x, labels) => {
    opt.zeroGrad();
    lossFn.forward(model.forward(x), labels).backward();
    opt.step();
  };
  return { model, step };
}

function adamCase(n) {
  return ({ wt }) => {
    const p = wt.parameter(values(n, 3), [n]);
    p.grad = wt.tensor(values(n, 4), [n]);
    const opt = new wt.optim.Adam([p], { lr: 1e-3 });
    return { fn: () => opt.step(), teardown: () => p.dispose() };
  };
}

export default function suites() {
  const STEPS_PER_EPOCH = Math.ceil(60_000 / 128);
  return [
    ...[
      ["GEMM 512³", 512, 512, 512, false, false],
      ["MLP fwd x·Wᵀ 128×784 · (256×784)ᵀ", 128, 256, 784, false, true],
      ["MLP bwd dW = dyᵀ·x (128×256)ᵀ · 128×784", 256, 784, 128, true, false],
      ["MLP bwd dx = dy·W 128×256 · 256×784", 128, 784, 256, false, false],
    ].map(([name, M, N, K, ta, tb]) => ({
      name: `threads: ${name}`,
      unit: "matmul",
      items: 1,
      flops: 2 * M * N * K,
      cases: scaling(gemmCase(M, N, K, ta, tb)),
    })),
    {
      name: "threads: training step 784-256-10, batch 128, Adam",
      unit: "step",
      items: 1,
      cases: scaling(({ wt }) => {
        const { model, step } = mlp(wt);
        const x = wt.tensor(values(128 * 784, 5).map((v) => v * 0.5 + 0.5), [128, 784]);
        const labels = Int32Array.from({ length: 128 }, (_, i) => (i * 7) % 10);
        return { fn: () => step(x, labels), teardown: () => (model.dispose?.(), x.dispose()) };
      }),
    },
    {
      name: `threads: MNIST-sized epoch (${STEPS_PER_EPOCH} steps of batch 128, synthetic data)`,
      unit: "epoch",
      items: 1,
      options: { minSamples: 3 },
      cases: scaling(({ wt }) => {
        const { model, step } = mlp(wt);
        const batches = Array.from({ length: 8 }, (_, i) => wt.tensor(values(128 * 784, 10 + i).map((v) => v * 0.5 + 0.5), [128, 784]));
        const labels = Int32Array.from({ length: 128 }, (_, i) => (i * 3) % 10);
        return {
          fn: () => {
            for (let s = 0; s < STEPS_PER_EPOCH; s++) step(batches[s % batches.length], labels);
          },
          teardown: () => batches.forEach((b) => b.dispose()),
        };
      }),
    },
    {
      name: "threads: Adam step, 10M parameters",
      unit: "param",
      items: 10_000_000,
      bytes: 28 * 10_000_000,
      cases: scaling(adamCase(10_000_000)),
    },
    {
      name: "threads: Adam step, 1,000 parameters",
      unit: "param",
      items: 1000,
      cases: scaling(adamCase(1000)),
    },
    {
      name: "threads: normal fill, 10M floats",
      unit: "float",
      items: 10_000_000,
      bytes: 4 * 10_000_000,
      cases: scaling(({ wt }) => {
        const t = wt.empty([10_000_000]);
        const g = new wt.Generator(1);
        return { fn: () => wt.init.normal(t, { generator: g }), teardown: () => t.dispose() };
      }),
    },
    ...[1_000_000, 1000].map((n) => ({
      name: `threads: ops add, ${n.toLocaleString("en-US")} floats`,
      unit: "float",
      items: n,
      bytes: 12 * n,
      cases: scaling(({ wt }) => {
        const a = wt.tensor(values(n, 20), [n]);
        const b = wt.tensor(values(n, 21), [n]);
        return { fn: () => a.add(b).dispose(), teardown: () => [a, b].forEach((t) => t.dispose()) };
      }),
    })),
    {
      name: "threads: ops sum, 1M floats",
      unit: "float",
      items: 1_000_000,
      bytes: 4 * 1_000_000,
      cases: scaling(({ wt }) => {
        const a = wt.tensor(values(1_000_000, 22), [1_000_000]);
        return { fn: () => a.sum().dispose(), teardown: () => a.dispose() };
      }),
    },
    {
      name: "threads: softmax rows, 256 × 4,096",
      unit: "float",
      items: 256 * 4096,
      cases: scaling(({ wt }) => {
        const a = wt.tensor(values(256 * 4096, 23), [256, 4096]);
        return { fn: () => a.softmax(1).dispose(), teardown: () => a.dispose() };
      }),
    },
    {
      name: "threads: clipGradNorm, 4M gradients in 4 tensors",
      unit: "param",
      items: 4_000_000,
      bytes: 4 * 4_000_000,
      cases: scaling(({ wt }) => {
        const ps = [0, 1, 2, 3].map((i) => {
          const p = wt.parameter(values(1_000_000, 30 + i), [1_000_000]);
          p.grad = wt.tensor(values(1_000_000, 40 + i), [1_000_000]);
          return p;
        });
        // A max norm above the norm: gradients stay unscaled, every call measures the same work.
        return { fn: () => wt.optim.clipGradNorm(ps, 1e9), teardown: () => ps.forEach((p) => p.dispose()) };
      }),
    },
  ];
}
