// The study of initialisation and optimisation: the 784-256-10 network trained
// from each initializer and with each optimizer, the per-layer standard
// deviation of activations and weight gradients of 10-layer Tanh and ReLU
// networks at initialisation, and a convolutional stack with equal channel
// counts trained from each initializer and from `dirac` (identity-preserving).
import { Generator, init, io, nn, noGrad, optim } from "../../dist/index.js";
import { BatchLoader, IMAGE_PIXELS, NUM_CLASSES } from "./data.js";
import { INITIALIZERS, OPTIMIZERS, STUDY_INITIALIZERS, STUDY_OPTIMIZERS, Mlp, buildMlp, initialize, makeOptimizer, trainModel } from "./train.js";
import { windowMeans } from "./report.js";

export const MAIN_SIZES = [IMAGE_PIXELS, 256, NUM_CLASSES];
export const DEPTH_LAYERS = 10;
export const DEPTH_WIDTH = 256;
export const DEPTH_BATCH = 512;

/** Number of loss-curve points per epoch the report keeps (window means of the step losses). */
const POINTS_PER_EPOCH = 25;

/**
 * One training run: a fresh network, initialised from `seed`, batches shuffled
 * from `seed + 1`, so runs that share the initializer start from identical
 * weights and see identical batches. `resume` (checkpoint bytes from an
 * earlier run's `onTrained`) continues that run for `epochs` more epochs: its
 * weights, optimizer and schedule state, epoch count and batch-order generator.
 * `onTrained({ model, optimizer, scheduler, checkpoint })` sees the trained
 * objects before they are freed; `checkpoint()` serialises them.
 */
export function trainRun({ train, heldOut, sizes = MAIN_SIZES, initName, optimName, lr, epochs, batchSize, seed, maxShift = 0, background = 0, cosine = false, resume, onTrained, onEpochStart, onBatch, onEpochEnd }) {
  const optSpec = OPTIMIZERS[optimName];
  const initSpec = INITIALIZERS[initName];
  const rate = lr ?? optSpec.defaultLr;
  const model = new Mlp(sizes, { activation: "relu" });
  let optimizer = null;
  try {
    initialize(model, initName, new Generator(seed));
    optimizer = makeOptimizer(optimName, model.parameters(), rate);
    const scheduler = cosine ? new optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: epochs }) : null;
    const generator = new Generator(seed + 1);
    let firstEpoch = 1;
    if (resume) {
      const { extra } = io.loadCheckpoint(resume, { model, optimizer, scheduler: scheduler ?? undefined });
      if (!extra || !Number.isInteger(extra.epoch) || !extra.generator) throw new Error("--resume: the checkpoint has no epoch and generator state (was it written by wasmtrain train --save?)");
      firstEpoch = extra.epoch + 1;
      generator.setState(extra.generator);
    }
    const t0 = performance.now();
    const result = trainModel({
      model, optimizer, train, heldOut, epochs, batchSize, generator, maxShift, background, scheduler, firstEpoch,
      onEpochStart, onBatch, onEpochEnd,
    });
    const lastEpoch = firstEpoch + epochs - 1;
    onTrained?.({
      model, optimizer, scheduler,
      checkpoint: () => io.saveCheckpoint({
        model, optimizer, scheduler: scheduler ?? undefined,
        extra: { epoch: lastEpoch, generator: generator.getState(), sizes, init: initName, optim: optimName, seed, heldOutAccuracy: result.epochs[result.epochs.length - 1].heldOutAccuracy },
      }),
    });
    const stepsPerEpoch = Math.ceil(train.size / batchSize);
    const stepsPerPoint = Math.max(1, Math.round(stepsPerEpoch / POINTS_PER_EPOCH));
    const last = result.epochs[result.epochs.length - 1];
    return {
      initializer: initName,
      initializerLabel: initSpec.label,
      formula: initSpec.formula,
      optimizer: optimName,
      optimizerLabel: optSpec.label,
      lr: rate,
      description:
        `${sizes.join("-")} ReLU, ${initSpec.label} weights (${initSpec.formula})${initSpec.apply ? ", zero biases" : ""}, ${optSpec.label} lr ${rate}` +
        `${cosine ? " cosine-annealed to 0" : ""}, batch ${batchSize}, ${epochs} epochs` +
        `${maxShift ? `, training digits randomly translated by up to ±${maxShift} px each epoch` : ""}.`,
      epochs: result.epochs,
      lossCurve: { stepsPerPoint, stepsPerEpoch, values: windowMeans(result.stepLosses, stepsPerPoint) },
      heldOutAccuracy: last.heldOutAccuracy,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    optimizer?.dispose();
    model.dispose();
  }
}

