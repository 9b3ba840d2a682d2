// PyTorch's MNIST example network (examples/pytorch-mnist: conv 1→32 3×3,
// ReLU, conv 32→64 3×3, ReLU, max-pool 2, dropout 0.25, linear 9216→128,
// ReLU, dropout 0.5, linear 128→10, cross-entropy; Adadelta lr 1.0): one
// training step at batch 64, and each convolution alone (forward, input and
// weight gradients) beside the packed GEMM on the shapes im2col gives it.
//   wasmtrain:  the modules + loss.backward() + optim.Adadelta
//   pure-js:    the same step from the pure-JS twins (src/reference)
//   wasmtrain, N threads: the wasmtrain step with every logical core (the
//               conv, pooling and GEMM kernels split on the thread pool;
//               results bit-identical to one thread)
//   tfjs-*:     tf.train.adadelta().minimize on the cpu backend, and the wasm
//               backend (which lacks Conv2DBackpropFilter: the row says so)
// The pure-JS and TF.js cpu steps take seconds each: they are timed call by
// call, 3 calls after one warm-up call (--quick: 2), so the whole suite
// finishes in minutes; the run prints the ≥ 10× TF.js cpu target's ratio.
// PyTorch 1.13's one-thread figures for the same step and layers come from
// bench/pytorch_reference.py (not run by npm run bench).
import os from "node:os";
import * as conv from "../../dist/reference/conv.js";
import * as pool from "../../dist/reference/pool.js";
import * as ref from "../../dist/reference/nn.js";
import { gemm as gemmJs } from "../../dist/reference/gemm.js";
import { adadeltaStepJs } from "../../dist/reference/optim.js";
import { colsSize } from "../../dist/nn/conv_kernels.js";
import { backend } from "../../dist/backend/index.js";

const N = 64;
const CORES = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
/** Calls timed for a step that takes seconds (pure JS, TF.js cpu). */
const SLOW_SAMPLES = 3;
const geometry = (C, H, Co) => ({ N, C, H, W: H, Co, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1, groups: 1, Ho: H - 2, Wo: H - 2 });
const G1 = geometry(1, 28, 32);
const G2 = geometry(32, 26, 64);
/** Flops of one convolution pass (forward, input or weight gradient: the same count), 2·N·Co·K·P. */
const convFlops = (g) => 2 * g.N * g.Co * g.C * g.kh * g.kw * g.Ho * g.Wo;
const FC_FLOPS = 2 * N * (9216 * 128 + 128 * 10);
// Forward: both convs and both linears; backward: conv1 weight only (the input needs none), conv2 both, linears both.
const STEP_FLOPS = convFlops(G1) * 2 + convFlops(G2) * 3 + FC_FLOPS * 3;

function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function batch() {
  const r = lcg(1);
  return {
    x: Float32Array.from({ length: N * 784 }, () => (r() - 0.1307) / 0.3081),
    labels: Int32Array.from({ length: N }, () => Math.floor(r() * 10)),
  };
}

async function wasmtrainStep({ wt }, threads = 1) {
  const { Net } = await import("../../examples/pytorch-mnist/main.js");
  wt.setNumThreads(threads);
  await wt.ready();
  if (wt.getNumThreads() !== threads) throw new Error(`asked for ${threads} threads, got ${wt.getNumThreads()} (${wt.backendInfo().threadsUnavailable})`);
  wt.manualSeed(1);
  const model = new Net();
  const opt = new wt.optim.Adadelta(model.parameters(), { lr: 1 });
  const { x: xs, labels } = batch();
  const x = wt.tensor(xs, [N, 1, 28, 28]);
  return {
    fn: () => {
      opt.zeroGrad();
      wt.F.nllLoss(model.forward(x), labels).backward();
      opt.step();
    },
    teardown: async () => {
      x.dispose();
      wt.setNumThreads(1);
      await wt.ready();
    },
  };
}

