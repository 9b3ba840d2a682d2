// The TensorFlow.js side of the end-to-end benchmark (issue 4): one training
// step, and one epoch, of the classic MLP — 784-256-10, ReLU, softmax
// cross-entropy (mean over the batch), Adam lr 1e-3 (betas 0.9/0.999, eps 1e-8
// as PyTorch), batch 128 — on tfjs-core's cpu backend and its wasm backend
// (XNNPACK, one thread). The `wasmtrain` case of the same suites lives in
// bench/suites/nn.js; the lead joins them under these suite names.
//
// Data: fixed pseudo-random inputs in [0, 1) and labels 0..9 (the arithmetic
// of a dense MLP does not depend on the values); the batches are tensors
// created before timing, so the timed part is exactly forward, backward and
// the Adam update (tf's optimizer.minimize), plus reading the loss back.
//
// FLOPs per step (matrix multiplies only, 2 per multiply-add):
//   forward   2·B·(784·256 + 256·10)
//   backward  dW2 = hᵀ·dlogits, dh = dlogits·W2ᵀ: 2 · 2·B·256·10;  dW1 = xᵀ·dh: 2·B·784·256
//   (no gradient with respect to the input)
export const IN = 784;
export const HIDDEN = 256;
export const OUT = 10;
export const BATCH = 128;
export const EPOCH_SAMPLES = 8000;

export function stepFlops(batch) {
  return 2 * batch * (2 * IN * HIDDEN + 3 * HIDDEN * OUT);
}

/** A small deterministic generator (mulberry32) for the synthetic data. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function syntheticData(samples, seed = 0) {
  const rand = mulberry32(seed);
  const x = new Float32Array(samples * IN);
  for (let i = 0; i < x.length; i++) x[i] = rand();
  const labels = new Int32Array(samples);
  for (let i = 0; i < samples; i++) labels[i] = Math.floor(rand() * OUT);
  return { x, labels };
}

/**
 * A 784-256-10 model in tf variables (Kaiming-normal weights, zero biases),
 * an Adam optimizer, and `step(x, y)` that trains on one batch and returns
 * the loss as a number.
 */
function tfModel(tf) {
  const w1 = tf.variable(tf.randomNormal([IN, HIDDEN], 0, Math.sqrt(2 / IN), "float32", 1));
  const b1 = tf.variable(tf.zeros([HIDDEN]));
  const w2 = tf.variable(tf.randomNormal([HIDDEN, OUT], 0, Math.sqrt(2 / HIDDEN), "float32", 2));
  const b2 = tf.variable(tf.zeros([OUT]));
  const vars = [w1, b1, w2, b2];
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const step = (x, y) => {
    const cost = optimizer.minimize(
      () => {
        const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
        const logits = tf.add(tf.matMul(h, w2), b2);
        return tf.losses.softmaxCrossEntropy(y, logits);
      },
      true,
      vars,
    );
    const loss = cost.dataSync()[0];
    cost.dispose();
    return loss;
  };
  const dispose = () => {
    optimizer.dispose();
    for (const v of vars) v.dispose();
  };
  return { step, dispose };
}

function batchTensors(tf, data, start, size) {
  const x = tf.tensor2d(data.x.subarray(start * IN, (start + size) * IN), [size, IN]);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(data.labels.subarray(start, start + size), "int32"), OUT), "float32"));
  return { x, y };
}

function stepCase() {
  return async ({ tf }) => {
    const data = syntheticData(BATCH);
    const { x, y } = batchTensors(tf, data, 0, BATCH);
    const model = tfModel(tf);
    return {
      fn: () => model.step(x, y),
      teardown: () => {
        model.dispose();
        x.dispose();
        y.dispose();
      },
    };
  };
}

/** One epoch over EPOCH_SAMPLES samples in order: 62 batches of 128 and a last one of 64. */
function epochCase() {
  return async ({ tf }) => {
    const data = syntheticData(EPOCH_SAMPLES);
    const batches = [];
    for (let start = 0; start < EPOCH_SAMPLES; start += BATCH) {
      batches.push(batchTensors(tf, data, start, Math.min(BATCH, EPOCH_SAMPLES - start)));
    }
    const model = tfModel(tf);
    return {
      fn: () => {
        for (const { x, y } of batches) model.step(x, y);
      },
      teardown: () => {
        model.dispose();
        for (const { x, y } of batches) {
          x.dispose();
          y.dispose();
        }
      },
    };
  };
}

export default function suites({ quick }) {
  const fullBatches = Math.floor(EPOCH_SAMPLES / BATCH);
  const lastBatch = EPOCH_SAMPLES - fullBatches * BATCH;
  const list = [
    {
      name: "MLP 784-256-10 training step, batch 128, Adam",
      unit: "sample",
      items: BATCH,
      flops: stepFlops(BATCH),
      cases: { "tfjs-cpu": stepCase(), "tfjs-wasm": stepCase() },
    },
  ];
  // An epoch takes seconds (tens on the cpu backend): not in smoke runs.
  if (quick) return list;
  list.push(
    {
      name: "MLP 784-256-10 training epoch, 8,000 samples, batch 128, Adam",
      unit: "sample",
      items: EPOCH_SAMPLES,
      flops: fullBatches * stepFlops(BATCH) + stepFlops(lastBatch),
      options: { minSamples: 3, maxTime: 5, warmupTime: 0 },
      cases: { "tfjs-cpu": epochCase(), "tfjs-wasm": epochCase() },
    },
  );
  return list;
}
