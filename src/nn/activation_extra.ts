// SiLU, Softplus and ELU: the functional forms (F.silu, F.softplus, F.elu)
// and their modules, each a SIMD kernel pair (assembly/activation.ts).
import { Tensor, nnMethods } from "../tensor.js";
import { Module } from "./module.js";
import { sinkFor } from "./autograd.js";
import { activationBackward, activationForward, type NewActivation } from "./new_kernels.js";
import { checkOptionsArg, checkTensorArg, output, recordOp } from "./op_helpers.js";
import { pyFloat, pyNumber } from "./repr.js";
import { finite } from "./activation.js";
import { optionsArg } from "../validate.js";

function apply(what: string, kind: NewActivation, x: Tensor, p: number, q: number, nodeName: string): Tensor {
  checkTensorArg(what, x);
  const y = output(x.shape);
  activationForward(kind, x, y, p, q);
  recordOp(nodeName, [x], y, [x], (dy, node) => {
    const dx = sinkFor(node, 0);
    if (dx) activationBackward(kind, x, dy, dx.tensor, p, q, dx.acc);
  });
  return y;
}

/** x·σ(x) (PyTorch's F.silu, also called swish). */
export function silu(x: Tensor): Tensor {
  return apply("silu", "silu", x, 0, 0, "SiluBackward0");
}

export interface SoftplusOptions {
  beta?: number;
  /** Above beta·x > threshold the result is x itself (default 20). */
  threshold?: number;
}

/** ln(1 + e^{βx})/β, reverting to x where βx > threshold (PyTorch's F.softplus). */
export function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  checkOptionsArg("softplus", options, ["beta", "threshold"]);
  const beta = finite("softplus", "beta", options.beta ?? 1);
  const threshold = finite("softplus", "threshold", options.threshold ?? 20);
  if (beta === 0) throw new RangeError("softplus: beta must not be 0");
  return apply("softplus", "softplus", x, beta, threshold, "SoftplusBackward0");
}

export interface ELUOptions {
  alpha?: number;
}

/** x for x > 0, α(e^x − 1) otherwise (PyTorch's F.elu). */
export function elu(x: Tensor, options: ELUOptions = {}): Tensor {
  checkOptionsArg("elu", options, ["alpha"]);
  const alpha = finite("elu", "alpha", options.alpha ?? 1);
  return apply("elu", "elu", x, alpha, 0, "EluBackward0");
}

export class SiLU extends Module {
  static override readonly moduleName: string = "SiLU";
  override forward(x: Tensor): Tensor {
    return silu(x);
  }
}

export class Softplus extends Module {
  static override readonly moduleName: string = "Softplus";
  readonly beta: number;
  readonly threshold: number;
  constructor(options?: SoftplusOptions) {
    super();
    const { beta = 1, threshold = 20 } = optionsArg("Softplus", options, ["beta", "threshold"]) as SoftplusOptions;
    this.beta = finite("Softplus", "beta", beta);
    this.threshold = finite("Softplus", "threshold", threshold);
    if (beta === 0) throw new RangeError("Softplus: beta must not be 0");
  }
  override extraRepr(): string {
    return `beta=${pyNumber(this.beta)}, threshold=${pyNumber(this.threshold)}`;
  }
  override forward(x: Tensor): Tensor {
    return softplus(x, { beta: this.beta, threshold: this.threshold });
  }
}

export class ELU extends Module {
  static override readonly moduleName: string = "ELU";
  readonly alpha: number;
  constructor(options?: ELUOptions) {
    super();
    const { alpha = 1 } = optionsArg("ELU", options, ["alpha"]) as ELUOptions;
    this.alpha = finite("ELU", "alpha", alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
  override forward(x: Tensor): Tensor {
    return elu(x, { alpha: this.alpha });
  }
}

nnMethods.silu = silu;
nnMethods.softplus = softplus;
nnMethods.elu = elu;
