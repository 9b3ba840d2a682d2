// wasmtrain: the public API (re-exports only). See README.md.
// These modules install themselves behind Tensor's methods (backward(),
// softmax(), silu(), …); package.json's "sideEffects" names them, so a
// bundler keeps them even for a page that imports none of their exports.
import "./autograd/engine.js";
import "./nn/softmax.js";
import "./nn/activation_extra.js";
export { ready } from "./backend/index.js";
export { backendInfo, setNumThreads, getNumThreads, type BuildName, type BackendInfo, type ReadyOptions } from "./runtime/runtime.js";
export { memoryStats, emptyCache, type MemoryStats } from "./runtime/memory.js";
export { Tensor, tensor, zeros, ones, empty, full, parameter, type Shape, type TensorLike } from "./tensor.js";
export { matmul, type MatmulOptions } from "./matmul.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export { rand, randn, manualSeed, seed, initialSeed, bernoulli, randperm, Generator, type GeneratorState, type GeneratorOptions } from "./random.js";
export * as init from "./init.js";
export { noGrad, enableGrad, isGradEnabled } from "./autograd/grad_mode.js";
export * as autograd from "./autograd/public.js";
export * as F from "./nn/functional.js";
export { arange, linspace, zerosLike, onesLike, fullLike, emptyLike, randLike, randnLike, randint, cat, stack, where } from "./ops/index.js";
export * as io from "./io/index.js";
export * as data from "./data/index.js";
