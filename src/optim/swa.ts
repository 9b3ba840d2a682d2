// Stochastic Weight Averaging (Izmailov et al. 2018, arXiv:1803.05407):
// PyTorch 1.13's torch.optim.swa_utils — AveragedModel and SWALR.
import { noGrad } from "../nn/autograd.js";
import { BatchNorm1d } from "../nn/batchnorm.js";
import { Module } from "../nn/module.js";
import { backend } from "../backend/index.js";
import { Tensor, shapeToString, sameShape, zeros } from "../tensor.js";
import { choiceOption, describe, functionOption, isNonNegativeInteger, isNonNegative, isUnit, numberOption, perGroupOption, readOptions } from "./lr_scheduler/options.js";
import { checkResumable, LRScheduler, type OptimizerLike } from "./lr_scheduler/scheduler.js";

/** Writes the new average into `averaged`; `numAveraged` models have been averaged into it so far (≥ 1). */
export type AvgFn = (averaged: Tensor, current: Tensor, numAveraged: number) => void;

export interface AveragedModelOptions {
  /** Custom averaging rule (default: the equal average). */
  avgFn?: AvgFn;
  /** Exponential moving average instead: avg = decay·avg + (1 − decay)·p, decay in [0, 1]. */
  decay?: number;
  /** Average the buffers too, not only the parameters (PyTorch's use_buffers, default false). */
  useBuffers?: boolean;
}

/**
 * A running average of a model's parameters. `module` is a deep copy of the
 * model (Module.clone) whose parameters hold the average. The first
 * updateParameters() copies the model; the n-th after it (n = nAveraged)
 * applies, elementwise in float32 as PyTorch does:
 *   equal average  avg ← avg + (p − avg)/(n + 1)
 *   EMA (decay)    avg ← decay·avg + (1 − decay)·p
 *   avgFn          avgFn(avg, p, n)
 * Buffers (e.g. batch-norm statistics) are left as copied at construction
 * unless useBuffers, as in PyTorch (update them with a pass over the data).
 * The copy is a registered submodule and the counter a registered buffer
 * (`n_averaged`), so the module's state dict and disposal cover both.
 */
export class AveragedModel<M extends Module = Module> extends Module {
  static override readonly moduleName: string = "AveragedModel";
  readonly module: M;
  readonly avgFn: AvgFn | undefined;
  readonly decay: number | undefined;
  readonly useBuffers: boolean;
  private readonly count: Tensor;

  constructor(model: M, options: AveragedModelOptions = {}) {
    super();
    const where = "AveragedModel";
    if (!(model instanceof Module)) throw new TypeError(`${where}: model must be an nn.Module, got ${describe(model)}`);
    const o = readOptions(where, options, ["avgFn", "decay", "useBuffers"]);
    this.avgFn = functionOption<AvgFn>(where, "avgFn", o.avgFn);
    this.decay = o.decay === undefined ? undefined : numberOption(where, "decay", o.decay, "a number between 0 and 1", isUnit);
    if (this.avgFn && this.decay !== undefined) throw new TypeError(`${where}: give avgFn or decay, not both`);
    if (o.useBuffers !== undefined && typeof o.useBuffers !== "boolean") {
      throw new TypeError(`${where}: useBuffers must be a boolean, got ${describe(o.useBuffers)}`);
    }
    this.useBuffers = (o.useBuffers as boolean | undefined) ?? false;
    this.module = model.clone();
    this.registerModule("module", this.module);
    // A float32 scalar counts exactly up to 2^24 updates.
    this.count = zeros([]);
    this.registerBuffer("n_averaged", this.count);
  }

  /** How many models have been averaged in (PyTorch's n_averaged). */
  get nAveraged(): number {
    return this.count.data[0];
  }

  override forward(...inputs: unknown[]): Tensor {
    return this.module.forward(...inputs);
  }

  private averagedTensors(m: Module): Tensor[] {
    return this.useBuffers ? [...m.parameters(), ...m.buffers()] : m.parameters();
  }

  /** Folds the current values of `model` (same architecture as the averaged copy) into the average. */
  updateParameters(model: Module): void {
    const where = "AveragedModel.updateParameters";
    if (!(model instanceof Module)) throw new TypeError(`${where}: model must be an nn.Module, got ${describe(model)}`);
    model.assertAlive(`${where}: model`);
    this.module.assertAlive(`${where}: the averaged copy`);
    const mine = this.averagedTensors(this.module);
    const theirs = this.averagedTensors(model);
    const what = this.useBuffers ? "parameters and buffers" : "parameters";
    if (mine.length !== theirs.length) {
      throw new RangeError(`${where}: the model has ${theirs.length} ${what}, the averaged model ${mine.length}`);
    }
    mine.forEach((a, i) => {
      if (!sameShape(a.shape, theirs[i].shape)) {
        throw new RangeError(`${where}: ${what} #${i} has shape ${shapeToString(theirs[i].shape)} in the model but ${shapeToString(a.shape)} in the average`);
      }
    });
    const n = this.nAveraged;
    for (let i = 0; i < mine.length; i++) {
      const avg = mine[i];
      const cur = theirs[i];
      if (n === 0) avg.copy(cur);
      else if (this.avgFn) this.avgFn(avg, cur, n);
      else if (this.decay !== undefined) emaUpdate(avg, cur, this.decay);
      else equalAverageUpdate(avg, cur, n);
    }
    // PyTorch's num_batches_tracked is an int64 buffer: the average is copied
    // back into it with truncation toward zero (3 and 6 average to 4, not 4.5).
    if (this.useBuffers && n > 0) {
      for (const m of this.module.modules()) {
        const t = m instanceof BatchNorm1d ? m.numBatchesTracked : null;
        if (t && !t.disposed) t.data[0] = Math.trunc(t.data[0]);
      }
    }
    this.count.data[0] = n + 1;
  }
}

