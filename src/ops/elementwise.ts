// Elementwise operations with PyTorch's broadcasting: arithmetic, the
// activations, clamp, maximum/minimum, where. Each returns a new tensor and
// records its backward (PyTorch's derivatives.yaml formulas) when an input
// requires grad.
import { Tensor, sameShape, type Shape } from "../tensor.js";
import { Node, needsGrad, record, savedFor, sinkFor, wantsGrad } from "../autograd/node.js";
import {
  OP, TER, U, binary, ternary, unary, unaryBackward, activation, activationBackward, leakyRelu as leakyReluKernel,
  leakyReluBackward, type Activation,
} from "./kernels.js";
import { broadcastShapes } from "./iterator.js";
import { sumTo } from "./reduce.js";
import { checkOperand, checkTensor, checkNumber, checkOptions, intoSink, result, sumToSink, describeValue } from "./common.js";

type Operand = Tensor | number;

function shapeOf(x: Operand): Shape {
  return typeof x === "number" ? [] : x.shape;
}

function outShape(what: string, a: Operand, b: Operand): Shape {
  if (typeof b === "number") return shapeOf(a);
  if (typeof a === "number") return b.shape;
  return sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(what, a.shape, b.shape);
}

/** The gradient g·(factor) of a broadcast input, into input i's sink: factor computed by `scale(dst, g)` at the output's shape. */
function gradThrough(node: Node, i: number, input: Tensor, g: Tensor, scale: ((dst: Tensor) => void) | null): void {
  const sink = sinkFor(node, i);
  if (!sink) return;
  if (!scale) {
    sumToSink(g, input.shape, sink);
    return;
  }
  if (sameShape(input.shape, g.shape)) {
    intoSink(sink, scale);
    return;
  }
  const tmp = new Tensor(g.shape);
  try {
    scale(tmp);
    sumToSink(tmp, input.shape, sink);
  } finally {
    tmp.dispose();
  }
}

function tensors(...xs: Operand[]): Tensor[] {
  return xs.filter((x): x is Tensor => x instanceof Tensor);
}

function checkAlpha(what: string, options: { alpha?: number } | undefined): number {
  checkOptions(what, options);
  const alpha = options?.alpha ?? 1;
  checkNumber(what, alpha, "alpha");
  return alpha;
}

/**
 * Checks a and b and computes out = op(a, b) at their broadcast shape: a
 * number b through `scalar` (a unary kernel with b as its parameter), a tensor
 * through the binary kernel `op`.
 */
function binaryResult(what: string, a: Tensor, b: Operand, bName: string, op: number, scalar: (out: Tensor, b: number) => void): [Shape, Tensor] {
  checkTensor(what, a);
  checkOperand(what, b, bName);
  const shape = outShape(what, a, b);
  const out = result(shape);
  if (typeof b === "number") scalar(out, b);
  else binary(op, out, a, b);
  return [shape, out];
}

// ---------------------------------------------------------------- arithmetic

function addSub(what: string, sign: 1 | -1, a: Tensor, b: Operand, options?: { alpha?: number }): Tensor {
  checkTensor(what, a);
  checkOperand(what, b, "other");
  const alpha = checkAlpha(what, options);
  const shape = outShape(what, a, b);
  const out = result(shape);
  if (typeof b === "number") unary(U.ADD_SCALAR, a, out, sign * alpha * b);
  else binary(sign > 0 ? OP.ADD : OP.SUB, out, a, b, alpha);
  record(out, tensors(a, b), () => {
    const node: Node = new Node(sign > 0 ? "AddBackward0" : "SubBackward0", tensors(a, b), shape, () => {
      const g = node.grad!;
      gradThrough(node, 0, a, g, null);
      if (b instanceof Tensor && wantsGrad(node, 1)) {
        const k = sign * alpha;
        gradThrough(node, 1, b, g, k === 1 ? null : (dst) => unary(U.MUL_SCALAR, g, dst, k));
      }
    });
    node.diff = (g) => [
      wantsGrad(node, 0) ? sumTo(g, a.shape) : null,
      b instanceof Tensor && wantsGrad(node, 1) ? sumTo(sign * alpha === 1 ? g : mul(g, sign * alpha), b.shape) : null,
    ];
    return node;
  });
  return out;
}

/** a + alpha·b (b a tensor or a number), broadcast. */
export function add(a: Tensor, b: Operand, options?: { alpha?: number }): Tensor {
  return addSub("add", 1, a, b, options);
}

