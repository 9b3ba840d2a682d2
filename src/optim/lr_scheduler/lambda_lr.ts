// LambdaLR: lr = initial lr × a user function of the epoch.
import { describe } from "./options.js";
import { LRScheduler, type OptimizerLike } from "./scheduler.js";

export type LrLambda = (epoch: number) => number;

export interface LambdaLROptions {
  /** One function for every group, or one per group. */
  lrLambda: LrLambda | LrLambda[];
  lastEpoch?: number;
  /** Print every lr change, as PyTorch (default false). */
  verbose?: boolean;
}

/** One function, or an array with one per group, as PyTorch's lr_lambda. */
export function lambdasOption(where: string, value: unknown, groups: number): LrLambda[] {
  if (typeof value === "function") return new Array<LrLambda>(groups).fill(value as LrLambda);
  if (Array.isArray(value)) {
    if (value.length !== groups) throw new RangeError(`${where}: expected ${groups} lrLambdas (one per param group), got ${value.length}`);
    value.forEach((f, i) => {
      if (typeof f !== "function") throw new TypeError(`${where}: lrLambda[${i}] must be a function, got ${describe(f)}`);
    });
    return value.slice() as LrLambda[];
  }
  throw new TypeError(`${where}: lrLambda must be a function or an array of functions, got ${describe(value)}`);
}

/**
 * λ_i(epoch), which must be a number: PyTorch's `base_lr * lmbda(epoch)`
 * raises TypeError for a string, where JavaScript would write NaN.
 */
export function callLambda(where: string, lambdas: readonly LrLambda[], i: number, epoch: number): number {
  const f = lambdas[i](epoch);
  if (typeof f !== "number") {
    throw new TypeError(`${where}: lrLambda${lambdas.length > 1 ? `[${i}]` : ""} must return a number, got ${describe(f)} for epoch ${epoch}`);
  }
  return f;
}

/** The schedulers driven by user functions of the epoch: LambdaLR and MultiplicativeLR. */
export abstract class LambdaScheduler extends LRScheduler {
  lrLambdas!: LrLambda[];

  protected constructor(name: string, optimizer: OptimizerLike, options: LambdaLROptions) {
    super(name, optimizer);
    this.attach(this.configure(options, { lrLambda: null }, (o) => (this.lrLambdas = lambdasOption(this.name, o.lrLambda, this.groups.length))));
  }

  /** λ_i(lastEpoch). */
  protected lambda(i: number): number {
    return callLambda(this.name, this.lrLambdas, i, this.lastEpoch);
  }
}

/** lr_t = base·λ(t). The functions are not part of the state dict (PyTorch saves only callable objects' fields). */
export class LambdaLR extends LambdaScheduler {
  constructor(optimizer: OptimizerLike, options: LambdaLROptions) {
    super("LambdaLR", optimizer, options);
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lambda(i));
  }
}