/** avg ← avg + (p − avg)/(n + 1) in float32, as PyTorch's default avg_fn; one SIMD pass. */
function equalAverageUpdate(avg: Tensor, p: Tensor, n: number): void {
  backend().swaEqualAverage(avg, p, avg.size, n + 1);
}

/** avg ← decay·avg + (1 − decay)·p with float32 factors, as `decay * a + (1 - decay) * p` on float tensors. */
function emaUpdate(avg: Tensor, p: Tensor, decay: number): void {
  backend().swaEma(avg, p, avg.size, decay, 1 - decay);
}

/**
 * PyTorch's update_bn: recomputes the running statistics of every batch-norm
 * layer of `model` with one pass over `loader` (tensors, or arrays whose first
 * element is the input), as an equal average over the batches (momentum null),
 * without recording gradients. Momenta and train/eval mode are restored.
 * Use it on `avg.module` after SWA, whose averaged weights do not match the
 * statistics it copied.
 */
export function updateBn(loader: Iterable<Tensor | readonly Tensor[]>, model: Module): void {
  if (!(model instanceof Module)) throw new TypeError(`updateBn: model must be an nn.Module, got ${describe(model)}`);
  if (loader === null || typeof (loader as Iterable<unknown>)?.[Symbol.iterator] !== "function") {
    throw new TypeError(`updateBn: loader must be an iterable of input tensors, got ${describe(loader)}`);
  }
  type Mutable = { momentum: number | null };
  const layers = model.modules().filter((m): m is BatchNorm1d => m instanceof BatchNorm1d && m.runningMean !== null);
  if (layers.length === 0) return;
  const momenta = layers.map((m) => m.momentum);
  const wasTraining = model.training;
  model.train();
  for (const m of layers) {
    m.runningMean!.data.fill(0);
    m.runningVar!.data.fill(1);
    m.numBatchesTracked!.data.fill(0);
    (m as unknown as Mutable).momentum = null;
  }
  try {
    let i = 0;
    for (const batch of loader) {
      const x = Array.isArray(batch) ? batch[0] : batch;
      if (!(x instanceof Tensor)) throw new TypeError(`updateBn: batch ${i} is not a Tensor (or an array starting with one): ${describe(x)}`);
      noGrad(() => model.forward(x)).dispose(); // only the running statistics are wanted
      i++;
    }
  } finally {
    layers.forEach((m, j) => ((m as unknown as Mutable).momentum = momenta[j]));
    model.train(wasTraining);
  }
}

export interface SWALROptions {
  /** The lr to anneal to, one for all groups or one per group (required). */
  swaLr: number | number[];
  /** Epochs of the annealing phase (default 10). */
  annealEpochs?: number;
  /** 'cos' (default) or 'linear'. */
  annealStrategy?: "cos" | "linear";
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/**
 * Anneals every group's lr from its current value to swa_lr over
 * annealEpochs steps, then holds it. With t = clamp(step/annealEpochs, 0, 1)
 * and α = t (linear) or (1 − cos(πt))/2 (cos), step k recovers the lr the
 * anneal started from, lr₀ = (lr − α_{k−1}·swa)/(1 − α_{k−1}), and sets
 * lr = α_k·swa + (1 − α_k)·lr₀ — so it composes with lr changes made by
 * other schedulers before it takes over. swa_lr is stored in the groups.
 */
export class SWALR extends LRScheduler {
  annealEpochs: number;
  annealStrategy: "cos" | "linear";

  constructor(optimizer: OptimizerLike, options: SWALROptions) {
    super("SWALR", optimizer);
    const o = readOptions(this.name, options, ["swaLr", "annealEpochs", "annealStrategy", "lastEpoch", "verbose"]);
    const swaLrs = perGroupOption(this.name, "swaLr", o.swaLr, this.groups.length, "a finite number >= 0", isNonNegative);
    this.annealStrategy = choiceOption(this.name, "annealStrategy", o.annealStrategy, ["cos", "linear"] as const, "cos");
    this.annealEpochs = numberOption(this.name, "annealEpochs", o.annealEpochs, "an integer >= 0", isNonNegativeInteger, 10);
    const lastEpoch = this.readCommonOptions(o);
    checkResumable(this.name, this.optimizer, lastEpoch);
    this.groups.forEach((g, i) => (g.swa_lr = swaLrs[i]));
    this.attach(lastEpoch);
  }

  private anneal(t: number): number {
    return this.annealStrategy === "cos" ? (1 - Math.cos(Math.PI * t)) / 2 : t;
  }

  protected getLr(): number[] {
    let step = this.stepCount - 1;
    if (this.annealEpochs === 0) step = Math.max(1, step);
    const span = Math.max(1, this.annealEpochs);
    const prevAlpha = this.anneal(Math.max(0, Math.min(1, (step - 1) / span)));
    const alpha = this.anneal(Math.max(0, Math.min(1, step / span)));
    return this.groups.map((g) => {
      const swaLr = g.swa_lr as number;
      const prevLr = prevAlpha === 1 ? swaLr : (g.lr - prevAlpha * swaLr) / (1 - prevAlpha);
      return swaLr * alpha + prevLr * (1 - alpha);
    });
  }

  protected override stateKeys(): string[] {
    return ["annealEpochs", "annealStrategy"];
  }
}
