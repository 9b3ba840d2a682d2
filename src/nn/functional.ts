// torch.nn.functional as `F` (also `nn.functional`): the tensor operations
// as functions (the same as the Tensor methods), and the functional layers
// (linear, layerNorm, dropout). Losses and the other activations are added
// beside them.
import { Tensor, shapeToString } from "../tensor.js";
import { Node, record, sinkFor, wantsGrad, zeroUnlessAccumulating } from "../autograd/node.js";
import { result } from "../lifetime.js";
import { bernoulli, type Generator } from "../random.js";
import { OP, binary } from "../ops/kernels.js";
import { backend } from "../backend/index.js";
import { positionOf } from "./module.js";

export {
  add, sub, mul, div, neg, pow, exp, log, sqrt, rsqrt, abs, square, clamp, maximum, minimum, where, relu, tanh, sigmoid, gelu, leakyRelu,
  sum, mean, amax, amin, variance as var, std, norm, argmax, argmin,
  reshape, view, flatten, squeeze, unsqueeze, detach, contiguous, permute, transpose, t, expand, narrow, split, chunk, cat, stack, indexSelect,
  matmul, linear,
  add_, sub_, mul_, div_, copy_, fill_, clamp_,
  type ReduceOptions, type VarOptions, type NormOptions, type ArgOptions, type ClampOptions, type IndexLike,
} from "../ops/index.js";

// The losses, softmax and the other activations (written with the modules).
export * from "./functional_extra.js";

export interface DropoutOptions {
  /** The probability of zeroing an element (default 0.5). */
  p?: number;
  /** Dropout is applied only when true (default true, as PyTorch's F.dropout). */
  training?: boolean;
  generator?: Generator;
}

/** Inverted dropout: each element zeroed with probability p, the others scaled by 1/(1 − p); x itself when not training or p = 0. */
export function dropout(x: Tensor, options: DropoutOptions = {}): Tensor {
  const what = "dropout";
  if (!(x instanceof Tensor)) throw new TypeError(`${what}: input must be a Tensor, got ${String(x)}`);
  x.assertAlive(what);
  const { p = 0.5, training = true, generator } = options;
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new RangeError(`${what}: p must be a probability in [0, 1], got ${String(p)} (dropout probability has to be between 0 and 1, but got ${String(p)})`);
  }
  if (typeof training !== "boolean") throw new TypeError(`${what}: training must be a boolean, got ${String(training)}`);
  if (!training || p === 0) return x;
  const mask = result(x.shape);
  if (p === 1) mask.data.fill(0);
  else bernoulli(mask, 1 - p, { scale: 1 / (1 - p), generator });
  const y = result(x.shape);
  binary(OP.MUL, y, x, mask);
  record(y, [x], () => {
    const node: Node = new Node("MulBackward0", [x], x.shape, () => {
      const s = sinkFor(node, 0);
      if (!s) return;
      if (!s.acc) binary(OP.MUL, s.tensor, node.grad!, mask);
      else {
        const tmp = new Tensor(x.shape);
        binary(OP.MUL, tmp, node.grad!, mask);
        binary(OP.ADD, s.tensor, s.tensor, tmp);
        tmp.dispose();
      }
    }, [mask]);
    return node;
  });
  return y;
}

export interface LayerNormOptions {
  eps?: number;
}

/**
 * Layer normalisation over the trailing `normalizedShape` dimensions (mean
 * and biased variance per row), then weight·x̂ + bias when given: one fused
 * kernel forward and one backward.
 */
export function layerNorm(
  x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, options: LayerNormOptions = {},
): Tensor {
  const what = "layerNorm";
  if (!(x instanceof Tensor)) throw new TypeError(`${what}: input must be a Tensor, got ${String(x)}`);
  x.assertAlive(what);
  const ns = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(ns) || ns.some((d) => typeof d !== "number" || !Number.isInteger(d) || d < 0)) {
    throw new TypeError(`${what}: normalizedShape must be an integer or a list of integers, got ${JSON.stringify(normalizedShape)}`);
  }
  const { eps = 1e-5 } = options;
  if (typeof eps !== "number" || !(eps >= 0)) throw new RangeError(`${what}: eps must be a non-negative number, got ${String(eps)}`);
  const k = ns.length;
  if (x.ndim < k || ns.some((d, i) => x.shape[x.ndim - k + i] !== d)) {
    throw new RangeError(
      `${what}: Given normalized_shape=${shapeToString(ns)}, expected input with shape [*, ${ns.join(", ")}], but got input of size${shapeToString(x.shape)}`,
    );
  }
  for (const [name, p] of [["weight", weight], ["bias", bias]] as const) {
    if (p === undefined || p === null) continue;
    if (!(p instanceof Tensor)) throw new TypeError(`${what}: ${name} must be a Tensor or null, got ${String(p)}`);
    p.assertAlive(`${what} (${name})`);
    if (p.ndim !== k || ns.some((d, i) => p.shape[i] !== d)) {
      throw new RangeError(`${what}: ${name} must have shape ${shapeToString(ns)}, got ${shapeToString(p.shape)}`);
    }
  }
  const w = weight ?? null;
  const b = bias ?? null;
  const D = ns.reduce((a, c) => a * c, 1);
  const rows = D === 0 ? 0 : x.size / D;
  const y = result(x.shape);
  const mean = result([Math.max(rows, 1)]);
  const rstd = result([Math.max(rows, 1)]);
  // The kernel takes weight and bias together; one alone uses a neutral partner.
  const wk = w ?? (b ? fullOf(ns, 1) : null);
  const bk = b ?? (w ? fullOf(ns, 0) : null);
  const bad = rows > 0 ? backend().layerNormForward(x, rows, D, wk, bk, y, mean, rstd, eps) : -1;
  if (bad >= 0) {
    const i = backend().firstNaN(x, x.size);
    throw new RangeError(`${what}: input contains ${i >= 0 ? `NaN at ${positionOf(x.shape, i)}` : `an infinite value in row ${bad}`}`);
  }
  const inputs = [x, ...(w ? [w] : []), ...(b ? [b] : [])];
  record(y, inputs, () => {
    const node: Node = new Node("NativeLayerNormBackward0", inputs, x.shape, () => {
      const iw = w ? 1 : -1;
      const ib = b ? (w ? 2 : 1) : -1;
      const dw = iw > 0 ? zeroUnlessAccumulating(sinkFor(node, iw)) : null;
      const db = ib > 0 ? zeroUnlessAccumulating(sinkFor(node, ib)) : null;
      const dx = wantsGrad(node, 0) ? sinkFor(node, 0) : null;
      if (rows === 0) return;
      // With only one of weight / bias, the kernel's other gradient goes to scratch.
      const scratch = (!dw && wk) || (!db && bk) ? new Tensor(ns) : null;
      backend().layerNormBackward(x, node.grad!, rows, D, mean, rstd, wk, dx?.tensor ?? null, dx?.acc ?? 0, dw ?? (wk ? scratch : null), db ?? (bk ? scratch : null), 1);
      scratch?.dispose();
    }, [x, mean, rstd, ...(wk && !w ? [wk] : []), ...(bk && !b ? [bk] : [])]);
    return node;
  });
  return y;
}

function fullOf(shape: readonly number[], v: number): Tensor {
  const t = result(shape);
  t.data.fill(v);
  return t;
}
export * from "./conv_functional.js";
