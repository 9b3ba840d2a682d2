// Fixed-seed computations whose every bit must be the same in Node and in
// every browser: random streams, initialised weights, a 50-step Adam
// trajectory on a gradient computed in plain JavaScript, and a 50-step MLP
// training run (forward, backward, Adam). Results are the float32 bit
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

/** The target and gradient of the Adam run: g = (p − target)·(1 + 0.5·sin(step + i)), all in float32. */
function syntheticGradient(p, target, step, out) {
  const f = Math.fround;
  for (let i = 0; i < p.length; i++) out[i] = f(f(p[i] - target[i]) * f(1 + 0.5 * Math.sin(step + i)));
}

/**
 * The parts that must agree across builds too (RNG, init and optimizer
 * kernels are bit-identical in relaxed-simd, simd and pure JS).
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

  return out;
}

/**
 * An MLP's forward and backward pass: matmul-dependent, so it must agree
 * between Node and the browser for the same build (relaxed SIMD may fuse
 * multiply-adds differently from plain SIMD).
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
  const q = wt.zeros([24, 40]);
  wt.init.orthogonal(q, { gain: 1.5, generator: new wt.Generator(9) });
  out["init.orthogonal [24, 40]"] = bits(q);
  q.dispose();
  model.dispose();
  x.dispose();
  return out;
}

export async function numbers(wt, { build } = {}) {
  await wt.ready(build ? { build } : undefined);
  return { build: wt.backendInfo().build, invariant: buildInvariant(wt), sameBuild: sameBuild(wt) };
}
