// The tensor-operation kernels of the running build (src/ops/kernels.ts:
// WebAssembly, or the twins themselves in the js build) against their pure-JS
// twins (src/reference/ops.ts) run in float64, at sizes that exercise the
// 8- and 4-lane bodies, every tail, and reductions over several 2,048-value
// chunks. Exact where the arithmetic is the same (+ − × ÷ of float32 values
// round once either way; selects; copies); within stated bounds for the
// polynomial exp/log and for sums whose order differs.
import { describe, it } from "vitest";
import { tensor, type Tensor } from "../../src/index.js";
import * as k from "../../src/ops/kernels.js";
import * as ref from "../../src/reference/ops.js";
import { broadcastShapes, broadcastStrides, coalesce } from "../../src/ops/iterator.js";
import { expectClose } from "../helpers/close.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const r = rng(7);
const rand = (n: number, lo = -3, hi = 3) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);
const t = (shape: number[], lo?: number, hi?: number): Tensor => tensor(rand(numel(shape), lo, hi), shape);

function descOf(shape: number[], operands: number[][]): Int32Array {
  const it = coalesce(shape, operands.map((s) => broadcastStrides(s, shape)));
  const d = new Int32Array(64);
  d[0] = it.sizes.length;
  it.sizes.forEach((s, i) => (d[ref.D_SIZES + i] = s));
  it.strides.forEach((st, j) => st.forEach((v, i) => (d[ref.D_STRIDES + 8 * j + i] = v)));
  return d;
}

const SHAPES: [number[], number[]][] = [
  [[1], [1]], [[3], [3]], [[7], [7]], [[13], [13]], [[67], [67]], [[1001], [1001]],
  [[5, 67], [67]], [[67, 1], [1, 9]], [[2, 3, 17], [3, 1]], [[9, 8], []], [[], [4, 5]],
];

describe("binary kernels agree with the float64 twin (exact)", () => {
  for (const [name, op] of Object.entries(ref.OP)) {
    if (name === "POW") continue;
    it(name, () => {
      for (const [sa, sb] of SHAPES) {
        const a = t(sa), b = name === "DIV" ? t(sb, 0.5, 2) : t(sb);
        const shape = broadcastShapes("test", sa, sb);
        const out = tensor(new Float32Array(numel(shape)), shape);
        k.binary(op, out, a, b, name === "ADD" || name === "SUB" ? -1.5 : 1);
        const want = new Float64Array(numel(shape));
        ref.ewBinary(op, descOf(shape, [shape, sa, sb]), want, 0, Float64Array.from(a.data), 0, Float64Array.from(b.data), 0, name === "ADD" || name === "SUB" ? -1.5 : 1);
        expectClose(out.data, Float32Array.from(want), { what: `${name} ${JSON.stringify([sa, sb])}` });
      }
    });
  }
});

