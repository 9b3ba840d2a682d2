// In-place operations (PyTorch's trailing underscore): they write into their
// first argument and return it, record no graph (for initialisation, data
// and optimizer code), and bump its version counter so a graph that saved it
// refuses to backpropagate (PyTorch's "modified by an inplace operation").
import { Tensor, shapeToString, sameShape } from "../tensor.js";
import { isGradEnabled } from "../autograd/grad_mode.js";
import { OP, U, binary, copyStrided, unary } from "./kernels.js";
import { broadcastShapes, broadcastStrides, contiguousStrides } from "./iterator.js";
import { checkNumber, checkOperand, checkOptions, checkTensor } from "./common.js";
import { clampBounds, type ClampOptions } from "./elementwise.js";

function target(what: string, t: Tensor): void {
  checkTensor(what, t, "self");
  if (isGradEnabled() && t.requiresGrad && t.gradFn === null) {
    throw new Error(
      `${what}: a leaf Variable that requires grad is being used in an in-place operation. ` +
        "(Wrap the update in noGrad(() => …), as optimizers and initializers do.)",
    );
  }
}

function checkBroadcastInto(what: string, t: Tensor, other: Tensor): void {
  const shape = broadcastShapes(what, t.shape, other.shape);
  if (!sameShape(shape, t.shape)) {
    throw new RangeError(
      `${what}: output with shape ${shapeToString(t.shape)} doesn't match the broadcast shape ${shapeToString(shape)}`,
    );
  }
}

function arith(what: string, op: number, t: Tensor, other: Tensor | number, alpha = 1): Tensor {
  target(what, t);
  checkOperand(what, other, "other");
  if (typeof other !== "number") checkBroadcastInto(what, t, other);
  if (typeof other === "number") {
    if (op === OP.ADD) unary(U.ADD_SCALAR, t, t, alpha * other);
    else if (op === OP.SUB) unary(U.ADD_SCALAR, t, t, -alpha * other);
    else if (op === OP.MUL) unary(U.MUL_SCALAR, t, t, other);
    else unary(U.DIV_SCALAR, t, t, other);
  } else binary(op, t, t, other, alpha);
  t.bumpVersion();
  return t;
}

function alphaOf(what: string, options: { alpha?: number } | undefined): number {
  checkOptions(what, options);
  const alpha = options?.alpha ?? 1;
  checkNumber(what, alpha, "alpha");
  return alpha;
}

export function add_<T extends Tensor>(t: T, other: Tensor | number, options?: { alpha?: number }): T {
  return arith("add_", OP.ADD, t, other, alphaOf("add_", options)) as T;
}

export function sub_<T extends Tensor>(t: T, other: Tensor | number, options?: { alpha?: number }): T {
  return arith("sub_", OP.SUB, t, other, alphaOf("sub_", options)) as T;
}

export function mul_<T extends Tensor>(t: T, other: Tensor | number): T {
  return arith("mul_", OP.MUL, t, other) as T;
}

export function div_<T extends Tensor>(t: T, other: Tensor | number): T {
  return arith("div_", OP.DIV, t, other) as T;
}

/** Copies src (broadcast to t's shape) into t. */
export function copy_<T extends Tensor>(t: T, src: Tensor): T {
  const what = "copy_";
  target(what, t);
  checkTensor(what, src, "src");
  checkBroadcastInto(what, t, src);
  if (src === t) return t;
  copyStrided(t.shape, t, contiguousStrides(t.shape), 0, src, broadcastStrides(src.shape, t.shape), 0, 0);
  t.bumpVersion();
  return t;
}

export function fill_<T extends Tensor>(t: T, value: number): T {
  const what = "fill_";
  target(what, t);
  if (typeof value !== "number") throw new TypeError(`${what}: value must be a number, got ${String(value)}`);
  t.data.fill(value);
  t.bumpVersion();
  return t;
}

export function clamp_<T extends Tensor>(t: T, options: ClampOptions): T {
  const what = "clamp_";
  target(what, t);
  const [lo, hi] = clampBounds(what, options);
  unary(U.CLAMP, t, t, lo, hi);
  t.bumpVersion();
  return t;
}
