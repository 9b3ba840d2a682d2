// Normalisation over channels of [N, C, *] tensors: F.batchNorm and
// nn.BatchNorm2d (per channel over N and the spatial positions),
// F.instanceNorm and nn.InstanceNorm1d/2d (per sample and channel),
// F.groupNorm and nn.GroupNorm (per sample and group of channels) —
// PyTorch's semantics, defaults and messages. Kernels: assembly/norm.ts.
import { Tensor, shapeToString } from "../tensor.js";
import { Module, positionOf } from "./module.js";
import { pyBool, pyFloat } from "./repr.js";
import { BatchNorm1d, normBaseState, type BatchNormOptions } from "./batchnorm.js";
import { describe as show, optionsArg } from "../validate.js";
import { computed, record, sinkFor, wantsGrad, zeroUnlessAccumulating } from "./conv_autograd.js";
import { backend } from "../backend/index.js";

export interface BatchNormFunctionalOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

function tensorOrNull(fn: string, name: string, v: unknown, C: number): Tensor | null {
  if (v == null) return null;
  if (!(v instanceof Tensor)) throw new TypeError(`${fn}: ${name} must be a Tensor or null, got ${show(v)}`);
  v.assertAlive(`${fn} (${name})`);
  if (v.size !== C) throw new RangeError(`${fn}: ${name} should contain ${C} elements not ${v.size}`);
  return v;
}

/**
 * The checks batch_norm and instance_norm share, in PyTorch's order: the
 * input [N, C, *], the running statistics, weight and bias ([C] or null),
 * the mode flag, momentum and eps.
 */
function normArgs(
  fn: string, x: unknown, runningMean: unknown, runningVar: unknown, o: Record<string, unknown>, flagName: string, flagDefault: boolean,
) {
  if (!(x instanceof Tensor)) throw new TypeError(`${fn}: input must be a Tensor, got ${show(x)}`);
  x.assertAlive(`${fn} (input)`);
  if (x.ndim < 2) throw new RangeError(`${fn}: expected an input [N, C, *], got shape ${shapeToString(x.shape)}`);
  const [N, C] = x.shape;
  const rm = tensorOrNull(fn, "running_mean", runningMean, C);
  const rv = tensorOrNull(fn, "running_var", runningVar, C);
  const weight = tensorOrNull(fn, "weight", o.weight, C);
  const bias = tensorOrNull(fn, "bias", o.bias, C);
  const flag = o[flagName] ?? flagDefault;
  if (typeof flag !== "boolean") throw new TypeError(`${fn}: ${flagName} must be a boolean, got ${show(flag)}`);
  const momentum = o.momentum ?? 0.1;
  const eps = o.eps ?? 1e-5;
  if (typeof momentum !== "number" || !Number.isFinite(momentum)) throw new TypeError(`${fn}: momentum must be a finite number, got ${show(momentum)}`);
  if (typeof eps !== "number" || !(eps >= 0) || !Number.isFinite(eps)) throw new (typeof eps === "number" ? RangeError : TypeError)(`${fn}: eps must be a finite number >= 0, got ${show(eps)}`);
  return { N, C, rm, rv, weight, bias, flag, momentum, eps };
}

function nonFinite(fn: string, x: Tensor, what: string, index: number): RangeError {
  const i = backend().firstNaN(x, x.size);
  return new RangeError(`${fn}: input contains ${i >= 0 ? `NaN at ${positionOf(x.shape, i)}` : `an infinite value in ${what} ${index}`}`);
}

/**
 * PyTorch's F.batch_norm over x [N, C, *]: with `training`, the batch's mean
 * and biased variance per channel (running statistics, when given, move by
 * `momentum` toward the mean and the unbiased variance); otherwise the running
 * statistics. y = (x − mean)/√(var + eps)·weight + bias.
 */