/** Population standard deviation (about the mean) of all values. */
export function std(values) {
  const n = values.length;
  if (n === 0) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / n);
}

/**
 * Per-layer std at initialisation of a deep network: one forward pass of one
 * batch, child by child through the Sequential (recording each activation's
 * output), then backward of the cross-entropy, reading each hidden layer's
 * weight.grad and bias.grad. Nothing is trained.
 */
export function depthStats({ activation, initName, batch, layers = DEPTH_LAYERS, width = DEPTH_WIDTH, seed }) {
  const sizes = [IMAGE_PIXELS, ...Array(layers).fill(width), NUM_CLASSES];
  const model = buildMlp(sizes, { activation });
  const lossFn = new nn.CrossEntropyLoss();
  try {
    initialize(model, initName, new Generator(seed));
    const activationStd = [];
    let h = batch.x;
    for (const child of model.children()) {
      h = child.forward(h);
      if (!(child instanceof nn.Linear)) activationStd.push(std(h.data));
    }
    const loss = lossFn.forward(h, batch.y);
    const lossValue = loss.item();
    loss.backward();
    const hidden = model.children().filter((m) => m instanceof nn.Linear).slice(0, layers);
    const gradientStd = hidden.map((linear) => (linear.weight.grad ? std(linear.weight.grad.data) : null));
    // dL/db is the backpropagated gradient at the layer's output (before the
    // activation), averaged over the batch: the signal that vanishes or explodes
    // on its way back, read without hooks.
    const biasGradientStd = hidden.map((linear) => (linear.bias?.grad ? std(linear.bias.grad.data) : null));
    return { name: initName, label: INITIALIZERS[initName].label, formula: INITIALIZERS[initName].formula, loss: lossValue, activationStd, gradientStd, biasGradientStd };
  } finally {
    model.dispose();
    lossFn.dispose();
  }
}

/**
 * The whole study.
 * @param {object} o
 * @param {import("./data.js").Dataset} o.train
 * @param {import("./data.js").Dataset} o.heldOut
 * @param {number} o.epochs epochs per training run
 * @param {number} o.batchSize
 * @param {number} o.seed
 * @param {(event: object) => void} [o.onProgress] called at the start and end of every run
 * @param {(args: object) => object} [o.runHooks] extra callbacks (onEpochStart/onBatch/onEpochEnd) per run
 * @param {number[]} [o.sizes] the trained network's layer sizes (784-256-10)
 * @param {number} [o.depthLayers] hidden layers of the deep networks (10)
 * @param {number} [o.depthWidth] their width (256)
 * @param {number} [o.depthBatch] digits in the batch they measure on (512)
 * @param {boolean} [o.cnn] also the CNN rows (runCnnStudy), with cnnChannels and cnnDepth
 */
