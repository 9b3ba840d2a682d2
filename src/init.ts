// torch.nn.init: weight initializers. Every function validates all of its
// arguments first (so a bad call leaves the tensor untouched), fills the
// tensor in place and returns it. Conventions are PyTorch 1.13's
// (torch/nn/init.py): fans from weight shape [out, in, ...kernel], gains from
// calculate_gain, the same bounds and stds. varianceScaling and the LeCun
// initializers follow Keras (keras/initializers), with PyTorch's fans.
import { Tensor, shapeToString } from "./tensor.js";
import { fillNormal, fillTruncNormal, fillUniform, generatorOf, randperm, type GeneratorOptions } from "./random.js";
import { describe, integerArg, mustBe, numberArg, optionsArg } from "./validate.js";

/** Counts `writes` in-place writes on t's version counter (as many as PyTorch's init function makes); returns t. */
function wrote(t: Tensor, writes = 1): Tensor {
  for (let i = 0; i < writes; i++) t.bumpVersion();
  return t;
}

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";
export type FanMode = "fan_in" | "fan_out";

const LINEAR_FNS = new Set([
  "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
]);

function checkTensor(t: unknown, what: string): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(mustBe(`init.${what}`, "the tensor", "a Tensor", t));
  t.assertAlive(`init.${what}`);
}

function checkOptions(options: unknown, what: string): void {
  optionsArg(`init.${what}`, options);
}

function checkNumber(x: unknown, name: string, what: string): asserts x is number {
  if (typeof x !== "number" || !Number.isFinite(x)) {
    throw new (typeof x === "number" ? RangeError : TypeError)(mustBe(`init.${what}`, name, "a finite number", x));
  }
}

/** A finite number (PyTorch's words for NaN: "must be a number, got NaN"). */
function finiteNumber(x: unknown, name: string, what: string): number {
  if (typeof x !== "number") throw new TypeError(mustBe(`init.${what}`, name, "a finite number", x));
  if (!Number.isFinite(x)) throw new RangeError(mustBe(`init.${what}`, name, Number.isNaN(x) ? "a number" : "a finite number", x));
  return x;
}

/**
 * [fanIn, fanOut] of a weight of shape [out, in, ...kernel]: in·receptive and
 * out·receptive, receptive = the product of the kernel sizes
 * (_calculate_fan_in_and_fan_out).
 */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  checkTensor(t, "calculateFanInAndFanOut");
  return fansOf(t.shape);
}

function fansOf(shape: readonly number[]): [number, number] {
  if (shape.length < 2) {
    throw new RangeError(
      `Fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape ${shapeToString(shape)})`,
    );
  }
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i];
  return [shape[1] * receptive, shape[0] * receptive];
}

function correctFan(shape: readonly number[], mode: unknown, what: string): number {
  if (typeof mode !== "string" || (mode.toLowerCase() !== "fan_in" && mode.toLowerCase() !== "fan_out")) {
    const E = typeof mode === "string" ? RangeError : TypeError;
    throw new E(`init.${what}: Mode ${String(mode)} not supported, please use one of ['fan_in', 'fan_out'] (mode: got ${describe(mode)})`);
  }
  const [fanIn, fanOut] = fansOf(shape);
  return mode.toLowerCase() === "fan_in" ? fanIn : fanOut;
}

/**
 * The recommended gain for a nonlinearity (calculate_gain): 1 for linear,
 * conv and sigmoid; 5/3 for tanh; √2 for relu; √(2/(1 + slope²)) for
 * leaky_relu (slope = param, default 0.01); 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity | string, param?: number): number {
  if (typeof nonlinearity !== "string") {
    throw new TypeError(mustBe("init.calculateGain", "nonlinearity", "a string", nonlinearity));
  }
  if (LINEAR_FNS.has(nonlinearity) || nonlinearity === "sigmoid") return 1;
  if (nonlinearity === "tanh") return 5.0 / 3;
  if (nonlinearity === "relu") return Math.sqrt(2.0);
  if (nonlinearity === "leaky_relu") {
    let slope = 0.01;
    if (param !== undefined && param !== null) {
      if (typeof param !== "number" || Number.isNaN(param)) {
        const E = typeof param === "number" ? RangeError : TypeError;
        throw new E(`init.calculateGain: negative_slope ${String(param)} not a valid number (param: got ${describe(param)})`);
      }
      slope = param;
    }
    return Math.sqrt(2.0 / (1 + slope ** 2));
  }
  if (nonlinearity === "selu") return 3.0 / 4;
  throw new RangeError(
    `init.calculateGain: Unsupported nonlinearity ${nonlinearity}; expected one of ` +
      `${[...LINEAR_FNS, "sigmoid", "tanh", "relu", "leaky_relu", "selu"].map((s) => `'${s}'`).join(", ")} (nonlinearity: got ${describe(nonlinearity)})`,
  );
}

export interface UniformOptions extends GeneratorOptions {
  a?: number;
  b?: number;
}

/** U[a, b) (uniform_). */
export function uniform(t: Tensor, options: UniformOptions = {}): Tensor {
  checkTensor(t, "uniform");
  checkOptions(options, "uniform");
  const { a = 0, b = 1 } = options;
  return wrote(fillUniform(t, a, b, options, "init.uniform"));
}

