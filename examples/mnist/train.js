// Building, initialising and training the MLPs of the main job, written
// against wasmtrain's public API as a user would.
import { nn, init, optim, noGrad, data, tensor } from "../../dist/index.js";
import { NUM_CLASSES, IMAGE_PIXELS, randomShifts, shiftBatch } from "./data.js";

/**
 * The weight initializers the job and the study compare. Biases are set to
 * zero for every one of them except `default`, which keeps nn.Linear's own
 * initialisation (PyTorch's: kaimingUniform with a = √5 for the weight,
 * U(−1/√fan_in, 1/√fan_in) for the bias).
 */
export const INITIALIZERS = {
  zeros: {
    label: "zeros",
    formula: "W = 0",
    apply: (w) => init.zeros(w),
  },
  uniform: {
    label: "small uniform",
    formula: "W ~ U(−0.01, 0.01)",
    apply: (w, generator) => init.uniform(w, { a: -0.01, b: 0.01, generator }),
  },
  normal: {
    label: "small normal",
    formula: "W ~ N(0, 0.01²)",
    apply: (w, generator) => init.normal(w, { mean: 0, std: 0.01, generator }),
  },
  xavier: {
    label: "Xavier (Glorot) uniform",
    formula: "W ~ U(−a, a), a = √(6 / (fan_in + fan_out)) (gain 1)",
    apply: (w, generator) => init.xavierUniform(w, { generator }),
  },
  kaiming: {
    label: "Kaiming (He) normal",
    formula: "W ~ N(0, 2 / fan_in) (ReLU gain √2, fan_in mode)",
    apply: (w, generator) => init.kaimingNormal(w, { mode: "fan_in", nonlinearity: "relu", generator }),
  },
  orthogonal: {
    label: "orthogonal",
    formula: "W = a random (semi-)orthogonal matrix (gain 1)",
    apply: (w, generator) => init.orthogonal(w, { generator }),
  },
  default: {
    label: "PyTorch default (nn.Linear)",
    formula: "W ~ U(−1/√fan_in, 1/√fan_in), b likewise",
    apply: null,
  },
};

/** The defaults of `npm start`'s main run and of `wasmtrain train`. */
export const TRAIN_DEFAULTS = Object.freeze({
  init: "kaiming",
  optim: "adam",
  lr: 1e-3,
  epochs: 15,
  batchSize: 64,
  seed: 0,
  hidden: 256,
  /** Random translations of the training digits by up to this many pixels (0: none). */
  shift: 2,
  /** 'cosine': the learning rate anneals from lr to 0 over the epochs; 'constant': it stays. */
  schedule: "cosine",
});

/** The initializers the study compares, in the order of the issue. */
export const STUDY_INITIALIZERS = ["zeros", "uniform", "normal", "xavier", "kaiming", "orthogonal"];

/**
 * The optimizers, with the learning rate each uses unless told otherwise
 * (a sensible value for this network, not a tuned one: the study compares
 * optimizers at their usual settings).
 */
export const OPTIMIZERS = {
  sgd: {
    label: "SGD",
    defaultLr: 0.1,
    make: (params, lr) => new optim.SGD(params, { lr }),
  },
  "sgd-momentum": {
    label: "SGD + momentum 0.9",
    defaultLr: 0.01,
    make: (params, lr) => new optim.SGD(params, { lr, momentum: 0.9 }),
  },
  adagrad: {
    label: "Adagrad",
    defaultLr: 0.01,
    make: (params, lr) => new optim.Adagrad(params, { lr }),
  },
  rmsprop: {
    label: "RMSprop",
    defaultLr: 1e-3,
    make: (params, lr) => new optim.RMSprop(params, { lr }),
  },
  adam: {
    label: "Adam",
    defaultLr: 1e-3,
    make: (params, lr) => new optim.Adam(params, { lr }),
  },
  adamw: {
    label: "AdamW",
    defaultLr: 1e-3,
    make: (params, lr) => new optim.AdamW(params, { lr }),
  },
};

/** The optimizers the study compares, in the order of the issue. */
export const STUDY_OPTIMIZERS = ["sgd", "sgd-momentum", "adagrad", "rmsprop", "adam"];

const ACTIVATIONS = {
  relu: () => new nn.ReLU(),
  tanh: () => new nn.Tanh(),
};

/**
 * The network of the main job, written as a PyTorch user writes one: a module
 * class whose constructor assigns its layers (registered as `layers.0`,
 * `layers.1`, … and `activation`) and whose forward says how they connect.
 * Linear layers of the given sizes with the activation between them.
 */
