// Dropout (inverted): in training, each element is kept with probability
// 1 − p and scaled by 1/(1 − p), else zeroed; in eval mode the identity.
import { Tensor } from "../tensor.js";
import { Module } from "./module.js";
import { Node, isGradEnabled, needsGrad, setGradFn, sinkFor } from "./autograd.js";
import { mulInto } from "./kernels.js";
import { bernoulli, type Generator } from "../random.js";

export interface DropoutOptions {
  p?: number;
  /** The masks' generator (default: the default generator). */
  generator?: Generator;
}

interface DropoutScratch {
  y: Tensor;
  mask: Tensor;
  dy: Tensor | null;
  version: number;
}

export class Dropout extends Module {
  readonly p: number;
  readonly generator: Generator | undefined;

  constructor({ p = 0.5, generator }: DropoutOptions = {}) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new RangeError(`Dropout: p must be a probability in [0, 1], got ${String(p)}`);
    }
    this.p = p;
    this.generator = generator;
  }

  override describe(): string {
    return `Dropout(p=${this.p})`;
  }

  /** In eval mode (or p = 0) returns x itself; otherwise x·mask into this module's buffer. */
  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    if (!this.training || this.p === 0) return x;
    const s = this.scratch<DropoutScratch>(x.shape, () => ({
      y: new Tensor(x.shape),
      mask: new Tensor(x.shape),
      dy: null,
      version: 0,
    }));
    s.version++;
    // The mask holds 1/(1 − p) for kept elements, so y = x·mask and dx = dy·mask.
    if (this.p === 1) s.mask.data.fill(0);
    else bernoulli(s.mask, 1 - this.p, { scale: 1 / (1 - this.p), generator: this.generator });
    mulInto(x, s.mask, s.y, 0);
    if (!(isGradEnabled() && needsGrad(x))) {
      setGradFn(s.y, null);
      return s.y;
    }
    const dy = (s.dy ??= new Tensor(x.shape));
    const node: Node = new Node(this.describe(), [x], dy, () => {
      const dx = sinkFor(node, 0)!;
      mulInto(dy, s.mask, dx.tensor, dx.acc);
    }, s);
    setGradFn(s.y, node);
    return s.y;
  }
}
