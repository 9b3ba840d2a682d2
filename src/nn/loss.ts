// Losses: MSELoss and CrossEntropyLoss (softmax + negative log-likelihood,
// fused). Each computes its gradient with respect to the input during the
// forward pass (one fused kernel); backward scales it by the incoming gradient.
import { Tensor, sameShape, shapeToString } from "../tensor.js";
import { Module, positionOf } from "./module.js";
import { Node, isGradEnabled, needsGrad, setGradFn, sinkFor, wantsGrad } from "./autograd.js";
import { backend } from "../backend/index.js";
import { crossEntropy, mseLoss } from "./functional_loss.js";
import { describe as describeValue, optionsArg } from "../validate.js";

export type Reduction = "mean" | "sum" | "none";

function checkReduction(what: string, r: unknown): asserts r is Reduction {
  if (r !== "mean" && r !== "sum" && r !== "none") {
    throw new (typeof r === "string" ? RangeError : TypeError)(`${what}: reduction must be 'mean', 'sum' or 'none', got ${describeValue(r)}`);
  }
}

/**
 * Records the loss node on `out`: dinput (+)= upstream·grad, dtarget (+)=
 * −upstream·grad (MSE only), where `grad` is d(loss)/d(input) from the fused
 * forward. Without a graph, `grad` goes straight back to the pool.
 */
function recordLoss(m: LossModule, inputs: Tensor[], out: Tensor, grad: Tensor, withTarget: boolean): Tensor {
  if (!(isGradEnabled() && inputs.some((t) => needsGrad(t)))) {
    m.recycleBuffers(grad);
    setGradFn(out, null);
    return out;
  }
  const dy = m.lendBuffer([]);
  const node: Node = new Node(
    m.describe(), inputs, dy,
    () => {
      const up = dy.data[0];
      if (wantsGrad(node, 0)) {
        const dx = sinkFor(node, 0)!;
        backend().scaleInto(grad, dx.tensor, grad.size, up, dx.acc);
      }
      if (withTarget && wantsGrad(node, 1)) {
        const dt = sinkFor(node, 1)!;
        backend().scaleInto(grad, dt.tensor, grad.size, -up, dt.acc);
      }
    },
    [grad],
    () => m.recycleBuffers(out, grad, dy),
  );
  setGradFn(out, node);
  return out;
}

/** The losses' access to their buffer pool, for recordLoss. */
abstract class LossModule extends Module {
  lendBuffer(shape: readonly number[]): Tensor {
    return this.lend(shape);
  }
  recycleBuffers(...ts: Tensor[]): void {
    this.recycle(...ts);
  }
}

export interface MSELossOptions {
  reduction?: Reduction;
}

/** Mean (or summed) squared error between input and target of the same shape. */
export class MSELoss extends LossModule {
  static override readonly moduleName: string = "MSELoss";
  readonly reduction: Reduction;

  constructor(options?: MSELossOptions) {
    super();
    const { reduction = "mean" } = optionsArg("MSELoss", options, ["reduction"]) as MSELossOptions;
    checkReduction("MSELoss", reduction);
    this.reduction = reduction;
  }

  override describe(): string {
    return "MSELoss()";
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    this.checkTensorInput(input, "input");
    this.checkTensorInput(target, "target");
    // another target shape: PyTorch's warning and broadcasting (F.mseLoss, not the fused kernel)
    if (!sameShape(input.shape, target.shape)) return mseLoss(input, target, { reduction: this.reduction });
    const n = input.size;
    const none = this.reduction === "none";
    const out = this.lend(none ? input.shape : []);
    const grad = this.lend(input.shape);
    const total = backend().mseLoss(input, target, grad, none ? out : null, input.size, this.reduction === "mean" ? 1 / n : 1);
    if (Number.isNaN(total)) {
      this.recycle(out, grad);
      for (const [what, t] of [["input", input], ["target", target]] as const) {
        const i = backend().firstNaN(t, t.size);
        if (i >= 0) throw new RangeError(`${this.describe()}: ${what} contains NaN at ${positionOf(t.shape, i)}`);
      }
    }
    if (none) {
      this.recycle(grad);
      setGradFn(out, null);
      return out;
    }
    out.data[0] = this.reduction === "mean" ? total / n : total;
    return recordLoss(this, [input, target], out, grad, true);
  }
}

