// torch.optim: optimizers, utilities, learning-rate schedules and SWA.
export { Optimizer, type ParamGroup, type ParamGroupInit, type ParamState, type StateDict } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, type AdamOptions } from "./adam.js";
export { AdamW } from "./adamw.js";
export { Adagrad, type AdagradOptions } from "./adagrad.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { Adamax, type AdamaxOptions } from "./adamax.js";
export { NAdam, type NAdamOptions } from "./nadam.js";
export { RAdam, type RAdamOptions } from "./radam.js";
export { Adadelta, type AdadeltaOptions } from "./adadelta.js";
export { LAMB, type LAMBOptions } from "./lamb.js";
export { Lookahead, type LookaheadOptions } from "./lookahead.js";
export { Ranger, type RangerOptions } from "./ranger.js";
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from "./clip.js";
export * as lrScheduler from "./lr_scheduler/index.js";
export * as swa from "./swa.js";
