// The kernel registry: one entry per kernel of the Backend interface (the
// mapped type makes a missing entry a type error), with its family, its pure-JS
// twin, and a maker of sample arguments. The agreement test
// (test/backend/registry.test.ts) runs every entry on the WebAssembly backend
// and on the pure-JS one and compares every output; the `kernels` benchmark
// suite (bench/suites/kernels.js) times every entry on both, as XNNPACK's
// kernel tables drive its tests and benchmarks. Samples are plain data (no
// tensors): the test and the benchmark turn them into arguments. A kernel
// that takes an op code or has several paths lists one entry per variant
// (the tensor operations: registry_ops.ts).
import type { Tensor } from "../tensor.js";
import type { Backend, ConvGeometry, KernelName, PoolGeometry, Strided } from "./backend.js";
import { colsSize } from "../reference/conv.js";
import { TensorTable, type TableRow } from "./tensor_table.js";
import { OPS_KERNELS } from "./registry_ops.js";

/** A table row's sample: the arrays of its tensors and its scalars. */
export interface SampleRow {
  p: Float32Array;
  g: Float32Array;
  s0?: Float32Array;
  s1?: Float32Array;
  s2?: Float32Array;
  t0?: number;
  t1?: number;
  t2?: number;
  t3?: number;
}

/**
 * One argument: a number or boolean as is, `null` as is, a Float32Array for a
 * tensor holding those values, `{ int32 }` for a tensor whose storage holds
 * those int32 bits, `{ rows }` for a TensorTable bound to those rows, a
 * convolution's or pooling's geometry and a strided iteration space as is.
 */
export type SampleArg =
  | number | boolean | null | Float32Array | { int32: Int32Array } | { rows: SampleRow[] } | ConvGeometry | PoolGeometry | Strided;

export type KernelFamily = "gemm" | "elementwise" | "reduce" | "rng" | "optim" | "swa" | "softmax" | "loss" | "activation" | "embedding" | "conv" | "pool" | "norm";

export interface KernelEntry {
  family: KernelFamily;
  /** The pure-JS twin the JsBackend runs (file in src/reference/ and function). */
  twin: string;
  /** Arguments of one call whose work grows with n (elements, or rows × columns). */
  sample(n: number, random: () => number): SampleArg[];
  /**
   * How closely the two backends agree: bit for bit, or within
   * abs + rel·|value| (polynomial approximations of exp, tanh, erf).
   */
  agreement: "exact" | { abs: number; rel: number };
  /** The n the benchmark uses. */
  benchN: number;
  /** How many float64 results (r0, r1) a table kernel writes per row. */
  results?: number;
  /** Which op code or path of the kernel this entry exercises, where it has several. */
  variant?: string;
}

const f = Math.fround;

/** n values uniform in [lo, hi). */
function values(n: number, random: () => number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * random();
  return out;
}

const zeros = (n: number) => new Float32Array(n);
/** Rows × columns of about n elements (at least one row, columns not a multiple of 4). */
const shape2 = (n: number): [number, number] => {
  const cols = Math.max(1, Math.round(Math.sqrt(n)) | 1);
  return [Math.max(1, Math.ceil(n / cols)), cols];
};
/** Sizes of a multi-tensor table of about n elements: a large tensor, a small one, a tail. */
const tableSizes = (n: number) => [Math.max(1, n - 13), 8, 5];

function rows(n: number, random: () => number, states: number, make: (i: number) => Partial<SampleRow> = () => ({})): { rows: SampleRow[] } {
  return {
    rows: tableSizes(n).map((len, i) => {
      const row: SampleRow = { p: values(len, random), g: values(len, random, -0.1, 0.1) };
      if (states > 0) row.s0 = values(len, random, -0.05, 0.05);
      if (states > 1) row.s1 = values(len, random, 0, 0.01);
      if (states > 2) row.s2 = values(len, random, 0, 0.01);
      return Object.assign(row, make(i));
    }),
  };
}

