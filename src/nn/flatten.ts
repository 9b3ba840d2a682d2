// Flatten: merges dimensions startDim..endDim (default: all but the batch).
// Tensors have no views, so a reshaping copy goes to a buffer the module lends;
// when nothing merges, x itself is returned.
import { Tensor, shapeToString } from "../tensor.js";
import { Module } from "./module.js";
import { sinkFor } from "./autograd.js";
import { recordOp } from "./op_helpers.js";
import { backend } from "../backend/index.js";
import { describe as describeValue, optionsArg } from "../validate.js";

export interface FlattenOptions {
  startDim?: number;
  endDim?: number;
}

export class Flatten extends Module {
  static override readonly moduleName: string = "Flatten";
  readonly startDim: number;
  readonly endDim: number;

  constructor(options?: FlattenOptions) {
    super();
    const { startDim = 1, endDim = -1 } = optionsArg("Flatten", options, ["startDim", "endDim"]) as FlattenOptions;
    for (const [name, v] of [["startDim", startDim], ["endDim", endDim]] as const) {
      if (!Number.isInteger(v)) throw new (typeof v === "number" ? RangeError : TypeError)(`Flatten: ${name} must be an integer, got ${describeValue(v)}`);
    }
    this.startDim = startDim;
    this.endDim = endDim;
  }

  override describe(): string {
    return `Flatten(startDim=${this.startDim}, endDim=${this.endDim})`;
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }

  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    const n = Math.max(x.ndim, 1);
    const start = this.startDim < 0 ? this.startDim + n : this.startDim;
    const end = this.endDim < 0 ? this.endDim + n : this.endDim;
    if (start < 0 || start >= n || end < 0 || end >= n || start > end) {
      // ... then PyTorch's words (IndexError for a dimension, RuntimeError for the order).
      const bad = start < 0 || start >= n ? this.startDim : end < 0 || end >= n ? this.endDim : null;
      const torchText = bad === null
        ? "flatten() has invalid args: start_dim cannot come after end_dim"
        : `Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${bad})`;
      throw new RangeError(`${this.describe()}: dimensions out of range for an input of shape ${shapeToString(x.shape)} (${torchText})`);
    }
    // A 0-d input becomes [1], as torch.flatten does; otherwise nothing to merge returns x.
    if (end - start < 1 && x.ndim > 0) return x;
    const shape =
      x.ndim === 0
        ? [1]
        : [...x.shape.slice(0, start), x.shape.slice(start, end + 1).reduce((a, b) => a * b, 1), ...x.shape.slice(end + 1)];
    const y = this.lend(shape);
    backend().scaleInto(x, y, x.size, 1, 0);
    recordOp(this.describe(), [x], y, [], (dy, node) => {
      const dx = sinkFor(node, 0)!;
      backend().scaleInto(dy, dx.tensor, dy.size, 1, dx.acc);
    });
    return y;
  }
}
