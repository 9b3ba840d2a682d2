// Convolutions: F.conv2d / F.conv1d and nn.Conv2d / nn.Conv1d (PyTorch's),
// NCHW (or unbatched CHW; NCL / CL for 1-d). The kernels (assembly/conv.ts)
// run im2col + the packed SIMD GEMM per sample and group; a 1-d convolution is
// the 2-d one with H = 1. Checks and messages are PyTorch 1.13's.
import { Tensor, shapeToString } from "../tensor.js";
import { Module } from "./module.js";
import { pyBool } from "./repr.js";
import { fillUniform } from "../random.js";
import { describe as show, optionsArg } from "../validate.js";
import { colsWorkspace, computed, record, sinkFor, wantsGrad } from "./conv_autograd.js";
import { colsSize, type ConvGeometry } from "./conv_kernels.js";
import { backend } from "../backend/index.js";
import { indexSelect } from "../ops/shape.js";

export type Size2 = number | readonly [number, number];
export type Size1 = number | readonly [number];
export type Padding2 = Size2 | "same" | "valid";
export type Padding1 = Size1 | "same" | "valid";

export interface ConvOptions<S, P> {
  stride?: S;
  padding?: P;
  dilation?: S;
  groups?: number;
}

export type Conv2dOptions = ConvOptions<Size2, Padding2>;
export type Conv1dOptions = ConvOptions<Size1, Padding1>;

/** `v` as `n` integers (a number repeated, or an array of n): PyTorch's _pair/_single. */
export function tupleArg(where: string, name: string, v: unknown, n: number): number[] {
  const arr = typeof v === "number" ? new Array<number>(n).fill(v) : Array.isArray(v) && v.length === n ? [...(v as number[])] : null;
  if (!arr || !arr.every((x) => typeof x === "number" && Number.isInteger(x))) {
    const expected = n === 1 ? "an integer or [n]" : `an integer or an array of ${n} integers`;
    // numbers that are not integers (1.5, NaN, Infinity) are wrong values; anything else a wrong type
    const wrongValue = arr !== null && arr.every((x) => typeof x === "number");
    throw new (wrongValue ? RangeError : TypeError)(`${where}: ${name} must be ${expected}, got ${show(v)}`);
  }
  return arr;
}

const tuple = (v: readonly number[]) => (v.length === 1 ? `(${v[0]},)` : `(${v.join(", ")})`);

interface Resolved {
  stride: number[];
  /** Leading padding per spatial dimension ('same' with an even total pads one more at the end). */
  padding: number[];
  /** Total padding per spatial dimension (2·padding, or 'same''s total). */
  padTotal: number[];
  dilation: number[];
  groups: number;
}

/** Parses and checks conv options for `dims` spatial dimensions (PyTorch's messages). */
function resolveOptions(fn: string, dims: number, options: unknown, kernel: readonly number[]): Resolved {
  const o = optionsArg(fn, options, ["stride", "padding", "dilation", "groups"]);
  const stride = tupleArg(fn, "stride", o.stride ?? 1, dims);
  const dilation = tupleArg(fn, "dilation", o.dilation ?? 1, dims);
  const groups = o.groups ?? 1;
  if (typeof groups !== "number" || !Number.isInteger(groups)) throw new TypeError(`${fn}: groups must be an integer, got ${show(groups)}`);
  const p = o.padding ?? 0;
  let padding: number[];
  let padTotal: number[];
  if (p === "same" || p === "valid") {
    if (p === "same" && stride.some((s) => s !== 1)) throw new RangeError(`${fn}: padding='same' is not supported for strided convolutions`);
    if (p === "valid") padding = padTotal = new Array<number>(dims).fill(0);
    else {
      padTotal = kernel.map((k, i) => dilation[i] * (k - 1));
      padding = padTotal.map((t) => Math.floor(t / 2));
    }
  } else if (typeof p === "string") {
    throw new RangeError(`${fn}: Invalid padding string '${p}', should be one of {'same', 'valid'}`);
  } else {
    padding = tupleArg(fn, "padding", p, dims);
    padTotal = padding.map((x) => 2 * x);
  }
  if (stride.some((s) => s <= 0)) throw new RangeError(`${fn}: non-positive stride is not supported`);
  if (padding.some((x) => x < 0)) throw new RangeError(`${fn}: negative padding is not supported`);
  if (dilation.some((d) => d <= 0)) throw new RangeError(`${fn}: dilation should be greater than zero, but got [${dilation.join(", ")}]`);
  if (groups <= 0) throw new RangeError(`${fn}: non-positive groups is not supported`);
  return { stride, padding, padTotal, dilation, groups };
}

