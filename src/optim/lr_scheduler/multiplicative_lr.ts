// MultiplicativeLR: multiply the lr by a user function of the epoch at every step.
import { readOptions } from "./options.js";
import { callLambda, lambdasOption, type LrLambda } from "./lambda_lr.js";
import { checkResumable, LRScheduler, type OptimizerLike } from "./scheduler.js";

export interface MultiplicativeLROptions {
  /** One function for every group, or one per group. */
  lrLambda: LrLambda | LrLambda[];
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/** lr_t = lr_{t−1}·λ(t) for t > 0. */
export class MultiplicativeLR extends LRScheduler {
  lrLambdas: LrLambda[];

  constructor(optimizer: OptimizerLike, options: MultiplicativeLROptions) {
    super("MultiplicativeLR", optimizer);
    const o = readOptions(this.name, options, ["lrLambda", "lastEpoch", "verbose"]);
    this.lrLambdas = lambdasOption(this.name, o.lrLambda, this.groups.length);
    const lastEpoch = this.readCommonOptions(o);
    checkResumable(this.name, this.optimizer, lastEpoch);
    this.attach(lastEpoch);
  }

  protected getLr(): number[] {
    if (this.lastEpoch > 0) return this.lrLambdas.map((_, i) => this.groups[i].lr * callLambda(this.name, this.lrLambdas, i, this.lastEpoch));
    return this.groups.map((g) => g.lr);
  }
}
