// BatchNorm1d over [N, C] (or [N, C, L], per channel over N and L): normalises each feature with the batch's mean and
// biased variance in training (updating the running statistics by `momentum`,
// the variance with the unbiased batch variance), with the running statistics
// in eval mode; then the affine y = x̂·weight + bias.
import { Tensor, shapeToString } from "../tensor.js";
import { Module, positionOf } from "./module.js";
import { pyBool, pyFloat } from "./repr.js";
import { Node, isGradEnabled, needsGrad, setGradFn, sinkFor, wantsGrad, zeroUnlessAccumulating } from "./autograd.js";
import { backend } from "../backend/index.js";
import { checkFeatures } from "./linear.js";
import { describe as describeValue, optionsArg } from "../validate.js";

export interface BatchNormOptions {
  eps?: number;
  /** The running statistics' update factor; null for a cumulative average (PyTorch's momentum=None). */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

export class BatchNorm1d extends Module {
  static override readonly moduleName: string = "BatchNorm1d";
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  /** PyTorch keeps an int64; here a one-element float32 tensor (exact up to 2^24 batches). */
  readonly numBatchesTracked: Tensor | null;

  constructor(numFeatures: number, options?: BatchNormOptions) {
    super();
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true } = optionsArg("BatchNorm1d", options, ["eps", "momentum", "affine", "trackRunningStats"]) as BatchNormOptions;
    checkFeatures("BatchNorm1d", "numFeatures", numFeatures);
    if (typeof eps !== "number" || !(eps > 0) || !Number.isFinite(eps)) throw new (typeof eps === "number" ? RangeError : TypeError)(`BatchNorm1d: eps must be a positive number, got ${describeValue(eps)}`);
    if (momentum !== null && (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1))) {
      throw new (typeof momentum === "number" ? RangeError : TypeError)(`BatchNorm1d: momentum must be in [0, 1] or null, got ${describeValue(momentum)}`);
    }
    if (typeof affine !== "boolean") throw new TypeError(`BatchNorm1d: affine must be a boolean, got ${describeValue(affine)}`);
    if (typeof trackRunningStats !== "boolean") {
      throw new TypeError(`BatchNorm1d: trackRunningStats must be a boolean, got ${describeValue(trackRunningStats)}`);
    }
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    const s = normBaseState(this, numFeatures, affine, trackRunningStats);
    this.weight = s.weight;
    this.bias = s.bias;
    this.runningMean = s.runningMean;
    this.runningVar = s.runningVar;
    this.numBatchesTracked = s.numBatchesTracked;
  }

  override describe(): string {
    return `BatchNorm1d(${this.numFeatures})`;
  }

  override extraRepr(): string {
    const momentum = this.momentum === null ? "None" : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }

  /** Back to the initial running statistics (mean 0, variance 1, no batches). */
  resetRunningStats(): void {
    this.runningMean?.data.fill(0);
    this.runningVar?.data.fill(1);
    this.numBatchesTracked?.data.fill(0);
  }

  /**
   * x [N, C], or [N, C, L] normalised over N and L per channel (PyTorch's
   * layouts). A 3-D input is transposed to [N·L, C] for the kernels and back.
   */
  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    const C = this.numFeatures;
    if (x.ndim !== 2 && x.ndim !== 3) {
      throw new RangeError(
        `${this.describe()}: expected a 2-D or 3-D input [batch, ${C}] or [batch, ${C}, length], got shape ${shapeToString(x.shape)} ` +
          `(expected 2D or 3D input (got ${x.ndim}D input))`,
      );
    }
    if (x.shape[1] !== C) {
      const torchText = this.trackRunningStats ? `running_mean should contain ${x.shape[1]} elements not ${C}` : `weight should contain ${x.shape[1]} elements not ${C}`;
      throw new RangeError(`${this.describe()}: expected input with ${C} features, got ${x.shape[1]} (${torchText})`);
    }
    const [N, , L = 1] = x.shape;
    const ncl = x.ndim === 3;
    const rows = N * L;
    const batchStats = this.training || !this.trackRunningStats;
    if (batchStats && rows < 2) {
      throw new RangeError(`${this.describe()}: expected more than 1 value per channel when training, got input size ${shapeToString(x.shape)}`);
    }
    for (const t of [this.weight, this.bias, this.runningMean, this.runningVar]) t?.assertAlive(this.describe());
    if (!batchStats) this.checkNoNaN(x);
    const y = this.lend(x.shape);
    // The kernels' [rows, C] views: x and y themselves, or transposed copies.
    const xk = ncl ? this.lend([rows, C]) : x;
    const yk = ncl ? this.lend([rows, C]) : y;
    if (ncl) backend().batchTranspose(x, xk, N, C, L, 0);
    const mean = this.lend([C]);
    const invstd = this.lend([C]);
    const scratch = ncl ? [xk, yk] : [];
    if (batchStats) {
      const update = this.training && this.trackRunningStats;
      const tracked = update ? this.numBatchesTracked!.data[0] + 1 : 0;
      const factor = this.momentum ?? (update ? 1 / tracked : 0);
      const bad = backend().batchNormTrainForward(
        xk, rows, C, this.weight, this.bias, yk, mean, invstd,
        update ? this.runningMean : null, update ? this.runningVar : null, factor, this.eps,
      );
      if (bad >= 0) {
        this.recycle(y, ...scratch, mean, invstd);
        const i = backend().firstNaN(x, x.size);
        const what = i >= 0 ? `NaN at ${positionOf(x.shape, i)}` : `an infinite value in feature ${bad}`;
        throw new RangeError(`${this.describe()}: input contains ${what}`);
      }
      if (update) this.numBatchesTracked!.data[0] = tracked;
    } else {
      backend().batchNormEvalForward(xk, rows, C, this.weight, this.bias, yk, this.runningMean!, this.runningVar!, this.eps, invstd);
      mean.copy(this.runningMean!);
    }
    if (ncl) {
      backend().batchTranspose(yk, y, N, L, C, 0);
      this.recycle(yk);
    }
    const params = this.weight && this.bias ? [this.weight, this.bias] : [];
    const record =
      isGradEnabled() && (this.training || needsGrad(x)) && (needsGrad(x) || params.some((p) => p.requiresGrad));
    if (!record) {
      this.recycle(ncl ? xk : null, mean, invstd);
      setGradFn(y, null);
      return y;
    }
    const dy = this.lend(x.shape);
    const sums = this.lend([2 * C]);
    // 3-D: dy and dx go through [rows, C] buffers too.
    const dyk = ncl ? this.lend([rows, C]) : dy;
    const dxk = ncl ? this.lend([rows, C]) : null;
    const node: Node = new Node(
      this.describe(), [x, ...params], dy,
      () => {
        const dw = params.length ? zeroUnlessAccumulating(sinkFor(node, 1)) : null;
        const db = params.length ? zeroUnlessAccumulating(sinkFor(node, 2)) : null;
        const dx = wantsGrad(node, 0) ? sinkFor(node, 0) : null;
        if (ncl) backend().batchTranspose(dy, dyk, N, C, L, 0);
        backend().batchNormBackward(
          xk, dyk, rows, C, mean, invstd, this.weight, sums, ncl ? (dx ? dxk : null) : dx?.tensor ?? null, ncl ? 0 : dx?.acc ?? 0,
          dw, db, 1, batchStats,
        );
        if (ncl && dx) backend().batchTranspose(dxk!, dx.tensor, N, L, C, dx.acc);
      },
      [x, xk, mean, invstd],
      () => this.recycle(y, ncl ? xk : null, mean, invstd, dy, sums, ncl ? dyk : null, dxk),
    );
    setGradFn(y, node);
    return y;
  }
}

