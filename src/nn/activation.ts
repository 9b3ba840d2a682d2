// Elementwise activations: ReLU, LeakyReLU, Tanh, Sigmoid, GELU (exact erf form).
import { Tensor } from "../tensor.js";
import { Module } from "./module.js";
import { pyFloat } from "./repr.js";
import { sinkFor } from "./autograd.js";
import { recordOp } from "./op_helpers.js";
import { backend } from "../backend/index.js";
import { add, constantOf, mul, neg } from "../ops/elementwise.js";
import { describe as describeValue, optionsArg } from "../validate.js";

/** `v` if it is a finite number; otherwise a TypeError (not a number) or RangeError naming `what` and `name`. */
export function finite(what: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new (typeof v === "number" ? RangeError : TypeError)(`${what}: ${name} must be a finite number, got ${describeValue(v)}`);
  return v;
}

/**
 * The shared forward of the activations: y = f(x) into a buffer lent by the
 * module; backward computes dx from dy and the saved tensor (y or x).
 */
abstract class Activation extends Module {
  protected abstract forwardKernel(x: Tensor, y: Tensor): void;
  /** dx (+)= dy·f′, from x and y of the forward pass. */
  protected abstract backwardKernel(x: Tensor, y: Tensor, dy: Tensor, dx: Tensor, acc: number): void;
  /** dx given dy as differentiable operations (createGraph), or null: no double backward. */
  protected doubleBackward(_x: Tensor, _y: Tensor): ((g: Tensor) => Tensor) | null {
    return null;
  }

  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    const y = this.lend(x.shape);
    this.forwardKernel(x, y);
    const node = recordOp(this.describe(), [x], y, [x, y], (dy, n) => {
      const dx = sinkFor(n, 0)!;
      this.backwardKernel(x, y, dy, dx.tensor, dx.acc);
    });
    const diff = node && this.doubleBackward(x, y);
    if (diff) node.diff = (g) => [diff(g)];
    return y;
  }
}

/** The backend's kernel pairs of the activations whose derivative is a function of their output y. */
type OutputKernels = readonly ["reluForward", "reluBackward"] | readonly ["tanhForward", "tanhBackward"] | readonly ["sigmoidForward", "sigmoidBackward"];

/** An activation whose backward reads only y = f(x): dx (+)= dy·f′ computed from y. */
abstract class OutputActivation extends Activation {
  protected abstract readonly kernels: OutputKernels;
  protected forwardKernel(x: Tensor, y: Tensor): void {
    backend()[this.kernels[0]](x, y, x.size);
  }
  protected backwardKernel(_x: Tensor, y: Tensor, dy: Tensor, dx: Tensor, acc: number): void {
    backend()[this.kernels[1]](y, dy, dx, dy.size, acc);
  }
}

export class ReLU extends OutputActivation {
  static override readonly moduleName: string = "ReLU";
  protected readonly kernels = ["reluForward", "reluBackward"] as const;
  protected override doubleBackward(_x: Tensor, y: Tensor): (g: Tensor) => Tensor {
    return (g) => mul(g, constantOf(y, (v) => (v > 0 ? 1 : 0)));
  }
}

export interface LeakyReLUOptions {
  negativeSlope?: number;
}

export class LeakyReLU extends Activation {
  static override readonly moduleName: string = "LeakyReLU";
  readonly negativeSlope: number;
  constructor(options?: LeakyReLUOptions) {
    super();
    const { negativeSlope = 0.01 } = optionsArg("LeakyReLU", options, ["negativeSlope"]) as LeakyReLUOptions;
    this.negativeSlope = finite("LeakyReLU", "negativeSlope", negativeSlope);
  }
  override describe(): string {
    return `LeakyReLU(negativeSlope=${this.negativeSlope})`;
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
  protected forwardKernel(x: Tensor, y: Tensor): void {
    backend().leakyReluForward(x, y, x.size, this.negativeSlope);
  }
  protected backwardKernel(x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor, acc: number): void {
    backend().leakyReluBackward(x, dy, dx, x.size, this.negativeSlope, acc);
  }
  protected override doubleBackward(x: Tensor): (g: Tensor) => Tensor {
    const slope = this.negativeSlope;
    return (g) => mul(g, constantOf(x, (v) => (v > 0 ? 1 : slope)));
  }
}

export class Tanh extends OutputActivation {
  static override readonly moduleName: string = "Tanh";
  protected readonly kernels = ["tanhForward", "tanhBackward"] as const;
  protected override doubleBackward(_x: Tensor, y: Tensor): (g: Tensor) => Tensor {
    return (g) => mul(g, add(neg(mul(y, y)), 1));
  }
}

export class Sigmoid extends OutputActivation {
  static override readonly moduleName: string = "Sigmoid";
  protected readonly kernels = ["sigmoidForward", "sigmoidBackward"] as const;
  protected override doubleBackward(_x: Tensor, y: Tensor): (g: Tensor) => Tensor {
    return (g) => mul(g, mul(y, add(neg(y), 1)));
  }
}

export interface GELUOptions {
  /** 'none': x·Φ(x) with the exact erf (default); 'tanh': ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
  approximate?: "none" | "tanh";
}

/** GELU(x) = x·Φ(x) (PyTorch's default approximate='none') or its tanh approximation. */
export class GELU extends Activation {
  static override readonly moduleName: string = "GELU";
  readonly approximate: "none" | "tanh";
  constructor(options?: GELUOptions) {
    super();
    const { approximate = "none" } = optionsArg("GELU", options, ["approximate"]) as GELUOptions;
    if (approximate !== "none" && approximate !== "tanh") {
      throw new (typeof approximate === "string" ? RangeError : TypeError)(`GELU: approximate must be 'none' or 'tanh', got ${describeValue(approximate)} (approximate argument must be either none or tanh.)`);
    }
    this.approximate = approximate;
  }
  override describe(): string {
    return this.approximate === "tanh" ? "GELU(approximate='tanh')" : "GELU()";
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
  protected forwardKernel(x: Tensor, y: Tensor): void {
    if (this.approximate === "tanh") backend().geluTanhForward(x, y, x.size);
    else backend().geluForward(x, y, x.size);
  }
  protected backwardKernel(x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor, acc: number): void {
    if (this.approximate === "tanh") backend().geluTanhBackward(x, dy, dx, dy.size, acc);
    else backend().geluBackward(x, dy, dx, dy.size, acc);
  }
}
