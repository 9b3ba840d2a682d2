// The training step the issue targets: a 784-256-10 ReLU MLP at batch 128 with
// softmax cross-entropy and Adam (lr 1e-3), and the same forward+backward alone.
//   wasmtrain:  nn.Sequential + CrossEntropyLoss + loss.backward() + optim.Adam
//   pure-js:    the same step composed from the pure-JS twins (src/reference)
//   tfjs-*:     tf.train.adam().minimize / tf.variableGrads on the cpu backend
//               and the single-threaded wasm backend (XNNPACK)
import { gemm as gemmJs } from "../../dist/reference/gemm.js";
import * as ref from "../../dist/reference/nn.js";

const N = 128;
const IN = 784;
const HIDDEN = 256;
const OUT = 10;
const LR = 1e-3;
const PARAMS = HIDDEN * IN + HIDDEN + OUT * HIDDEN + OUT;
const FORWARD_FLOPS = 2 * N * (IN * HIDDEN + HIDDEN * OUT);
// Backward: dW1 = dhᵀ·x, dW2 = gᵀ·h, dh = g·W2 (no dx for the input layer).
const BACKWARD_FLOPS = 2 * N * (IN * HIDDEN + 2 * HIDDEN * OUT);

function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function data() {
  const r = lcg(1);
  const x = Float32Array.from({ length: N * IN }, () => r());
  const labels = Int32Array.from({ length: N }, () => Math.floor(r() * OUT));
  return { x, labels };
}

async function wasmtrainStep({ wt }, update) {
  const { x: xs, labels } = data();
  wt.manualSeed(0);
  const model = new wt.nn.Sequential(new wt.nn.Linear(IN, HIDDEN), new wt.nn.ReLU(), new wt.nn.Linear(HIDDEN, OUT));
  const lossFn = new wt.nn.CrossEntropyLoss();
  const x = wt.tensor(xs, [N, IN]);
  const params = model.parameters();
  let step;
  if (!update) {
    step = () => {
      model.zeroGrad();
      lossFn.forward(model.forward(x), labels).backward();
    };
  } else {
    const opt = new wt.optim.Adam(params, { lr: LR });
    step = () => {
      opt.zeroGrad();
      lossFn.forward(model.forward(x), labels).backward();
      opt.step();
    };
  }
  return { fn: step, teardown: () => (model.dispose(), x.dispose()) };
}

/** The same step from the pure-JS twins: GEMM, bias, ReLU, fused cross-entropy, column sums, Adam. */
function pureJsStep(update) {
  const { x, labels } = data();
  const r = lcg(2);
  const b1 = 1 / Math.sqrt(IN);
  const b2 = 1 / Math.sqrt(HIDDEN);
  const uni = (n, b) => Float32Array.from({ length: n }, () => (2 * r() - 1) * b);
  const p = [uni(HIDDEN * IN, b1), uni(HIDDEN, b1), uni(OUT * HIDDEN, b2), uni(OUT, b2)];
  const g = p.map((a) => new Float32Array(a.length));
  const m = p.map((a) => new Float32Array(a.length));
  const v = p.map((a) => new Float32Array(a.length));
  const h = new Float32Array(N * HIDDEN);
  const dh = new Float32Array(N * HIDDEN);
  const logits = new Float32Array(N * OUT);
  const dlogits = new Float32Array(N * OUT);
  let t = 0;
  return () => {
    gemmJs(false, true, N, HIDDEN, IN, 1, x, IN, p[0], IN, 0, h, HIDDEN);
    ref.biasAddRows(h, p[1], h, N, HIDDEN);
    ref.reluForward(h, h, N * HIDDEN);
    gemmJs(false, true, N, OUT, HIDDEN, 1, h, HIDDEN, p[2], HIDDEN, 0, logits, OUT);
    ref.biasAddRows(logits, p[3], logits, N, OUT);
    ref.softmaxCrossEntropy(logits, labels, N, OUT, dlogits, null, 0, 1 / N);
    gemmJs(true, false, OUT, HIDDEN, N, 1, dlogits, OUT, h, HIDDEN, 0, g[2], HIDDEN);
    ref.columnSums(dlogits, g[3], N, OUT, 0);
    gemmJs(false, false, N, HIDDEN, OUT, 1, dlogits, OUT, p[2], HIDDEN, 0, dh, HIDDEN);
    ref.reluBackward(h, dh, dh, N * HIDDEN, 0);
    gemmJs(true, false, HIDDEN, IN, N, 1, dh, HIDDEN, x, IN, 0, g[0], IN);
    ref.columnSums(dh, g[1], N, HIDDEN, 0);
    if (!update) return;
    t++;
    const c1 = 1 - 0.9 ** t;
    const c2 = Math.sqrt(1 - 0.999 ** t);
    for (let k = 0; k < 4; k++) {
      const pk = p[k], gk = g[k], mk = m[k], vk = v[k];
      for (let i = 0; i < pk.length; i++) {
        const gi = gk[i];
        mk[i] = 0.9 * mk[i] + 0.1 * gi;
        vk[i] = 0.999 * vk[i] + 0.001 * gi * gi;
        pk[i] -= (LR * mk[i]) / c1 / (Math.sqrt(vk[i]) / c2 + 1e-8);
      }
    }
  };
}