/** a − alpha·b, broadcast. */
export function sub(a: Tensor, b: Operand, options?: { alpha?: number }): Tensor {
  return addSub("sub", -1, a, b, options);
}

/** What tells a·b from a/b: the kernels, and b's gradient (a's is g·b or g/b, the op itself). */
interface Product {
  node: string;
  scalarOp: number;
  op: number;
  /** Whether b's gradient reads b (both read a): PyTorch saves only what backward will read. */
  bReadsB: boolean;
  gradB(dst: Tensor, g: Tensor, a: Tensor, b: Tensor): void;
  /** b's gradient as differentiable operations (createGraph). */
  diffB(g: Tensor, a: Tensor, b: Tensor): Tensor;
}

const MUL: Product = {
  node: "MulBackward0", scalarOp: U.MUL_SCALAR, op: OP.MUL, bReadsB: false,
  gradB: (dst, g, a) => binary(OP.MUL, dst, g, a),
  diffB: (g, a) => mul(g, a),
};
const DIV: Product = {
  node: "DivBackward0", scalarOp: U.DIV_SCALAR, op: OP.DIV, bReadsB: true,
  gradB: (dst, g, a, b) => ternary(TER.DIV_GRAD_B, dst, g, a, b),
  // −g·a/b²
  diffB: (g, a, b) => neg(div(mul(g, a), mul(b, b))),
};

function product(what: string, p: Product, self: (x: Tensor, y: Operand) => Tensor, a: Tensor, b: Operand): Tensor {
  const [shape, out] = binaryResult(what, a, b, "other", p.op, (o, k) => unary(p.scalarOp, a, o, k));
  const inputs = tensors(a, b);
  record(out, inputs, () => {
    // a is read by b's gradient, b by a's (and by its own for division)
    const saved = typeof b === "number" ? [] : savedFor([a, b], [needsGrad(b), p.bReadsB || needsGrad(a)]);
    const node: Node = new Node(p.node, inputs, shape, () => {
      const g = node.grad!;
      if (typeof b === "number") {
        gradThrough(node, 0, a, g, (dst) => unary(p.scalarOp, g, dst, b));
        return;
      }
      if (wantsGrad(node, 0)) gradThrough(node, 0, a, g, (dst) => binary(p.op, dst, g, b));
      if (wantsGrad(node, 1)) gradThrough(node, 1, b, g, (dst) => p.gradB(dst, g, a, b));
    }, saved);
    node.diff = (g) => [
      wantsGrad(node, 0) ? sumTo(self(g, b), a.shape) : null,
      b instanceof Tensor && wantsGrad(node, 1) ? sumTo(p.diffB(g, a, b), b.shape) : null,
    ];
    return node;
  });
  return out;
}

/** a·b, broadcast. */
export function mul(a: Tensor, b: Operand): Tensor {
  return product("mul", MUL, mul, a, b);
}

/** a / b (true division), broadcast. */
export function div(a: Tensor, b: Operand): Tensor {
  return product("div", DIV, div, a, b);
}

/** a^exponent (a tensor or a number exponent), broadcast. */
export function pow(a: Tensor, exponent: Operand): Tensor {
  const what = "pow";
  const [shape, out] = binaryResult(what, a, exponent, "exponent", OP.POW, (o, k) => unary(U.POW_SCALAR, a, o, k));
  const saved = tensors(a, exponent, out);
  record(out, tensors(a, exponent), () => {
    const node: Node = new Node("PowBackward0", tensors(a, exponent), shape, () => {
      const g = node.grad!;
      if (typeof exponent === "number") {
        gradThrough(node, 0, a, g, (dst) => unaryBackward(U.POW_SCALAR, a, out, g, dst, 0, exponent));
        return;
      }
      if (wantsGrad(node, 0)) gradThrough(node, 0, a, g, (dst) => ternary(TER.POW_GRAD_BASE, dst, g, a, exponent));
      if (wantsGrad(node, 1)) gradThrough(node, 1, exponent, g, (dst) => ternary(TER.POW_GRAD_EXP, dst, g, a, exponent));
    }, saved);
    // g·e·a^(e−1) (0 for e = 0); a tensor exponent has no double backward here
    if (typeof exponent === "number") node.diff = (g) => [exponent === 0 ? mul(g, 0) : mul(g, mul(pow(a, exponent - 1), exponent))];
    return node;
  });
  return out;
}

