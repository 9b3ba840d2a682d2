// nn.Parameter: a tensor with requiresGrad = true. Callable with or without new.
import { Tensor, isParameter, parameter, type Shape, type TensorLike } from "../tensor.js";

export interface ParameterConstructor {
  new (values: TensorLike | Tensor, shape?: Shape): Tensor;
  (values: TensorLike | Tensor, shape?: Shape): Tensor;
}

// A function returning an object from `new` yields that object: `new Parameter(t)` is a Tensor.
export const Parameter = function Parameter(values: TensorLike | Tensor, shape?: Shape): Tensor {
  return parameter(values, shape);
} as ParameterConstructor;

// `x instanceof nn.Parameter`, as PyTorch's isinstance(x, nn.Parameter): true
// for tensors made by parameter() / nn.Parameter and for modules' registered
// parameters; false for other tensors, even with requiresGrad (and for clones).
Object.defineProperty(Parameter, Symbol.hasInstance, { value: (x: unknown) => isParameter(x) });

export { parameter };