export class Mlp extends nn.Module {
  static moduleName = "Mlp";

  /**
   * @param {number[]} sizes e.g. [784, 256, 10]
   * @param {{ activation?: "relu" | "tanh" }} options
   */
  constructor(sizes, { activation = "relu" } = {}) {
    super();
    const makeActivation = ACTIVATIONS[activation];
    if (!makeActivation) throw new TypeError(`Mlp: unknown activation '${activation}'; expected one of ${Object.keys(ACTIVATIONS).join(", ")}`);
    this.layers = new nn.ModuleList(sizes.slice(1).map((n, i) => new nn.Linear(sizes[i], n)));
    this.activation = makeActivation();
  }

  /** @param {import("../../dist/index.js").Tensor} x */
  forward(x) {
    const last = this.layers.length - 1;
    for (let i = 0; i < last; i++) x = this.activation.forward(this.layers.at(i).forward(x));
    return this.layers.at(last).forward(x);
  }
}

/**
 * The same network as an nn.Sequential (Linear, activation, Linear, …), for
 * the depth study, which reads each layer's output in turn.
 * @param {number[]} sizes e.g. [784, 256, 10]
 * @param {{ activation?: "relu" | "tanh" }} options
 */
export function buildMlp(sizes, { activation = "relu" } = {}) {
  const makeActivation = ACTIVATIONS[activation];
  if (!makeActivation) throw new TypeError(`buildMlp: unknown activation '${activation}'; expected one of ${Object.keys(ACTIVATIONS).join(", ")}`);
  const layers = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new nn.Linear(sizes[i], sizes[i + 1]));
    if (i + 2 < sizes.length) layers.push(makeActivation());
  }
  return new nn.Sequential(...layers);
}

/**
 * Initialises every Linear layer of `model` in place: the weight with the
 * named initializer, the bias with zeros.
 * @param {import("../../dist/index.js").nn.Module} model
 * @param {string} name a key of INITIALIZERS
 * @param {import("../../dist/index.js").Generator} generator
 */
export function initialize(model, name, generator) {
  const spec = INITIALIZERS[name];
  if (!spec) throw new TypeError(`initialize: unknown initializer '${name}'; expected one of ${Object.keys(INITIALIZERS).join(", ")}`);
  if (!spec.apply) return model;
  model.apply((m) => {
    if (m instanceof nn.Linear) {
      spec.apply(m.weight, generator);
      if (m.bias) init.zeros(m.bias);
    }
  });
  return model;
}

/**
 * @param {string} name a key of OPTIMIZERS
 * @param {Iterable<import("../../dist/index.js").Tensor>} params
 * @param {number} [lr] the optimizer's default learning rate when omitted
 */
export function makeOptimizer(name, params, lr) {
  const spec = OPTIMIZERS[name];
  if (!spec) throw new TypeError(`makeOptimizer: unknown optimizer '${name}'; expected one of ${Object.keys(OPTIMIZERS).join(", ")}`);
  return spec.make(params, lr ?? spec.defaultLr);
}

/**
 * How many rows of `logits` (`n × classes`, row-major) have their largest
 * value at the label's index. Ties go to the lowest index, as argmax does.
 * @param {Float32Array} logits
 * @param {ArrayLike<number>} labels
 * @param {number} n
 * @param {number} classes
 */
export function countCorrect(logits, labels, n, classes = NUM_CLASSES) {
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = i * classes;
    let best = 0;
    let bestValue = logits[row];
    for (let c = 1; c < classes; c++) {
      if (logits[row + c] > bestValue) {
        bestValue = logits[row + c];
        best = c;
      }
    }
    if (best === labels[i]) correct++;
  }
  return correct;
}

/**
 * A dataset of the job ({ images, labels, size }) as a TensorDataset of
 * images [size, 784] and labels [size] (class indices held as floats).
 * @param {import("./data.js").Dataset} d
 */
export function tensorDataset(d) {
  return new data.TensorDataset(tensor(d.images, [d.size, IMAGE_PIXELS]), tensor(d.labels, [d.size]));
}

/**
 * Loss and accuracy of `model` on a dataset, in evaluation mode, batch by
 * batch from a DataLoader.
 * @param {import("../../dist/index.js").nn.Module} model
 * @param {import("../../dist/index.js").data.DataLoader} loader
 * @param {import("../../dist/index.js").nn.CrossEntropyLoss} lossFn
 */