export function runStudy({
  train, heldOut, epochs, batchSize, seed, onProgress, runHooks,
  sizes = MAIN_SIZES, depthLayers = DEPTH_LAYERS, depthWidth = DEPTH_WIDTH, depthBatch = DEPTH_BATCH,
  cnn = false, cnnChannels = CNN_CHANNELS, cnnDepth = CNN_DEPTH,
}) {
  const total = STUDY_INITIALIZERS.length + STUDY_OPTIMIZERS.length + 2 * STUDY_INITIALIZERS.length + (cnn ? CNN_STUDY_INITIALIZERS.length : 0);
  let index = 0;
  const progress = (event) => onProgress?.({ ...event, index, total });
  const run = (section, name, initName, optimName) => {
    index++;
    progress({ section, name, phase: "start" });
    const result = trainRun({ train, heldOut, sizes, initName, optimName, epochs, batchSize, seed, ...(runHooks?.({ section, name }) ?? {}) });
    progress({ section, name, phase: "end", result });
    return { name, label: section === "initializers" ? result.initializerLabel : result.optimizerLabel, ...result };
  };

  const initializers = STUDY_INITIALIZERS.map((name) => run("initializers", name, name, "adam"));
  const optimizers = STUDY_OPTIMIZERS.map((name) => run("optimizers", name, "kaiming", name));

  const depthLoader = new BatchLoader(train, Math.min(depthBatch, train.size));
  const depth = [];
  try {
    const batch = depthLoader.batch(0);
    for (const activation of ["tanh", "relu"]) {
      const results = STUDY_INITIALIZERS.map((initName) => {
        index++;
        progress({ section: "depth", name: `${activation}/${initName}`, phase: "start" });
        const r = depthStats({ activation, initName, batch, layers: depthLayers, width: depthWidth, seed });
        progress({ section: "depth", name: `${activation}/${initName}`, phase: "end", result: r });
        return r;
      });
      depth.push({ activation, layers: depthLayers, width: depthWidth, batch: batch.size, results });
    }
  } finally {
    depthLoader.dispose();
  }
  if (!cnn) return { initializers, optimizers, depth };
  const cnnRows = runCnnStudy({
    train, heldOut, epochs, batchSize, seed, channels: cnnChannels, depth: cnnDepth, depthBatch,
    onProgress: (event) => {
      if (event.phase === "start") index++;
      progress({ ...event, index, total });
    },
  });
  return { initializers, optimizers, depth, cnn: cnnRows };
}


// ---------------------------------------------------------------- the convolutional stack

/** The CNN rows' initializers: the MLP study's and `dirac`. */
export const CNN_STUDY_INITIALIZERS = [...STUDY_INITIALIZERS, "dirac"];
export const CNN_CHANNELS = 16;
const IMAGE_SIZE = 28;
/** Equal-channel 3×3 convolutions (C → C, padding 1) between the stem and the classifier. */
export const CNN_DEPTH = 6;

/**
 * A conv stack with equal channel counts: stem conv 1→C 3×3 (padding 1), ReLU,
 * max-pool 2 (28→14); `depth` × [conv C→C 3×3 (padding 1), ReLU]; max-pool 2
 * (14→7); linear C·49→10. Input rows of 784 pixels are viewed as [N, 1, 28, 28].
 */
export class ConvStack extends nn.Module {
  static moduleName = "ConvStack";

  constructor({ channels = CNN_CHANNELS, depth = CNN_DEPTH } = {}) {
    super();
    this.stem = new nn.Conv2d(1, channels, 3, { padding: 1 });
    this.body = new nn.ModuleList(Array.from({ length: depth }, () => new nn.Conv2d(channels, channels, 3, { padding: 1 })));
    this.pool = new nn.MaxPool2d(2);
    this.relu = new nn.ReLU();
    this.head = new nn.Linear(channels * (IMAGE_SIZE / 4) ** 2, NUM_CLASSES);
  }

  /** The body's pre-activation inputs and outputs are reported to `watch(i, input, output)` when given. */
  forward(x, watch) {
    let h = this.pool.forward(this.relu.forward(this.stem.forward(x.view(-1, 1, IMAGE_SIZE, IMAGE_SIZE))));
    for (let i = 0; i < this.body.length; i++) {
      const z = this.body.at(i).forward(h);
      watch?.(i, h, z);
      h = this.relu.forward(z);
    }
    return this.head.forward(this.pool.forward(h).flatten(1));
  }
}

/**
 * Initialises a ConvStack: every weight with the named initializer (biases
 * zero), except for `dirac`, which sets each equal-channel conv to the
 * identity (init.dirac) and the stem and classifier, whose shapes have no
 * identity, to Kaiming normal.
 */
