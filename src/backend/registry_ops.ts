// The registry's entries for the tensor-operation kernels
// (assembly/ops_elementwise.ts, assembly/ops_reduce.ts; twins in
// src/reference/ops.ts): one entry per op code and per path through the
// kernel (contiguous operands, a row or column broadcast, a strided operand,
// a scalar operand), each with the agreement its arithmetic allows.
import { OP, R, TER, U } from "../reference/ops.js";
import type { Strided } from "./backend.js";
import type { KernelEntry, SampleArg } from "./registry.js";

type Agreement = KernelEntry["agreement"];
type Sample = KernelEntry["sample"];

/** n values uniform in [lo, hi). */
function values(n: number, random: () => number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * random();
  return out;
}
/** n values from {−1, 0, 1}: ties for the max/min gradient selects, zeros for `where`. */
const ternaryValues = (n: number, random: () => number) => Float32Array.from({ length: n }, () => Math.floor(random() * 3) - 1);
/** Rows × columns of about n elements (columns odd, so every 4-lane tail is met). */
function shape2(n: number): [number, number] {
  const cols = Math.max(1, Math.round(Math.sqrt(n)) | 1);
  return [Math.max(1, Math.ceil(n / cols)), cols];
}

/** One float32 rounding apart (different pow, exp, log or sqrt-then-divide implementations). */
const ULP = { abs: 0, rel: 2.4e-7 };
/** Computed in float32 step by step against the twin's float64 rounded once, plus an accumulation. */
const ROUNDINGS = { abs: 2e-6, rel: 1e-6 };
const entry = (family: KernelEntry["family"], twin: string, variant: string, agreement: Agreement, sample: Sample): KernelEntry => ({
  family, twin: `reference/ops.ts ${twin}`, variant, agreement, benchN: 1 << 20, sample,
});

// ---------------------------------------------------------------- binary

/** Each binary op's operand ranges and agreement (pow: float64 pow of two implementations, rounded). */
const BINARY: readonly [keyof typeof OP, [number, number], [number, number], Agreement][] = [
  ["ADD", [-1, 1], [-1, 1], "exact"],
  ["SUB", [-1, 1], [-1, 1], "exact"],
  ["MUL", [-1, 1], [-1, 1], "exact"],
  ["DIV", [-1, 1], [0.5, 2], "exact"],
  ["MAXIMUM", [-1, 1], [-1, 1], "exact"],
  ["MINIMUM", [-1, 1], [-1, 1], "exact"],
  ["POW", [0.1, 3], [-2, 2], ULP],
];

/**
 * The broadcast paths of ewBinary over a rows × cols output: the innermost
 * strides (a, b) are (1, 1), (1, 0), (0, 1), (1, rows) — b read transposed,
 * the scalar loop — or b a number (a splat from the descriptor).
 */
const BROADCASTS: readonly [string, (rows: number, cols: number) => { a: number; b: number | null; it: Strided }][] = [
  ["rows (b [cols])", (rows, cols) => ({ a: rows * cols, b: cols, it: { sizes: [rows, cols], strides: [[cols, 1], [cols, 1], [0, 1]] } })],
  ["column (b [rows, 1])", (rows, cols) => ({ a: rows * cols, b: rows, it: { sizes: [rows, cols], strides: [[cols, 1], [cols, 1], [1, 0]] } })],
  ["column (a [rows, 1])", (rows, cols) => ({ a: rows, b: rows * cols, it: { sizes: [rows, cols], strides: [[cols, 1], [1, 0], [cols, 1]] } })],
  ["transposed b", (rows, cols) => ({ a: rows * cols, b: rows * cols, it: { sizes: [rows, cols], strides: [[cols, 1], [cols, 1], [1, rows]] } })],
  ["scalar b", (rows, cols) => ({ a: rows * cols, b: null, it: { sizes: [rows, cols], strides: [[cols, 1], [cols, 1], [0, 0]] } })],
];

const binaryEntries = (): KernelEntry[] =>
  BINARY.flatMap(([name, [aLo, aHi], [bLo, bHi], agreement]) => {
    const alpha = name === "ADD" || name === "SUB" ? -1.5 : 1;
    return BROADCASTS.map(([path, layout]) =>
      entry("elementwise", "ewBinary", `${name}, ${path}`, agreement, (n, r) => {
        const [rows, cols] = shape2(n);
        const { a, b, it } = layout(rows, cols);
        const bArg = b === null ? Math.fround(bLo + (bHi - bLo) * r()) : values(b, r, bLo, bHi);
        return [OP[name], it, new Float32Array(rows * cols), values(a, r, aLo, aHi), bArg, alpha];
      }),
    );
  });

const binaryContiguousEntries = (): KernelEntry[] =>
  BINARY.map(([name, [aLo, aHi], [bLo, bHi], agreement]) =>
    entry("elementwise", "ewBinaryContiguous", name, agreement, (n, r) =>
      [OP[name], new Float32Array(n), values(n, r, aLo, aHi), values(n, r, bLo, bHi), n, name === "SUB" ? 0.75 : 1]),
  );

