// Losses: MSELoss and CrossEntropyLoss (softmax + negative log-likelihood,
// fused). Each computes its gradient with respect to the input during the
// forward pass (one fused kernel); backward scales it by the incoming gradient.
import { Tensor, sameShape, shapeToString } from "../tensor.js";
import { wasmOrNull } from "../runtime/runtime.js";
import { Module, positionOf } from "./module.js";
import { Node, isGradEnabled, needsGrad, setGradFn, sinkFor, wantsGrad } from "./autograd.js";
import { firstNaN, int32View, mseLoss, scaleInto, softmaxCrossEntropy } from "./kernels.js";

export type Reduction = "mean" | "sum" | "none";

function checkReduction(what: string, r: unknown): asserts r is Reduction {
  if (r !== "mean" && r !== "sum" && r !== "none") {
    throw new RangeError(`${what}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(r)}`);
  }
}

interface LossScratch {
  /** The loss: a scalar (shape []) or, with reduction 'none', one value per element/row. */
  out: Tensor;
  /** d(sum of losses)/d(input) scaled for the reduction, written by the fused forward. */
  grad: Tensor;
  /** int32 labels (CrossEntropyLoss, WebAssembly builds). */
  labels: Tensor | null;
  labelsJs: Int32Array;
  dy: Tensor | null;
  version: number;
}

/** Records the loss node: dinput (+)= upstream·grad, dtarget (+)= −upstream·grad (MSE only). */
function recordLoss(name: string, inputs: Tensor[], s: LossScratch, withTarget: boolean): Tensor {
  if (!(isGradEnabled() && inputs.some((t) => needsGrad(t)))) {
    setGradFn(s.out, null);
    return s.out;
  }
  const dy = (s.dy ??= new Tensor([]));
  const node: Node = new Node(name, inputs, dy, () => {
    const up = dy.data[0];
    if (wantsGrad(node, 0)) {
      const dx = sinkFor(node, 0)!;
      scaleInto(s.grad, dx.tensor, up, dx.acc);
    }
    if (withTarget && wantsGrad(node, 1)) {
      const dt = sinkFor(node, 1)!;
      scaleInto(s.grad, dt.tensor, -up, dt.acc);
    }
  }, s);
  setGradFn(s.out, node);
  return s.out;
}

export interface MSELossOptions {
  reduction?: Reduction;
}

/** Mean (or summed) squared error between input and target of the same shape. */
export class MSELoss extends Module {
  readonly reduction: Reduction;

  constructor({ reduction = "mean" }: MSELossOptions = {}) {
    super();
    checkReduction("MSELoss", reduction);
    this.reduction = reduction;
  }

  override describe(): string {
    return "MSELoss()";
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    this.checkTensorInput(input, "input");
    this.checkTensorInput(target, "target");
    if (!sameShape(input.shape, target.shape)) {
      throw new RangeError(
        `${this.describe()}: target shape ${shapeToString(target.shape)} does not match input shape ${shapeToString(input.shape)}`,
      );
    }
    const n = input.size;
    const none = this.reduction === "none";
    const s = this.scratch<LossScratch>(input.shape, () => ({
      out: new Tensor(none ? input.shape : []),
      grad: new Tensor(input.shape),
      labels: null,
      labelsJs: new Int32Array(0),
      dy: null,
      version: 0,
    }));
    const total = mseLoss(input, target, s.grad, none ? s.out : null, this.reduction === "mean" ? 1 / n : 1);
    if (Number.isNaN(total)) {
      for (const [what, t] of [["input", input], ["target", target]] as const) {
        const i = firstNaN(t);
        if (i >= 0) throw new RangeError(`${this.describe()}: ${what} contains NaN at ${positionOf(t.shape, i)}`);
      }
    }
    s.version++;
    if (none) {
      setGradFn(s.out, null);
      return s.out;
    }
    s.out.data[0] = this.reduction === "mean" ? total / n : total;
    return recordLoss(this.describe(), [input, target], s, true);
  }
}