describe("ternary, copy and unary kernels agree with the float64 twin", () => {
  it("where and the max/min gradient selects (exact)", () => {
    for (const [sa, sb] of SHAPES) {
      const shape = broadcastShapes("test", sa, sb);
      const cond = tensor(Float32Array.from({ length: numel(sa) }, () => (r() < 0.5 ? 1 : 0)), sa);
      const x = t(sb), y = t(shape);
      for (const op of [ref.TER.WHERE, ref.TER.MAX_GRAD, ref.TER.MIN_GRAD]) {
        const out = tensor(new Float32Array(numel(shape)), shape);
        const [p, q, z] = op === ref.TER.WHERE ? [cond, x, y] : [y, tensor(Float32Array.from(y.data, Math.round), shape), x];
        k.ternary(op, out, p, q, z);
        const want = new Float64Array(numel(shape));
        ref.ewTernary(op, descOf(shape, [shape, p.shape as number[], q.shape as number[], z.shape as number[]]), want, 0,
          Float64Array.from(p.data), 0, Float64Array.from(q.data), 0, Float64Array.from(z.data), 0);
        expectClose(out.data, Float32Array.from(want), { what: `ternary ${op} ${JSON.stringify([sa, sb])}` });
      }
    }
  });

  it("copyStrided transposes and accumulates (exact)", () => {
    for (const [rows, cols] of [[1, 1], [3, 5], [17, 9], [64, 33]]) {
      const src = t([rows, cols]);
      const out = t([cols, rows]);
      const before = Float64Array.from(out.data);
      k.copyStrided([cols, rows], out, [rows, 1], 0, src, [1, cols], 0, 1);
      const d = new Int32Array(64);
      const it = coalesce([cols, rows], [[rows, 1], [1, cols]]);
      d[0] = it.sizes.length;
      it.sizes.forEach((s, i) => (d[ref.D_SIZES + i] = s));
      it.strides.forEach((st, j) => st.forEach((v, i) => (d[ref.D_STRIDES + 8 * j + i] = v)));
      ref.copyStrided(d, before, 0, Float64Array.from(src.data), 0, 1);
      expectClose(out.data, Float32Array.from(before), { what: `transpose-add ${rows}x${cols}` });
    }
  });

  const unaryCases: [string, number, number, number, number, number][] = [
    // name, op, lo, hi, rtol, atol
    ["NEG", ref.U.NEG, -3, 3, 0, 0],
    ["EXP", ref.U.EXP, -20, 20, 5e-7, 0],
    ["LOG", ref.U.LOG, 1e-3, 1e3, 3e-7, 1e-7],
    ["SQRT", ref.U.SQRT, 0, 100, 0, 0],
    ["RSQRT", ref.U.RSQRT, 1e-2, 100, 2e-7, 0],
    ["ABS", ref.U.ABS, -3, 3, 0, 0],
    ["SQUARE", ref.U.SQUARE, -3, 3, 0, 0],
    ["MUL_SCALAR", ref.U.MUL_SCALAR, -3, 3, 0, 0],
    ["CLAMP", ref.U.CLAMP, -3, 3, 0, 0],
  ];
  for (const [name, op, lo, hi, rtol, atol] of unaryCases) {
    it(`${name} forward and backward`, () => {
      for (const n of [1, 3, 4, 7, 8, 13, 67, 1001]) {
        const x = t([n], lo, hi), y = t([n]), dy = t([n]), dx = t([n]);
        const dx0 = Float64Array.from(dx.data);
        k.unary(op, x, y, -0.5, 0.7);
        const want = new Float64Array(n);
        ref.ewUnary(op, Float64Array.from(x.data), 0, want, 0, n, -0.5, 0.7);
        expectClose(y.data, Float32Array.from(want), { rtol, atol, what: `${name} n=${n}` });
        k.unaryBackward(op, x, y, dy, dx, 1, -0.5, 0.7);
        ref.ewUnaryBackward(op, Float64Array.from(x.data), Float64Array.from(y.data), Float64Array.from(dy.data), dx0, 0, n, 1, -0.5, 0.7);
        expectClose(dx.data, Float32Array.from(dx0), { rtol: 4e-7, atol: 1e-6, what: `${name} backward n=${n}` });
      }
    });
  }
});

describe("reduction kernels agree with the float64 twin", () => {
  const ops: [string, number, number][] = [
    ["SUM", ref.R.SUM, 1], ["MAX", ref.R.MAX, 0], ["MIN", ref.R.MIN, 0], ["VAR", ref.R.VAR, 1], ["NORM2", ref.R.NORM2, 2],
    ["NORM1", ref.R.NORM1, 1], ["NORMINF", ref.R.NORMINF, 0], ["NORMP", ref.R.NORMP, 3], ["ARGMAX", ref.R.ARGMAX, 0], ["ARGMIN", ref.R.ARGMIN, 0],
  ];
  for (const [name, op, p] of ops) {
    it(`${name} over rows (reduceInner), up to several chunks`, () => {
      for (const [outer, n] of [[1, 1], [3, 7], [2, 2048], [2, 5000], [1, 100_003]]) {
        const x = t([outer, n]);
        const out = t([outer]);
        k.reduceInner(op, x, out, outer, n, p, 0);
        const want = new Float64Array(outer);
        ref.reduceInner(op, Float64Array.from(x.data), 0, want, 0, outer, n, p, 0);
        expectClose(out.data, Float32Array.from(want), { rtol: name === "NORMP" ? 1e-6 : 3e-7, atol: 1e-6, what: `${name} ${outer}x${n}` });
      }
    });
  }
  for (const [name, op] of [["SUM", ref.R.SUM], ["MAX", ref.R.MAX], ["MIN", ref.R.MIN], ["NORM2", ref.R.NORM2], ["NORM1", ref.R.NORM1], ["NORMINF", ref.R.NORMINF]] as const) {
    it(`${name} over columns (reduceOuter), with accumulation`, () => {
      for (const [outer, n, inner] of [[1, 1, 1], [2, 3, 7], [3, 128, 67], [1, 9, 1001]]) {
        const x = t([outer, n, inner]);
        const out = t([outer, inner]);
        const want = Float64Array.from(out.data);
        k.reduceOuter(op, x, out, outer, n, inner, 1, 1);
        ref.reduceOuter(op, Float64Array.from(x.data), 0, want, 0, outer, n, inner, 1, 1);
        expectClose(out.data, Float32Array.from(want), { rtol: 2e-6, atol: 2e-6, what: `${name} ${outer}x${n}x${inner}` });
      }
    });
  }
});
