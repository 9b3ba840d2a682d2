// Linear: y = x·Wᵀ + b, with W [out, in] (PyTorch's nn.Linear), on inputs
// [*, in]: the leading dimensions are kept and the input is used as
// [prod(leading), in] without copying.
import { Tensor, shapeToString } from "../tensor.js";
import { Module } from "./module.js";
import { pyBool } from "./repr.js";
import { Node, isGradEnabled, needsGrad, savedFor, setGradFn, sinkFor, wantsGrad } from "./autograd.js";
import { backend } from "../backend/index.js";
import { linearDiff } from "../ops/linalg.js";
import { fillUniform } from "../random.js";
import { describe as describeValue, optionsArg } from "../validate.js";

export interface LinearOptions {
  bias?: boolean;
}

export function checkFeatures(what: string, name: string, n: unknown): asserts n is number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    throw new (typeof n === "number" ? RangeError : TypeError)(`${what}: ${name} must be a positive integer, got ${describeValue(n)}`);
  }
}

export class Linear extends Module {
  static override readonly moduleName: string = "Linear";
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  /**
   * PyTorch's default initialisation: kaiming_uniform_(a=√5) on the weight,
   * which is U(−1/√in, 1/√in), and the bias from the same interval, drawn from
   * the default generator (manualSeed makes it reproducible).
   */
  constructor(inFeatures: number, outFeatures: number, options?: LinearOptions) {
    super();
    const { bias = true } = optionsArg("Linear", options, ["bias"]) as LinearOptions;
    checkFeatures("Linear", "inFeatures", inFeatures);
    checkFeatures("Linear", "outFeatures", outFeatures);
    if (typeof bias !== "boolean") throw new TypeError(`Linear: bias must be a boolean, got ${describeValue(bias)}`);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = fillUniform(new Tensor([outFeatures, inFeatures]), -bound, bound, undefined, "Linear");
    this.bias = bias ? fillUniform(new Tensor([outFeatures]), -bound, bound, undefined, "Linear") : null;
    // kaiming_uniform_ and uniform_ in PyTorch: each parameter starts at version 1
    this.weight.bumpVersion();
    this.bias?.bumpVersion();
    this.registerParameter("weight", this.weight);
    this.registerParameter("bias", this.bias);
  }

  override describe(): string {
    return `Linear(${this.inFeatures}, ${this.outFeatures})`;
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }

  /** x [*, inFeatures] → [*, outFeatures] (a 1-D x gives [outFeatures]). */
  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    const { inFeatures: K, outFeatures: M } = this;
    if (x.ndim === 0) {
      throw new RangeError(`${this.describe()}: expected an input [*, ${K}], got shape ${shapeToString(x.shape)}`);
    }
    const last = x.shape[x.ndim - 1];
    if (last !== K) {
      const rows = x.size / last || x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
      throw new RangeError(
        `${this.describe()}: expected input with ${K} features, got ${last} (mat1 and mat2 shapes cannot be multiplied (${rows}x${last} and ${K}x${M}))`,
      );
    }
    this.weight.assertAlive(`${this.describe()} (weight)`);
    this.bias?.assertAlive(`${this.describe()} (bias)`);
    this.checkNoNaN(x);
    const N = x.size / K;
    const outShape = [...x.shape.slice(0, -1), M];
    const y = this.lend(outShape);
    const W = this.weight;
    backend().gemm(false, true, N, M, K, 1, x, K, W, K, 0, y, M);
    if (this.bias && N > 0) backend().biasAddRows(y, this.bias, y, N, M);
    const params = this.bias ? [W, this.bias] : [W];
    const record =
      isGradEnabled() && (this.training || needsGrad(x)) && (needsGrad(x) || params.some((p) => p.requiresGrad));
    if (!record) {
      setGradFn(y, null);
      return y;
    }
    const node: Node = new Node(
      this.describe(), [x, ...params], outShape,
      () => {
        const dW = sinkFor(node, 1);
        if (dW) backend().gemm(true, false, M, K, N, 1, node.grad!, M, x, K, dW.acc, dW.tensor, K);
        const db = this.bias ? sinkFor(node, 2) : null;
        if (db) backend().columnSums(node.grad!, db.tensor, N, M, db.acc);
        if (wantsGrad(node, 0)) {
          const dx = sinkFor(node, 0)!;
          backend().gemm(false, false, N, K, M, 1, node.grad!, M, W, K, dx.acc, dx.tensor, K);
        }
      },
      // as addmm: x is saved for the weight's gradient, W for the input's
      savedFor([x, W], [W.requiresGrad, needsGrad(x)]),
    );
    node.diff = linearDiff(node, x, W, this.bias);
    setGradFn(y, node);
    return y;
  }
}
