// torch.nn: modules, losses, containers and utilities.
export { Module, KeyError, type StateDict } from "./module.js";
export { Linear, type LinearOptions } from "./linear.js";
export { ReLU, LeakyReLU, Tanh, Sigmoid, GELU, type LeakyReLUOptions, type GELUOptions } from "./activation.js";
export { Dropout, type DropoutOptions } from "./dropout.js";
export { BatchNorm1d, type BatchNormOptions } from "./batchnorm.js";
export { LayerNorm, type LayerNormOptions } from "./layernorm.js";
export { Flatten, type FlattenOptions } from "./flatten.js";
export { Sequential } from "./sequential.js";
export { ModuleList, ModuleDict } from "./container.js";
export { Identity } from "./identity.js";
export { MSELoss, CrossEntropyLoss, type MSELossOptions, type CrossEntropyLossOptions, type Reduction, type Labels } from "./loss.js";
export { Parameter, parameter } from "./parameter.js";
export { noGrad, enableGrad, isGradEnabled } from "./autograd.js";
export * as functional from "./functional.js";
export { numParameters, type NumParametersOptions } from "./utils.js";
export * as utils from "./utils.js";