function unaryOp(what: string, op: number, x: Tensor, p = 0, q = 0, save: "x" | "y" | "xy" | "none" = "x"): Tensor {
  checkTensor(what, x);
  const out = result(x.shape);
  unary(op, x, out, p, q);
  const saved = save === "none" ? [] : save === "x" ? [x] : save === "y" ? [out] : [x, out];
  record(out, [x], () => {
    const node: Node = new Node(`${what[0].toUpperCase()}${what.slice(1)}Backward0`, [x], x.shape, () => {
      const s = sinkFor(node, 0);
      if (s) unaryBackward(op, x, out, node.grad!, s.tensor, s.acc, p, q);
    }, saved);
    node.diff = UNARY_DIFF[what] ? (g) => [UNARY_DIFF[what](g, x, out)] : null;
    return node;
  });
  return out;
}

/** The unary operations' gradients as differentiable operations (createGraph), given g, the input and the output. */
const UNARY_DIFF: Record<string, (g: Tensor, x: Tensor, y: Tensor) => Tensor> = {
  neg: (g) => neg(g),
  exp: (g, _x, y) => mul(g, y),
  log: (g, x) => div(g, x),
  sqrt: (g, _x, y) => div(g, mul(y, 2)),
  rsqrt: (g, _x, y) => mul(mul(g, pow(y, 3)), -0.5),
  square: (g, x) => mul(mul(g, x), 2),
  abs: (g, x) => mul(g, constantOf(x, (v) => (v > 0 ? 1 : v < 0 ? -1 : 0))),
};

/** A tensor of f(x) outside the graph (a derivative's piecewise-constant factor: sign, masks). */
export function constantOf(x: Tensor, f: (v: number) => number): Tensor {
  const out = result(x.shape);
  const src = x.data;
  const dst = out.data;
  for (let i = 0; i < dst.length; i++) dst[i] = f(src[i]);
  return out;
}

export const neg = (x: Tensor): Tensor => unaryOp("neg", U.NEG, x, 0, 0, "none");
export const exp = (x: Tensor): Tensor => unaryOp("exp", U.EXP, x, 0, 0, "y");
export const log = (x: Tensor): Tensor => unaryOp("log", U.LOG, x, 0, 0, "x");
export const sqrt = (x: Tensor): Tensor => unaryOp("sqrt", U.SQRT, x, 0, 0, "y");
export const rsqrt = (x: Tensor): Tensor => unaryOp("rsqrt", U.RSQRT, x, 0, 0, "y");
export const abs = (x: Tensor): Tensor => unaryOp("abs", U.ABS, x, 0, 0, "x");
export const square = (x: Tensor): Tensor => unaryOp("square", U.SQUARE, x, 0, 0, "x");

export interface ClampOptions {
  min?: number | null;
  max?: number | null;
}

export function clampBounds(what: string, options: ClampOptions | undefined): [number, number] {
  checkOptions(what, options);
  const lo = options?.min ?? null;
  const hi = options?.max ?? null;
  if (lo === null && hi === null) throw new RangeError(`${what}: At least one of 'min' or 'max' must not be None`);
  if (lo !== null) checkNumber(what, lo, "min");
  if (hi !== null) checkNumber(what, hi, "max");
  return [lo ?? -Infinity, hi ?? Infinity];
}

/** min(max(x, min), max) (PyTorch's clamp; min > max gives max everywhere). */
export function clamp(x: Tensor, options: ClampOptions): Tensor {
  const [lo, hi] = clampBounds("clamp", options);
  return unaryOp("clamp", U.CLAMP, x, lo, hi, "x");
}

function minMax(what: string, a: Tensor, b: Operand, isMax: boolean): Tensor {
  const [shape, out] = binaryResult(what, a, b, "other", isMax ? OP.MAXIMUM : OP.MINIMUM, (o, k) =>
    unary(U.CLAMP, a, o, isMax ? k : -Infinity, isMax ? Infinity : k));
  const saved = tensors(a, b);
  record(out, saved, () => {
    const op = isMax ? TER.MAX_GRAD : TER.MIN_GRAD;
    const node: Node = new Node(isMax ? "MaximumBackward0" : "MinimumBackward0", saved, shape, () => {
      const g = node.grad!;
      if (wantsGrad(node, 0)) gradThrough(node, 0, a, g, (dst) => ternary(op, dst, g, a, b));
      if (b instanceof Tensor && wantsGrad(node, 1)) gradThrough(node, 1, b, g, (dst) => ternary(op, dst, g, b, a));
    }, saved);
    return node;
  });
  return out;
}

