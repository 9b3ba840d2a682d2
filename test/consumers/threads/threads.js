// Fixed computations whose every bit must be the same for any thread count
// and in Node and every browser (for the same build): kernels the thread pool
// splits (GEMM, optimizer steps, random fills, activations), others it does
// not (reductions, tensor operations), and a 50-step training run of a
// 784-256-10 MLP, also with the thread count changed between steps. Sizes are
// above the pool's threshold (~32K elements), so with 2+ threads the work is
// really split. Results are SHA-256 digests of the float32 bytes (plus the
// length and the first values' bit patterns, for messages).
//
// Used by test/browser/threads.test.ts: in the test process (Node) and in
// Chromium's page and module worker (threads.html, main.js, worker.js).

/** Deterministic values in [-1, 1) (an LCG in plain integer arithmetic). */
function values(wt, shape, seed) {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return wt.tensor(v, shape);
}

function copyOf(t) {
  return t instanceof Float32Array ? t.slice() : t.toArray().slice();
}

/** The kernels, once, at the current thread count: { name: Float32Array }. */
export function kernels(wt) {
  const out = {};
  const keep = (name, t) => {
    out[name] = copyOf(t);
  };
  const { init, nn, optim, F } = wt;

  // GEMM: columns split (ragged last panel, transposes, alpha/beta) and rows split (narrow C).
  const gemms = [
    [512, 512, 512, false, false, 0],
    [130, 524, 300, false, false, 0],
    [128, 256, 784, false, true, 0],
    [256, 784, 128, true, false, 0],
    [128, 784, 256, false, false, 0.5],
    [333, 10, 700, false, false, 0],
  ];
  gemms.forEach(([M, N, K, ta, tb, beta], i) => {
    const a = values(wt, ta ? [K, M] : [M, K], 2 * i + 1);
    const b = values(wt, tb ? [N, K] : [K, N], 2 * i + 2);
    const c = values(wt, [M, N], 99 + i);
    wt.matmul(a, b, { transposeA: ta, transposeB: tb, alpha: 0.75, beta, out: c });
    keep(`GEMM ${M}x${N}x${K}${ta ? " Aᵀ" : ""}${tb ? " Bᵀ" : ""} beta ${beta}`, c);
    [a, b, c].forEach((t) => t.dispose());
  });

  // Optimizer steps: 3 steps over a table of large and small tensors.
  const rules = {
    Adam: (ps) => new optim.Adam(ps, { lr: 1e-3, weightDecay: 1e-2 }),
    "Adam amsgrad": (ps) => new optim.Adam(ps, { lr: 1e-3, amsgrad: true }),
    AdamW: (ps) => new optim.AdamW(ps, { lr: 1e-3 }),
    "SGD momentum nesterov": (ps) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }),
    SGD: (ps) => new optim.SGD(ps, { lr: 0.1 }),
  };
  for (const [name, make] of Object.entries(rules)) {
    const shapes = [[100_003], [300, 301], [7]];
    const ps = shapes.map((s, i) => wt.parameter(values(wt, s, 30 + i).data, s));
    const opt = make(ps);
    for (let step = 0; step < 3; step++) {
      ps.forEach((p, i) => (p.grad = values(wt, p.shape, 100 * step + i)));
      opt.step();
    }
    ps.forEach((p, i) => keep(`${name} 3 steps, parameter ${i} ${JSON.stringify(shapes[i])}`, p));
    opt.dispose?.();
    ps.forEach((p) => p.dispose());
  }

  // Random fills (counter-based streams), from an unaligned stream position.
  const g = new wt.Generator(1234);
  const skip = wt.rand([3], { generator: g });
  skip.dispose();
  const fills = {
    randn: () => wt.randn([100_003], { generator: g }),
    rand: () => wt.rand([65_537], { generator: g }),
    "init.uniform": () => init.uniform(wt.zeros([300, 257]), { a: -2, b: 3, generator: g }),
    "init.normal": () => init.normal(wt.zeros([300, 257]), { mean: 0.5, std: 2, generator: g }),
    "init.truncNormal": () => init.truncNormal(wt.zeros([300, 257]), { std: 1, a: -1, b: 1.5, generator: g }),
    "init.kaimingUniform": () => init.kaimingUniform(wt.zeros([512, 513]), { a: Math.sqrt(5), generator: g }),
    bernoulli: () => wt.bernoulli(wt.zeros([70_001]), 0.3, { generator: g }),
    "F.dropout": () => F.dropout(values(wt, [300, 257], 5), { p: 0.25, generator: g }),
  };
  for (const [name, fill] of Object.entries(fills)) {
    const t = fill();
    keep(`${name} (stream continued)`, t);
    t.dispose();
  }

  // Activations forward and backward (split), through autograd.
  const acts = { ReLU: new nn.ReLU(), GELU: new nn.GELU(), Tanh: new nn.Tanh(), Sigmoid: new nn.Sigmoid() };
  for (const [i, [name, m]] of Object.entries(acts).entries()) {
    const x = values(wt, [300, 257], 10 + i);
    x.requiresGrad = true;
    const y = m.forward(x);
    const target = values(wt, [300, 257], 20 + i);
    const loss = new nn.MSELoss().forward(y, target);
    loss.backward();
    keep(`${name} forward`, y);
    keep(`${name} backward (input grad)`, x.grad);
    [x, y, target, loss].forEach((t) => t.dispose());
  }

  // Reductions and tensor operations (not split yet: they must still agree).
  const big = values(wt, [1000, 1001], 77);
  const other = values(wt, [1000, 1001], 78);
  const reductions = {
    sum: big.sum(),
    mean: big.mean(),
    "norm (2)": big.norm(),
    var: big.var(),
    "sum over dim 1": big.sum({ dim: 1 }),
    "amax over dim 0": big.amax({ dim: 0 }),
  };
  for (const [name, t] of Object.entries(reductions)) {
    keep(`reduction: ${name} of [1000, 1001]`, t);
    t.dispose();
  }
  const ops = {
    "a * b + a": () => big.mul(other).add(big),
    "exp(a)": () => big.exp(),
    "softmax(a, 1)": () => big.softmax(1),
  };
  for (const [name, op] of Object.entries(ops)) {
    const t = op();
    keep(`op: ${name} [1000, 1001]`, t);
    t.dispose();
  }
  // Gradient clipping: a norm over every gradient, then a scaling (split).
  const ps = [[150_001], [33]].map((s, i) => wt.parameter(values(wt, s, 40 + i).data, s));
  ps.forEach((p, i) => (p.grad = values(wt, p.shape, 50 + i)));
  const total = optim.clipGradNorm(ps, 0.5);
  out["clipGradNorm total norm (float64)"] = new Float32Array(new Float64Array([total]).buffer);
  ps.forEach((p, i) => keep(`clipGradNorm clipped grad ${i}`, p.grad));
  ps.forEach((p) => p.dispose());
  big.dispose();
  other.dispose();
  return out;
}