export interface NormalOptions extends GeneratorOptions {
  mean?: number;
  std?: number;
}

/** N(mean, std²) (normal_). */
export function normal(t: Tensor, options: NormalOptions = {}): Tensor {
  checkTensor(t, "normal");
  checkOptions(options, "normal");
  const { mean = 0, std = 1 } = options;
  return wrote(fillNormal(t, mean, std, options, "init.normal"));
}

export interface TruncNormalOptions extends NormalOptions {
  a?: number;
  b?: number;
}

/**
 * N(mean, std²) conditioned on [a, b] (trunc_normal_; a and b are absolute
 * bounds, not in units of std). Sampled by inversion, exact in the tails.
 */
export function truncNormal(t: Tensor, options: TruncNormalOptions = {}): Tensor {
  checkTensor(t, "truncNormal");
  checkOptions(options, "truncNormal");
  const { mean = 0, std = 1, a = -2, b = 2 } = options;
  fillTruncNormal(t, mean, std, a, b, options, "init.truncNormal");
  wrote(t, 5); // uniform_, erfinv_, mul_, add_, clamp_ in PyTorch
  if (mean < a - 2 * std || mean > b + 2 * std) {
    // PyTorch's UserWarning: the inverse-CDF method loses accuracy far from [a, b].
    console.warn("mean is more than 2 std from [a, b] in init.truncNormal. The distribution of values may be incorrect.");
  }
  return t;
}

/** Fills with `value` (constant_). */
export function constant(t: Tensor, value: number): Tensor {
  checkTensor(t, "constant");
  numberArg("init.constant", "value", value);
  t.data.fill(value);
  return wrote(t);
}

/** Fills with 1 (ones_). */
export function ones(t: Tensor): Tensor {
  checkTensor(t, "ones");
  t.data.fill(1);
  return wrote(t);
}

/** Fills with 0 (zeros_). */
export function zeros(t: Tensor): Tensor {
  checkTensor(t, "zeros");
  t.data.fill(0);
  return wrote(t);
}

/** The identity matrix in a 2-D tensor (eye_): ones on the main diagonal of a rectangular matrix. */
export function eye(t: Tensor): Tensor {
  checkTensor(t, "eye");
  if (t.ndim !== 2) throw new RangeError(`init.eye: Only tensors with 2 dimensions are supported (got shape ${shapeToString(t.shape)})`);
  const [rows, cols] = t.shape;
  const d = t.data;
  d.fill(0);
  for (let i = 0; i < Math.min(rows, cols); i++) d[i * cols + i] = 1;
  return wrote(t);
}

export interface DiracOptions {
  groups?: number;
}

/**
 * The Dirac delta in a 3-, 4- or 5-D convolution weight (dirac_): in each of
 * `groups` groups of out/groups output channels, channel d of the group has a
 * 1 at input channel d and the kernel centre (size // 2 in every kernel dim),
 * for d < min(out/groups, in); the layer then preserves its input channels.
 */
