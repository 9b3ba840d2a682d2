// Reductions over dimensions (PyTorch's sum, mean, amax, amin, var, std,
// norm, argmax, argmin) with `dim` (a number, a list, or all when absent) and
// `keepdim`. Kernels: src/ops/kernels.ts reduceInner / reduceOuter via
// reduceDims (common.ts).
import { Tensor, shapeToString, type Shape } from "../tensor.js";
import { Node, record, sinkFor } from "../autograd/node.js";
import { R, U, OP, binary, copyStrided, unary } from "./kernels.js";
import { broadcastStrides, contiguousStrides, normDim } from "./iterator.js";
import { checkOptions, checkTensor, checkBool, intoSink, reduceDims, result, describeValue, withTemps } from "./common.js";
import { expand, reshape } from "./shape.js";
import { mul } from "./elementwise.js";

export interface ReduceOptions {
  /** A dimension or a list of them (negative counts from the end); all when absent. */
  dim?: number | readonly number[] | null;
  keepdim?: boolean;
}

export interface VarOptions extends ReduceOptions {
  /** Bessel's correction: divide by N − correction (default 1; 0 for the biased estimate). */
  correction?: number;
}

export interface NormOptions extends ReduceOptions {
  /** The order: a number, Infinity / -Infinity, or 'fro' (= 2). Default 2. */
  p?: number | "fro";
}

export interface ArgOptions {
  dim?: number | null;
  keepdim?: boolean;
}

interface Plan {
  reduced: boolean[];
  outShape: number[];
  /** The output with the reduced dimensions kept as size 1 (for broadcasting the gradient back). */
  keptShape: number[];
  /** Elements per output value. */
  n: number;
}

function plan(what: string, x: Tensor, dim: ReduceOptions["dim"], keepdim: boolean): Plan {
  const nd = x.ndim;
  const reduced = new Array<boolean>(nd).fill(dim === undefined || dim === null);
  if (dim !== undefined && dim !== null) {
    const dims = typeof dim === "number" ? [dim] : dim;
    if (!Array.isArray(dims)) throw new TypeError(`${what}: dim must be an integer or a list of integers, got ${describeValue(dim)}`);
    for (const d of dims) {
      const k = normDim(what, d, nd);
      if (nd > 0 && reduced[k]) throw new RangeError(`${what}: dim ${k} appears multiple times in the list of dims`);
      if (nd > 0) reduced[k] = true;
    }
  }
  const keptShape = x.shape.map((s, d) => (reduced[d] ? 1 : s));
  const outShape = keepdim ? keptShape : x.shape.filter((_, d) => !reduced[d]);
  let n = 1;
  x.shape.forEach((s, d) => {
    if (reduced[d]) n *= s;
  });
  return { reduced, outShape, keptShape, n };
}

function opts(what: string, x: Tensor, options: ReduceOptions | undefined): Plan {
  checkTensor(what, x);
  checkOptions(what, options);
  const keepdim = options?.keepdim ?? false;
  checkBool(what, keepdim, "keepdim");
  return plan(what, x, options?.dim, keepdim);
}

/** dst = g (shaped like the kept output) broadcast back to x's shape, times `scale`. */
function expandBack(g: Tensor, keptShape: Shape, shape: Shape, dst: Tensor, scale: number): void {
  copyStrided(shape, dst, contiguousStrides(shape), 0, g, broadcastStrides(keptShape, shape), 0, 0);
  if (scale !== 1) unary(U.MUL_SCALAR, dst, dst, scale);
}

function sumMean(what: string, x: Tensor, options: ReduceOptions | undefined, mean: boolean): Tensor {
  const p = opts(what, x, options);
  const out = result(p.outShape);
  const scale = mean ? 1 / p.n : 1;
  reduceDims(R.SUM, x, p.reduced, out, scale, 0);
  record(out, [x], () => {
    const node: Node = new Node(mean ? "MeanBackward1" : "SumBackward1", [x], p.outShape, () => {
      const s = sinkFor(node, 0);
      if (!s) return;
      if (!s.acc) expandBack(node.grad!, p.keptShape, x.shape, s.tensor, scale);
      else intoSink(s, (dst) => expandBack(node.grad!, p.keptShape, x.shape, dst, scale));
    });
    node.diff = (g) => {
      const back = expand(reshape(g, p.keptShape), x.shape);
      return [scale === 1 ? back : mul(back, scale)];
    };
    return node;
  });
  return out;
}