// ---------------------------------------------------------------- ternary

/** Each ternary op's (y, z) values and agreement; x is the incoming gradient (or where's condition). */
const TERNARY: readonly [keyof typeof TER, "ties" | [number, number], Agreement][] = [
  ["WHERE", "ties", "exact"],
  ["MAX_GRAD", "ties", "exact"],
  ["MIN_GRAD", "ties", "exact"],
  ["DIV_GRAD_B", [0.5, 2], { abs: 0, rel: 4e-7 }],
  ["POW_GRAD_BASE", [0.1, 3], { abs: 0, rel: 6e-7 }],
  ["POW_GRAD_EXP", [0.1, 3], { abs: 1e-7, rel: 6e-7 }],
];

/** The SIMD path (every innermost stride 1 or 0; z a column) and the scalar one (y read transposed). */
const TERNARY_PATHS: readonly [string, (rows: number, cols: number) => Strided][] = [
  ["broadcast", (rows, cols) => ({ sizes: [rows, cols], strides: [[cols, 1], [cols, 1], [0, 1], [1, 0]] })],
  ["strided", (rows, cols) => ({ sizes: [rows, cols], strides: [[cols, 1], [cols, 1], [1, rows], [1, 0]] })],
];

const ternaryEntries = (): KernelEntry[] =>
  TERNARY.flatMap(([name, range, agreement]) =>
    TERNARY_PATHS.map(([path, layout]) =>
      entry("elementwise", "ewTernary", `${name}, ${path}`, agreement, (n, r) => {
        const [rows, cols] = shape2(n);
        const it = layout(rows, cols);
        const operand = (len: number) => (range === "ties" ? ternaryValues(len, r) : values(len, r, range[0], range[1]));
        const x = name === "WHERE" ? ternaryValues(rows * cols, r) : values(rows * cols, r);
        const ySize = it.strides[2][0] === 0 ? cols : rows * cols;
        const y = name.startsWith("POW") || range === "ties" ? operand(ySize) : values(ySize, r);
        const z = name === "POW_GRAD_BASE" || name === "POW_GRAD_EXP" ? values(rows, r, -2, 2) : operand(rows);
        return [TER[name], it, new Float32Array(rows * cols), x, y, z];
      }),
    ),
  );

// ---------------------------------------------------------------- strided copy

/** The copy's paths: memory.copy, the SIMD accumulation, the splat (src stride 0), the scalar loop (a transpose). */
const COPIES: readonly [string, number, (rows: number, cols: number) => Strided][] = [
  ["contiguous", 0, (rows, cols) => ({ sizes: [rows, cols], strides: [[cols, 1], [cols, 1]] })],
  ["contiguous, accumulating", 1, (rows, cols) => ({ sizes: [rows, cols], strides: [[cols, 1], [cols, 1]] })],
  ["expand (src stride 0)", 0, (rows, cols) => ({ sizes: [rows, cols], strides: [[cols, 1], [1, 0]] })],
  ["transpose", 0, (rows, cols) => ({ sizes: [rows, cols], strides: [[cols, 1], [1, rows]] })],
  ["transpose, accumulating", 1, (rows, cols) => ({ sizes: [rows, cols], strides: [[1, rows], [cols, 1]] })],
];

const copyEntries = (): KernelEntry[] =>
  COPIES.map(([path, acc, layout]) =>
    entry("elementwise", "copyStrided", path, "exact", (n, r) => {
      const [rows, cols] = shape2(n);
      // Both operands start a few elements into their tensors.
      return [layout(rows, cols), values(rows * cols + 3, r), 3, values(rows * cols + 5, r), 5, acc];
    }),
  );

// ---------------------------------------------------------------- unary

/** [op, variant, input range, p, q, forward agreement, backward agreement (accumulating)]. */
const UNARY: readonly [keyof typeof U, string, [number, number], number, number, Agreement, Agreement][] = [
  ["NEG", "", [-3, 3], 0, 0, "exact", "exact"],
  ["EXP", "", [-20, 20], 0, 0, { abs: 0, rel: 5e-7 }, ROUNDINGS],
  ["LOG", "", [1e-3, 1e3], 0, 0, { abs: 1e-7, rel: 3e-7 }, ROUNDINGS],
  ["SQRT", "", [0, 100], 0, 0, "exact", ROUNDINGS],
  ["RSQRT", "", [1e-2, 100], 0, 0, ULP, { abs: 2e-6, rel: 2e-6 }],
  ["ABS", "", [-3, 3], 0, 0, "exact", "exact"],
  ["SQUARE", "", [-3, 3], 0, 0, "exact", ROUNDINGS],
  ["ADD_SCALAR", "", [-3, 3], -0.3, 0, "exact", "exact"],
  ["MUL_SCALAR", "", [-3, 3], -0.3, 0, "exact", ROUNDINGS],
  ["DIV_SCALAR", "", [-3, 3], -0.3, 0, "exact", ROUNDINGS],
  ["CLAMP", "", [-3, 3], -0.5, 0.7, "exact", "exact"],
  ["RSUB_SCALAR", "", [-3, 3], 0.3, 0, "exact", "exact"],
  ["RDIV_SCALAR", "", [0.1, 3], 0.3, 0, "exact", ROUNDINGS],
  ["POW_SCALAR", "p = 2", [-3, 3], 2, 0, "exact", ROUNDINGS],
  ["POW_SCALAR", "p = 1", [-3, 3], 1, 0, "exact", ROUNDINGS],
  ["POW_SCALAR", "p = 0.5", [0, 9], 0.5, 0, "exact", ROUNDINGS],
  ["POW_SCALAR", "p = -1", [0.1, 3], -1, 0, ULP, ROUNDINGS],
  ["POW_SCALAR", "p = 0", [0.1, 3], 0, 0, "exact", "exact"],
  ["POW_SCALAR", "p = 2.5", [0.1, 3], 2.5, 0, ULP, ROUNDINGS],
];

