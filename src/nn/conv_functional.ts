// The functional forms of the convolutional layers (re-exported by F / nn.functional).
export { conv2d, conv1d, type Conv2dOptions, type Conv1dOptions, type Size2, type Size1, type Padding2, type Padding1 } from "./conv.js";
export { maxPool2d, avgPool2d, adaptiveAvgPool2d, type MaxPool2dOptions, type AvgPool2dOptions, type AdaptiveSize } from "./pooling.js";
export {
  batchNorm, instanceNorm, groupNorm, type BatchNormFunctionalOptions, type InstanceNormFunctionalOptions, type GroupNormFunctionalOptions,
} from "./normalization.js";
export { dropout2d, type Dropout2dFunctionalOptions } from "./dropout2d.js";