export function batchNorm(
  x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options?: BatchNormFunctionalOptions,
): Tensor {
  const fn = "batch_norm";
  const o = optionsArg(fn, options, ["weight", "bias", "training", "momentum", "eps"]);
  const { N, C, rm, rv, weight, bias, flag: training, momentum, eps } = normArgs(fn, x, runningMean, runningVar, o, "training", false);
  if (!training && (!rm || !rv)) throw new RangeError(`${fn}: running_mean and running_var must be defined in evaluation mode`);
  const HW = x.size / (N * C) || 0;
  if (training && N * HW < 2) {
    throw new RangeError(`${fn}: Expected more than 1 value per channel when training, got input size ${shapeToString(x.shape)}`);
  }
  const y = computed(x.shape);
  const mean = computed([C]);
  const invstd = computed([C]);
  if (training) {
    const bad = backend().batchNorm2dTrainForward(x, N, C, HW, weight, bias, y, mean, invstd, rm && rv ? rm : null, rm && rv ? rv : null, momentum, eps);
    if (bad >= 0) {
      for (const t of [y, mean, invstd]) t.dispose();
      throw nonFinite(fn, x, "channel", bad);
    }
  } else {
    backend().batchNorm2dEvalForward(x, N, C, HW, weight, bias, y, rm!, rv!, eps, invstd);
    mean.copy(rm!);
  }
  const params = weight && bias ? [weight, bias] : [];
  record("NativeBatchNormBackward0", y, [x, ...params], (node, dy) => {
    const dw = params.length ? zeroUnlessAccumulating(sinkFor(node, 1)) : null;
    const db = params.length ? zeroUnlessAccumulating(sinkFor(node, 2)) : null;
    const dx = wantsGrad(node, 0) ? sinkFor(node, 0) : null;
    backend().batchNorm2dBackward(x, dy, N, C, HW, mean, invstd, weight, dx?.tensor ?? null, dx?.acc ?? 0, dw, db, 1, training);
  }, [x, mean, invstd]);
  return y;
}

/**
 * nn.BatchNorm2d: BatchNorm over [N, C, H, W] per channel (PyTorch's
 * defaults: eps 1e-5, momentum 0.1, affine, running statistics tracked;
 * `momentum: null` is the cumulative average). State-dict keys weight, bias,
 * running_mean, running_var, num_batches_tracked.
 */
export class BatchNorm2d extends BatchNorm1d {
  static override readonly moduleName: string = "BatchNorm2d";

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }

  override describe(): string {
    return `BatchNorm2d(${this.numFeatures})`;
  }

  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    if (x.ndim !== 4) throw new RangeError(`${this.describe()}: expected 4D input (got ${x.ndim}D input)`);
    const C = this.numFeatures;
    if (x.shape[1] !== C) {
      throw new RangeError(`${this.describe()}: ${this.trackRunningStats ? "running_mean" : "weight"} should contain ${x.shape[1]} elements not ${C}`);
    }
    const useBatch = this.training || !this.trackRunningStats;
    const update = this.training && this.trackRunningStats;
    const tracked = update ? this.numBatchesTracked!.data[0] + 1 : 0;
    const y = batchNorm(x, update || !useBatch ? this.runningMean : null, update || !useBatch ? this.runningVar : null, {
      weight: this.weight, bias: this.bias, training: useBatch, momentum: this.momentum ?? (update ? 1 / tracked : 0), eps: this.eps,
    });
    if (update) this.numBatchesTracked!.data[0] = tracked;
    return y;
  }
}

