// The two cases of the threads comparison (bench/browser/run.js), shared by
// the Chromium page (page.js) and the Node runner (node-case.js):
// - "GEMM 512³": C = A·B, 512×512 by 512×512 (wasmtrain writes into a
//   preallocated C; TF.js allocates C in its wasm heap and frees it);
// - "training step 784-256-10, batch 128, Adam": forward, softmax
//   cross-entropy (mean), backward, Adam lr 1e-3 (betas 0.9/0.999, eps 1e-8),
//   and the loss read back as a number — wasmtrain's nn.Sequential +
//   CrossEntropyLoss + optim.Adam; TF.js's optimizer.minimize (as
//   bench/suites/train_tfjs.js), on the same synthetic batch.
// Each returns { info, cases: { name: { medianMs, minMs, samples } } }.
const IN = 784, HIDDEN = 256, OUT = 10, BATCH = 128, LR = 1e-3;

function values(n, seed) {
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return v;
}

function batch() {
  const x = values(BATCH * IN, 11).map((v) => (v + 1) / 2);
  const labels = Int32Array.from({ length: BATCH }, (_, i) => (i * 7 + 3) % OUT);
  return { x, labels };
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Warms `fn` up (V8 tiers the JavaScript and WebAssembly up during the first
 * calls), then times single calls until both `minSamples` and `maxMs` are
 * reached. Yields to the event loop every ~100 ms.
 */
async function measure(fn, quick) {
  const warmupMs = quick ? 150 : 1000;
  const minSamples = quick ? 5 : 30;
  const maxMs = quick ? 300 : 3000;
  let t0 = performance.now();
  let last = t0;
  for (let calls = 0; calls < 3 || performance.now() - t0 < warmupMs; calls++) {
    fn();
    if (performance.now() - last > 100) {
      await pause();
      last = performance.now();
    }
  }
  const samples = [];
  t0 = performance.now();
  while (samples.length < minSamples || performance.now() - t0 < maxMs) {
    const a = performance.now();
    fn();
    samples.push(performance.now() - a);
    if (samples.length >= 2000) break;
    if (performance.now() - last > 100) {
      await pause();
      last = performance.now();
    }
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { medianMs, minMs: sorted[0], samples: samples.length };
}

/** wasmtrain (`wt`, not yet readied) on `threads` threads. */
export async function wasmtrainCases(wt, { threads, quick, cores }) {
  await wt.ready({ threads });
  const info = { ...wt.backendInfo(), crossOriginIsolated: globalThis.crossOriginIsolated ?? null, hardwareConcurrency: cores };
  if (info.threads !== threads) throw new Error(`wasmtrain: asked for ${threads} threads, runs ${info.threads} (${info.threadsUnavailable})`);
  const cases = {};

  const a = wt.tensor(values(512 * 512, 1), [512, 512]);
  const b = wt.tensor(values(512 * 512, 2), [512, 512]);
  const c = wt.empty([512, 512]);
  cases["GEMM 512³"] = await measure(() => wt.matmul(a, b, { out: c }), quick);
  [a, b, c].forEach((t) => t.dispose());

  const { x: xs, labels } = batch();
  wt.manualSeed(0);
  const model = new wt.nn.Sequential(new wt.nn.Linear(IN, HIDDEN), new wt.nn.ReLU(), new wt.nn.Linear(HIDDEN, OUT));
  const opt = new wt.optim.Adam(model.parameters(), { lr: LR, betas: [0.9, 0.999], eps: 1e-8 });
  const lossFn = new wt.nn.CrossEntropyLoss();
  const x = wt.tensor(xs, [BATCH, IN]);
  let loss = 0;
  cases["training step 784-256-10, batch 128, Adam"] = await measure(() => {
    opt.zeroGrad();
    const l = lossFn.forward(model.forward(x), labels);
    l.backward();
    opt.step();
    loss = l.item();
  }, quick);
  if (!Number.isFinite(loss)) throw new Error(`wasmtrain: the loss is ${loss}`);
  model.dispose();
  x.dispose();
  return { info, cases };
}

/**
 * TF.js's wasm backend on `threads` threads: `load()` resolves to
 * { tf, setWasmPaths, setThreadsCount, getThreadsCount } (after whatever the
 * platform needs before TF.js's module starts); `wasmPaths` as setWasmPaths takes.
 */
export async function tfjsCases(load, { threads, quick, cores, wasmPaths, shownCores = cores }) {
  const { tf, setWasmPaths, setThreadsCount, getThreadsCount } = await load();
  setWasmPaths(wasmPaths);
  setThreadsCount(threads);
  tf.enableProdMode();
  if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
  await tf.ready();
  const info = {
    backend: tf.getBackend(),
    version: tf.version_core,
    threads: getThreadsCount(),
    multithreadSupport: await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"),
    simdSupport: await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"),
    crossOriginIsolated: globalThis.crossOriginIsolated ?? null,
    hardwareConcurrency: cores,
    hardwareConcurrencyShownToTfjs: shownCores,
  };
  if (info.threads !== threads) throw new Error(`TF.js wasm: asked for ${threads} threads, runs ${info.threads}`);
  const cases = {};

  const a = tf.tensor2d(values(512 * 512, 1), [512, 512]);
  const b = tf.tensor2d(values(512 * 512, 2), [512, 512]);
  cases["GEMM 512³"] = await measure(() => tf.matMul(a, b).dispose(), quick);
  tf.dispose([a, b]);

  const { x: xs, labels } = batch();
  const x = tf.tensor2d(xs, [BATCH, IN]);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), OUT), "float32"));
  const bound = (fanIn) => 1 / Math.sqrt(fanIn);
  const uniform = (shape, fanIn, seed) => tf.variable(tf.tensor(values(shape.reduce((p, q) => p * q, 1), seed).map((v) => v * bound(fanIn)), shape));
  const vars = [uniform([IN, HIDDEN], IN, 3), uniform([HIDDEN], IN, 4), uniform([HIDDEN, OUT], HIDDEN, 5), uniform([OUT], HIDDEN, 6)];
  const [w1, b1, w2, b2] = vars;
  const optimizer = tf.train.adam(LR, 0.9, 0.999, 1e-8);
  let loss = 0;
  cases["training step 784-256-10, batch 128, Adam"] = await measure(() => {
    const cost = optimizer.minimize(
      () => {
        const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
        return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h, w2), b2));
      },
      true,
      vars,
    );
    loss = cost.dataSync()[0];
    cost.dispose();
  }, quick);
  if (!Number.isFinite(loss)) throw new Error(`TF.js: the loss is ${loss}`);
  info.tensorsLeft = tf.memory().numTensors;
  optimizer.dispose();
  tf.dispose([x, y, ...vars]);
  return { info, cases };
}