export function initializeConvStack(model, name, generator) {
  if (name !== "dirac") {
    const spec = INITIALIZERS[name];
    if (!spec) throw new TypeError(`initializeConvStack: unknown initializer '${name}'; expected dirac or one of ${Object.keys(INITIALIZERS).join(", ")}`);
    if (!spec.apply) return model;
    model.apply((m) => {
      if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
        spec.apply(m.weight, generator);
        init.zeros(m.bias);
      }
    });
    return model;
  }
  const kaiming = (m) => {
    init.kaimingNormal(m.weight, { mode: "fan_in", nonlinearity: "relu", generator });
    init.zeros(m.bias);
  };
  kaiming(model.stem);
  kaiming(model.head);
  for (const conv of model.body.children()) {
    init.dirac(conv.weight);
    init.zeros(conv.bias);
  }
  return model;
}

const CNN_INIT_LABELS = {
  dirac: { label: "Dirac (identity)", formula: "W[o, i, 1, 1] = 1 if o = i, else 0 (stem and classifier: Kaiming normal)" },
};

/**
 * One CNN row: at initialisation (one batch) each equal-channel conv's
 * relative change of its input ‖conv(h) − h‖ / ‖h‖ (0: the layer is the
 * identity) and the std of its output; then `epochs` of Adam (lr 1e-3) from
 * those weights, batches shuffled from `seed + 1`.
 */
export function cnnRun({ train, heldOut, initName, epochs, batchSize, seed, batch, channels = CNN_CHANNELS, depth = CNN_DEPTH }) {
  const model = new ConvStack({ channels, depth });
  let optimizer = null;
  try {
    initializeConvStack(model, initName, new Generator(seed));
    const relativeChange = [];
    const outputStd = [];
    noGrad(() => model.forward(batch.x, (i, h, z) => {
      const a = h.data, b = z.data;
      let dd = 0, hh = 0;
      for (let k = 0; k < a.length; k++) {
        dd += (b[k] - a[k]) ** 2;
        hh += a[k] ** 2;
      }
      relativeChange[i] = hh > 0 ? Math.sqrt(dd / hh) : null;
      outputStd[i] = std(b);
    }));
    optimizer = makeOptimizer("adam", model.parameters(), 1e-3);
    const t0 = performance.now();
    const result = trainModel({ model, optimizer, train, heldOut, epochs, batchSize, generator: new Generator(seed + 1) });
    const spec = CNN_INIT_LABELS[initName] ?? INITIALIZERS[initName];
    return {
      name: initName,
      label: spec.label,
      formula: spec.formula,
      description: `conv 1→${channels} 3×3, ReLU, max-pool 2, ${depth} × (conv ${channels}→${channels} 3×3 padding 1, ReLU), max-pool 2, linear ${channels * (IMAGE_SIZE / 4) ** 2}→10; ` +
        `${spec.label} weights, zero biases, Adam lr 0.001, batch ${batchSize}, ${epochs} epochs.`,
      relativeChange,
      outputStd,
      epochs: result.epochs,
      heldOutAccuracy: result.epochs[result.epochs.length - 1].heldOutAccuracy,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    optimizer?.dispose();
    model.dispose();
  }
}

/** The CNN rows: one per initializer of CNN_STUDY_INITIALIZERS, on the same batch, data and seed. */
export function runCnnStudy({ train, heldOut, epochs, batchSize, seed, channels = CNN_CHANNELS, depth = CNN_DEPTH, depthBatch = 64, onProgress }) {
  const loader = new BatchLoader(train, Math.min(depthBatch, train.size));
  try {
    const batch = loader.batch(0);
    return CNN_STUDY_INITIALIZERS.map((initName, i) => {
      onProgress?.({ section: "cnn", name: initName, phase: "start", index: i, total: CNN_STUDY_INITIALIZERS.length });
      const r = cnnRun({ train, heldOut, initName, epochs, batchSize, seed, batch, channels, depth });
      onProgress?.({ section: "cnn", name: initName, phase: "end", result: r, index: i + 1, total: CNN_STUDY_INITIALIZERS.length });
      return r;
    });
  } finally {
    loader.dispose();
  }
}