/** Checks x, weight and bias of a convolution with `dims` spatial dimensions and returns the geometry. */
function convGeometry(fn: string, dims: 1 | 2, x: unknown, weight: unknown, bias: unknown, options: unknown): ConvGeometry {
  if (!(x instanceof Tensor)) throw new TypeError(`${fn}: input must be a Tensor, got ${show(x)}`);
  if (!(weight instanceof Tensor)) throw new TypeError(`${fn}: weight must be a Tensor, got ${show(weight)}`);
  if (bias != null && !(bias instanceof Tensor)) throw new TypeError(`${fn}: bias must be a Tensor or null, got ${show(bias)}`);
  x.assertAlive(`${fn} (input)`);
  weight.assertAlive(`${fn} (weight)`);
  bias?.assertAlive(`${fn} (bias)`);
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    throw new RangeError(
      `${fn}: Expected ${dims + 1}D (unbatched) or ${dims + 2}D (batched) input to ${fn}, but got input of size: ${shapeToString(x.shape)}`,
    );
  }
  if (weight.ndim !== dims + 2) {
    throw new RangeError(`${fn}: weight must be ${dims + 2}-dimensional [out, in/groups, ${dims === 2 ? "kh, kw" : "k"}], got ${shapeToString(weight.shape)}`);
  }
  const kernel = weight.shape.slice(2);
  const r = resolveOptions(fn, dims, options, kernel);
  const batched = x.ndim === dims + 2 ? x.shape : [1, ...x.shape];
  const [N, C] = batched;
  const [Co, Cg] = weight.shape;
  if (Co < r.groups) {
    throw new RangeError(`${fn}: Given groups=${r.groups}, expected weight to be at least ${r.groups} at dimension 0, but got weight of size ${shapeToString(weight.shape)} instead`);
  }
  if (Co % r.groups !== 0) {
    throw new RangeError(`${fn}: Given groups=${r.groups}, expected weight to be divisible by ${r.groups} at dimension 0, but got weight of size ${shapeToString(weight.shape)} instead`);
  }
  if (C !== Cg * r.groups) {
    throw new RangeError(
      `${fn}: Given groups=${r.groups}, weight of size ${shapeToString(weight.shape)}, expected input${shapeToString(batched)} to have ${Cg * r.groups} channels, but got ${C} channels instead`,
    );
  }
  if (bias != null && (bias.ndim !== 1 || bias.shape[0] !== Co)) {
    throw new RangeError(`${fn}: Given weight of size ${shapeToString(weight.shape)}, expected bias to be 1-dimensional with ${Co} elements, but got bias of size ${shapeToString(bias.shape)} instead`);
  }
  const spatial = batched.slice(2);
  const padded = spatial.map((s, i) => s + r.padTotal[i]);
  const effective = kernel.map((k, i) => r.dilation[i] * (k - 1) + 1);
  if (padded.some((s, i) => s < effective[i])) {
    throw new RangeError(
      `${fn}: Calculated padded input size per channel: (${padded.join(" x ")}). Kernel size: (${effective.join(" x ")}). Kernel size can't be greater than actual input size`,
    );
  }
  const out = padded.map((s, i) => Math.floor((s - effective[i]) / r.stride[i]) + 1);
  const two = (a: readonly number[], fill: number) => (dims === 2 ? [a[0], a[1]] : [fill, a[0]]);
  const [H, W] = two(spatial, 1);
  const [kh, kw] = two(kernel, 1);
  const [sh, sw] = two(r.stride, 1);
  const [ph, pw] = two(r.padding, 0);
  const [dh, dw] = two(r.dilation, 1);
  const [Ho, Wo] = two(out, 1);
  return { N, C, H, W, Co, kh, kw, sh, sw, ph, pw, dh, dw, groups: r.groups, Ho, Wo };
}

function convolve(fn: string, dims: 1 | 2, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: unknown): Tensor {
  const g = convGeometry(fn, dims, x, weight, bias, options);
  const spatialOut = dims === 2 ? [g.Ho, g.Wo] : [g.Wo];
  const outShape = x.ndim === dims + 2 ? [g.N, g.Co, ...spatialOut] : [g.Co, ...spatialOut];
  const b = bias ?? null;
  const y = computed(outShape);
  backend().conv2dForward(x, weight, b, y, colsWorkspace(colsSize(g)), g);
  const inputs = b ? [x, weight, b] : [x, weight];
  record("ConvolutionBackward0", y, inputs, (node, dy) => {
    const cols = colsWorkspace(colsSize(g));
    const dw = sinkFor(node, 1);
    const db = b ? sinkFor(node, 2) : null;
    if (dw && db && dw.acc === db.acc) backend().conv2dBackwardWeight(x, dy, dw.tensor, db.tensor, cols, g, dw.acc);
    else {
      if (dw) backend().conv2dBackwardWeight(x, dy, dw.tensor, null, cols, g, dw.acc);
      if (db) backend().conv2dBackwardWeight(x, dy, null, db.tensor, cols, g, db.acc);
    }
    if (wantsGrad(node, 0)) {
      const dx = sinkFor(node, 0)!;
      backend().conv2dBackwardInput(dy, weight, dx.tensor, cols, g, dx.acc);
    }
  }, [x, weight]);
  return y;
}

