// Checks every consumer app runs against the installed package, in the page
// and in a Web Worker. They take the package's namespace as an argument so
// the import itself (`from "wasmtrain"`) stays in each app, exactly as a user
// writes it, and the same file runs in Node for the comparison.

/** A seeded float in [-1, 1) from a 32-bit LCG: test data without the library's RNG. */
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

/**
 * A 2-layer MLP learns which of 3 features is largest, on 64 points, in 60
 * Adam steps (He init, cosine schedule): nn, init, optim and lrScheduler
 * through the bundle. Returns the first and last loss and the last one's
 * float32 bits (equal in the page and its worker: same build, same seed).
 */
function trainTiny(wt) {
  const { nn, init, optim } = wt;
  wt.manualSeed(3);
  const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 3));
  model.apply((m) => {
    if (m instanceof nn.Linear) {
      init.kaimingNormal(m.weight, { nonlinearity: "relu" });
      init.zeros(m.bias);
    }
  });
  const x = wt.randn([64, 8], { generator: new wt.Generator(4) });
  // The label is the largest of the first three features: learnable.
  const xd = x.toArray();
  const labels = Int32Array.from({ length: 64 }, (_, i) => {
    const r = xd.subarray(i * 8, i * 8 + 3);
    return r[0] >= r[1] && r[0] >= r[2] ? 0 : r[1] >= r[2] ? 1 : 2;
  });
  const lossFn = new nn.CrossEntropyLoss();
  const opt = new optim.Adam(model.parameters(), { lr: 0.03 });
  const schedule = new optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 60 });
  let first = NaN;
  let last = NaN;
  for (let step = 0; step < 60; step++) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), labels);
    last = loss.item();
    if (step === 0) first = last;
    loss.backward();
    opt.step();
    schedule.step();
  }
  const lastBits = new Uint32Array(Float32Array.of(last).buffer)[0];
  opt.dispose();
  model.dispose();
  lossFn.dispose();
  x.dispose();
  return { firstLoss: first, lastLoss: last, lastBits };
}

/**
 * ready() (optionally forcing a build), backendInfo(), tensors, a matmul
 * against a float64 loop, a small training run, and dispose() bookkeeping.
 * Returns plain JSON data for the test to assert on.
 */
export async function smoke(wt, { build } = {}) {
  await wt.ready(build ? { build } : undefined);
  const info = wt.backendInfo();
  const before = wt.memoryStats().liveTensors;
  const M = 37, K = 53, N = 29;
  const next = lcg(12345);
  const av = Float32Array.from({ length: M * K }, next);
  const bv = Float32Array.from({ length: K * N }, next);
  const a = wt.tensor(av, [M, K]);
  const b = wt.tensor(bv, [K, N]);
  const c = wt.matmul(a, b);
  let maxAbsErr = 0;
  const cd = c.data;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let p = 0; p < K; p++) acc += av[i * K + p] * bv[p * N + j];
      maxAbsErr = Math.max(maxAbsErr, Math.abs(acc - cd[i * N + j]));
    }
  }
  const shape = [...c.shape];
  const nested = wt.tensor([[1, 2], [3, 4]]);
  const nestedShape = [...nested.shape];
  for (const t of [a, b, c, nested]) t.dispose();
  let disposedMessage = "";
  try {
    void a.data;
  } catch (e) {
    disposedMessage = String(e.message);
  }
  const training = trainTiny(wt);
  return {
    training,
    build: info.build,
    threads: info.threads,
    memoryBytes: info.memoryBytes,
    matmulShape: shape,
    matmulMaxAbsErr: maxAbsErr,
    nestedShape,
    liveTensorsAfterDispose: wt.memoryStats().liveTensors - before,
    disposedMessage,
  };
}