function tfjsStep({ tf }, update) {
  const { x: xs, labels } = data();
  const x = tf.tensor2d(xs, [N, IN]);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), OUT), "float32"));
  const r = lcg(3);
  const uni = (shape, b) => {
    const init = tf.tensor(Float32Array.from({ length: shape[0] * (shape[1] ?? 1) }, () => (2 * r() - 1) * b), shape);
    const v = tf.variable(init);
    init.dispose();
    return v;
  };
  const W1 = uni([IN, HIDDEN], 1 / Math.sqrt(IN));
  const B1 = uni([HIDDEN], 1 / Math.sqrt(IN));
  const W2 = uni([HIDDEN, OUT], 1 / Math.sqrt(HIDDEN));
  const B2 = uni([OUT], 1 / Math.sqrt(HIDDEN));
  const vars = [W1, B1, W2, B2];
  const lossOf = () => {
    const hidden = tf.relu(tf.add(tf.matMul(x, W1), B1));
    const logits = tf.add(tf.matMul(hidden, W2), B2);
    return tf.losses.softmaxCrossEntropy(y, logits);
  };
  const optimizer = tf.train.adam(LR);
  const fn = update
    ? () => tf.tidy(() => { optimizer.minimize(lossOf, false, vars); })
    : () => {
        const { value, grads } = tf.variableGrads(lossOf, vars);
        // Read one value so the lazy backends finish the step inside the timing.
        grads[W1.name].dataSync();
        value.dispose();
        tf.dispose(Object.values(grads));
      };
  return {
    fn: update ? () => { fn(); W1.dataSync(); } : fn,
    teardown: () => {
      optimizer.dispose();
      tf.dispose([x, y, ...vars]);
    },
  };
}

export default function suites() {
  return [
    {
      name: "MLP 784-256-10 ReLU training step, batch 128, Adam",
      unit: "sample",
      items: N,
      flops: FORWARD_FLOPS + BACKWARD_FLOPS,
      options: { minSamples: 20 },
      cases: {
        wasmtrain: (ctx) => wasmtrainStep(ctx, true),
        "pure-js": async () => pureJsStep(true),
        "tfjs-cpu": async (ctx) => tfjsStep(ctx, true),
        "tfjs-wasm": async (ctx) => tfjsStep(ctx, true),
      },
    },
    {
      name: "MLP 784-256-10 ReLU forward+backward, batch 128",
      unit: "sample",
      items: N,
      flops: FORWARD_FLOPS + BACKWARD_FLOPS,
      options: { minSamples: 20 },
      cases: {
        wasmtrain: (ctx) => wasmtrainStep(ctx, false),
        "pure-js": async () => pureJsStep(false),
        "tfjs-cpu": async (ctx) => tfjsStep(ctx, false),
        "tfjs-wasm": async (ctx) => tfjsStep(ctx, false),
      },
    },
  ];
}
