// torch.optim: optimizers, utilities, learning-rate schedules and SWA.
export * as lrScheduler from "./lr_scheduler/index.js";
export * as swa from "./swa.js";
