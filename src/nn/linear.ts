// Linear: y = x·Wᵀ + b, with W [out, in] (PyTorch's nn.Linear).
import { Tensor, shapeToString } from "../tensor.js";
import { matmul } from "../matmul.js";
import { Module } from "./module.js";
import { Node, isGradEnabled, needsGrad, setGradFn, sinkFor, wantsGrad } from "./autograd.js";
import { biasAddRows, columnSums } from "./kernels.js";
import { fillUniform } from "../random.js";

export interface LinearOptions {
  bias?: boolean;
}

interface LinearScratch {
  y: Tensor;
  dy: Tensor | null;
  version: number;
}

export function checkFeatures(what: string, name: string, n: unknown): asserts n is number {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    throw new RangeError(`${what}: ${name} must be a positive integer, got ${String(n)}`);
  }
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  /**
   * PyTorch's default initialisation: kaiming_uniform_(a=√5) on the weight,
   * which is U(−1/√in, 1/√in), and the bias from the same interval, drawn from
   * the default generator (manualSeed makes it reproducible).
   */
  constructor(inFeatures: number, outFeatures: number, { bias = true }: LinearOptions = {}) {
    super();
    checkFeatures("Linear", "inFeatures", inFeatures);
    checkFeatures("Linear", "outFeatures", outFeatures);
    if (typeof bias !== "boolean") throw new TypeError(`Linear: bias must be a boolean, got ${String(bias)}`);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = fillUniform(new Tensor([outFeatures, inFeatures]), -bound, bound, undefined, "Linear");
    this.bias = bias ? fillUniform(new Tensor([outFeatures]), -bound, bound, undefined, "Linear") : null;
    this.registerParameter("weight", this.weight);
    this.registerParameter("bias", this.bias);
  }

  override describe(): string {
    return `Linear(${this.inFeatures}, ${this.outFeatures})`;
  }

  /** x [N, inFeatures] → [N, outFeatures]; the result is this module's buffer (see README, lifetimes). */
  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    const { inFeatures: K, outFeatures: M } = this;
    if (x.ndim !== 2) {
      throw new RangeError(`${this.describe()}: expected a 2-D input [batch, ${K}], got shape ${shapeToString(x.shape)}`);
    }
    if (x.shape[1] !== K) throw new RangeError(`${this.describe()}: expected input with ${K} features, got ${x.shape[1]}`);
    this.weight.assertAlive(`${this.describe()} (weight)`);
    this.bias?.assertAlive(`${this.describe()} (bias)`);
    this.checkNoNaN(x);
    const N = x.shape[0];
    const s = this.scratch<LinearScratch>(x.shape, () => ({ y: new Tensor([N, M]), dy: null, version: 0 }));
    s.version++;
    matmul(x, this.weight, { transposeB: true, out: s.y });
    if (this.bias && N > 0) biasAddRows(s.y, this.bias, s.y, N, M);
    const params = this.bias ? [this.weight, this.bias] : [this.weight];
    const record =
      isGradEnabled() && (this.training || needsGrad(x)) && (needsGrad(x) || params.some((p) => p.requiresGrad));
    if (!record) {
      setGradFn(s.y, null);
      return s.y;
    }
    const dy = (s.dy ??= new Tensor([N, M]));
    const W = this.weight;
    const node: Node = new Node(this.describe(), [x, ...params], dy, () => {
      const dW = sinkFor(node, 1);
      if (dW) matmul(dy, x, { transposeA: true, out: dW.tensor, beta: dW.acc });
      const db = this.bias ? sinkFor(node, 2) : null;
      if (db) columnSums(dy, db.tensor, N, M, db.acc);
      if (wantsGrad(node, 0)) {
        const dx = sinkFor(node, 0)!;
        matmul(dy, W, { out: dx.tensor, beta: dx.acc });
      }
    }, s);
    setGradFn(s.y, node);
    return s.y;
  }
}
