// nn.Parameter: a tensor with requiresGrad = true. Callable with or without new.
import { Tensor, parameter, type Shape, type TensorLike } from "../tensor.js";

export interface ParameterConstructor {
  new (values: TensorLike | Tensor, shape?: Shape): Tensor;
  (values: TensorLike | Tensor, shape?: Shape): Tensor;
}

// A function returning an object from `new` yields that object: `new Parameter(t)` is a Tensor.
export const Parameter = function Parameter(values: TensorLike | Tensor, shape?: Shape): Tensor {
  return parameter(values, shape);
} as ParameterConstructor;

export { parameter };