const unaryEntries = (): KernelEntry[] =>
  UNARY.map(([name, variant, [lo, hi], p, q, agreement]) =>
    entry("elementwise", "ewUnary", `${name}${variant && `, ${variant}`}`, agreement, (n, r) =>
      [U[name], values(n, r, lo, hi), new Float32Array(n), n, p, q]),
  );

const unaryBackwardEntries = (): KernelEntry[] =>
  UNARY.map(([name, variant, [lo, hi], p, q, , agreement]) =>
    entry("elementwise", "ewUnaryBackward", `${name}${variant && `, ${variant}`}`, agreement, (n, r) =>
      // y stands for the forward output: positive where the formulas divide by it.
      [U[name], values(n, r, lo, hi), values(n, r, 0.1, 3), values(n, r), values(n, r), n, 1, p, q]),
  );

// ---------------------------------------------------------------- reductions

/** Sums in float64 in another order, rounded once: a result one float32 rounding apart at most. */
const SUMMED = { abs: 1e-6, rel: 2.4e-7 };

/** [op, variant, p (NaN: 1/R, the mean's scale), agreement]: reduceInner over rows of R contiguous values. */
const INNER: readonly [keyof typeof R, string, number, Agreement][] = [
  ["SUM", "", 1, SUMMED],
  ["SUM", "mean", NaN, SUMMED],
  ["MAX", "", 0, "exact"],
  ["MIN", "", 0, "exact"],
  ["VAR", "correction 1", 1, SUMMED],
  ["NORM2", "", 2, SUMMED],
  ["NORM1", "", 1, SUMMED],
  ["NORMINF", "", 0, "exact"],
  ["NORMP", "p = 3", 3, { abs: 1e-6, rel: 1e-6 }],
  ["NORMP", "p = 0", 0, "exact"],
  ["NORMP", "p = -inf", -Infinity, "exact"],
  ["ARGMAX", "", 0, "exact"],
  ["ARGMIN", "", 0, "exact"],
];

const innerEntries = (): KernelEntry[] =>
  INNER.map(([name, variant, p, agreement]) =>
    entry("reduce", "reduceInner", `${name}${variant && `, ${variant}`}`, agreement, (n, r) => {
      const outer = 3, len = Math.max(1, Math.ceil(n / outer));
      const x = values(outer * len, r, -3, 3);
      if (name === "NORMP" && p === 0) for (let i = 0; i < x.length; i += 3) x[i] = 0;
      return [R[name], x, new Float32Array(outer), outer, len, Number.isNaN(p) ? 1 / len : p, 0];
    }),
  );

/**
 * reduceOuter's ops: float32 sums in order on both sides, so bit for bit, but
 * for NORM2's square root, which the twin adds into the output unrounded.
 */
const OUTER: readonly [keyof typeof R, Agreement][] = [
  ["SUM", "exact"], ["MAX", "exact"], ["MIN", "exact"], ["NORM2", ULP], ["NORM1", "exact"], ["NORMINF", "exact"],
];

const outerEntries = (): KernelEntry[] =>
  OUTER.map(([name, agreement]) =>
    entry("reduce", "reduceOuter", `${name}, accumulating`, agreement, (n, r) => {
      const [len, inner] = shape2(Math.max(1, n >> 1));
      const out: SampleArg[] = [R[name], values(2 * len * inner, r, -3, 3), values(2 * inner, r), 2, len, inner, name === "SUM" ? 0.5 : 1, 1];
      return out;
    }),
  );

/** The tensor operations' entries, by kernel. */
export const OPS_KERNELS = {
  ewBinary: binaryEntries(),
  ewBinaryContiguous: binaryContiguousEntries(),
  ewTernary: ternaryEntries(),
  copyStrided: copyEntries(),
  ewUnary: unaryEntries(),
  ewUnaryBackward: unaryBackwardEntries(),
  reduceInner: innerEntries(),
  reduceOuter: outerEntries(),
} as const;