export interface InstanceNormFunctionalOptions {
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  weight?: Tensor | null;
  bias?: Tensor | null;
  useInputStats?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * PyTorch's F.instance_norm over x [N, C, *]: each sample's channels
 * normalised by their own mean and biased variance (useInputStats), with the
 * running statistics (when given) moving toward the average over samples of
 * the per-instance mean and unbiased variance; or by the running statistics.
 */
export function instanceNorm(x: Tensor, options?: InstanceNormFunctionalOptions): Tensor {
  const fn = "instance_norm";
  const o = optionsArg(fn, options, ["runningMean", "runningVar", "weight", "bias", "useInputStats", "momentum", "eps"]);
  const { N, C, rm, rv, weight, bias, flag: useInputStats, momentum, eps } = normArgs(fn, x, o.runningMean, o.runningVar, o, "useInputStats", true);
  const HW = x.size / (N * C) || 0;
  if (!useInputStats) {
    if (!rm || !rv) throw new RangeError(`${fn}: Expected running_mean and running_var to be defined when use_input_stats is false`);
    return batchNorm(x, rm, rv, { weight, bias, training: false, eps });
  }
  if (HW < 2) throw new RangeError(`${fn}: Expected more than 1 spatial element when training, got input size ${shapeToString(x.shape)}`);
  const y = groupNormOp(fn, x, C, weight, bias, eps);
  if (rm && rv) {
    // Running statistics: the average over samples of each instance's mean and unbiased variance.
    const d = x.data;
    const m = rm.data, v = rv.data;
    for (let c = 0; c < C; c++) {
      let meanSum = 0, varSum = 0;
      for (let n = 0; n < N; n++) {
        const off = (n * C + c) * HW;
        let s = 0;
        for (let k = 0; k < HW; k++) s += d[off + k];
        const mu = s / HW;
        let q = 0;
        for (let k = 0; k < HW; k++) q += (d[off + k] - mu) ** 2;
        meanSum += mu;
        varSum += q / (HW - 1);
      }
      m[c] = (1 - momentum) * m[c] + (momentum * meanSum) / N;
      v[c] = (1 - momentum) * v[c] + (momentum * varSum) / N;
    }
  }
  return y;
}

/** GroupNorm forward + record, shared by F.groupNorm and F.instanceNorm (groups = C). */
function groupNormOp(fn: string, x: Tensor, G: number, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const [N, C] = x.shape;
  const HW = x.size / (N * C) || 0;
  const y = computed(x.shape);
  const mean = computed([Math.max(1, N * G)]);
  const rstd = computed([Math.max(1, N * G)]);
  const bad = backend().groupNormForward(x, N, C, HW, G, weight, bias, y, mean, rstd, eps);
  if (bad >= 0) {
    for (const t of [y, mean, rstd]) t.dispose();
    throw nonFinite(fn, x, "group", bad);
  }
  const params = [weight, bias].filter((t): t is Tensor => t !== null);
  record("NativeGroupNormBackward0", y, [x, ...params], (node, dy) => {
    const dw = weight ? zeroUnlessAccumulating(sinkFor(node, 1)) : null;
    const db = bias ? zeroUnlessAccumulating(sinkFor(node, weight ? 2 : 1)) : null;
    const dx = wantsGrad(node, 0) ? sinkFor(node, 0) : null;
    backend().groupNormBackward(x, dy, N, C, HW, G, mean, rstd, weight, dx?.tensor ?? null, dx?.acc ?? 0, dw, db, 1);
  }, [x, mean, rstd]);
  return y;
}

export interface GroupNormFunctionalOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/** PyTorch's F.group_norm over x [N, C, *]: per sample and group of C/numGroups channels. */
export function groupNorm(x: Tensor, numGroups: number, options?: GroupNormFunctionalOptions): Tensor {
  const fn = "group_norm";
  const o = optionsArg(fn, options, ["weight", "bias", "eps"]);
  if (!(x instanceof Tensor)) throw new TypeError(`${fn}: input must be a Tensor, got ${show(x)}`);
  x.assertAlive(`${fn} (input)`);
  if (x.ndim < 2) throw new RangeError(`${fn}: expected an input [N, C, *], got shape ${shapeToString(x.shape)}`);
  if (typeof numGroups !== "number" || !Number.isInteger(numGroups) || numGroups < 1) {
    throw new (typeof numGroups === "number" ? RangeError : TypeError)(`${fn}: numGroups must be a positive integer, got ${show(numGroups)}`);
  }
  const [, C] = x.shape;
  if (C % numGroups !== 0) {
    throw new RangeError(`${fn}: Expected number of channels in input to be divisible by num_groups, but got input of shape ${shapeToString(x.shape)} and num_groups=${numGroups}`);
  }
  for (const [name, t] of [["weight", o.weight], ["bias", o.bias]] as const) {
    if (t == null) continue;
    if (!(t instanceof Tensor)) throw new TypeError(`${fn}: ${name} must be a Tensor or null, got ${show(t)}`);
    t.assertAlive(`${fn} (${name})`);
    if (t.ndim !== 1 || t.size !== C) {
      throw new RangeError(
        `${fn}: Expected ${name} to be a vector of size equal to the number of channels in input, but got ${name} of shape ${shapeToString(t.shape)} and input of shape ${shapeToString(x.shape)}`,
      );
    }
  }
  const eps = o.eps ?? 1e-5;
  if (typeof eps !== "number" || !(eps >= 0) || !Number.isFinite(eps)) throw new (typeof eps === "number" ? RangeError : TypeError)(`${fn}: eps must be a finite number >= 0, got ${show(eps)}`);
  return groupNormOp(fn, x, numGroups, (o.weight as Tensor | null) ?? null, (o.bias as Tensor | null) ?? null, eps);
}

export interface InstanceNormOptions {
  eps?: number;
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}

abstract class InstanceNormNd extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  protected abstract readonly dims: number;

