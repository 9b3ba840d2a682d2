// MultiplicativeLR: multiply the lr by a user function of the epoch at every step.
import { LambdaScheduler, type LambdaLROptions } from "./lambda_lr.js";
import type { OptimizerLike } from "./scheduler.js";

/** As LambdaLR's: `lrLambda` (one function for every group, or one per group), lastEpoch, verbose. */
export type MultiplicativeLROptions = LambdaLROptions;

/** lr_t = lr_{t−1}·λ(t) for t > 0. */
export class MultiplicativeLR extends LambdaScheduler {
  constructor(optimizer: OptimizerLike, options: MultiplicativeLROptions) {
    super("MultiplicativeLR", optimizer, options);
  }

  protected getLr(): number[] {
    if (this.lastEpoch > 0) return this.lrLambdas.map((_, i) => this.groups[i].lr * this.lambda(i));
    return this.groups.map((g) => g.lr);
  }
}
