// Dropout (inverted): in training, each element is kept with probability
// 1 − p and scaled by 1/(1 − p), else zeroed; in eval mode the identity.
import { Tensor } from "../tensor.js";
import { Module } from "./module.js";
import { pyFloat } from "./repr.js";
import { sinkFor } from "./autograd.js";
import { recordOp } from "./op_helpers.js";
import { backend } from "../backend/index.js";
import { bernoulli, type Generator } from "../random.js";
import { describe as describeValue, optionsArg } from "../validate.js";

export interface DropoutOptions {
  p?: number;
  /** The masks' generator (default: the default generator). */
  generator?: Generator;
}

export class Dropout extends Module {
  static override readonly moduleName: string = "Dropout";
  readonly p: number;
  readonly generator: Generator | undefined;

  constructor(options?: DropoutOptions) {
    super();
    const { p = 0.5, generator } = optionsArg("Dropout", options, ["p", "generator"]) as DropoutOptions;
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new (typeof p === "number" ? RangeError : TypeError)(`Dropout: p must be a probability in [0, 1], got ${describeValue(p)} (dropout probability has to be between 0 and 1, but got ${describeValue(p)})`);
    }
    this.p = p;
    this.generator = generator;
  }

  override describe(): string {
    return `Dropout(p=${this.p})`;
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }

  /** In eval mode (or p = 0) returns x itself; otherwise x·mask into a new (or recycled) buffer. */
  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    if (!this.training || this.p === 0) return x;
    const y = this.lend(x.shape);
    const mask = this.lend(x.shape);
    // The mask holds 1/(1 − p) for kept elements, so y = x·mask and dx = dy·mask.
    if (this.p === 1) mask.data.fill(0);
    else bernoulli(mask, 1 - this.p, { scale: 1 / (1 - this.p), generator: this.generator });
    backend().mulInto(x, mask, y, x.size, 0);
    const recorded = recordOp(this.describe(), [x], y, [mask], (dy, node) => {
      const dx = sinkFor(node, 0)!;
      backend().mulInto(dy, mask, dx.tensor, dy.size, dx.acc);
    });
    if (!recorded) this.recycle(mask);
    return y;
  }
}