/**
 * g summed down to `shape` (the gradient of an input broadcast to g's shape),
 * with differentiable operations.
 */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let d = 0; d < g.ndim; d++) if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) dims.push(d);
  return reshape(dims.length ? sum(g, { dim: dims, keepdim: true }) : g, shape);
}

/** Σ over dims (all by default). */
export const sum = (x: Tensor, options?: ReduceOptions): Tensor => sumMean("sum", x, options, false);

/** The mean over dims (all by default; NaN for an empty reduction, as PyTorch). */
export const mean = (x: Tensor, options?: ReduceOptions): Tensor => sumMean("mean", x, options, true);

function extreme(what: string, x: Tensor, options: ReduceOptions | undefined, isMax: boolean): Tensor {
  const p = opts(what, x, options);
  if (p.n === 0 && x.size === 0) {
    const d = p.reduced.findIndex((r, i) => r && x.shape[i] === 0);
    throw new RangeError(`${what}: Expected reduction dim ${d < 0 ? 0 : d} to have non-zero size (input shape ${shapeToString(x.shape)})`);
  }
  const out = result(p.outShape);
  reduceDims(isMax ? R.MAX : R.MIN, x, p.reduced, out, 0, 0);
  record(out, [x], () => {
    const node: Node = new Node(isMax ? "AmaxBackward0" : "AminBackward0", [x], p.outShape, () => {
      const s = sinkFor(node, 0);
      if (!s) return;
      // PyTorch: the gradient is shared evenly between the elements equal to the extremum.
      intoSink(s, (dst) => withTemps([p.outShape, p.outShape, x.shape], (count, share, spread) => {
        expandBack(out, p.keptShape, x.shape, dst, 1);
        const m = dst.data;
        const xv = x.data;
        for (let i = 0; i < m.length; i++) m[i] = xv[i] === m[i] ? 1 : 0;
        reduceDims(R.SUM, dst, p.reduced, count, 1, 0);
        binary(OP.DIV, share, node.grad!, count);
        expandBack(share, p.keptShape, x.shape, spread, 1);
        binary(OP.MUL, dst, dst, spread);
      }));
    }, [x, out]);
    return node;
  });
  return out;
}

export const amax = (x: Tensor, options?: ReduceOptions): Tensor => extreme("amax", x, options, true);

export const amin = (x: Tensor, options?: ReduceOptions): Tensor => extreme("amin", x, options, false);

function varStd(what: string, x: Tensor, options: VarOptions | undefined, isStd: boolean): Tensor {
  const p = opts(what, x, options);
  const correction = options?.correction ?? 1;
  if (typeof correction !== "number" || !Number.isFinite(correction)) {
    throw new TypeError(`${what}: correction must be a number, got ${describeValue(correction)}`);
  }
  const out = result(p.outShape);
  reduceDims(R.VAR, x, p.reduced, out, correction, 0);
  if (isStd) unary(U.SQRT, out, out);
  record(out, [x], () => {
    const node: Node = new Node(isStd ? "StdBackward0" : "VarBackward0", [x], p.outShape, () => {
      const s = sinkFor(node, 0);
      if (!s) return;
      // dvar/dx = 2(x − mean)/(N − correction); dstd = dvar/(2·std)
      intoSink(s, (dst) => {
        const m = new Tensor(p.outShape);
        const g = new Tensor(p.outShape);
        const spread = new Tensor(x.shape);
        try {
          reduceDims(R.SUM, x, p.reduced, m, 1 / p.n, 0);
          expandBack(m, p.keptShape, x.shape, spread, 1);
          binary(OP.SUB, dst, x, spread);
          if (isStd) binary(OP.DIV, g, node.grad!, out);
          else unary(U.MUL_SCALAR, node.grad!, g, 2);
          expandBack(g, p.keptShape, x.shape, spread, 1 / Math.max(0, p.n - correction));
          binary(OP.MUL, dst, dst, spread);
        } finally {
          m.dispose();
          g.dispose();
          spread.dispose();
        }
      });
    }, isStd ? [x, out] : [x]);
    return node;
  });
  return out;
}

/** The variance over dims, dividing by N − correction (default 1, Bessel's). */
export const variance = (x: Tensor, options?: VarOptions): Tensor => varStd("var", x, options, false);

