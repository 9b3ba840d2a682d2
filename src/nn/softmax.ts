// Softmax and LogSoftmax over one dimension (PyTorch's F.softmax,
// F.log_softmax and the modules), forward and backward as fused kernels.
import { Tensor, nnMethods } from "../tensor.js";
import { Module } from "./module.js";
import { sinkFor } from "./autograd.js";
import { softmaxBackward, softmaxForward } from "./new_kernels.js";
import { checkTensorArg, normalizeDim, output, recordOp } from "./op_helpers.js";
import { describe as describeValue, optionsArg } from "../validate.js";

/** PyTorch's implicit dim (deprecated there): 0 for 0-, 1- and 3-d inputs, else 1. */
function implicitDim(ndim: number): number {
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

function softmaxAlong(what: string, x: Tensor, dim: number | null | undefined, log: boolean): Tensor {
  checkTensorArg(what, x);
  const d = normalizeDim(what, dim ?? implicitDim(x.ndim), x.ndim);
  const shape = x.shape;
  const C = shape.length ? shape[d] : 1;
  const outer = shape.slice(0, d).reduce((a, b) => a * b, 1);
  const inner = shape.slice(d + 1).reduce((a, b) => a * b, 1);
  const y = output(shape);
  if (y.size > 0) softmaxForward(x, y, outer, C, inner, log);
  recordOp(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", [x], y, [y], (dy, node) => {
    const dx = sinkFor(node, 0);
    if (dx && y.size > 0) softmaxBackward(y, dy, dx.tensor, outer, C, inner, log, dx.acc);
  });
  return y;
}

/** e^x / Σ e^x along `dim` (PyTorch's F.softmax). */
export function softmax(x: Tensor, dim?: number | null): Tensor {
  return softmaxAlong("softmax", x, dim, false);
}

/** x − ln Σ e^x along `dim`, computed stably (PyTorch's F.log_softmax). */
export function logSoftmax(x: Tensor, dim?: number | null): Tensor {
  return softmaxAlong("logSoftmax", x, dim, true);
}

export interface SoftmaxOptions {
  /** The dimension that sums to 1 (null: PyTorch's implicit choice). */
  dim?: number | null;
}

function checkDimOption(what: string, dim: unknown): number | null {
  if (dim === undefined || dim === null) return null;
  if (typeof dim !== "number" || !Number.isInteger(dim)) throw new (typeof dim === "number" ? RangeError : TypeError)(`${what}: dim must be an integer or null, got ${describeValue(dim)}`);
  return dim;
}

/** Softmax and LogSoftmax: the dim option, its repr, and the function applied along it. */
abstract class AlongDim extends Module {
  readonly dim: number | null;
  readonly #apply: (x: Tensor, dim: number | null) => Tensor;
  constructor(what: string, options: SoftmaxOptions | undefined, apply: (x: Tensor, dim: number | null) => Tensor) {
    super();
    const { dim } = optionsArg(what, options, ["dim"]) as SoftmaxOptions;
    this.dim = checkDimOption(what, dim);
    this.#apply = apply;
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? "None"}`;
  }
  override forward(x: Tensor): Tensor {
    return this.#apply(x, this.dim);
  }
}

export class Softmax extends AlongDim {
  static override readonly moduleName: string = "Softmax";
  constructor(options?: SoftmaxOptions) {
    super("Softmax", options, softmax);
  }
}

export class LogSoftmax extends AlongDim {
  static override readonly moduleName: string = "LogSoftmax";
  constructor(options?: SoftmaxOptions) {
    super("LogSoftmax", options, logSoftmax);
  }
}

nnMethods.softmax = softmax;
nnMethods.logSoftmax = logSoftmax;