const unary = (twin: string, lo = -6, hi = 6, agreement: KernelEntry["agreement"] = "exact"): KernelEntry => ({
  family: "elementwise", twin, agreement, benchN: 1 << 20,
  sample: (n, r) => [values(n, r, lo, hi), zeros(n), n],
});
const unaryBackward = (twin: string, agreement: KernelEntry["agreement"] = "exact", lo = -6, hi = 6): KernelEntry => ({
  family: "elementwise", twin, agreement, benchN: 1 << 20,
  sample: (n, r) => [values(n, r, lo, hi), values(n, r), values(n, r), n, 1],
});
const optimRule = (twin: string, states: number, scalars: (i: number) => Partial<SampleRow>, hyper: SampleArg[]): KernelEntry => ({
  family: "optim", twin, agreement: "exact", benchN: 1 << 20,
  sample: (n, r) => [rows(n, r, states, scalars), ...hyper],
});

const SMOOTH = { abs: 1e-7, rel: 5e-7 };
/** A product accumulated into the output: the twin rounds once (float64), the kernel twice. */
const ACCUMULATED = { abs: 2e-6, rel: 1e-6 };
const b1 = f(0.9), omb1 = f(0.1), b2 = f(0.999), omb2 = f(1 - 0.999), eps = f(1e-8);


/** A 3×3 convolution, padding 1, of 2 samples of 3 channels into 4, with planes of about n/6 pixels. */
function convGeometry(n: number, groups = 1): ConvGeometry {
  const s = Math.max(3, Math.round(Math.sqrt(n / 6)));
  return { N: 2, C: 3 * groups, H: s, W: s + 1, Co: 4 * groups, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups, Ho: s, Wo: s + 1 };
}
/** 2×2 windows, stride 2, over 6 planes of about n/6 pixels. */
function poolGeometry(n: number): PoolGeometry {
  const s = Math.max(2, Math.round(Math.sqrt(n / 6)));
  return { planes: 6, H: s, W: s + 1, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1, Ho: Math.floor(s / 2), Wo: Math.floor((s + 1) / 2) };
}
/** Per output pixel, the index of an input pixel of its plane (what max pooling records). */
const poolIndices = (g: PoolGeometry, r: () => number) =>
  Int32Array.from({ length: g.planes * g.Ho * g.Wo }, () => Math.floor(r() * g.H * g.W));
/** GEMM-based: the relaxed build fuses multiply-adds, the twin sums in another order. */
const CONV = { abs: 1e-4, rel: 1e-4 };
const NORM = { abs: 1e-5, rel: 1e-5 };
const C2 = 3, HW2 = (n: number) => Math.max(1, Math.round(n / 6));