/** The step from the twins: convolutions by im2col + the JS GEMM, dropout masks from Math.random. */
function pureJsStep() {
  const { x, labels } = batch();
  const r = lcg(2);
  const uni = (n, fanIn) => Float32Array.from({ length: n }, () => (2 * r() - 1) / Math.sqrt(fanIn));
  const p = [uni(32 * 9, 9), uni(32, 9), uni(64 * 288, 288), uni(64, 288), uni(128 * 9216, 9216), uni(128, 9216), uni(10 * 128, 128), uni(10, 128)];
  const g = p.map((a) => new Float32Array(a.length));
  const sq = p.map((a) => new Float32Array(a.length));
  const acc = p.map((a) => new Float32Array(a.length));
  const a1 = new Float32Array(N * 32 * 676), a2 = new Float32Array(N * 64 * 576);
  const pooled = new Float32Array(N * 9216), ind = new Int32Array(N * 9216);
  const m1 = new Float32Array(N * 9216), m2 = new Float32Array(N * 128);
  const h = new Float32Array(N * 128), logits = new Float32Array(N * 10), dlogits = new Float32Array(N * 10);
  const dh = new Float32Array(N * 128), dpooled = new Float32Array(N * 9216), da2 = new Float32Array(N * 64 * 576), da1 = new Float32Array(N * 32 * 676);
  const cols = new Float32Array(Math.max(colsSize(G1), colsSize(G2)));
  const mask = (m, keep) => {
    for (let i = 0; i < m.length; i++) m[i] = Math.random() < keep ? 1 / keep : 0;
  };
  const P1 = { planes: N * 64, H: 24, W: 24, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1, Ho: 12, Wo: 12 };
  const fn = () => {
    conv.conv2dForward(x, p[0], p[1], a1, cols, G1);
    ref.reluForward(a1, a1, a1.length);
    conv.conv2dForward(a1, p[2], p[3], a2, cols, G2);
    ref.reluForward(a2, a2, a2.length);
    pool.maxPool2dForward(a2, pooled, ind, P1);
    mask(m1, 0.75);
    ref.mulInto(pooled, m1, pooled, pooled.length, 0);
    gemmJs(false, true, N, 128, 9216, 1, pooled, 9216, p[4], 9216, 0, h, 128);
    ref.biasAddRows(h, p[5], h, N, 128);
    ref.reluForward(h, h, h.length);
    mask(m2, 0.5);
    ref.mulInto(h, m2, h, h.length, 0);
    gemmJs(false, true, N, 10, 128, 1, h, 128, p[6], 128, 0, logits, 10);
    ref.biasAddRows(logits, p[7], logits, N, 10);
    ref.softmaxCrossEntropy(logits, labels, N, 10, dlogits, null, 0, 1 / N);
    gemmJs(true, false, 10, 128, N, 1, dlogits, 10, h, 128, 0, g[6], 128);
    ref.columnSums(dlogits, g[7], N, 10, 0);
    gemmJs(false, false, N, 128, 10, 1, dlogits, 10, p[6], 128, 0, dh, 128);
    ref.mulInto(dh, m2, dh, dh.length, 0);
    ref.reluBackward(h, dh, dh, dh.length, 0);
    gemmJs(true, false, 128, 9216, N, 1, dh, 128, pooled, 9216, 0, g[4], 9216);
    ref.columnSums(dh, g[5], N, 128, 0);
    gemmJs(false, false, N, 9216, 128, 1, dh, 128, p[4], 9216, 0, dpooled, 9216);
    ref.mulInto(dpooled, m1, dpooled, dpooled.length, 0);
    pool.maxPool2dBackward(dpooled, ind, da2, P1.planes, 576, 144, 0);
    ref.reluBackward(a2, da2, da2, da2.length, 0);
    conv.conv2dBackwardWeight(a1, da2, g[2], g[3], cols, G2, 0);
    conv.conv2dBackwardInput(da2, p[2], da1, cols, G2, 0);
    ref.reluBackward(a1, da1, da1, da1.length, 0);
    conv.conv2dBackwardWeight(x, da1, g[0], g[1], cols, G1, 0);
    for (let k = 0; k < p.length; k++) adadeltaStepJs(p[k], g[k], sq[k], acc[k], 1, 0.9, 0.1, 1e-6, 0, 1);
  };
  return { fn, samples: SLOW_SAMPLES };
}

/** TF.js's wasm backend registers no Conv2DBackpropFilter kernel (tfjs issues #8474, #4326): it cannot train this network. */
function tfjsWasmStep(ctx) {
  const { tf } = ctx;
  if (!tf.getKernel("Conv2DBackpropFilter", tf.getBackend())) {
    throw new Error(
      `TensorFlow.js's ${tf.getBackend()} backend has no Conv2DBackpropFilter kernel, so it cannot train a CNN (tfjs issues #8474, #4326): not measurable`,
    );
  }
  return tfjsStep(ctx);
}

function tfjsStep({ tf }) {
  const { x: xs, labels } = batch();
  const x = tf.tensor4d(xs, [N, 28, 28, 1]);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), 10), "float32"));
  const r = lcg(3);
  const v = (shape, fanIn) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(Float32Array.from({ length: size }, () => (2 * r() - 1) / Math.sqrt(fanIn)), shape);
    const out = tf.variable(t);
    t.dispose();
    return out;
  };
  const vars = [v([3, 3, 1, 32], 9), v([32], 9), v([3, 3, 32, 64], 288), v([64], 288), v([9216, 128], 9216), v([128], 9216), v([128, 10], 128), v([10], 128)];
  const [w1, b1, w2, b2, w3, b3, w4, b4] = vars;
  const lossOf = () => {
    let a = tf.relu(tf.add(tf.conv2d(x, w1, 1, "valid"), b1));
    a = tf.relu(tf.add(tf.conv2d(a, w2, 1, "valid"), b2));
    a = tf.dropout(tf.maxPool(a, 2, 2, "valid"), 0.25);
    a = tf.dropout(tf.relu(tf.add(tf.matMul(tf.reshape(a, [N, 9216]), w3), b3)), 0.5);
    return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(a, w4), b4));
  };
  const optimizer = tf.train.adadelta(1, 0.9, 1e-6);
  return {
    fn: () => {
      tf.tidy(() => {
        optimizer.minimize(lossOf, false, vars);
      });
      w1.dataSync();
    },
    samples: SLOW_SAMPLES,
    teardown: () => {
      optimizer.dispose();
      tf.dispose([x, y, ...vars]);
    },
  };
}

