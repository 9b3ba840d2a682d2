// The tensor operations: every function here is also a Tensor method and an
// entry of F (src/nn/functional.ts).
export { add, sub, mul, div, neg, pow, exp, log, sqrt, rsqrt, abs, square, clamp, maximum, minimum, where, relu, tanh, sigmoid, gelu, leakyRelu, type ClampOptions } from "./elementwise.js";
export { sum, mean, amax, amin, variance, std, norm, argmax, argmin, type ReduceOptions, type VarOptions, type NormOptions, type ArgOptions } from "./reduce.js";
export {
  reshape, view, flatten, squeeze, unsqueeze, detach, contiguous, permute, transpose, t, expand, narrow, split, chunk, cat, stack,
  indexSelect, indexValues, shapeArgs, type IndexLike,
} from "./shape.js";
export { matmul, linear } from "./linalg.js";
export { add_, sub_, mul_, div_, copy_, fill_, clamp_ } from "./inplace.js";
export { arange, linspace, zerosLike, onesLike, fullLike, emptyLike, randLike, randnLike, randint, randperm } from "./creation.js";