export const KERNELS: { readonly [K in KernelName]: KernelEntry | readonly KernelEntry[] } = {
  ...OPS_KERNELS,
  gemm: {
    family: "gemm", twin: "reference/gemm.ts gemm", agreement: { abs: 1e-5, rel: 1e-5 }, benchN: 512 * 512,
    sample: (n, r) => {
      const [M, K] = shape2(n), N = Math.max(1, K - 2);
      return [false, true, M, N, K, 1, values(M * K, r), K, values(N * K, r), K, 0, zeros(M * N), N];
    },
  },
  biasAddRows: {
    family: "elementwise", twin: "reference/nn.ts biasAddRows", agreement: "exact", benchN: 1 << 20,
    sample: (n, r) => {
      const [rws, cols] = shape2(n);
      return [values(rws * cols, r), values(cols, r), zeros(rws * cols), rws, cols];
    },
  },
  reluForward: unary("reference/nn.ts reluForward"),
  reluBackward: unaryBackward("reference/nn.ts reluBackward"),
  leakyReluForward: {
    family: "elementwise", twin: "reference/nn.ts leakyReluForward", agreement: "exact", benchN: 1 << 20,
    sample: (n, r) => [values(n, r), zeros(n), n, 0.01],
  },
  leakyReluBackward: {
    family: "elementwise", twin: "reference/nn.ts leakyReluBackward", agreement: ACCUMULATED, benchN: 1 << 20,
    sample: (n, r) => [values(n, r), values(n, r), values(n, r), n, 0.01, 1],
  },
  tanhForward: unary("reference/nn.ts tanhForward", -10, 10, SMOOTH),
  tanhBackward: unaryBackward("reference/nn.ts tanhBackward", ACCUMULATED, -1, 1),
  sigmoidForward: unary("reference/nn.ts sigmoidForward", -10, 10, SMOOTH),
  sigmoidBackward: unaryBackward("reference/nn.ts sigmoidBackward", ACCUMULATED, 0, 1),
  geluForward: unary("reference/nn.ts geluForward", -6, 6, { abs: 1e-6, rel: 5e-7 }),
  geluBackward: unaryBackward("reference/nn.ts geluBackward", { abs: 1e-6, rel: 5e-7 }),
  geluTanhForward: unary("reference/nn.ts geluTanhForward", -6, 6, { abs: 1e-6, rel: 5e-7 }),
  geluTanhBackward: unaryBackward("reference/nn.ts geluTanhBackward", { abs: 1e-6, rel: 5e-7 }),
  mulInto: {
    family: "elementwise", twin: "reference/nn.ts mulInto", agreement: ACCUMULATED, benchN: 1 << 20,
    sample: (n, r) => [values(n, r), values(n, r), values(n, r), n, 1],
  },
  batchTranspose: {
    family: "elementwise", twin: "reference/nn.ts batchTranspose", agreement: "exact", benchN: 1 << 20,
    sample: (n, r) => {
      const [rws, cols] = shape2(Math.max(1, n >> 1));
      return [values(2 * rws * cols, r), values(2 * rws * cols, r), 2, rws, cols, 1];
    },
  },
  scaleInto: {
    family: "elementwise", twin: "reference/nn.ts scaleInto", agreement: "exact", benchN: 1 << 20,
    sample: (n, r) => [values(n, r), values(n, r), n, -0.25, 1],
  },
  firstNaN: {
    family: "elementwise", twin: "reference/nn.ts firstNaN", agreement: "exact", benchN: 1 << 20,
    sample: (n, r) => {
      const x = values(n, r);
      x[n - 1 - (n >> 2)] = NaN;
      return [x, n];
    },
  },
  columnSums: {
    family: "reduce", twin: "reference/nn.ts columnSums", agreement: { abs: 1e-5, rel: 1e-5 }, benchN: 1 << 20,
    sample: (n, r) => {
      const [rws, cols] = shape2(n);
      return [values(rws * cols, r), values(cols, r), rws, cols, 1];
    },
  },
  softmaxCrossEntropy: {
    family: "reduce", twin: "reference/nn.ts softmaxCrossEntropy", agreement: { abs: 1e-6, rel: 1e-6 }, benchN: 1 << 16,
    sample: (n, r) => {
      const [N, C] = shape2(n);
      const labels = Int32Array.from({ length: N }, (_, i) => (i % 3 === 2 ? -1 : Math.floor(r() * C)));
      return [values(N * C, r, -8, 8), { int32: labels }, N, C, zeros(N * C), zeros(N), 0.1, 1 / N, values(C, r, 0.25, 2)];
    },
  },
  mseLoss: {
    family: "reduce", twin: "reference/nn.ts mseLoss", agreement: { abs: 1e-6, rel: 1e-6 }, benchN: 1 << 20,
    sample: (n, r) => [values(n, r), values(n, r), zeros(n), zeros(n), n, 1 / n],
  },
  batchNormTrainForward: {
    family: "reduce", twin: "reference/nn.ts batchNormTrainForward", agreement: { abs: 1e-5, rel: 1e-5 }, benchN: 1 << 16,
    sample: (n, r) => {
      const [N, C] = shape2(n);
      return [values(N * C, r), N, C, values(C, r), values(C, r), zeros(N * C), zeros(C), zeros(C), values(C, r), values(C, r, 0.5, 2), 0.1, 1e-5];
    },
  },
  batchNormEvalForward: {
    family: "reduce", twin: "reference/nn.ts batchNormEvalForward", agreement: { abs: 1e-5, rel: 1e-5 }, benchN: 1 << 16,
    sample: (n, r) => {
      const [N, C] = shape2(n);
      return [values(N * C, r), N, C, values(C, r), values(C, r), zeros(N * C), values(C, r), values(C, r, 0.5, 2), 1e-5, zeros(C)];
    },
  },
  batchNormBackward: {
    family: "reduce", twin: "reference/nn.ts batchNormBackward", agreement: { abs: 1e-5, rel: 1e-5 }, benchN: 1 << 16,
    sample: (n, r) => {
      const [N, C] = shape2(n);
      return [
        values(N * C, r), values(N * C, r), N, C, values(C, r, -0.1, 0.1), values(C, r, 0.5, 2), values(C, r), zeros(2 * C),
        zeros(N * C), 0, zeros(C), zeros(C), 0, true,
      ];
    },
  },
  layerNormForward: {
    family: "reduce", twin: "reference/nn.ts layerNormForward", agreement: { abs: 1e-5, rel: 1e-5 }, benchN: 1 << 16,
    sample: (n, r) => {
      const [R, D] = shape2(n);
      return [values(R * D, r), R, D, values(D, r), values(D, r), zeros(R * D), zeros(R), zeros(R), 1e-5];
    },
  },
  layerNormBackward: {
    family: "reduce", twin: "reference/nn.ts layerNormBackward", agreement: { abs: 1e-5, rel: 1e-5 }, benchN: 1 << 16,
    sample: (n, r) => {
      const [R, D] = shape2(n);
      return [values(R * D, r), values(R * D, r), R, D, values(R, r, -0.1, 0.1), values(R, r, 0.5, 2), values(D, r), zeros(R * D), 0, zeros(D), zeros(D), 0];
    },
  },
  philoxUniform: {
    family: "rng", twin: "reference/rng.ts philoxUniformJs", agreement: "exact", benchN: 1 << 20,
    sample: (n) => [zeros(n), n, 0x1234, 0x5678, 3, 2, -1],
  },
  philoxNormal: {
    family: "rng", twin: "reference/rng.ts philoxNormalJs", agreement: "exact", benchN: 1 << 20,
    sample: (n) => [zeros(n), n, 0x1234, 0x5678, 2 ** 32 + 5, 0.5, 2],
  },
  philoxTruncNormal: {
    family: "rng", twin: "reference/rng.ts philoxTruncNormalJs", agreement: "exact", benchN: 1 << 20,
    // N(0, 1) truncated to [−2, 2]: pLo = Φ(−2), pWidth = Φ(2) − Φ(−2).
    sample: (n) => [zeros(n), n, 7, 11, 1, 0.022750131948179195, 0.9544997361036416, 1, 0, 1, -2, 2],
  },
  philoxBernoulli: {
    family: "rng", twin: "reference/rng.ts philoxBernoulliJs", agreement: "exact", benchN: 1 << 20,
    sample: (n) => [zeros(n), n, 3, 4, 9, 0.3, 2],
  },
  sgdStep: optimRule("reference/optim.ts sgdStepJs", 1, (i) => ({ t0: i === 1 ? 1 : 0 }), [f(0.01), f(0.9), f(0.75), f(0.01), -1, true]),
  adamStep: optimRule("reference/optim.ts adamStepJs", 3, () => ({ t0: f(0.001 / 0.1), t1: f(1 / Math.sqrt(0.001)) }), [b1, omb1, b2, omb2, eps, f(0.01), f(1 - 1e-4), -1, true]),
  adagradStep: optimRule("reference/optim.ts adagradStepJs", 1, () => ({ t0: f(0.01) }), [f(1e-10), f(0.1), -1]),
  rmspropStep: optimRule("reference/optim.ts rmspropStepJs", 3, () => ({}), [f(0.01), f(0.99), f(0.01), eps, f(0.01), -1, f(0.9), true]),
  adamaxStep: optimRule("reference/optim.ts adamaxStepJs", 2, () => ({ t0: f(0.002 / 0.1) }), [b1, omb1, b2, eps, f(0.01), -1]),
  nadamStep: optimRule("reference/optim.ts nadamStepJs", 2, () => ({ t0: f(1 / 0.001), t1: f(0.01), t2: f(0.02) }), [b1, omb1, b2, omb2, eps, f(0.01)]),
  radamStep: optimRule("reference/optim.ts radamStepJs", 2, (i) => ({ t0: f(1 / 0.1), t1: f(0.001), t2: i === 1 ? 0 : f(0.5), t3: f(Math.sqrt(0.001)) }), [b1, omb1, b2, omb2, eps, f(0.01)]),
  adadeltaStep: optimRule("reference/optim.ts adadeltaStepJs", 2, () => ({}), [f(1), f(0.9), f(0.1), f(1e-6), f(0.01), -1]),
  lambMoments: {
    ...optimRule("reference/optim.ts lambMomentsJs", 2, () => ({ t0: f(1 / 0.1), t1: f(1 / 0.001) }), [b1, omb1, b2, omb2, f(1e-6), f(0.01), 1]),
    results: 2,
  },
  lambApply: optimRule("reference/optim.ts lambApplyJs", 2, () => ({ t0: f(1 / 0.1), t1: f(1 / 0.001), t2: f(0.0015) }), [f(1e-6), f(0.01)]),
  lookaheadSync: optimRule("reference/optim.ts lookaheadSyncJs", 1, () => ({}), [f(0.5)]),
  gradNorms: { ...optimRule("reference/optim.ts gradNormJs", 0, () => ({}), [2]), results: 1 },
  scaleGrads: optimRule("reference/optim.ts scaleGradJs", 0, () => ({}), [f(0.3)]),
  clampGrads: optimRule("reference/optim.ts clampGradJs", 0, () => ({}), [f(0.05)]),
  centralizeRows: {
    family: "optim", twin: "reference/optim.ts centralizeRowsJs", agreement: "exact", benchN: 1 << 20,
    sample: (n, r) => {
      const [rws, cols] = shape2(n);
      return [zeros(rws * cols), values(rws * cols, r), values(rws * cols, r), rws, cols, -1, f(0.01), true];
    },
  },
  swaEqualAverage: {
    family: "swa", twin: "reference/swa.ts swaEqualAverageJs", agreement: "exact", benchN: 1 << 20,
    sample: (n, r) => [values(n, r), values(n, r), n, 3],
  },
  swaEma: {
    family: "swa", twin: "reference/swa.ts swaEmaJs", agreement: "exact", benchN: 1 << 20,
    sample: (n, r) => [values(n, r), values(n, r), n, 0.999, 1 - 0.999],
  },
  softmaxForward: {
    family: "softmax", twin: "reference/softmax.ts softmaxForward", agreement: { abs: 1e-6, rel: 2e-6 }, benchN: 1 << 20,
    // [outer, C, inner] with inner > 1: the lanes run across the inner positions.
    sample: (n, r) => {
      const [rws, C] = shape2(n);
      return [values(rws * C * 3, r, -8, 8), zeros(rws * C * 3), rws, C, 3, false];
    },
  },
  softmaxBackward: {
    family: "softmax", twin: "reference/softmax.ts softmaxBackward", agreement: { abs: 1e-5, rel: 1e-5 }, benchN: 1 << 20,
    sample: (n, r) => {
      const [rws, C] = shape2(n);
      return [values(rws * C, r, -6, 0), values(rws * C, r), values(rws * C, r), rws, C, 1, true, 1];
    },
  },
  softmaxCrossEntropyProb: {
    family: "softmax", twin: "reference/softmax.ts softmaxCrossEntropyProb", agreement: { abs: 1e-5, rel: 1e-5 }, benchN: 1 << 16,
    sample: (n, r) => {
      const [N, C] = shape2(n);
      return [values(N * C, r, -8, 8), values(N * C, r, 0, 1), N, C, zeros(N * C), zeros(N), 0.1, 1 / N, values(C, r, 0.25, 2)];
    },
  },
  nllLossForward: {
    family: "softmax", twin: "reference/softmax.ts nllLossForward", agreement: { abs: 1e-6, rel: 1e-6 }, benchN: 1 << 16,
    sample: (n, r) => {
      const [N, C] = shape2(n);
      const labels = Int32Array.from({ length: N }, (_, i) => (i % 3 === 2 ? -1 : Math.floor(r() * C)));
      return [values(N * C, r, -8, 0), { int32: labels }, N, C, values(C, r, 0.25, 2), zeros(N)];
    },
  },
  nllLossBackward: {
    family: "softmax", twin: "reference/softmax.ts nllLossBackward", agreement: ACCUMULATED, benchN: 1 << 16,
    sample: (n, r) => {
      const [N, C] = shape2(n);
      const labels = Int32Array.from({ length: N }, (_, i) => (i % 3 === 2 ? -1 : Math.floor(r() * C)));
      return [{ int32: labels }, N, C, values(C, r, 0.25, 2), values(N, r), 1, f(0.5), values(N * C, r), 1];
    },
  },
  scaleRows: {
    family: "softmax", twin: "reference/softmax.ts scaleRows", agreement: ACCUMULATED, benchN: 1 << 20,
    sample: (n, r) => {
      const [rws, cols] = shape2(n);
      return [values(rws * cols, r), values(rws, r), values(rws * cols, r), rws, cols, 1];
    },
  },
  // BCE with logits (kind 4), the loss with the most arithmetic, with weights and positive weights.
  pointwiseLoss: {
    family: "loss", twin: "reference/loss.ts pointwiseLoss", agreement: { abs: 1e-6, rel: 4e-6 }, benchN: 1 << 20,
    sample: (n, r) => [4, values(n, r, -12, 12), values(n, r, 0, 1), values(n, r, 0.5, 2), values(n, r, 0.5, 3), zeros(n), zeros(n), n, 1 / n, 0],
  },
  siluForward: { ...unary("reference/activation.ts siluForward", -20, 20, { abs: 1e-6, rel: 1e-6 }), family: "activation" },
  siluBackward: {
    family: "activation", twin: "reference/activation.ts siluBackward", agreement: { abs: 2e-6, rel: 2e-6 }, benchN: 1 << 20,
    sample: (n, r) => [values(n, r, -20, 20), values(n, r), values(n, r), n, 1],
  },
  softplusForward: {
    family: "activation", twin: "reference/activation.ts softplusForward", agreement: { abs: 1e-6, rel: 1e-6 }, benchN: 1 << 20,
    sample: (n, r) => [values(n, r, -20, 20), zeros(n), n, 2, 5],
  },
  softplusBackward: {
    family: "activation", twin: "reference/activation.ts softplusBackward", agreement: { abs: 2e-6, rel: 2e-6 }, benchN: 1 << 20,
    sample: (n, r) => [values(n, r, -20, 20), values(n, r), values(n, r), n, 2, 5, 1],
  },
  eluForward: {
    family: "activation", twin: "reference/activation.ts eluForward", agreement: { abs: 1e-6, rel: 1e-6 }, benchN: 1 << 20,
    sample: (n, r) => [values(n, r, -20, 20), zeros(n), n, f(0.7)],
  },
  eluBackward: {
    family: "activation", twin: "reference/activation.ts eluBackward", agreement: { abs: 2e-6, rel: 2e-6 }, benchN: 1 << 20,
    sample: (n, r) => [values(n, r, -20, 20), values(n, r), values(n, r), n, f(0.7), 1],
  },
  embeddingForward: {
    family: "embedding", twin: "reference/embedding.ts embeddingForward", agreement: "exact", benchN: 1 << 20,
    sample: (n, r) => {
      const [num, dim] = shape2(n);
      const idx = Int32Array.from({ length: num }, () => Math.floor(r() * num));
      return [values(num * dim, r), { int32: idx }, num, dim, zeros(num * dim)];
    },
  },
  embeddingBackward: {
    family: "embedding", twin: "reference/embedding.ts embeddingBackward", agreement: "exact", benchN: 1 << 20,
    sample: (n, r) => {
      const [num, dim] = shape2(n);
      const idx = Int32Array.from({ length: num }, () => Math.floor(r() * num));
      return [values(num * dim, r), { int32: idx }, num, dim, num, idx[0], values(num * dim, r), 1];
    },
  },
  conv2dForward: {
    family: "conv", twin: "reference/conv.ts conv2dForward", agreement: CONV, benchN: 1 << 16,
    sample: (n, r) => {
      const g = convGeometry(n, 1 + (n & 1));
      return [values(g.N * g.C * g.H * g.W, r), values((g.Co * g.C / g.groups) * 9, r), values(g.Co, r), zeros(g.N * g.Co * g.Ho * g.Wo), zeros(colsSize(g)), g];
    },
  },
  conv2dBackwardInput: {
    family: "conv", twin: "reference/conv.ts conv2dBackwardInput", agreement: CONV, benchN: 1 << 16,
    sample: (n, r) => {
      const g = convGeometry(n);
      return [values(g.N * g.Co * g.Ho * g.Wo, r), values((g.Co * g.C / g.groups) * 9, r), values(g.N * g.C * g.H * g.W, r), zeros(colsSize(g)), g, 1];
    },
  },
  conv2dBackwardWeight: {
    family: "conv", twin: "reference/conv.ts conv2dBackwardWeight", agreement: CONV, benchN: 1 << 16,
    sample: (n, r) => {
      const g = convGeometry(n);
      return [values(g.N * g.C * g.H * g.W, r), values(g.N * g.Co * g.Ho * g.Wo, r), values((g.Co * g.C / g.groups) * 9, r), values(g.Co, r), zeros(colsSize(g)), g, 1];
    },
  },
  maxPool2dForward: {
    family: "pool", twin: "reference/pool.ts maxPool2dForward", agreement: "exact", benchN: 1 << 18,
    sample: (n, r) => {
      const g = poolGeometry(n);
      return [values(g.planes * g.H * g.W, r), zeros(g.planes * g.Ho * g.Wo), zeros(g.planes * g.Ho * g.Wo), g];
    },
  },
  maxPool2dBackward: {
    family: "pool", twin: "reference/pool.ts maxPool2dBackward", agreement: "exact", benchN: 1 << 18,
    sample: (n, r) => {
      const g = poolGeometry(n);
      return [values(g.planes * g.Ho * g.Wo, r), { int32: poolIndices(g, r) }, values(g.planes * g.H * g.W, r), g, 1];
    },
  },
  avgPool2dForward: {
    family: "pool", twin: "reference/pool.ts avgPool2dForward", agreement: NORM, benchN: 1 << 18,
    sample: (n, r) => {
      const g = { ...poolGeometry(n), ph: 1, pw: 1, sh: 1, sw: 1 };
      g.Ho = g.H + 1;
      g.Wo = g.W + 1;
      return [values(g.planes * g.H * g.W, r), zeros(g.planes * g.Ho * g.Wo), g, false];
    },
  },
  avgPool2dBackward: {
    family: "pool", twin: "reference/pool.ts avgPool2dBackward", agreement: NORM, benchN: 1 << 18,
    sample: (n, r) => {
      const g = poolGeometry(n);
      return [values(g.planes * g.Ho * g.Wo, r), values(g.planes * g.H * g.W, r), g, true, 1];
    },
  },
  adaptiveAvgPool2dForward: {
    family: "pool", twin: "reference/pool.ts adaptiveAvgPool2dForward", agreement: NORM, benchN: 1 << 18,
    sample: (n, r) => {
      const g = poolGeometry(n);
      return [values(g.planes * g.H * g.W, r), zeros(g.planes * 3 * 2), g.planes, g.H, g.W, 3, 2];
    },
  },
  adaptiveAvgPool2dBackward: {
    family: "pool", twin: "reference/pool.ts adaptiveAvgPool2dBackward", agreement: NORM, benchN: 1 << 18,
    sample: (n, r) => {
      const g = poolGeometry(n);
      return [values(g.planes * 3 * 2, r), values(g.planes * g.H * g.W, r), g.planes, g.H, g.W, 3, 2, 1];
    },
  },
  batchNorm2dTrainForward: {
    family: "norm", twin: "reference/norm.ts batchNorm2dTrainForward", agreement: NORM, benchN: 1 << 18,
    sample: (n, r) => {
      const HW = HW2(n);
      return [values(2 * C2 * HW, r), 2, C2, HW, values(C2, r), values(C2, r), zeros(2 * C2 * HW), zeros(C2), zeros(C2), values(C2, r), values(C2, r, 0.5, 2), 0.1, 1e-5];
    },
  },
  batchNorm2dEvalForward: {
    family: "norm", twin: "reference/norm.ts batchNorm2dEvalForward", agreement: NORM, benchN: 1 << 18,
    sample: (n, r) => {
      const HW = HW2(n);
      return [values(2 * C2 * HW, r), 2, C2, HW, values(C2, r), values(C2, r), zeros(2 * C2 * HW), values(C2, r), values(C2, r, 0.5, 2), 1e-5, zeros(C2)];
    },
  },
  batchNorm2dBackward: {
    family: "norm", twin: "reference/norm.ts batchNorm2dBackward", agreement: NORM, benchN: 1 << 18,
    sample: (n, r) => {
      const HW = HW2(n);
      return [
        values(2 * C2 * HW, r), values(2 * C2 * HW, r), 2, C2, HW, values(C2, r, -0.1, 0.1), values(C2, r, 0.5, 2), values(C2, r),
        zeros(2 * C2 * HW), 0, zeros(C2), zeros(C2), 0, true,
      ];
    },
  },
  groupNormForward: {
    family: "norm", twin: "reference/norm.ts groupNormForward", agreement: NORM, benchN: 1 << 18,
    sample: (n, r) => {
      const HW = HW2(n), C = 4;
      return [values(2 * C * HW, r), 2, C, HW, 2, values(C, r), values(C, r), zeros(2 * C * HW), zeros(4), zeros(4), 1e-5];
    },
  },
  groupNormBackward: {
    family: "norm", twin: "reference/norm.ts groupNormBackward", agreement: NORM, benchN: 1 << 18,
    sample: (n, r) => {
      const HW = HW2(n), C = 4;
      return [
        values(2 * C * HW, r), values(2 * C * HW, r), 2, C, HW, 2, values(4, r, -0.1, 0.1), values(4, r, 0.5, 2), values(C, r),
        zeros(2 * C * HW), 0, zeros(C), zeros(C), 0,
      ];
    },
  },
  scalePlanes: {
    family: "norm", twin: "reference/norm.ts scalePlanes", agreement: ACCUMULATED, benchN: 1 << 20,
    sample: (n, r) => {
      const HW = HW2(n);
      return [values(6 * HW, r), values(6, r), values(6 * HW, r), 6, HW, 1];
    },
  },
};

