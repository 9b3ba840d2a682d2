// The autograd tape moved to src/autograd/ (see there); this module keeps the
// names nn's layers import.
export {
  Node, needsGrad, savedFor, setGradFn, record, sinkFor, wantsGrad, zeroUnlessAccumulating, noGrad, enableGrad, isGradEnabled, type GradSink,
} from "../autograd/index.js";
