// torch.optim.lr_scheduler: learning-rate schedules over an optimizer's param groups.
export { LRScheduler, type OptimizerLike, type ParamGroupLike, type Scheduler, type SchedulerState, type JsonValue } from "./scheduler.js";
export { StepLR, type StepLROptions } from "./step_lr.js";
export { MultiStepLR, type MultiStepLROptions } from "./multi_step_lr.js";
export { ConstantLR, type ConstantLROptions } from "./constant_lr.js";
export { LinearLR, type LinearLROptions } from "./linear_lr.js";
export { ExponentialLR, type ExponentialLROptions } from "./exponential_lr.js";
export { PolynomialLR, type PolynomialLROptions } from "./polynomial_lr.js";
export { CosineAnnealingLR, type CosineAnnealingLROptions } from "./cosine_annealing_lr.js";
export { CosineAnnealingWarmRestarts, type CosineAnnealingWarmRestartsOptions } from "./cosine_annealing_warm_restarts.js";
export { CyclicLR, type CyclicLROptions, type CyclicMode } from "./cyclic_lr.js";
export { OneCycleLR, type OneCycleLROptions } from "./one_cycle_lr.js";
export { LambdaLR, type LambdaLROptions, type LrLambda } from "./lambda_lr.js";
export { MultiplicativeLR, type MultiplicativeLROptions } from "./multiplicative_lr.js";
export { SequentialLR, type SequentialLROptions } from "./sequential_lr.js";
export { ChainedScheduler, type ChainedSchedulerOptions } from "./chained_scheduler.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./reduce_lr_on_plateau.js";