export function dirac(t: Tensor, options: DiracOptions = {}): Tensor {
  checkTensor(t, "dirac");
  checkOptions(options, "dirac");
  const { groups = 1 } = options;
  const dims = t.ndim;
  if (dims < 3 || dims > 5) {
    throw new RangeError(`init.dirac: Only tensors with 3, 4, or 5 dimensions are supported (got shape ${shapeToString(t.shape)})`);
  }
  integerArg("init.dirac", "groups", groups, { min: 1 });
  const shape = t.shape;
  if (shape[0] % groups !== 0) {
    throw new RangeError(`init.dirac: dim 0 must be divisible by groups (dim 0 = ${shape[0]}, groups = ${groups})`);
  }
  const outPerGroup = shape[0] / groups;
  const minDim = Math.min(outPerGroup, shape[1]);
  // strides of the row-major layout
  const strides = new Array<number>(dims);
  strides[dims - 1] = 1;
  for (let i = dims - 2; i >= 0; i--) strides[i] = strides[i + 1] * shape[i + 1];
  let centre = 0;
  for (let i = 2; i < dims; i++) centre += Math.floor(shape[i] / 2) * strides[i];
  const d = t.data;
  d.fill(0);
  for (let g = 0; g < groups; g++) {
    for (let c = 0; c < minDim; c++) d[(g * outPerGroup + c) * strides[0] + c * strides[1] + centre] = 1;
  }
  return wrote(t, 1 + groups * minDim); // zero_, then one indexed write per diagonal 1
}

export interface GainOptions extends GeneratorOptions {
  gain?: number;
}

function checkGain(gain: unknown, what: string): number {
  return finiteNumber(gain, "gain", what);
}

/** U(-a, a), a = gain·√(6/(fanIn + fanOut)) (xavier_uniform_, Glorot & Bengio 2010). */
export function xavierUniform(t: Tensor, options: GainOptions = {}): Tensor {
  checkTensor(t, "xavierUniform");
  checkOptions(options, "xavierUniform");
  const gain = checkGain(options.gain === undefined ? 1 : options.gain, "xavierUniform");
  const [fanIn, fanOut] = fansOf(t.shape);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  generatorOf(options, "init.xavierUniform");
  if (t.size === 0) return t;
  return wrote(fillUniform(t, -a, a, options, "init.xavierUniform"));
}

/** N(0, std²), std = gain·√(2/(fanIn + fanOut)) (xavier_normal_). */
export function xavierNormal(t: Tensor, options: GainOptions = {}): Tensor {
  checkTensor(t, "xavierNormal");
  checkOptions(options, "xavierNormal");
  const gain = checkGain(options.gain === undefined ? 1 : options.gain, "xavierNormal");
  const [fanIn, fanOut] = fansOf(t.shape);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  generatorOf(options, "init.xavierNormal");
  if (t.size === 0) return t;
  return wrote(fillNormal(t, 0, std, options, "init.xavierNormal"));
}

export interface KaimingOptions extends GeneratorOptions {
  /** The negative slope of the rectifier after this layer (leaky_relu only). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

/** The std of kaiming_*: gain/√fan, or null for a zero-element tensor (PyTorch warns and does nothing). */
function kaimingStd(t: Tensor, options: KaimingOptions, what: string): number | null {
  checkTensor(t, what);
  checkOptions(options, what);
  const { a = 0, mode = "fan_in", nonlinearity = "leaky_relu" } = options;
  finiteNumber(a, "a", what);
  const gain = calculateGain(nonlinearity, a);
  const fan = correctFan(t.shape, mode, what);
  generatorOf(options, `init.${what}`);
  if (t.shape.includes(0)) {
    console.warn("Initializing zero-element tensors is a no-op");
    return null;
  }
  return gain / Math.sqrt(fan);
}

/** U(-bound, bound), bound = gain·√(3/fan) (kaiming_uniform_, He et al. 2015). */
export function kaimingUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  const std = kaimingStd(t, options, "kaimingUniform");
  if (std === null) return t;
  const bound = Math.sqrt(3.0) * std;
  return wrote(fillUniform(t, -bound, bound, options, "init.kaimingUniform"));
}

/** N(0, std²), std = gain/√fan (kaiming_normal_). */
export function kaimingNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  const std = kaimingStd(t, options, "kaimingNormal");
  if (std === null) return t;
  return wrote(fillNormal(t, 0, std, options, "init.kaimingNormal"));
}

/**
 * Householder QR of the m×n (m ≥ n) column-major float64 matrix `a` (in
 * place); returns the m×n Q with its columns multiplied by sign(diag(R)), i.e.
 * the Q of the QR factorisation whose R has a non-negative diagonal.
 */