export function evaluate(model, loader, lossFn) {
  model.eval();
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  noGrad(() => {
    for (const [x, y] of loader) {
      const logits = model.forward(x);
      const loss = lossFn.forward(logits, y);
      lossSum += loss.item() * y.size;
      correct += countCorrect(logits.data, y.data, y.size);
      count += y.size;
    }
  });
  model.train();
  return { loss: lossSum / count, accuracy: correct / count };
}

/**
 * Mini-batch training from a DataLoader that reshuffles every epoch with the
 * seeded generator, evaluating on the held-out set after every epoch. Callbacks report progress; the result
 * holds per-epoch figures and the loss of every step.
 *
 * @param {object} o
 * @param {import("../../dist/index.js").nn.Module} o.model
 * @param {{ step(): void, zeroGrad(): void }} o.optimizer
 * @param {import("./data.js").Dataset} o.train
 * @param {import("./data.js").Dataset} o.heldOut
 * @param {number} o.epochs
 * @param {number} o.batchSize
 * @param {import("../../dist/index.js").Generator} o.generator shuffles the batches (and draws the shifts)
 * @param {number} [o.maxShift] data augmentation: translate each training image by up to this many pixels (0: none)
 * @param {number} [o.background] the value of an empty pixel (for the translated images' borders)
 * @param {{ step(): void } | null} [o.scheduler] a learning-rate schedule, stepped after every epoch
 * @param {number} [o.firstEpoch] the number of the first epoch (a resumed run continues the count)
 * @param {(e: { epoch: number, epochs: number, batches: number }) => void} [o.onEpochStart]
 * @param {(b: { epoch: number, batch: number, batches: number, loss: number, accuracy: number, samplesPerSecond: number }) => void} [o.onBatch]
 * @param {(e: EpochResult) => void} [o.onEpochEnd]
 */
export function trainModel({ model, optimizer, train, heldOut, epochs, batchSize, generator, maxShift = 0, background = 0, scheduler = null, firstEpoch = 1, onEpochStart, onBatch, onEpochEnd }) {
  const lossFn = new nn.CrossEntropyLoss();
  const trainSet = tensorDataset(train);
  const heldOutSet = tensorDataset(heldOut);
  // Each pass over trainLoader draws a new order from the generator.
  const trainLoader = new data.DataLoader(trainSet, { batchSize, shuffle: true, generator });
  const heldOutLoader = new data.DataLoader(heldOutSet, { batchSize: 500 });
  const stepLosses = [];
  /** @typedef {{ epoch: number, trainLoss: number, trainAccuracy: number, heldOutLoss: number, heldOutAccuracy: number, seconds: number, cpuSeconds: number, samplesPerSecond: number }} EpochResult */
  /** @type {EpochResult[]} */
  const history = [];
  try {
    model.train();
    const lastEpoch = firstEpoch + epochs - 1;
    for (let epoch = firstEpoch; epoch <= lastEpoch; epoch++) {
      const batches = trainLoader.length;
      onEpochStart?.({ epoch, epochs: lastEpoch, batches });
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      let b = 0;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      for (const [x, y] of trainLoader) {
        const size = y.size;
        if (maxShift > 0) shiftBatch(x, randomShifts(size, maxShift, generator), background);
        optimizer.zeroGrad();
        const logits = model.forward(x);
        const loss = lossFn.forward(logits, y);
        const lossValue = loss.item();
        correct += countCorrect(logits.data, y.data, size);
        loss.backward();
        optimizer.step();
        stepLosses.push(lossValue);
        lossSum += lossValue * size;
        seen += size;
        b++;
        if (onBatch) {
          const elapsed = (performance.now() - t0) / 1000;
          onBatch({ epoch, batch: b, batches, loss: lossSum / seen, accuracy: correct / seen, samplesPerSecond: seen / Math.max(elapsed, 1e-9) });
        }
      }
      scheduler?.step();
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const held = evaluate(model, heldOutLoader, lossFn);
      const result = {
        epoch,
        trainLoss: lossSum / seen,
        trainAccuracy: correct / seen,
        heldOutLoss: held.loss,
        heldOutAccuracy: held.accuracy,
        seconds,
        // CPU time of this process (user + system): on a shared machine, what the epoch itself cost.
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        samplesPerSecond: seen / seconds,
      };
      history.push(result);
      onEpochEnd?.(result);
    }
  } finally {
    for (const t of [...trainSet.tensors, ...heldOutSet.tensors]) t.dispose();
    lossFn.dispose();
  }
  return { epochs: history, stepLosses };
}
