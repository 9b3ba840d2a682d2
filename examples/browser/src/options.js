// The choices the demo offers, shared by the page (to fill the controls) and
// the training worker (to build what was chosen). Everything is the library's
// public API.
import { init, optim } from "wasmtrain";

/**
 * Weight initializers for the Linear and Conv2d layers (biases start at zero,
 * except for PyTorch's default). The matched pairs keep every layer's
 * activation and gradient at one scale: Kaiming with ReLU, Xavier with tanh.
 */
export const INITIALIZERS = {
  "PyTorch default (Kaiming uniform, a=√5)": null,
  "Kaiming normal (He), ReLU": (w) => init.kaimingNormal(w, { nonlinearity: "relu" }),
  "Kaiming uniform (He), ReLU": (w) => init.kaimingUniform(w, { nonlinearity: "relu" }),
  "Xavier uniform (Glorot)": (w) => init.xavierUniform(w),
  "Xavier normal (Glorot)": (w) => init.xavierNormal(w),
  "Xavier uniform, tanh gain 5/3": (w) => init.xavierUniform(w, { gain: init.calculateGain("tanh") }),
  "LeCun normal": (w) => init.lecunNormal(w),
  "Orthogonal, gain √2": (w) => init.orthogonal(w, { gain: Math.SQRT2 }),
  "Truncated normal, std 0.02": (w) => init.truncNormal(w, { std: 0.02 }),
  "Normal, std 0.01": (w) => init.normal(w, { std: 0.01 }),
  "Normal, std 1": (w) => init.normal(w, { std: 1 }),
};

/** Optimizers with the learning rate the page proposes for each. */
export const OPTIMIZERS = {
  Adam: { lr: 2e-3, make: (params, lr) => new optim.Adam(params, { lr }) },
  AdamW: { lr: 1e-3, make: (params, lr) => new optim.AdamW(params, { lr, weightDecay: 1e-2 }) },
  "SGD, momentum 0.9": { lr: 0.05, make: (params, lr) => new optim.SGD(params, { lr, momentum: 0.9 }) },
  "SGD, Nesterov": { lr: 0.05, make: (params, lr) => new optim.SGD(params, { lr, momentum: 0.9, nesterov: true }) },
  RMSprop: { lr: 1e-3, make: (params, lr) => new optim.RMSprop(params, { lr }) },
  Adagrad: { lr: 1e-2, make: (params, lr) => new optim.Adagrad(params, { lr }) },
  Adamax: { lr: 2e-3, make: (params, lr) => new optim.Adamax(params, { lr }) },
  NAdam: { lr: 2e-3, make: (params, lr) => new optim.NAdam(params, { lr }) },
  RAdam: { lr: 1e-3, make: (params, lr) => new optim.RAdam(params, { lr }) },
  LAMB: { lr: 5e-3, make: (params, lr) => new optim.LAMB(params, { lr }) },
  Ranger: { lr: 1e-3, make: (params, lr) => new optim.Ranger(params, { lr }) },
};

/**
 * Learning-rate schedules. `every` is "step" (called after each batch) or
 * "epoch"; `stepsPerEpoch` and `totalSteps` size them to the run.
 */
export const SCHEDULES = {
  Constant: null,
  "Cosine annealing": {
    every: "step",
    make: (opt, { totalSteps }) => new optim.lrScheduler.CosineAnnealingLR(opt, { tMax: totalSteps }),
  },
  "One cycle": {
    every: "step",
    make: (opt, { totalSteps, lr }) => {
      // Momentum (or Adam's beta1) cycles too, where the optimizer has one.
      const group = opt.paramGroups[0];
      const cycleMomentum = group.momentum > 0 || Array.isArray(group.betas);
      return new optim.lrScheduler.OneCycleLR(opt, { maxLr: lr, totalSteps, cycleMomentum });
    },
  },
  "Linear warm-up (200 steps)": {
    every: "step",
    make: (opt) => new optim.lrScheduler.LinearLR(opt, { startFactor: 0.05, endFactor: 1, totalIters: 200 }),
  },
  "Step: ×0.5 every epoch": {
    every: "epoch",
    make: (opt) => new optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.5 }),
  },
  "Exponential: ×0.7 per epoch": {
    every: "epoch",
    make: (opt) => new optim.lrScheduler.ExponentialLR(opt, { gamma: 0.7 }),
  },
};

export const BATCH_SIZES = [16, 32, 64, 128, 256];
export const HIDDEN_SIZES = [64, 128, 256];
