// Dropout2d (PyTorch's nn.Dropout2d / F.dropout2d): in training, each
// channel of each sample — a whole [H, W] plane of [N, C, H, W] (or an [L]
// row of a 3-D input, which PyTorch 1.13 reads as [N, C, L]) — is kept with
// probability 1 − p and scaled by 1/(1 − p), else zeroed; identity in eval.
import { backend } from "../backend/index.js";
import { Tensor, shapeToString } from "../tensor.js";
import { Module } from "./module.js";
import { pyFloat } from "./repr.js";
import { bernoulli, type Generator } from "../random.js";
import { describe as show, optionsArg } from "../validate.js";
import { computed, record, sinkFor } from "./conv_autograd.js";

export interface Dropout2dFunctionalOptions {
  p?: number;
  training?: boolean;
  generator?: Generator;
}

function checkP(where: string, p: unknown): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new (typeof p === "number" ? RangeError : TypeError)(`${where}: dropout probability has to be between 0 and 1, but got ${show(p)}`);
  }
  return p;
}

/** F.dropout2d: returns x itself when not training or p = 0. */
export function dropout2d(x: Tensor, options?: Dropout2dFunctionalOptions): Tensor {
  const fn = "dropout2d";
  const o = optionsArg(fn, options, ["p", "training", "generator"]);
  if (!(x instanceof Tensor)) throw new TypeError(`${fn}: input must be a Tensor, got ${show(x)}`);
  x.assertAlive(`${fn} (input)`);
  const p = checkP(fn, o.p ?? 0.5);
  const training = o.training ?? true;
  if (typeof training !== "boolean") throw new TypeError(`${fn}: training must be a boolean, got ${show(training)}`);
  if (x.ndim < 2) throw new RangeError(`${fn}: expected an input [N, C, *] of 3 or 4 dimensions, got shape ${shapeToString(x.shape)}`);
  if (!training || p === 0) return x;
  const planes = x.shape[0] * x.shape[1];
  const HW = x.size / planes || 0;
  const mask = computed([planes]);
  if (p === 1) mask.data.fill(0);
  else bernoulli(mask, 1 - p, { scale: 1 / (1 - p), generator: o.generator as Generator | undefined });
  const y = computed(x.shape);
  backend().scalePlanes(x, mask, y, planes, HW, 0);
  record("MulBackward0", y, [x], (node, dy) => {
    const dx = sinkFor(node, 0)!;
    backend().scalePlanes(dy, mask, dx.tensor, planes, HW, dx.acc);
  }, [mask]);
  return y;
}

export interface Dropout2dOptions {
  p?: number;
  generator?: Generator;
}

export class Dropout2d extends Module {
  static override readonly moduleName: string = "Dropout2d";
  readonly p: number;
  readonly generator: Generator | undefined;

  constructor(options: Dropout2dOptions = {}) {
    super();
    const o = optionsArg("Dropout2d", options, ["p", "generator"]);
    this.p = checkP("Dropout2d", o.p === undefined ? 0.5 : o.p);
    this.generator = o.generator as Generator | undefined;
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }

  override describe(): string {
    return `Dropout2d(p=${this.p})`;
  }

  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    const y = dropout2d(x, { p: this.p, training: this.training, generator: this.generator });
    return y;
  }
}