/**
 * PyTorch's F.conv2d: x [N, C, H, W] (or [C, H, W]), weight [Co, C/groups,
 * kh, kw], bias [Co] or null → [N, Co, Ho, Wo]; padding a number, a pair,
 * 'same' (stride 1; an even total pads one more at the bottom/right) or 'valid'.
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options?: Conv2dOptions): Tensor {
  return convolve("conv2d", 2, x, weight, bias, options);
}

/** PyTorch's F.conv1d: x [N, C, L] (or [C, L]), weight [Co, C/groups, k] → [N, Co, Lo]. */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, options?: Conv1dOptions): Tensor {
  return convolve("conv1d", 1, x, weight, bias, options);
}

export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

export interface ConvModuleOptions<S, P> extends ConvOptions<S, P> {
  bias?: boolean;
  /** 'zeros' (PyTorch's default) pads inside the kernel; the others pad the input first (F.pad's modes), then convolve unpadded. */
  paddingMode?: PaddingMode;
}

/**
 * The source index of each position of a dimension of `n` padded by `before`
 * and `after` in `mode` (PyTorch's F.pad: reflect mirrors without repeating
 * the edge, replicate repeats it, circular wraps around).
 */
function padIndex(mode: Exclude<PaddingMode, "zeros">, n: number, before: number, after: number): number[] {
  return Array.from({ length: before + n + after }, (_, j) => {
    const i = j - before;
    if (mode === "replicate") return Math.min(Math.max(i, 0), n - 1);
    if (mode === "circular") return ((i % n) + n) % n;
    return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
  });
}

/**
 * x padded over its last `pads.length` dimensions ([before, after] each, the
 * last dimension last) in `mode`, with PyTorch 1.13's checks: a gather per
 * dimension, so its gradient adds every copy back to its source.
 */
function padInput(fn: string, x: Tensor, mode: Exclude<PaddingMode, "zeros">, pads: readonly (readonly [number, number])[]): Tensor {
  const first = x.ndim - pads.length;
  // PyTorch's order: the last dimension first (its padding is F.pad's argument #4, the one before #6).
  for (let k = pads.length - 1; k >= 0; k--) {
    const [before, after] = pads[k];
    const n = x.shape[first + k];
    if (mode === "reflect" && (before >= n || after >= n)) {
      throw new RangeError(
        `${fn}: Argument #${4 + 2 * (pads.length - 1 - k)}: Padding size should be less than the corresponding input dimension, but got: padding (${before}, ${after}) at dimension ${first + k} of input ${x.ndim}`,
      );
    }
    if (mode === "circular" && (before > n || after > n)) throw new RangeError(`${fn}: Padding value causes wrapping around more than once.`);
  }
  let y = x;
  pads.forEach(([before, after], k) => {
    if (before === 0 && after === 0) return;
    const next = indexSelect(y, first + k, padIndex(mode, y.shape[first + k], before, after));
    y = next;
  });
  return y;
}

const PADDING_MODES = ["zeros", "reflect", "replicate", "circular"];

