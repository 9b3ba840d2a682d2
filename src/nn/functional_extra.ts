// The functional forms added with user-defined models, re-exported into F
// (src/nn/functional.ts) by name.
export { softmax, logSoftmax } from "./softmax.js";
export { silu, softplus, elu, type SoftplusOptions, type ELUOptions } from "./activation_extra.js";
export { embedding, oneHot, type EmbeddingOptions } from "./embedding.js";
export {
  crossEntropy, nllLoss, mseLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits, l1Loss, smoothL1Loss, huberLoss,
  type CrossEntropyOptions, type NLLLossOptions, type PointwiseLossOptions, type SmoothL1LossOptions, type HuberLossOptions,
  type BCELossOptions, type BCEWithLogitsLossOptions,
} from "./functional_loss.js";