export interface CrossEntropyLossOptions {
  reduction?: Reduction;
  /** ε: the target becomes (1 − ε)·onehot + ε/C (PyTorch's label_smoothing). */
  labelSmoothing?: number;
  /** Rows whose label is this value contribute no loss and no gradient; the mean is over the others (default −100). */
  ignoreIndex?: number;
  /** Class weights [C] (PyTorch's `weight`): row i counts w[label_i]; the mean divides by Σ w[label_i]. */
  weight?: Tensor | ArrayLike<number> | null;
}

/** Class labels: one per row; for an unbatched [C] input also a bare number. */
export type Labels = Int32Array | readonly number[] | Tensor | number;

/**
 * Softmax cross-entropy between logits [N, C] and integer class labels [N];
 * labels equal to `ignoreIndex` are skipped (PyTorch's ignore_index). Also,
 * as PyTorch 1.13, probability targets (a tensor shaped like the input) and
 * inputs [N, C, d...] with labels [N, d...] (through F.crossEntropy).
 */
export class CrossEntropyLoss extends LossModule {
  static override readonly moduleName: string = "CrossEntropyLoss";
  readonly reduction: Reduction;
  readonly labelSmoothing: number;
  readonly ignoreIndex: number;
  /** Class weights (a buffer named "weight", as PyTorch's), or null. */
  readonly weight: Tensor | null;