/** Every entry of the registry with its kernel's name, a kernel's variants one by one. */
export function kernelCases(): { name: KernelName; entry: KernelEntry }[] {
  return (Object.entries(KERNELS) as [KernelName, KernelEntry | readonly KernelEntry[]][]).flatMap(([name, e]) =>
    (Array.isArray(e) ? e : [e]).map((entry: KernelEntry) => ({ name, entry })),
  );
}

/** A sample made into arguments: the tensors it allocated and the tables it bound. */
export interface Materialized {
  args: unknown[];
  tensors: Tensor[];
  tables: TensorTable[];
}

/**
 * Turns a sample into arguments, making each array a tensor with `makeTensor`
 * (the caller's `tensor()`, so this module calls nothing above the backend).
 */
export function materialize(sample: readonly SampleArg[], makeTensor: (values: Float32Array) => Tensor): Materialized {
  const tensors: Tensor[] = [];
  const tables: TensorTable[] = [];
  const mk = (a: Float32Array): Tensor => {
    const t = makeTensor(a);
    tensors.push(t);
    return t;
  };
  const args = sample.map((a): unknown => {
    if (a instanceof Float32Array) return mk(a);
    if (a !== null && typeof a === "object" && "int32" in a) {
      const t = mk(new Float32Array(Math.max(1, a.int32.length)));
      new Int32Array(t.data.buffer, t.data.byteOffset, a.int32.length).set(a.int32);
      return t;
    }
    if (a !== null && typeof a === "object" && "rows" in a) {
      const table = new TensorTable();
      tables.push(table);
      const opt = (x: Float32Array | undefined) => (x ? mk(x) : null);
      return table.bind(a.rows.map((r): TableRow => ({
        p: mk(r.p), g: mk(r.g), s0: opt(r.s0), s1: opt(r.s1), s2: opt(r.s2), t0: r.t0, t1: r.t1, t2: r.t2, t3: r.t3,
      })));
    }
    return a;
  });
  return { args, tensors, tables };
}

/** Runs kernel `name` of `backend` on materialized arguments and returns its result. */
export function runKernel(backend: Backend, name: KernelName, args: readonly unknown[]): unknown {
  return (backend[name] as (...a: unknown[]) => unknown).apply(backend, args as unknown[]);
}
