// torch.autograd: the engine (backward, grad), grad mode, custom functions.
export { Node, needsGrad, savedFor, setGradFn, record, sinkFor, wantsGrad, zeroUnlessAccumulating, type GradSink } from "./node.js";
export { noGrad, enableGrad, isGradEnabled } from "./grad_mode.js";
export { grad, type GradOptions } from "./engine.js";
export { Function, FunctionCtx } from "./function.js";
