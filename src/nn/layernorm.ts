// LayerNorm: normalises over the trailing dimensions given by normalizedShape
// (mean and biased variance per row), then the elementwise affine.
import { Tensor, shapeToString } from "../tensor.js";
import { Module, positionOf } from "./module.js";
import { pyBool, pyFloat, pyTuple } from "./repr.js";
import { Node, isGradEnabled, needsGrad, setGradFn, sinkFor, wantsGrad, zeroUnlessAccumulating } from "./autograd.js";
import { backend } from "../backend/index.js";
import { describe as describeValue, optionsArg } from "../validate.js";

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
}

export class LayerNorm extends Module {
  static override readonly moduleName: string = "LayerNorm";
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  /** Elements per normalised row (the product of normalizedShape). */
  readonly featureSize: number;

  constructor(normalizedShape: number | readonly number[], options?: LayerNormOptions) {
    super();
    const { eps = 1e-5, elementwiseAffine = true } = optionsArg("LayerNorm", options, ["eps", "elementwiseAffine"]) as LayerNormOptions;
    const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => typeof d !== "number" || !Number.isInteger(d) || d < 1)) {
      const wrongType = !Array.isArray(shape) || shape.some((d) => typeof d !== "number");
      throw new (wrongType ? TypeError : RangeError)(`LayerNorm: normalizedShape must be a positive integer or a list of them, got ${describeValue(normalizedShape)}`);
    }
    if (typeof eps !== "number" || !(eps > 0) || !Number.isFinite(eps)) throw new (typeof eps === "number" ? RangeError : TypeError)(`LayerNorm: eps must be a positive number, got ${describeValue(eps)}`);
    if (typeof elementwiseAffine !== "boolean") {
      throw new TypeError(`LayerNorm: elementwiseAffine must be a boolean, got ${describeValue(elementwiseAffine)}`);
    }
    this.normalizedShape = Object.freeze(shape.slice());
    this.featureSize = shape.reduce((a, b) => a * b, 1);
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = elementwiseAffine ? new Tensor(shape) : null;
    this.bias = elementwiseAffine ? new Tensor(shape) : null;
    this.weight?.data.fill(1);
    this.bias?.data.fill(0);
    this.registerParameter("weight", this.weight);
    this.registerParameter("bias", this.bias);
  }

  override describe(): string {
    return `LayerNorm(${this.normalizedShape.length === 1 ? this.normalizedShape[0] : shapeToString(this.normalizedShape)})`;
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }

  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    const ns = this.normalizedShape;
    const k = ns.length;
    if (x.ndim < k || ns.some((d, i) => x.shape[x.ndim - k + i] !== d)) {
      // ... then PyTorch's words.
      const torchText = `Given normalized_shape=${shapeToString(ns)}, expected input with shape [*, ${ns.join(", ")}], but got input of size${shapeToString(x.shape)}`;
      throw new RangeError(
        (k === 1
          ? `${this.describe()}: expected input with ${ns[0]} features in the last dimension, got shape ${shapeToString(x.shape)}`
          : `${this.describe()}: expected input whose trailing dimensions are ${shapeToString(ns)}, got shape ${shapeToString(x.shape)}`) +
          ` (${torchText})`,
      );
    }
    this.weight?.assertAlive(this.describe());
    this.bias?.assertAlive(this.describe());
    const D = this.featureSize;
    const rows = x.size / D;
    const y = this.lend(x.shape);
    const mean = this.lend([Math.max(rows, 1)]);
    const rstd = this.lend([Math.max(rows, 1)]);
    const bad = backend().layerNormForward(x, rows, D, this.weight, this.bias, y, mean, rstd, this.eps);
    if (bad >= 0) {
      this.recycle(y, mean, rstd);
      const i = backend().firstNaN(x, x.size);
      const what = i >= 0 ? `NaN at ${positionOf(x.shape, i)}` : `an infinite value in row ${bad}`;
      throw new RangeError(`${this.describe()}: input contains ${what}`);
    }
    const params = this.weight && this.bias ? [this.weight, this.bias] : [];
    const record =
      isGradEnabled() && (this.training || needsGrad(x)) && (needsGrad(x) || params.some((p) => p.requiresGrad));
    if (!record) {
      this.recycle(mean, rstd);
      setGradFn(y, null);
      return y;
    }
    const node: Node = new Node(
      this.describe(), [x, ...params], x.shape,
      () => {
        const dw = params.length ? zeroUnlessAccumulating(sinkFor(node, 1)) : null;
        const db = params.length ? zeroUnlessAccumulating(sinkFor(node, 2)) : null;
        const dx = wantsGrad(node, 0) ? sinkFor(node, 0) : null;
        backend().layerNormBackward(x, node.grad!, rows, D, mean, rstd, this.weight, dx?.tensor ?? null, dx?.acc ?? 0, dw, db, 1);
      },
      [x, mean, rstd],
    );
    setGradFn(y, node);
    return y;
  }
}