function orthonormalColumns(a: Float64Array, m: number, n: number): Float64Array {
  const vs: Float64Array[] = [];
  const rDiag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const col = k * m;
    let norm = 0;
    for (let i = k; i < m; i++) norm += a[col + i] * a[col + i];
    norm = Math.sqrt(norm);
    // reflect x onto -sign(x_k)·‖x‖·e_k (no cancellation in v = x + sign(x_k)‖x‖e_k)
    const alpha = a[col + k] >= 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = a[col + i];
    v[0] -= alpha;
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i] * v[i];
    rDiag[k] = alpha;
    if (vv > 0) {
      for (let j = k + 1; j < n; j++) {
        const cj = j * m;
        let dot = 0;
        for (let i = k; i < m; i++) dot += v[i - k] * a[cj + i];
        const s = (2 * dot) / vv;
        for (let i = k; i < m; i++) a[cj + i] -= s * v[i - k];
      }
    } else {
      rDiag[k] = a[col + k];
    }
    vs.push(vv > 0 ? v.map((x) => x / Math.sqrt(vv)) : v.fill(0));
  }
  // Q = H_0 H_1 … H_{n-1} applied to the first n columns of the identity
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    for (let j = 0; j < n; j++) {
      const cj = j * m;
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k] * q[cj + i];
      if (dot === 0) continue;
      for (let i = k; i < m; i++) q[cj + i] -= 2 * dot * v[i - k];
    }
  }
  for (let j = 0; j < n; j++) {
    const sign = Math.sign(rDiag[j]);
    for (let i = 0; i < m; i++) q[j * m + i] *= sign;
  }
  return q;
}

/**
 * A (semi-)orthogonal matrix (orthogonal_, Saxe et al. 2013): the tensor,
 * viewed as rows = shape[0] by cols = numel/rows, is filled with N(0, 1), then
 * replaced by the Q of its QR factorisation (of its transpose when rows <
 * cols) with PyTorch's sign correction Q·sign(diag(R)), times gain. Rows are
 * orthonormal when rows ≤ cols, columns otherwise.
 */
export function orthogonal(t: Tensor, options: GainOptions = {}): Tensor {
  checkTensor(t, "orthogonal");
  checkOptions(options, "orthogonal");
  const gain = checkGain(options.gain === undefined ? 1 : options.gain, "orthogonal");
  if (t.ndim < 2) {
    throw new RangeError(`init.orthogonal: Only tensors with 2 or more dimensions are supported (got shape ${shapeToString(t.shape)})`);
  }
  generatorOf(options, "init.orthogonal");
  if (t.size === 0) return t;
  const rows = t.shape[0];
  const cols = t.size / rows;
  fillNormal(t, 0, 1, options, "init.orthogonal");
  const src = t.data;
  // Factor A (m×n, m ≥ n): A = flattened (rows×cols) or its transpose.
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const a = new Float64Array(m * n); // column-major
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // element (r, c) of the flattened matrix is A[r, c] (tall) or A[c, r]
      if (tall) a[c * m + r] = src[r * cols + c];
      else a[r * m + c] = src[r * cols + c];
    }
  }
  const q = orthonormalColumns(a, m, n);
  const dst = t.data;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) dst[r * cols + c] = gain * (tall ? q[c * m + r] : q[r * m + c]);
  }
  return wrote(t, 2); // copy_, mul_
}

export interface SparseOptions extends GeneratorOptions {
  std?: number;
}

/**
 * A sparse 2-D matrix (sparse_, Martens 2010): N(0, std²) everywhere, then in
 * every column exactly ceil(sparsity·rows) entries, at rows chosen by a random
 * permutation, set to zero.
 */
export function sparse(t: Tensor, sparsity: number, options: SparseOptions = {}): Tensor {
  checkTensor(t, "sparse");
  checkOptions(options, "sparse");
  if (t.ndim !== 2) throw new RangeError(`init.sparse: Only tensors with 2 dimensions are supported (got shape ${shapeToString(t.shape)})`);
  numberArg("init.sparse", "sparsity", sparsity, { min: 0, max: 1 });
  const { std = 0.01 } = options;
  checkNumber(std, "std", "sparse");
  if (std < 0) throw new RangeError(`init.sparse: std must be non-negative, got ${std}`);
  generatorOf(options, "init.sparse");
  const [rows, cols] = t.shape;
  const numZeros = Math.ceil(sparsity * rows);
  fillNormal(t, 0, std, options, "init.sparse");
  for (let c = 0; c < cols; c++) {
    const perm = randperm(rows, options);
    const d = t.data;
    for (let i = 0; i < numZeros; i++) d[perm[i] * cols + c] = 0;
  }
  return wrote(t, 1 + cols); // normal_, then one indexed write per column
}

export type VarianceScalingMode = "fan_in" | "fan_out" | "fan_avg";
export type VarianceScalingDistribution = "truncated_normal" | "untruncated_normal" | "uniform";

