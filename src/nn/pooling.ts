// Pooling: F.maxPool2d, F.avgPool2d, F.adaptiveAvgPool2d and their modules
// (PyTorch's), over [N, C, H, W] or unbatched [C, H, W]; kernels in
// assembly/pool.ts. Output sizes, ceil mode and the checks and messages are
// PyTorch 1.13's (aten/src/ATen/native/Pool.h).
import { Tensor, shapeToString } from "../tensor.js";
import { Module } from "./module.js";
import { pyBool } from "./repr.js";
import { describe as show, optionsArg } from "../validate.js";
import { computed, record, sinkFor } from "./conv_autograd.js";
import { tupleArg, type Size2 } from "./conv.js";
import type { PoolGeometry } from "./conv_kernels.js";
import { backend } from "../backend/index.js";

export interface MaxPool2dOptions {
  /** Default: the kernel size. */
  stride?: Size2 | null;
  padding?: Size2;
  dilation?: Size2;
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  stride?: Size2 | null;
  padding?: Size2;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/** PyTorch's pooling_output_shape, with its checks (height first, then width). */
function outputSize(fn: string, n: number, k: number, pad: number, s: number, d: number, ceil: boolean): number {
  if (s === 0) throw new RangeError(`${fn}: stride should not be zero`);
  if (pad < 0) throw new RangeError(`${fn}: pad must be non-negative, but got pad: ${pad}`);
  if (pad > Math.floor(k / 2)) throw new RangeError(`${fn}: pad should be at most half of kernel size, but got pad=${pad} and kernel_size=${k}`);
  let o = Math.floor((n + 2 * pad - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= n + pad) o--;
  return o;
}

function checkInput(fn: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${fn}: input must be a Tensor, got ${show(x)}`);
  x.assertAlive(`${fn} (input)`);
  if ((x.ndim !== 3 && x.ndim !== 4) || x.size === 0) {
    throw new RangeError(`${fn}: non-empty 3D or 4D (batch mode) tensor expected for input, got shape ${shapeToString(x.shape)}`);
  }
}

function poolGeometry(fn: string, x: Tensor, kernelSize: unknown, o: Record<string, unknown>, dilated: boolean): PoolGeometry {
  const [kh, kw] = tupleArg(fn, "kernelSize", kernelSize, 2);
  const [sh, sw] = o.stride == null ? [kh, kw] : tupleArg(fn, "stride", o.stride, 2);
  const [ph, pw] = tupleArg(fn, "padding", o.padding ?? 0, 2);
  const [dh, dw] = dilated ? tupleArg(fn, "dilation", o.dilation ?? 1, 2) : [1, 1];
  const ceil = o.ceilMode ?? false;
  if (typeof ceil !== "boolean") throw new TypeError(`${fn}: ceilMode must be a boolean, got ${show(ceil)}`);
  const [H, W] = x.shape.slice(-2);
  const C = x.shape[x.ndim - 3];
  const planes = x.ndim === 4 ? x.shape[0] * C : C;
  const Ho = outputSize(fn, H, kh, ph, sh, dh, ceil);
  const Wo = outputSize(fn, W, kw, pw, sw, dw, ceil);
  if (kh <= 0 || kw <= 0) throw new RangeError(`${fn}: kernel size should be greater than zero, but got kH: ${kh} kW: ${kw}`);
  if (sh <= 0 || sw <= 0) throw new RangeError(`${fn}: stride should be greater than zero, but got dH: ${sh} dW: ${sw}`);
  if (dh <= 0 || dw <= 0) throw new RangeError(`${fn}: dilation should be greater than zero, but got dilationH: ${dh} dilationW: ${dw}`);
  if (Ho < 1 || Wo < 1) {
    throw new RangeError(`${fn}: Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${Ho}x${Wo}). Output size is too small`);
  }
  return { planes, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo };
}

const outShape = (x: Tensor, g: PoolGeometry) => [...x.shape.slice(0, -2), g.Ho, g.Wo];

/** PyTorch's F.max_pool2d: the maximum over each window (NaN propagates; padding never wins). */
export function maxPool2d(x: Tensor, kernelSize: Size2, options?: MaxPool2dOptions): Tensor {
  const fn = "max_pool2d";
  const o = optionsArg(fn, options, ["stride", "padding", "dilation", "ceilMode"]);
  checkInput(fn, x);
  const g = poolGeometry(fn, x, kernelSize, o, true);
  const y = computed(outShape(x, g));
  // The chosen input of each output (int32 in float32 storage), for backward.
  const ind = computed([y.size]);
  backend().maxPool2dForward(x, y, ind, g);
  record("MaxPool2DWithIndicesBackward0", y, [x], (node, dy) => {
    const dx = sinkFor(node, 0)!;
    backend().maxPool2dBackward(dy, ind, dx.tensor, g, dx.acc);
  }, [ind]);
  return y;
}

/** PyTorch's F.avg_pool2d: the mean over each window (divisor per countIncludePad). */
export function avgPool2d(x: Tensor, kernelSize: Size2, options?: AvgPool2dOptions): Tensor {
  const fn = "avg_pool2d";
  const o = optionsArg(fn, options, ["stride", "padding", "ceilMode", "countIncludePad"]);
  checkInput(fn, x);
  const countIncludePad = o.countIncludePad ?? true;
  if (typeof countIncludePad !== "boolean") throw new TypeError(`${fn}: countIncludePad must be a boolean, got ${show(countIncludePad)}`);
  const g = poolGeometry(fn, x, kernelSize, o, false);
  const y = computed(outShape(x, g));
  backend().avgPool2dForward(x, y, g, countIncludePad);
  record("AvgPool2DBackward0", y, [x], (node, dy) => {
    const dx = sinkFor(node, 0)!;
    backend().avgPool2dBackward(dy, dx.tensor, g, countIncludePad, dx.acc);
  }, []);
  return y;
}

export type AdaptiveSize = number | readonly [number | null, number | null];

/** PyTorch's F.adaptive_avg_pool2d: output [.., Ho, Wo], windows [⌊i·H/Ho⌋, ⌈(i+1)·H/Ho⌉); null keeps the input's size. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const fn = "adaptive_avg_pool2d";
  if (!(x instanceof Tensor)) throw new TypeError(`${fn}: input must be a Tensor, got ${show(x)}`);
  x.assertAlive(`${fn} (input)`);
  if ((x.ndim !== 3 && x.ndim !== 4) || x.shape.slice(-2).some((d) => d === 0)) {
    throw new RangeError(`${fn}: Expected 3D or 4D tensor with non-zero spatial dimensions, but got input of size ${shapeToString(x.shape)}`);
  }
  const [H, W] = x.shape.slice(-2);
  const pair = typeof outputSize === "number" ? [outputSize, outputSize] : Array.isArray(outputSize) && outputSize.length === 2 ? outputSize : null;
  if (!pair || !pair.every((v) => v === null || (typeof v === "number" && Number.isInteger(v)))) {
    throw new TypeError(`${fn}: outputSize must be an integer or an array of two integers (or null), got ${show(outputSize)}`);
  }
  const Ho = pair[0] ?? H;
  const Wo = pair[1] ?? W;
  if (Ho < 0 || Wo < 0) throw new RangeError(`${fn}: elements of output_size must be greater than or equal to 0 but received {${Ho}, ${Wo}}`);
  const planes = x.size / (H * W);
  const y = computed([...x.shape.slice(0, -2), Ho, Wo]);
  backend().adaptiveAvgPool2dForward(x, y, planes, H, W, Ho, Wo);
  record("AdaptiveAvgPool2DBackward0", y, [x], (node, dy) => {
    const dx = sinkFor(node, 0)!;
    backend().adaptiveAvgPool2dBackward(dy, dx.tensor, planes, H, W, Ho, Wo, dx.acc);
  }, []);
  return y;
}

const reprSize = (v: unknown): string =>
  Array.isArray(v) ? `(${v.map((e) => (e === null ? "None" : String(e))).join(", ")})` : v === null || v === undefined ? "None" : String(v);

/**
 * A pooling module's constructor checks (the functional form checks the rest
 * against the input): kernelSize and each size option a number or a pair,
 * the kernel positive, the flags booleans.
 */
function checkModuleOptions(
  name: string, kernelSize: unknown, sizes: readonly (readonly [string, unknown])[], o: Record<string, unknown>, flags: readonly string[],
): void {
  for (const [n, v] of [["kernelSize", kernelSize] as const, ...sizes]) tupleArg(name, n, v, 2);
  if (tupleArg(name, "kernelSize", kernelSize, 2).some((k) => k < 1)) {
    throw new RangeError(`${name}: kernelSize must be positive, got ${show(kernelSize)} (kernel size should be greater than zero)`);
  }
  for (const n of flags) {
    if (o[n] !== undefined && typeof o[n] !== "boolean") throw new TypeError(`${name}: ${n} must be a boolean, got ${show(o[n])}`);
  }
}

export class MaxPool2d extends Module {
  static override readonly moduleName: string = "MaxPool2d";
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly dilation: Size2;
  readonly ceilMode: boolean;

  constructor(kernelSize: Size2, options: MaxPool2dOptions = {}) {
    super();
    const o = optionsArg("MaxPool2d", options, ["stride", "padding", "dilation", "ceilMode"]);
    checkModuleOptions("MaxPool2d", kernelSize, [["stride", o.stride ?? kernelSize], ["padding", o.padding ?? 0], ["dilation", o.dilation ?? 1]], o, ["ceilMode"]);
    this.kernelSize = kernelSize;
    this.stride = (o.stride ?? kernelSize) as Size2;
    this.padding = (o.padding ?? 0) as Size2;
    this.dilation = (o.dilation ?? 1) as Size2;
    this.ceilMode = (o.ceilMode ?? false) as boolean;
  }

  override extraRepr(): string {
    return `kernel_size=${reprSize(this.kernelSize)}, stride=${reprSize(this.stride)}, padding=${reprSize(this.padding)}, dilation=${reprSize(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }

  override describe(): string {
    return `MaxPool2d(${this.extraRepr()})`;
  }

  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    return maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode });
  }
}