/** One convolution pass on wasmtrain's kernels (what Conv2d's forward and backward call). */
function convPass({ wt }, g, pass) {
  const r = lcg(4);
  const t = (n) => wt.tensor(Float32Array.from({ length: n }, () => r() - 0.5), [n]);
  const x = t(g.N * g.C * g.H * g.W), w = t(g.Co * g.C * 9), b = t(g.Co), y = t(g.N * g.Co * g.Ho * g.Wo);
  const cols = t(colsSize(g)), dx = t(x.size), dw = t(w.size), db = t(g.Co);
  const k = backend();
  const fn = pass === "forward" ? () => k.conv2dForward(x, w, b, y, cols, g)
    : pass === "input" ? () => k.conv2dBackwardInput(y, w, dx, cols, g, 0)
    : () => k.conv2dBackwardWeight(x, y, dw, db, cols, g, 0);
  return { fn, teardown: () => [x, w, b, y, cols, dx, dw, db].forEach((v) => v.dispose()) };
}

/** The same GEMMs alone (one per sample, the shapes conv2dForward/Backward hand the GEMM), operands already laid out. */
function gemmPass({ wt }, g, pass) {
  const K = g.C * 9, P = g.Ho * g.Wo;
  const r = lcg(5);
  const t = (n) => wt.tensor(Float32Array.from({ length: n }, () => r() - 0.5), [n]);
  const w = t(g.Co * K), cols = t(K * P), y = t(g.Co * P), out = t(Math.max(K * P, g.Co * K));
  const k = backend();
  const fn = pass === "forward" ? () => { for (let n = 0; n < g.N; n++) k.gemm(false, false, g.Co, P, K, 1, w, K, cols, P, 1, y, P); }
    : pass === "input" ? () => { for (let n = 0; n < g.N; n++) k.gemm(true, false, K, P, g.Co, 1, w, K, y, P, 0, out, P); }
    : () => { for (let n = 0; n < g.N; n++) k.gemm(false, true, g.Co, K, P, 1, y, P, cols, P, 1, out, K); };
  return { fn, teardown: () => [w, cols, y, out].forEach((v) => v.dispose()) };
}

export default function suites() {
  const layers = [];
  for (const [name, g, passes] of [["conv1 1→32 28×28", G1, ["forward", "weight"]], ["conv2 32→64 26×26", G2, ["forward", "input", "weight"]]]) {
    for (const pass of passes) {
      const shape = pass === "forward" ? `${g.Co}×${g.C * 9}·${g.C * 9}×${g.Ho * g.Wo}`
        : pass === "input" ? `(${g.Co}×${g.C * 9})ᵀ·${g.Co}×${g.Ho * g.Wo}` : `${g.Co}×${g.Ho * g.Wo}·(${g.C * 9}×${g.Ho * g.Wo})ᵀ`;
      layers.push({
        name: `${name} ${pass === "forward" ? "forward" : pass === "input" ? "input gradient" : "weight+bias gradient"}, batch 64 (GEMM ${shape} ×64)`,
        unit: "sample",
        items: N,
        flops: convFlops(g),
        options: { minSamples: 15 },
        cases: {
          wasmtrain: (ctx) => convPass(ctx, g, pass),
          "GEMM alone (same shapes)": (ctx) => gemmPass(ctx, g, pass),
        },
      });
    }
  }
  return [
    {
      name: "PyTorch MNIST Net training step, batch 64, Adadelta",
      unit: "sample",
      items: N,
      flops: STEP_FLOPS,
      options: { minSamples: 10 },
      targets: { "tfjs-cpu": 10 },
      cases: {
        wasmtrain: (ctx) => wasmtrainStep(ctx),
        [`wasmtrain, ${CORES} threads`]: (ctx) => wasmtrainStep(ctx, CORES),
        "pure-js": async () => pureJsStep(),
        "tfjs-cpu": async (ctx) => tfjsStep(ctx),
        "tfjs-wasm": async (ctx) => tfjsWasmStep(ctx),
      },
    },
    ...layers,
  ];
}