/** nn.Conv1d and nn.Conv2d: the parameters, PyTorch's default initialisation, and forward through F. */
abstract class ConvNd extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[] | "same" | "valid";
  readonly dilation: readonly number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  /** [before, after] padding per spatial dimension, applied to the input when paddingMode is not 'zeros'. */
  private readonly modePadding: readonly (readonly [number, number])[];

  /**
   * PyTorch's reset_parameters: kaiming_uniform_(a=√5) on the weight, which is
   * U(−1/√fanIn, 1/√fanIn) with fanIn = in/groups·∏kernel, then the bias from
   * the same interval, from the default generator.
   */
  constructor(dims: 1 | 2, inChannels: number, outChannels: number, kernelSize: unknown, options: unknown) {
    super();
    const name = dims === 2 ? "Conv2d" : "Conv1d";
    const o = optionsArg(name, options, ["stride", "padding", "dilation", "groups", "bias", "paddingMode"]);
    for (const [n, v] of [["inChannels", inChannels], ["outChannels", outChannels]] as const) {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new (typeof v === "number" ? RangeError : TypeError)(`${name}: ${n} must be a positive integer, got ${show(v)}`);
    }
    const kernel = tupleArg(name, "kernelSize", kernelSize, dims);
    if (kernel.some((k) => k < 1)) throw new RangeError(`${name}: kernelSize must be positive, got ${show(kernelSize)}`);
    const groups = o.groups ?? 1;
    if (typeof groups !== "number" || !Number.isInteger(groups) || groups <= 0) {
      throw new (typeof groups === "number" ? RangeError : TypeError)(`${name}: groups must be a positive integer (got ${show(groups)})`);
    }
    if (inChannels % groups !== 0) throw new RangeError(`${name}: in_channels must be divisible by groups (inChannels ${inChannels}, groups ${groups})`);
    if (outChannels % groups !== 0) throw new RangeError(`${name}: out_channels must be divisible by groups (outChannels ${outChannels}, groups ${groups})`);
    const paddingMode = o.paddingMode ?? "zeros";
    if (typeof paddingMode !== "string" || !PADDING_MODES.includes(paddingMode)) {
      throw new RangeError(
        `${name}: padding_mode must be one of {'replicate', 'reflect', 'zeros', 'circular'}, but got padding_mode=${typeof paddingMode === "string" ? `'${paddingMode}'` : show(paddingMode)}`,
      );
    }
    const bias = o.bias ?? true;
    if (typeof bias !== "boolean") throw new TypeError(`${name}: bias must be a boolean, got ${show(bias)}`);
    // Checks stride, padding (incl. 'same' with a stride) and dilation as F would.
    const r = resolveOptions(name, dims, { stride: o.stride, padding: o.padding, dilation: o.dilation, groups }, kernel);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = Object.freeze(kernel);
    this.stride = Object.freeze(r.stride);
    this.padding = o.padding === "same" || o.padding === "valid" ? o.padding : Object.freeze(r.padding);
    this.dilation = Object.freeze(r.dilation);
    this.groups = groups;
    this.paddingMode = paddingMode as PaddingMode;
    // PyTorch's _reversed_padding_repeated_twice (in dimension order here): 'same' puts the odd one at the end.
    this.modePadding = kernel.map((k, i) => {
      const total = o.padding === "same" ? r.dilation[i] * (k - 1) : o.padding === "valid" ? 0 : 2 * r.padding[i];
      const before = o.padding === "same" ? Math.floor(total / 2) : total / 2;
      return [before, total - before] as const;
    });
    const fanIn = (inChannels / groups) * kernel.reduce((a, b) => a * b, 1);
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = fillUniform(new Tensor([outChannels, inChannels / groups, ...kernel]), -bound, bound, undefined, name);
    this.bias = bias ? fillUniform(new Tensor([outChannels]), -bound, bound, undefined, name) : null;
    this.registerParameter("weight", this.weight);
    this.registerParameter("bias", this.bias);
  }

  override describe(): string {
    return `${this.typeName}(${this.extraRepr()})`;
  }

  /** PyTorch's extra_repr: "1, 32, kernel_size=(3, 3), stride=(1, 1)" plus what differs from the defaults. */
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${tuple(this.kernelSize)}, stride=${tuple(this.stride)}`;
    if (typeof this.padding === "string") s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${tuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${tuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += `, bias=${pyBool(false)}`;
    if (this.paddingMode !== "zeros") s += `, padding_mode=${this.paddingMode}`;
    return s;
  }

  /** Convolves x as F would, first padding it in paddingMode when that is not 'zeros' (then the convolution is unpadded). */
  protected convolveInput(fn: string, dims: 1 | 2, x: Tensor): Tensor {
    if (this.paddingMode === "zeros") return convolve(fn, dims, x, this.weight, this.bias, this.options);
    // Every check of the convolution first (the padded sizes are the same), so bad input allocates nothing.
    convGeometry(fn, dims, x, this.weight, this.bias, this.options);
    const padded = padInput(fn, x, this.paddingMode, this.modePadding);
    return convolve(fn, dims, padded, this.weight, this.bias, { ...this.options, padding: 0 });
  }

  protected get options(): { stride: number[]; padding: number[] | "same" | "valid"; dilation: number[]; groups: number } {
    return {
      stride: [...this.stride],
      padding: typeof this.padding === "string" ? this.padding : [...this.padding],
      dilation: [...this.dilation],
      groups: this.groups,
    };
  }
}

export class Conv2d extends ConvNd {
  static override readonly moduleName: string = "Conv2d";

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: ConvModuleOptions<Size2, Padding2> = {}) {
    super(2, inChannels, outChannels, kernelSize, options);
  }

  /** x [N, inChannels, H, W] (or [inChannels, H, W]) → [N, outChannels, Ho, Wo]. */
  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    return this.convolveInput("conv2d", 2, x);
  }
}

export class Conv1d extends ConvNd {
  static override readonly moduleName: string = "Conv1d";

  constructor(inChannels: number, outChannels: number, kernelSize: Size1, options: ConvModuleOptions<Size1, Padding1> = {}) {
    super(1, inChannels, outChannels, kernelSize, options);
  }

  /** x [N, inChannels, L] (or [inChannels, L]) → [N, outChannels, Lo]. */
  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    return this.convolveInput("conv1d", 1, x);
  }
}