  constructor(options?: CrossEntropyLossOptions) {
    super();
    const { reduction = "mean", labelSmoothing = 0, ignoreIndex = -100, weight = null } = optionsArg("CrossEntropyLoss", options, ["reduction", "labelSmoothing", "ignoreIndex", "weight"]) as CrossEntropyLossOptions;
    checkReduction("CrossEntropyLoss", reduction);
    if (typeof labelSmoothing !== "number" || !(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new (typeof labelSmoothing === "number" ? RangeError : TypeError)(`CrossEntropyLoss: labelSmoothing must be in [0, 1], got ${describeValue(labelSmoothing)} (label_smoothing must be between 0.0 and 1.0. Got: ${describeValue(labelSmoothing)})`);
    }
    if (typeof ignoreIndex !== "number" || !Number.isInteger(ignoreIndex)) {
      throw new (typeof ignoreIndex === "number" ? RangeError : TypeError)(`CrossEntropyLoss: ignoreIndex must be an integer, got ${describeValue(ignoreIndex)}`);
    }
    let w: Tensor | null = null;
    if (weight !== null && weight !== undefined) {
      // A copy: a Tensor's view of WebAssembly memory detaches if the allocation below grows it.
      const values = weight instanceof Tensor ? (weight.assertAlive("CrossEntropyLoss (weight)"), weight.toArray()) : weight;
      if (typeof values !== "object" || typeof values.length !== "number" || (weight instanceof Tensor && weight.ndim !== 1)) {
        throw new TypeError(`CrossEntropyLoss: weight must be a 1-D Tensor or an array of numbers, got ${describeValue(weight)}`);
      }
      for (let i = 0; i < values.length; i++) {
        if (typeof values[i] !== "number" || !Number.isFinite(values[i])) {
          throw new RangeError(`CrossEntropyLoss: weight[${i}] must be a finite number, got ${describeValue(values[i])}`);
        }
      }
      w = new Tensor([values.length]);
      w.data.set(Array.from(values));
    }
    this.reduction = reduction;
    this.labelSmoothing = labelSmoothing;
    this.ignoreIndex = ignoreIndex;
    this.weight = w;
    if (w) this.registerBuffer("weight", w);
  }

  override describe(): string {
    return "CrossEntropyLoss()";
  }

  override forward(input: Tensor, labels: Labels): Tensor {
    this.checkTensorInput(input, "input");
    // Probability targets (shaped like the input) and [N, C, d...] inputs: the functional form.
    if (input.ndim > 2 || (labels instanceof Tensor && sameShape(labels.shape, input.shape))) {
      return crossEntropy(input, labels, {
        weight: this.weight, ignoreIndex: this.ignoreIndex, labelSmoothing: this.labelSmoothing, reduction: this.reduction,
      });
    }
    if (input.ndim !== 2 && input.ndim !== 1) {
      throw new RangeError(`${this.describe()}: expected logits of shape [batch, classes] or [classes], got ${shapeToString(input.shape)}`);
    }
    // An unbatched [C] input is one row with one label (PyTorch's unbatched form).
    const unbatched = input.ndim === 1;
    const [N, C] = unbatched ? [1, input.shape[0]] : input.shape;
    const w = this.weight;
    if (w) {
      w.assertAlive(`${this.describe()} (weight)`);
      if (w.size !== C) {
        throw new RangeError(
          `${this.describe()}: weight has ${w.size} entries but the input has ${C} classes ` +
            `(weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: [${w.size}])`,
        );
      }
    }
    const values = this.labelValues(labels, N, unbatched);
    const ignore = this.ignoreIndex;
    // The mean's denominator: the rows not ignored, each weighted by its class weight.
    let counted = 0;
    for (let i = 0; i < N; i++) {
      const v = values[i];
      if (v === ignore) continue;
      if (!Number.isInteger(v)) {
        throw new (typeof v === "number" ? RangeError : TypeError)(`${this.describe()}: labels[${i}] = ${describeValue(v)} is not an integer class index`);
      }
      if (v < 0 || v >= C) {
        throw new RangeError(`${this.describe()}: labels[${i}] = ${v} is out of range for ${C} classes (expected 0 <= label < ${C}); Target ${v} is out of bounds.`);
      }
      counted += w ? w.data[v] : 1;
    }
    const none = this.reduction === "none";
    const out = this.lend(none && !unbatched ? [N] : []);
    const grad = this.lend(input.shape);
    // The labels as int32, in a pooled tensor's storage reinterpreted.
    const labelBuf = this.lend([Math.max(N, 1)]);
    const dst = new Int32Array(labelBuf.data.buffer, labelBuf.data.byteOffset, N);
    // Tensor labels are a view of WebAssembly memory, which the lend() calls
    // above may have grown (detaching that view): read them again.
    const labelsNow = labels instanceof Tensor ? labels.data : values;
    // The kernel skips rows labelled −1 (ignored); the mean divides by `counted` (NaN if 0, as PyTorch).
    for (let i = 0; i < N; i++) dst[i] = labelsNow[i] === ignore ? -1 : labelsNow[i];
    const total = backend().softmaxCrossEntropy(
      input, labelBuf, N, C, grad, none ? out : null, this.labelSmoothing,
      this.reduction === "mean" ? (counted ? 1 / counted : 0) : 1, w,
    );
    this.recycle(labelBuf);
    if (!Number.isFinite(total)) {
      this.recycle(out, grad);
      const i = backend().firstNaN(input, input.size);
      const what = i >= 0 ? `NaN at ${positionOf(input.shape, i)}` : "infinite values";
      throw new RangeError(`${this.describe()}: input contains ${what}`);
    }
    if (none) {
      this.recycle(grad);
      setGradFn(out, null);
      return out;
    }
    out.data[0] = this.reduction === "mean" ? total / counted : total;
    return recordLoss(this, [input], out, grad, false);
  }

  private labelValues(labels: Labels, N: number, unbatched: boolean): ArrayLike<number> {
    let values: ArrayLike<number>;
    if (unbatched && typeof labels === "number") {
      values = [labels];
    } else if (labels instanceof Tensor) {
      labels.assertAlive(`${this.describe()} (labels)`);
      if (labels.ndim !== 1 && !(unbatched && labels.ndim === 0)) throw new RangeError(`${this.describe()}: labels must be 1-D, got shape ${shapeToString(labels.shape)}`);
      values = labels.data;
    } else if (labels instanceof Int32Array || Array.isArray(labels)) {
      values = labels;
    } else {
      throw new TypeError(`${this.describe()}: labels must be an Int32Array, a number[] or a Tensor, got ${describeValue(labels)}`);
    }
    if (values.length !== N) {
      throw new RangeError(
        `${this.describe()}: expected ${N} labels (one per row of the input), got ${values.length} ` +
          `(Expected input batch_size (${N}) to match target batch_size (${values.length}).)`,
      );
    }
    return values;
  }
}