export const std = (x: Tensor, options?: VarOptions): Tensor => varStd("std", x, options, true);

/** The p-norm over dims (vector norm of the flattened tensor by default; p = 2). */
export function norm(x: Tensor, options?: NormOptions): Tensor {
  const what = "norm";
  const pl = opts(what, x, options);
  let order = options?.p ?? 2;
  if (order === "fro") order = 2;
  if (typeof order !== "number" || Number.isNaN(order)) throw new TypeError(`${what}: p must be a number or 'fro', got ${describeValue(order)}`);
  const ord = order;
  const op = ord === 2 ? R.NORM2 : ord === 1 ? R.NORM1 : ord === Infinity ? R.NORMINF : R.NORMP;
  const out = result(pl.outShape);
  reduceDims(op, x, pl.reduced, out, ord, 0);
  record(out, [x], () => {
    const node: Node = new Node("NormBackward1", [x], pl.outShape, () => {
      const s = sinkFor(node, 0);
      if (!s) return;
      intoSink(s, (dst) => {
        // PyTorch's norm_backward: p = 0 → 0; 1 → sgn(x)·g; 2 → x·g/‖x‖ (0 where ‖x‖ = 0);
        // ∞ → sgn(x)·g shared among the |x| equal to the norm; else x·|x|^(p−2)·g/‖x‖^(p−1).
        expandBack(out, pl.keptShape, x.shape, dst, 1);
        const nv = dst.data.slice();
        const gs = new Tensor(x.shape);
        try {
          expandBack(node.grad!, pl.keptShape, x.shape, gs, 1);
          const gv = gs.data;
          const xv = x.data;
          const d = dst.data;
          if (ord === Infinity || ord === -Infinity) {
            for (let i = 0; i < d.length; i++) d[i] = Math.abs(xv[i]) === nv[i] ? 1 : 0;
            withTemps([pl.outShape, x.shape], (count, gFull) => {
              reduceDims(R.SUM, dst, pl.reduced, count, 1, 0);
              expandBack(count, pl.keptShape, x.shape, gs, 1);
              expandBack(node.grad!, pl.keptShape, x.shape, gFull, 1);
              const cv = gs.data;
              const gf = gFull.data;
              const dd = dst.data;
              const xx = x.data;
              for (let i = 0; i < dd.length; i++) dd[i] = dd[i] ? (Math.sign(xx[i]) * gf[i]) / cv[i] : 0;
            });
            return;
          }
          for (let i = 0; i < d.length; i++) {
            const v = xv[i];
            const n = nv[i];
            if (ord === 0) d[i] = 0;
            else if (ord === 1) d[i] = Math.sign(v) * gv[i];
            else if (ord === 2) d[i] = n === 0 ? 0 : (v * gv[i]) / n;
            else d[i] = n === 0 ? 0 : (v * Math.pow(Math.abs(v), ord - 2) * gv[i]) / Math.pow(n, ord - 1);
          }
        } finally {
          gs.dispose();
        }
      });
    }, [x, out]);
    return node;
  });
  return out;
}

function argExtreme(what: string, x: Tensor, options: ArgOptions | undefined, isMax: boolean): Tensor {
  checkTensor(what, x);
  checkOptions(what, options);
  const keepdim = options?.keepdim ?? false;
  checkBool(what, keepdim, "keepdim");
  const dim = options?.dim ?? null;
  if (x.size === 0) {
    throw new RangeError(`${what}: Expected reduction dim to be specified for input.numel() == 0 (input shape ${shapeToString(x.shape)})`);
  }
  if (dim === null) {
    const out = result(keepdim ? x.shape.map(() => 1) : []);
    reduceDims(isMax ? R.ARGMAX : R.ARGMIN, x, x.shape.map(() => true), out, 0, 0);
    return out;
  }
  const p = plan(what, x, dim, keepdim);
  const out = result(p.outShape);
  reduceDims(isMax ? R.ARGMAX : R.ARGMIN, x, p.reduced, out, 0, 0, false);
  return out;
}

/** Indices of the maxima (float32 integers; the flattened index without dim; the first of ties; NaN wins). */
export const argmax = (x: Tensor, options?: ArgOptions): Tensor => argExtreme("argmax", x, options, true);

export const argmin = (x: Tensor, options?: ArgOptions): Tensor => argExtreme("argmin", x, options, false);