/**
 * The parameters and buffers of PyTorch's `_NormBase`, created and registered
 * in its order: `weight` (ones) and `bias` (zeros) when affine;
 * `running_mean` (zeros), `running_var` (ones) and `num_batches_tracked` (0)
 * when tracking running statistics. Shared by BatchNorm and InstanceNorm.
 */
export function normBaseState(m: Module, numFeatures: number, affine: boolean, trackRunningStats: boolean) {
  const filled = (shape: number[], value: number): Tensor => {
    const t = new Tensor(shape);
    t.data.fill(value);
    return t;
  };
  const weight = affine ? filled([numFeatures], 1) : null;
  const bias = affine ? filled([numFeatures], 0) : null;
  m.registerParameter("weight", weight);
  m.registerParameter("bias", bias);
  if (!trackRunningStats) return { weight, bias, runningMean: null, runningVar: null, numBatchesTracked: null };
  const runningMean = filled([numFeatures], 0);
  const runningVar = filled([numFeatures], 1);
  const numBatchesTracked = filled([], 0);
  m.registerBuffer("running_mean", runningMean);
  m.registerBuffer("running_var", runningVar);
  m.registerBuffer("num_batches_tracked", numBatchesTracked);
  return { weight, bias, runningMean, runningVar, numBatchesTracked };
}
