// The networks the demo trains, and the probes that measure each hidden
// layer's activation and back-propagated gradient while it trains. Public API
// only; shared by the training worker and the browser suite's checks.
import { autograd, isGradEnabled, noGrad, nn } from "wasmtrain";

export const MODELS = ["MLP", "CNN"];
export const ACTIVATIONS = {
  ReLU: () => new nn.ReLU(),
  tanh: () => new nn.Tanh(),
  sigmoid: () => new nn.Sigmoid(),
};
export const MIN_DEPTH = 1;
export const MAX_DEPTH = 20;

/**
 * What the probes measured at one step: per hidden layer, the standard
 * deviation (PyTorch's `std()`, correction 1, over the whole batch) of its
 * output and of the loss's gradient with respect to that output. With
 * `keepValues`, copies of the very tensors measured are kept as well (the
 * browser suite recomputes the deviations from them).
 */
export class LayerRecorder {
  constructor(layers) {
    this.layers = layers;
    this.active = false;
    this.keepValues = false;
    this.reset();
  }

  reset() {
    this.activationStd = new Array(this.layers).fill(NaN);
    this.gradientStd = new Array(this.layers).fill(NaN);
    this.activationValues = new Array(this.layers).fill(null);
    this.gradientValues = new Array(this.layers).fill(null);
  }

  /** Records from the next forward and backward only (call before the forward). */
  arm(keepValues = false) {
    this.reset();
    this.keepValues = keepValues;
    this.active = true;
  }

  /** Stops recording (after the backward) and returns what was measured. */
  collect() {
    this.active = false;
    const out = { activationStd: this.activationStd, gradientStd: this.gradientStd };
    if (this.keepValues) {
      out.activationValues = this.activationValues;
      out.gradientValues = this.gradientValues;
    }
    return out;
  }

  measure(kind, index, t) {
    const std = noGrad(() => {
      const s = t.std();
      const v = s.item();
      s.dispose();
      return v;
    });
    this[`${kind}Std`][index] = std;
    if (this.keepValues) this[`${kind}Values`][index] = Float32Array.from(t.data);
  }
}

/** Identity whose backward hands the incoming gradient to the recorder. */
class GradientProbe extends autograd.Function {
  static forward(ctx, x, recorder, index) {
    ctx.recorder = recorder;
    ctx.index = index;
    return x;
  }

  static backward(ctx, g) {
    if (ctx.recorder.active) ctx.recorder.measure("gradient", ctx.index, g);
    return [g, null, null];
  }
}

/** Placed after a hidden layer's activation: returns its input, measuring it when the recorder is armed. */
export class LayerProbe extends nn.Module {
  static moduleName = "LayerProbe";

  constructor(recorder, index) {
    super();
    this.recorder = recorder;
    this.index = index;
  }

  forward(x) {
    const r = this.recorder;
    if (!r.active) return x;
    r.measure("activation", this.index, x);
    if (!isGradEnabled() || !(x.requiresGrad || x.gradFn)) return x;
    return GradientProbe.apply(x, r, this.index);
  }
}

/**
 * The network for a configuration: `{ net, recorder, inputShape(n), weighted }`.
 * MLP: 784 → (hidden, activation) × depth → 10. CNN: conv 3×3 (8 channels),
 * activation, max-pool 2, conv 3×3 (16), activation, max-pool 2, linear
 * 784 → 10. A probe follows every hidden activation.
 */
export function buildNetwork({ model = "MLP", depth = 1, hidden = 128, activation = "ReLU" }) {
  const act = ACTIVATIONS[activation];
  if (!act) throw new Error(`unknown activation ${activation}`);
  if (model === "MLP") {
    if (!(Number.isInteger(depth) && depth >= MIN_DEPTH && depth <= MAX_DEPTH)) {
      throw new RangeError(`Depth must be a whole number from ${MIN_DEPTH} to ${MAX_DEPTH}, got ${depth}`);
    }
    const recorder = new LayerRecorder(depth);
    const layers = [];
    for (let i = 0; i < depth; i++) layers.push(new nn.Linear(i === 0 ? 784 : hidden, hidden), act(), new LayerProbe(recorder, i));
    layers.push(new nn.Linear(hidden, 10));
    return { net: new nn.Sequential(...layers), recorder, inputShape: (n) => [n, 784] };
  }
  if (model === "CNN") {
    const recorder = new LayerRecorder(2);
    const net = new nn.Sequential(
      new nn.Conv2d(1, 8, 3, { padding: 1 }),
      act(),
      new LayerProbe(recorder, 0),
      new nn.MaxPool2d(2),
      new nn.Conv2d(8, 16, 3, { padding: 1 }),
      act(),
      new LayerProbe(recorder, 1),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(16 * 7 * 7, 10),
    );
    return { net, recorder, inputShape: (n) => [n, 1, 28, 28] };
  }
  throw new Error(`unknown model ${model}`);
}

/** Whether a module has a weight the initializer choice applies to. */
export const isWeighted = (m) => m instanceof nn.Linear || m instanceof nn.Conv2d;