export interface VarianceScalingOptions extends GeneratorOptions {
  scale?: number;
  mode?: VarianceScalingMode;
  distribution?: VarianceScalingDistribution | "normal";
}

/** std of N(0, 1) truncated to [-2, 2]: Keras divides by it so the truncated draw has variance `scale/n`. */
const TRUNCATED_NORMAL_STD = 0.87962566103423978;

/**
 * Keras VarianceScaling with PyTorch's fans (Keras's own for 0-D and 1-D
 * tensors: n = 1, or n = the length): s = scale / max(1, n), n = fanIn,
 * fanOut or their mean by `mode`; then
 *   'truncated_normal' (default; 'normal' is Keras's old name for it):
 *       N(0, σ²) truncated to ±2σ, σ = √s / 0.87962566103423978,
 *   'untruncated_normal': N(0, s),
 *   'uniform': U(-√(3s), √(3s)).
 */
export function varianceScaling(t: Tensor, options: VarianceScalingOptions = {}): Tensor {
  checkTensor(t, "varianceScaling");
  checkOptions(options, "varianceScaling");
  const { scale = 1, mode = "fan_in", distribution = "truncated_normal" } = options;
  if (typeof scale !== "number" || !(scale > 0) || !Number.isFinite(scale)) {
    throw new (typeof scale === "number" ? RangeError : TypeError)(mustBe("init.varianceScaling", "scale", "a positive finite number", scale));
  }
  if (mode !== "fan_in" && mode !== "fan_out" && mode !== "fan_avg") {
    const E = typeof mode === "string" ? RangeError : TypeError;
    throw new E(`init.varianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', got ${describe(mode)}`);
  }
  if (distribution !== "truncated_normal" && distribution !== "untruncated_normal" && distribution !== "uniform" && distribution !== "normal") {
    throw new (typeof distribution === "string" ? RangeError : TypeError)(
      `init.varianceScaling: distribution must be 'truncated_normal', 'untruncated_normal' or 'uniform', got ${describe(distribution)}`,
    );
  }
  generatorOf(options, "init.varianceScaling");
  const shape = t.shape;
  const [fanIn, fanOut] = shape.length >= 2 ? fansOf(shape) : shape.length === 1 ? [shape[0], shape[0]] : [1, 1];
  const n = mode === "fan_in" ? fanIn : mode === "fan_out" ? fanOut : (fanIn + fanOut) / 2;
  const s = scale / Math.max(1, n);
  if (distribution === "uniform") {
    const limit = Math.sqrt(3 * s);
    return wrote(fillUniform(t, -limit, limit, options, "init.varianceScaling"));
  }
  if (distribution === "untruncated_normal") return wrote(fillNormal(t, 0, Math.sqrt(s), options, "init.varianceScaling"));
  const std = Math.sqrt(s) / TRUNCATED_NORMAL_STD;
  return wrote(fillTruncNormal(t, 0, std, -2 * std, 2 * std, options, "init.varianceScaling"));
}

/** LeCun uniform (Keras lecun_uniform): U(-√(3/fanIn), √(3/fanIn)). */
export function lecunUniform(t: Tensor, options: GeneratorOptions = {}): Tensor {
  checkOptions(options, "lecunUniform");
  return varianceScaling(t, { generator: options.generator, scale: 1, mode: "fan_in", distribution: "uniform" });
}

/** LeCun normal (Keras lecun_normal): truncated normal at ±2σ with variance 1/fanIn. */
export function lecunNormal(t: Tensor, options: GeneratorOptions = {}): Tensor {
  checkOptions(options, "lecunNormal");
  return varianceScaling(t, { generator: options.generator, scale: 1, mode: "fan_in", distribution: "truncated_normal" });
}

/** Alias of xavierUniform. */
export function glorotUniform(t: Tensor, options: GainOptions = {}): Tensor {
  return xavierUniform(t, options);
}

/** Alias of xavierNormal. */
export function glorotNormal(t: Tensor, options: GainOptions = {}): Tensor {
  return xavierNormal(t, options);
}

/** kaimingUniform with nonlinearity 'relu' by default. */
export function heUniform(t: Tensor, options: KaimingOptions = {}): Tensor {
  checkOptions(options, "heUniform");
  return kaimingUniform(t, { nonlinearity: "relu", ...options });
}

/** kaimingNormal with nonlinearity 'relu' by default. */
export function heNormal(t: Tensor, options: KaimingOptions = {}): Tensor {
  checkOptions(options, "heNormal");
  return kaimingNormal(t, { nonlinearity: "relu", ...options });
}
