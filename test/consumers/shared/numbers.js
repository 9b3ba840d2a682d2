// Fixed-seed computations whose every bit must be the same in Node and in
// every browser: random streams, initialised weights, 50-step Adam
// trajectories on a gradient computed in plain JavaScript, and an MLP's
// forward, backward and 50 Adam steps. Results are the float32 bit
// patterns (as uint32 numbers), so comparisons are exact, -0 and NaN included.

function bits(t) {
  const f = t instanceof Float32Array ? t : t.toArray();
  return Array.from(new Uint32Array(f.buffer, f.byteOffset, f.length));
}

/** FNV-1a over the bit patterns: a short fingerprint for messages. */
export function fingerprint(words) {
  let h = 0x811c9dc5;
  for (const w of words) {
    for (let s = 0; s < 32; s += 8) {
      h ^= (w >>> s) & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * The Adam runs' gradient, in plain float32 arithmetic (no Math.sin & co.,
 * whose last bit may differ between engines):
 * g = (p − target)·(1 + (((31·step + 17·i) mod 13) − 6)/12).
 */
function syntheticGradient(p, target, step, out) {
  const f = Math.fround;
  for (let i = 0; i < p.length; i++) out[i] = f(f(p[i] - target[i]) * f(1 + (((31 * step + 17 * i) % 13) - 6) / 12));
}

/** 50 Adam steps on one parameter of n values; the parameters after every 10th step. */
function adamTrajectory(wt, options) {
  const n = 1000;
  const p = wt.randn([n], { generator: new wt.Generator(11) });
  p.requiresGrad = true;
  const targetTensor = wt.randn([n], { generator: new wt.Generator(12) });
  const target = targetTensor.toArray();
  targetTensor.dispose();
  const grad = wt.zeros([n]);
  const opt = new wt.optim.Adam([p], options);
  const g = new Float32Array(n);
  const trajectory = [];
  for (let step = 0; step < 50; step++) {
    syntheticGradient(p.toArray(), target, step, g);
    grad.data.set(g);
    p.grad = grad;
    opt.step();
    if (step % 10 === 9) trajectory.push(...bits(p));
  }
  opt.dispose();
  p.dispose();
  grad.dispose();
  return trajectory;
}

/**
 * The parts that must agree across builds too (RNG, init and optimizer
 * kernels are bit-identical in relaxed-simd, simd and pure JS): random
 * streams, initialisers, and 50-step Adam trajectories on a gradient computed
 * here in plain JavaScript.
 * Returns { name: uint32[] }.
 */
export function buildInvariant(wt) {
  const out = {};
  const { init } = wt;
  for (const seed of [0, 1, 42, 2 ** 32 + 7]) {
    const g = new wt.Generator(seed);
    out[`randn seed ${seed}`] = bits(wt.randn([1031], { generator: g }));
    out[`rand seed ${seed} (continued)`] = bits(wt.rand([517], { generator: g }));
  }
  wt.manualSeed(2024);
  out["randn default generator"] = bits(wt.randn([999]));

  const inits = {
    uniform: (t, generator) => init.uniform(t, { a: -0.3, b: 0.7, generator }),
    normal: (t, generator) => init.normal(t, { mean: 0.1, std: 2, generator }),
    truncNormal: (t, generator) => init.truncNormal(t, { std: 1, a: -1, b: 1.5, generator }),
    xavierUniform: (t, generator) => init.xavierUniform(t, { generator }),
    xavierNormal: (t, generator) => init.xavierNormal(t, { generator }),
    kaimingUniform: (t, generator) => init.kaimingUniform(t, { a: Math.sqrt(5), generator }),
    kaimingNormal: (t, generator) => init.kaimingNormal(t, { nonlinearity: "relu", mode: "fan_out", generator }),
    lecunNormal: (t, generator) => init.lecunNormal(t, { generator }),
    sparse: (t, generator) => init.sparse(t, 0.3, { std: 0.05, generator }),
  };
  for (const [name, fn] of Object.entries(inits)) {
    const t = wt.zeros([37, 129]);
    fn(t, new wt.Generator(7));
    out[`init.${name} [37, 129]`] = bits(t);
    t.dispose();
  }

  wt.manualSeed(3);
  const linear = new wt.nn.Linear(50, 30);
  out["nn.Linear(50, 30) default init: weight"] = bits(linear.weight);
  out["nn.Linear(50, 30) default init: bias"] = bits(linear.bias);
  linear.dispose();

  out["Adam 50 steps (parameters every 10th step)"] = adamTrajectory(wt, { lr: 0.01, betas: [0.9, 0.99], weightDecay: 1e-3 });
  out["Adam amsgrad 50 steps (parameters every 10th step)"] = adamTrajectory(wt, { lr: 0.003, amsgrad: true });
  return out;
}

/**
 * An MLP's forward and backward pass, then 50 Adam steps: matmul-dependent,
 * so it must agree between Node and the browser for the same build (relaxed
 * SIMD may fuse multiply-adds differently from plain SIMD).
 */
export function sameBuild(wt) {
  const gen = new wt.Generator(5);
  wt.manualSeed(5);
  const model = new wt.nn.Sequential(new wt.nn.Linear(20, 32), new wt.nn.ReLU(), new wt.nn.Linear(32, 4));
  model.apply((m) => {
    if (m instanceof wt.nn.Linear) {
      wt.init.kaimingUniform(m.weight, { a: Math.sqrt(5), generator: gen });
      wt.init.uniform(m.bias, { a: -0.1, b: 0.1, generator: gen });
    }
  });
  const x = wt.randn([16, 20], { generator: gen });
  const labels = Int32Array.from({ length: 16 }, (_, i) => (i * 7) % 4);
  const lossFn = new wt.nn.CrossEntropyLoss();
  const logits = model.forward(x);
  const out = { "MLP logits": bits(logits) };
  const loss = lossFn.forward(logits, labels);
  out["MLP loss"] = bits(loss);
  loss.backward();
  for (const [name, p] of model.namedParameters()) {
    out[`MLP ${name}`] = bits(p);
    out[`MLP ${name}.grad`] = bits(p.grad);
  }
  // 50 Adam steps from there (the first step uses the gradients above).
  const opt = new wt.optim.Adam(model.parameters(), { lr: 0.01 });
  const losses = new Float32Array(50);
  for (let step = 0; step < 50; step++) {
    if (step > 0) {
      opt.zeroGrad();
      const l = lossFn.forward(model.forward(x), labels);
      losses[step] = l.item();
      l.backward();
    } else losses[0] = loss.item();
    opt.step();
  }
  out["MLP Adam 50 steps: losses"] = bits(losses);
  for (const [name, p] of model.namedParameters()) out[`MLP Adam 50 steps: ${name}`] = bits(p);
  const q = wt.zeros([24, 40]);
  wt.init.orthogonal(q, { gain: 1.5, generator: new wt.Generator(9) });
  out["init.orthogonal [24, 40]"] = bits(q);
  q.dispose();
  opt.dispose();
  lossFn.dispose();
  model.dispose();
  x.dispose();
  return out;
}

export async function numbers(wt, { build } = {}) {
  await wt.ready(build ? { build } : undefined);
  return { build: wt.backendInfo().build, invariant: buildInvariant(wt), sameBuild: sameBuild(wt) };
}
