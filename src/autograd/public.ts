// `import { autograd } from "wasmtrain"`: PyTorch's torch.autograd.
export { grad, type GradOptions } from "./engine.js";
export { Function, FunctionCtx } from "./function.js";
export { noGrad, enableGrad, isGradEnabled } from "./grad_mode.js";