  constructor(name: string, numFeatures: number, options: InstanceNormOptions) {
    super();
    const o = optionsArg(name, options, ["eps", "momentum", "affine", "trackRunningStats"]);
    if (typeof numFeatures !== "number" || !Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new (typeof numFeatures === "number" ? RangeError : TypeError)(`${name}: numFeatures must be a positive integer, got ${show(numFeatures)}`);
    }
    const eps = o.eps ?? 1e-5, momentum = o.momentum ?? 0.1;
    if (typeof eps !== "number" || !(eps > 0) || !Number.isFinite(eps)) throw new (typeof eps === "number" ? RangeError : TypeError)(`${name}: eps must be a positive number, got ${show(eps)}`);
    if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1)) throw new (typeof momentum === "number" ? RangeError : TypeError)(`${name}: momentum must be in [0, 1], got ${show(momentum)}`);
    for (const k of ["affine", "trackRunningStats"] as const) {
      if (o[k] !== undefined && typeof o[k] !== "boolean") throw new TypeError(`${name}: ${k} must be a boolean, got ${show(o[k])}`);
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = (o.affine ?? false) as boolean;
    this.trackRunningStats = (o.trackRunningStats ?? false) as boolean;
    const s = normBaseState(this, numFeatures, this.affine, this.trackRunningStats);
    this.weight = s.weight;
    this.bias = s.bias;
    this.runningMean = s.runningMean;
    this.runningVar = s.runningVar;
    this.numBatchesTracked = s.numBatchesTracked;
  }

  override describe(): string {
    return `${this.typeName}(${this.numFeatures})`;
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }

  /** x [N, C, *spatial] or unbatched [C, *spatial]. */
  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    const d = this.dims;
    if (x.ndim !== d + 1 && x.ndim !== d + 2) {
      throw new RangeError(`${this.describe()}: expected ${d + 1}D or ${d + 2}D input (got ${x.ndim}D input)`);
    }
    const batched = x.ndim === d + 2;
    const C = x.shape[batched ? 1 : 0];
    if (C !== this.numFeatures && (this.affine || this.trackRunningStats)) {
      throw new RangeError(`${this.describe()}: expected input's size at dim=${batched ? 1 : 0} to match num_features (${this.numFeatures}), but got: ${C}.`);
    }
    const opts = {
      runningMean: this.runningMean, runningVar: this.runningVar, weight: this.weight, bias: this.bias,
      useInputStats: this.training || !this.trackRunningStats, momentum: this.momentum, eps: this.eps,
    };
    if (batched) return instanceNorm(x, opts);
    // Unbatched input is the batch of one.
    return reshapeOp(instanceNorm(reshapeOp(x, [1, ...x.shape]), opts), x.shape);
  }
}

/** A copy of x with another shape of the same size, differentiable (used for unbatched inputs). */
function reshapeOp(x: Tensor, shape: readonly number[]): Tensor {
  const y = computed(shape);
  y.copy(x);
  record("ViewBackward0", y, [x], (node, dy) => {
    const dx = sinkFor(node, 0)!;
    const g = dy.data, d = dx.tensor.data;
    if (dx.acc) for (let i = 0; i < d.length; i++) d[i] += g[i];
    else d.set(g);
  }, []);
  return y;
}

export class InstanceNorm1d extends InstanceNormNd {
  static override readonly moduleName: string = "InstanceNorm1d";
  protected readonly dims = 1;

  constructor(numFeatures: number, options: InstanceNormOptions = {}) {
    super("InstanceNorm1d", numFeatures, options);
  }
}

export class InstanceNorm2d extends InstanceNormNd {
  static override readonly moduleName: string = "InstanceNorm2d";
  protected readonly dims = 2;

  constructor(numFeatures: number, options: InstanceNormOptions = {}) {
    super("InstanceNorm2d", numFeatures, options);
  }
}

export interface GroupNormOptions {
  eps?: number;
  affine?: boolean;
}

export class GroupNorm extends Module {
  static override readonly moduleName: string = "GroupNorm";
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(numGroups: number, numChannels: number, options: GroupNormOptions = {}) {
    super();
    const o = optionsArg("GroupNorm", options, ["eps", "affine"]);
    for (const [n, v] of [["numGroups", numGroups], ["numChannels", numChannels]] as const) {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new (typeof v === "number" ? RangeError : TypeError)(`GroupNorm: ${n} must be a positive integer, got ${show(v)}`);
    }
    if (numChannels % numGroups !== 0) {
      throw new RangeError(`GroupNorm: num_channels must be divisible by num_groups (numChannels ${numChannels}, numGroups ${numGroups})`);
    }
    const eps = o.eps ?? 1e-5;
    if (typeof eps !== "number" || !(eps > 0) || !Number.isFinite(eps)) throw new (typeof eps === "number" ? RangeError : TypeError)(`GroupNorm: eps must be a positive number, got ${show(eps)}`);
    if (o.affine !== undefined && typeof o.affine !== "boolean") throw new TypeError(`GroupNorm: affine must be a boolean, got ${show(o.affine)}`);
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = eps;
    this.affine = (o.affine ?? true) as boolean;
    this.weight = this.affine ? new Tensor([numChannels]) : null;
    this.bias = this.affine ? new Tensor([numChannels]) : null;
    this.weight?.data.fill(1);
    this.bias?.data.fill(0);
    this.registerParameter("weight", this.weight);
    this.registerParameter("bias", this.bias);
  }

  override describe(): string {
    return `GroupNorm(${this.numGroups}, ${this.numChannels})`;
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }

  /** x [N, numChannels, *]. */
  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    if (x.ndim >= 2 && x.shape[1] !== this.numChannels && this.weight) {
      throw new RangeError(
        `${this.describe()}: Expected weight to be a vector of size equal to the number of channels in input, but got weight of shape ${shapeToString(this.weight.shape)} and input of shape ${shapeToString(x.shape)}`,
      );
    }
    return groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
}