/** The larger of a and b elementwise (NaN propagates; ties split the gradient in half, as PyTorch). */
export function maximum(a: Tensor, b: Operand): Tensor {
  return minMax("maximum", a, b, true);
}

export function minimum(a: Tensor, b: Operand): Tensor {
  return minMax("minimum", a, b, false);
}

/** cond ≠ 0 ? a : b, all three broadcast together (cond: a tensor of 0/1 values; a, b tensors or numbers). */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const what = "where";
  checkTensor(what, cond, "condition");
  checkOperand(what, a, "input");
  checkOperand(what, b, "other");
  const shape = broadcastShapes(what, broadcastShapes(what, cond.shape, shapeOf(a)), shapeOf(b));
  const out = result(shape);
  ternary(TER.WHERE, out, cond, a, b);
  const inputs = tensors(a, b);
  record(out, inputs, () => {
    const node: Node = new Node("WhereBackward0", inputs, shape, () => {
      const g = node.grad!;
      let k = 0;
      if (a instanceof Tensor) {
        if (wantsGrad(node, k)) gradThrough(node, k, a, g, (dst) => ternary(TER.WHERE, dst, cond, g, 0));
        k++;
      }
      if (b instanceof Tensor && wantsGrad(node, k)) gradThrough(node, k, b, g, (dst) => ternary(TER.WHERE, dst, cond, 0, g));
    }, [cond]);
    return node;
  });
  return out;
}

// ---------------------------------------------------------------- activations

function act(what: string, name: string, kind: Activation, x: Tensor): Tensor {
  checkTensor(what, x);
  const out = result(x.shape);
  activation(kind, x, out);
  const savedX = kind === "gelu" || kind === "geluTanh";
  record(out, [x], () => {
    const node: Node = new Node(name, [x], x.shape, () => {
      const s = sinkFor(node, 0);
      if (s) activationBackward(kind, savedX ? x : out, node.grad!, s.tensor, s.acc);
    }, [savedX ? x : out]);
    // relu: g·[y > 0]; tanh: g·(1 − y²); sigmoid: g·y·(1 − y); GELU has no double backward here
    if (kind === "relu") node.diff = (g) => [mul(g, constantOf(out, (v) => (v > 0 ? 1 : 0)))];
    else if (kind === "tanh") node.diff = (g) => [mul(g, add(neg(mul(out, out)), 1))];
    else if (kind === "sigmoid") node.diff = (g) => [mul(g, mul(out, add(neg(out), 1)))];
    return node;
  });
  return out;
}

export const relu = (x: Tensor): Tensor => act("relu", "ReluBackward0", "relu", x);
export const tanh = (x: Tensor): Tensor => act("tanh", "TanhBackward0", "tanh", x);
export const sigmoid = (x: Tensor): Tensor => act("sigmoid", "SigmoidBackward0", "sigmoid", x);

/** GELU: x·Φ(x) (approximate 'none', the default) or the tanh approximation. */
export function gelu(x: Tensor, options?: { approximate?: "none" | "tanh" }): Tensor {
  checkOptions("gelu", options);
  const approximate = options?.approximate ?? "none";
  if (approximate !== "none" && approximate !== "tanh") {
    throw new RangeError(`gelu: approximate must be 'none' or 'tanh', got ${describeValue(approximate)} (approximate argument must be either none or tanh.)`);
  }
  return act("gelu", "GeluBackward0", approximate === "tanh" ? "geluTanh" : "gelu", x);
}

/** x for x > 0, negativeSlope·x otherwise (default slope 0.01). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const what = "leakyRelu";
  checkTensor(what, x);
  if (typeof negativeSlope !== "number" || !Number.isFinite(negativeSlope)) {
    throw new TypeError(`${what}: negativeSlope must be a finite number, got ${describeValue(negativeSlope)}`);
  }
  const out = result(x.shape);
  leakyReluKernel(x, out, negativeSlope);
  record(out, [x], () => {
    const node: Node = new Node("LeakyReluBackward0", [x], x.shape, () => {
      const s = sinkFor(node, 0);
      if (s) leakyReluBackward(x, node.grad!, s.tensor, negativeSlope, s.acc);
    }, [x]);
    node.diff = (g) => [mul(g, constantOf(x, (v) => (v > 0 ? 1 : negativeSlope)))];
    return node;
  });
  return out;
}
