// The training worker: builds the MLP the page asks for, trains it on the
// bundled MNIST digits, reports loss and held-out accuracy as it goes, and
// answers predictions for the drawing canvas, all off the page's thread.
// Library use is the public API only.
import { ready, backendInfo, manualSeed, noGrad, tensor, zeros, init, nn } from "wasmtrain";
import { BATCH_SIZES, HIDDEN_SIZES, INITIALIZERS, OPTIMIZERS, SCHEDULES } from "./options.js";
import { gather, loadDigits, shuffler } from "./digits.js";

const EVAL_EVERY_STEPS = 50;
const EVAL_CHUNK = 500;
/** Milliseconds of training between yields to the message queue (predictions, stop). */
const SLICE_MS = 40;

let digits = null;
let model = null;
let run = 0; // bumped by every start/stop: a running loop exits when it changes

const post = (type, data = {}) => self.postMessage({ type, ...data });

// A zero-delay yield (setTimeout clamps to 4 ms) so queued messages are handled.
const channel = new MessageChannel();
const pending = [];
channel.port1.onmessage = () => pending.shift()?.();
const yieldToMessages = () =>
  new Promise((resolve) => {
    pending.push(resolve);
    channel.port2.postMessage(0);
  });

function argmax(values, offset, n) {
  let best = 0;
  for (let k = 1; k < n; k++) if (values[offset + k] > values[offset + best]) best = k;
  return best;
}

/** Held-out accuracy and mean loss, in eval mode, in chunks of EVAL_CHUNK images. */
function evaluate(lossFn) {
  model.eval();
  let correct = 0;
  let lossSum = 0;
  const idx = digits.test;
  for (let start = 0; start < idx.length; start += EVAL_CHUNK) {
    const rows = idx.subarray(start, Math.min(idx.length, start + EVAL_CHUNK));
    const xs = new Float32Array(rows.length * 784);
    const ys = new Int32Array(rows.length);
    gather(digits, rows, xs, ys);
    const x = tensor(xs, [rows.length, 784]);
    noGrad(() => {
      const logits = model.forward(x);
      const loss = lossFn.forward(logits, ys);
      lossSum += loss.item() * rows.length;
      const out = logits.data;
      for (let r = 0; r < rows.length; r++) if (argmax(out, r * 10, 10) === ys[r]) correct++;
      // Outputs of a forward without backward are fresh tensors: free them now.
      loss.dispose();
      logits.dispose();
    });
    x.dispose();
  }
  model.train();
  return { accuracy: correct / idx.length, loss: lossSum / idx.length };
}

function buildModel(config) {
  model?.dispose();
  model = null;
  manualSeed(config.seed);
  const hidden = config.hidden;
  const net = new nn.Sequential(new nn.Linear(784, hidden), new nn.ReLU(), new nn.Linear(hidden, 10));
  const initWeight = INITIALIZERS[config.initializer];
  if (initWeight === undefined) throw new Error(`unknown initializer ${config.initializer}`);
  if (initWeight) {
    net.apply((m) => {
      if (m instanceof nn.Linear) {
        initWeight(m.weight);
        init.zeros(m.bias);
      }
    });
  }
  return net;
}

async function train(config, id) {
  const optimizerSpec = OPTIMIZERS[config.optimizer];
  if (!optimizerSpec) throw new Error(`unknown optimizer ${config.optimizer}`);
  const scheduleSpec = SCHEDULES[config.schedule];
  if (scheduleSpec === undefined) throw new Error(`unknown schedule ${config.schedule}`);
  const batch = config.batchSize;
  const stepsPerEpoch = Math.floor(digits.train.length / batch);
  const totalSteps = stepsPerEpoch * config.epochs;

  model = buildModel(config);
  const opt = optimizerSpec.make(model.parameters(), config.lr);
  const scheduler = scheduleSpec ? scheduleSpec.make(opt, { totalSteps, stepsPerEpoch, lr: config.lr }) : null;
  const lossFn = new nn.CrossEntropyLoss();
  const x = zeros([batch, 784]);
  const y = new Int32Array(batch);
  const shuffle = shuffler(config.seed);
  const order = Int32Array.from(digits.train);
  const started = performance.now();
  const report = (step, losses) =>
    post("progress", {
      id,
      step,
      epoch: step / stepsPerEpoch,
      losses,
      lr: opt.paramGroups[0].lr,
      stepsPerSecond: step / ((performance.now() - started) / 1000),
    });
  try {
    post("started", { id, totalSteps, stepsPerEpoch, trainSize: digits.train.length, testSize: digits.test.length });
    post("eval", { id, step: 0, epoch: 0, ...evaluate(lossFn) });
    let step = 0;
    let losses = [];
    let sliceStart = performance.now();
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      shuffle(order);
      for (let b = 0; b < stepsPerEpoch; b++) {
        gather(digits, order.subarray(b * batch, (b + 1) * batch), x.data, y);
        opt.zeroGrad();
        const loss = lossFn.forward(model.forward(x), y);
        loss.backward();
        opt.step();
        if (scheduler && scheduleSpec.every === "step") scheduler.step();
        step++;
        losses.push([step, loss.item()]);
        if (step % EVAL_EVERY_STEPS === 0 || step === totalSteps) {
          post("eval", { id, step, epoch: step / stepsPerEpoch, ...evaluate(lossFn) });
        }
        if (performance.now() - sliceStart > SLICE_MS) {
          report(step, losses);
          losses = [];
          await yieldToMessages();
          if (id !== run) return;
          sliceStart = performance.now();
        }
      }
      if (scheduler && scheduleSpec.every === "epoch") scheduler.step();
    }
    report(step, losses);
    post("done", { id, step, seconds: (performance.now() - started) / 1000 });
  } finally {
    x.dispose();
    lossFn.dispose();
    opt.dispose();
  }
}

function predict(pixels) {
  if (!model) return null;
  model.eval();
  const x = tensor(pixels, [1, 784]);
  const logits = noGrad(() => {
    const out = model.forward(x);
    const values = out.toArray();
    out.dispose();
    return values;
  });
  x.dispose();
  model.train();
  const max = Math.max(...logits);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

self.onmessage = async (e) => {
  const msg = e.data;
  try {
    if (msg.type === "start") {
      const id = ++run;
      await train(msg.config, id).catch((err) => post("error", { message: oneLine(err) }));
    } else if (msg.type === "stop") {
      run++;
      post("stopped");
    } else if (msg.type === "predict") {
      post("prediction", { id: msg.id, probs: predict(msg.pixels) });
    }
  } catch (err) {
    post("error", { message: oneLine(err) });
  }
};

/** What the page shows of an error: its message's first line (no stack trace). */
function oneLine(err) {
  return String(err?.message ?? err).split("\n")[0];
}

async function main() {
  const build = new URL(self.location.href).searchParams.get("build") ?? undefined;
  await ready(build ? { build } : undefined);
  digits = await loadDigits(new URL("./mnist.bin", self.location.href));
  post("ready", {
    backend: backendInfo(),
    trainSize: digits.train.length,
    testSize: digits.test.length,
    options: {
      initializers: Object.keys(INITIALIZERS),
      optimizers: Object.fromEntries(Object.entries(OPTIMIZERS).map(([k, v]) => [k, v.lr])),
      schedules: Object.keys(SCHEDULES),
      batchSizes: BATCH_SIZES,
      hiddenSizes: HIDDEN_SIZES,
    },
  });
}

main().catch((err) => post("error", { message: `the training worker failed to start: ${oneLine(err)}` }));