export interface CrossEntropyLossOptions {
  reduction?: Reduction;
  /** ε: the target becomes (1 − ε)·onehot + ε/C (PyTorch's label_smoothing). */
  labelSmoothing?: number;
}

export type Labels = Int32Array | readonly number[] | Tensor;

/** Softmax cross-entropy between logits [N, C] and integer class labels [N]. */
export class CrossEntropyLoss extends Module {
  readonly reduction: Reduction;
  readonly labelSmoothing: number;

  constructor({ reduction = "mean", labelSmoothing = 0 }: CrossEntropyLossOptions = {}) {
    super();
    checkReduction("CrossEntropyLoss", reduction);
    if (typeof labelSmoothing !== "number" || !(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new RangeError(`CrossEntropyLoss: labelSmoothing must be in [0, 1], got ${String(labelSmoothing)}`);
    }
    this.reduction = reduction;
    this.labelSmoothing = labelSmoothing;
  }

  override describe(): string {
    return "CrossEntropyLoss()";
  }

  override forward(input: Tensor, labels: Labels): Tensor {
    this.checkTensorInput(input, "input");
    if (input.ndim !== 2) {
      throw new RangeError(`${this.describe()}: expected logits of shape [batch, classes], got ${shapeToString(input.shape)}`);
    }
    const [N, C] = input.shape;
    const values = this.labelValues(labels, N);
    for (let i = 0; i < N; i++) {
      const v = values[i];
      if (!Number.isInteger(v)) {
        throw new RangeError(`${this.describe()}: labels[${i}] = ${v} is not an integer class index`);
      }
      if (v < 0 || v >= C) {
        throw new RangeError(`${this.describe()}: labels[${i}] = ${v} is out of range for ${C} classes (expected 0 <= label < ${C})`);
      }
    }
    const none = this.reduction === "none";
    const wasm = wasmOrNull();
    const s = this.scratch<LossScratch>(input.shape, () => ({
      out: new Tensor(none ? [N] : []),
      grad: new Tensor([N, C]),
      labels: wasm ? new Tensor([Math.max(N, 1)]) : null,
      labelsJs: new Int32Array(N),
      dy: null,
      version: 0,
    }));
    const dst = wasm ? int32View(wasm, s.labels!, N) : s.labelsJs;
    for (let i = 0; i < N; i++) dst[i] = values[i];
    const total = softmaxCrossEntropy(
      input, s.labels ?? s.out, s.labelsJs, N, C, s.grad, none ? s.out : null, this.labelSmoothing,
      this.reduction === "mean" ? 1 / N : 1,
    );
    if (!Number.isFinite(total)) {
      const i = firstNaN(input);
      const what = i >= 0 ? `NaN at ${positionOf(input.shape, i)}` : "infinite values";
      throw new RangeError(`${this.describe()}: input contains ${what}`);
    }
    s.version++;
    if (none) {
      setGradFn(s.out, null);
      return s.out;
    }
    s.out.data[0] = this.reduction === "mean" ? total / N : total;
    return recordLoss(this.describe(), [input], s, false);
  }

  private labelValues(labels: Labels, N: number): ArrayLike<number> {
    let values: ArrayLike<number>;
    if (labels instanceof Tensor) {
      labels.assertAlive(`${this.describe()} (labels)`);
      if (labels.ndim !== 1) throw new RangeError(`${this.describe()}: labels must be 1-D, got shape ${shapeToString(labels.shape)}`);
      values = labels.data;
    } else if (labels instanceof Int32Array || Array.isArray(labels)) {
      values = labels;
    } else {
      throw new TypeError(`${this.describe()}: labels must be an Int32Array, a number[] or a Tensor, got ${String(labels)}`);
    }
    if (values.length !== N) {
      throw new RangeError(`${this.describe()}: expected ${N} labels (one per row of the input), got ${values.length}`);
    }
    return values;
  }
}