/**
 * A 784-256-10 MLP trained 50 steps with Adam (batch 128, cross-entropy) on
 * fixed data. `beforeStep(step)` (may be async) runs before each step, e.g.
 * to change the thread count. Returns the losses and the final parameters.
 */
export async function training(wt, beforeStep = null) {
  const { nn, optim, init } = wt;
  const g = new wt.Generator(7);
  const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
  for (const p of model.parameters()) init.normal(p, { std: 0.05, generator: g });
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = wt.randn([128, 784], { generator: g });
  const labels = Int32Array.from({ length: 128 }, (_, i) => (i * 7) % 10);
  const lossFn = new nn.CrossEntropyLoss();
  const losses = new Float32Array(50);
  for (let step = 0; step < 50; step++) {
    if (beforeStep) await beforeStep(step);
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), labels);
    loss.backward();
    opt.step();
    losses[step] = loss.item();
  }
  const out = { "training: 50 losses": losses };
  for (const [name, p] of model.namedParameters()) out[`training: final ${name}`] = copyOf(p);
  opt.dispose?.();
  model.parameters().forEach((p) => p.dispose());
  x.dispose();
  return out;
}

/** "sha256 hex · length · first bit patterns" of each named Float32Array. */
export async function digests(arrays) {
  const out = {};
  for (const [name, a] of Object.entries(arrays)) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const hex = Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
    const head = Array.from(new Uint32Array(a.buffer, a.byteOffset, Math.min(3, a.length)), (w) => w.toString(16).padStart(8, "0"));
    out[name] = `${hex} n=${a.length} [${head.join(" ")}…]`;
  }
  return out;
}

function canBlock() {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The whole check in one environment:
 * - `env`: crossOriginIsolated, hardwareConcurrency, whether this thread may block;
 * - `default`: backendInfo() after `ready()` with no thread count;
 * - `requested`: backendInfo() after `ready({ threads: request })`;
 * - `runs[n]`: kernels and training with n threads (setNumThreads(n); await ready()),
 *   with backendInfo().threads as it ran;
 * - `changing`: training with the count changed between steps, awaiting the
 *   workers (so they take part) and not awaiting them (they join when ready).
 */
export async function threadNumbers(wt, { counts = [1, 2, 3], request = 3, build } = {}) {
  const g = globalThis;
  const env = {
    crossOriginIsolated: g.crossOriginIsolated ?? null,
    hardwareConcurrency: g.navigator?.hardwareConcurrency ?? null,
    canBlock: canBlock(),
    sharedArrayBuffer: typeof SharedArrayBuffer === "function",
  };
  await wt.ready(build ? { build } : undefined);
  const byDefault = { ...wt.backendInfo(), getNumThreads: wt.getNumThreads() };
  await wt.ready({ threads: request });
  const requested = { ...wt.backendInfo(), getNumThreads: wt.getNumThreads() };
  const runs = {};
  for (const n of counts) {
    wt.setNumThreads(n);
    await wt.ready();
    const threads = wt.backendInfo().threads;
    const arrays = { ...kernels(wt), ...(await training(wt)) };
    runs[n] = { threads, digests: await digests(arrays) };
  }
  const schedule = (step) => [1, 3, 2, 4, 1][Math.floor(step / 10)];
  const awaited = await training(wt, async (step) => {
    if (step % 10 === 0) await wt.ready({ threads: schedule(step) });
  });
  const unawaited = await training(wt, (step) => {
    if (step % 10 === 0) wt.setNumThreads(schedule(step));
  });
  wt.setNumThreads(1);
  await wt.ready();
  return {
    env,
    build: wt.backendInfo().build,
    default: byDefault,
    requested,
    runs,
    changing: { awaited: await digests(awaited), unawaited: await digests(unawaited) },
  };
}