export class AvgPool2d extends Module {
  static override readonly moduleName: string = "AvgPool2d";
  readonly kernelSize: Size2;
  readonly stride: Size2;
  readonly padding: Size2;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(kernelSize: Size2, options: AvgPool2dOptions = {}) {
    super();
    const o = optionsArg("AvgPool2d", options, ["stride", "padding", "ceilMode", "countIncludePad"]);
    checkModuleOptions("AvgPool2d", kernelSize, [["stride", o.stride ?? kernelSize], ["padding", o.padding ?? 0]], o, ["ceilMode", "countIncludePad"]);
    this.kernelSize = kernelSize;
    this.stride = (o.stride ?? kernelSize) as Size2;
    this.padding = (o.padding ?? 0) as Size2;
    this.ceilMode = (o.ceilMode ?? false) as boolean;
    this.countIncludePad = (o.countIncludePad ?? true) as boolean;
  }

  override extraRepr(): string {
    return `kernel_size=${reprSize(this.kernelSize)}, stride=${reprSize(this.stride)}, padding=${reprSize(this.padding)}`;
  }

  override describe(): string {
    return `AvgPool2d(${this.extraRepr()})`;
  }

  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    return avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad });
  }
}

export class AdaptiveAvgPool2d extends Module {
  static override readonly moduleName: string = "AdaptiveAvgPool2d";
  readonly outputSize: AdaptiveSize;

  constructor(outputSize: AdaptiveSize) {
    super();
    const ok = typeof outputSize === "number" ? Number.isInteger(outputSize) && outputSize >= 0
      : Array.isArray(outputSize) && outputSize.length === 2 && outputSize.every((v) => v === null || (Number.isInteger(v) && v >= 0));
    if (!ok) throw new TypeError(`AdaptiveAvgPool2d: outputSize must be an integer >= 0 or an array of two (or null), got ${show(outputSize)}`);
    this.outputSize = outputSize;
  }

  override extraRepr(): string {
    return `output_size=${reprSize(this.outputSize)}`;
  }

  override describe(): string {
    return `AdaptiveAvgPool2d(${this.extraRepr()})`;
  }

  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}
