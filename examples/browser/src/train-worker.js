// The training worker: builds the network the page asks for (an MLP of 1 to
// 20 hidden layers or a small CNN), trains it on the bundled MNIST digits on
// every core, reports loss, held-out accuracy and each hidden layer's
// activation and gradient standard deviation as it goes, and answers
// predictions for the drawing canvas, all off the page's thread. Library use
// is the public API only.
import { ready, backendInfo, manualSeed, noGrad, tensor, zeros, init, nn } from "wasmtrain";
import { BATCH_SIZES, HIDDEN_SIZES, INITIALIZERS, OPTIMIZERS, SCHEDULES } from "./options.js";
import { ACTIVATIONS, MAX_DEPTH, MIN_DEPTH, MODELS, buildNetwork, isWeighted } from "./models.js";
import { gather, loadDigits, shuffler } from "./digits.js";

const EVAL_EVERY_STEPS = 50;
/** The layer probes measure the first step (the initialisation) and every LAYERS_EVERY_STEPS-th after it. */
const LAYERS_EVERY_STEPS = 10;
const EVAL_CHUNK = 500;
/** Milliseconds of training between yields to the message queue (predictions, stop). */
const SLICE_MS = 40;

let digits = null;
let model = null;
let inputShape = null;
// The page's number for the run in progress (0: none); a running loop exits when it changes.
let run = 0;

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
    const x = tensor(xs, inputShape(rows.length));
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
  const built = buildNetwork(config);
  const initWeight = INITIALIZERS[config.initializer];
  if (initWeight === undefined) throw new Error(`unknown initializer ${config.initializer}`);
  if (initWeight) {
    built.net.apply((m) => {
      if (isWeighted(m)) {
        initWeight(m.weight);
        init.zeros(m.bias);
      }
    });
  }
  inputShape = built.inputShape;
  return built;
}

async function train(config, id) {
  const optimizerSpec = OPTIMIZERS[config.optimizer];
  if (!optimizerSpec) throw new Error(`unknown optimizer ${config.optimizer}`);
  const scheduleSpec = SCHEDULES[config.schedule];
  if (scheduleSpec === undefined) throw new Error(`unknown schedule ${config.schedule}`);
  const batch = config.batchSize;
  const stepsPerEpoch = Math.floor(digits.train.length / batch);
  const totalSteps = stepsPerEpoch * config.epochs;

  const { net, recorder } = buildModel(config);
  model = net;
  const opt = optimizerSpec.make(model.parameters(), config.lr);
  const scheduler = scheduleSpec ? scheduleSpec.make(opt, { totalSteps, stepsPerEpoch, lr: config.lr }) : null;
  const lossFn = new nn.CrossEntropyLoss();
  const x = zeros(inputShape(batch));
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
        const probed = step % LAYERS_EVERY_STEPS === 0;
        if (probed) recorder.arm(config.keepValues === true);
        const loss = lossFn.forward(model.forward(x), y);
        loss.backward();
        if (probed) postLayers(id, step, recorder.collect());
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

/** One probe reading: `step` updates were made before it (0: the initialisation). */
function postLayers(id, step, measured) {
  const message = { type: "layers", id, step, activationStd: measured.activationStd, gradientStd: measured.gradientStd };
  if (measured.activationValues) {
    // The very tensors measured (?probe=values, for the browser suite's check).
    message.activationValues = measured.activationValues;
    message.gradientValues = measured.gradientValues;
    const buffers = [...measured.activationValues, ...measured.gradientValues].map((v) => v.buffer);
    self.postMessage(message, buffers);
  } else {
    self.postMessage(message);
  }
}

function predict(pixels) {
  if (!model) return null;
  model.eval();
  const x = tensor(pixels, inputShape(1));
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
      const id = (run = msg.id);
      await train(msg.config, id).catch((err) => post("error", { message: oneLine(err) }));
    } else if (msg.type === "stop") {
      run = 0;
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
      models: MODELS,
      activations: Object.keys(ACTIVATIONS),
      depth: { min: MIN_DEPTH, max: MAX_DEPTH },
    },
  });
}

main().catch((err) => post("error", { message: `the training worker failed to start: ${oneLine(err)}` }));
