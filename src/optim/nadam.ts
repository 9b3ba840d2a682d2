// NAdam (Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016
// workshop), as torch.optim.NAdam 1.13 (momentum schedule μt included).
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/index.js";
import { describe } from "../validate.js";
import {
  withDefaults, Optimizer, checkBetas, checkEps, checkLr, checkNonNegative, f32, zerosLike,
  type CommonOptions, type ParamGroup, type ParamState, type ParamsArg,
} from "./optimizer.js";

export interface NAdamOptions extends CommonOptions {
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  momentumDecay?: number;
  /**
   * PyTorch's implementation switch, kept in the groups because in 1.13 it
   * changes NAdam's numbers: `true` selects the multi-tensor formula
   * 1 − Πμ·μt+1 for the last denominator (below). null/false: the default one.
   */
  foreach?: boolean | null;
}

/**
 * NAdam, as torch.optim.NAdam (1.13):
 *
 *     t ← t + 1;  g ← ∇θ + λ·θ                                        (weightDecay λ)
 *     μt ← β1·(1 − ½·0.96^(t·ψ));  μt+1 ← β1·(1 − ½·0.96^((t+1)·ψ))    (momentumDecay ψ)
 *     Πμ ← Πμ·μt                                                       (state mu_product)
 *     m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *     denom ← √(v / (1 − β2ᵗ)) + ε
 *     θ ← θ − lr·(1 − μt)/(1 − Πμ) · g/denom
 *     θ ← θ − lr·μt+1/(1 − Πμ·μt·μt+1) · m/denom
 *
 * The last denominator multiplies μt in twice (Πμ already holds it): that is
 * PyTorch 1.13's code (`mu_product * mu_next` after `mu_product *= mu`, in
 * `_single_tensor_nadam`), kept for fidelity with 1.13; PyTorch 2.0 changed
 * it to 1 − Πμ·μt+1 (pytorch/pytorch#92699), which 1.13's `foreach=True` path
 * (`_multi_tensor_nadam`) already used: a group with `foreach: true` gets that
 * form, as in 1.13 (the other optimizers' foreach paths give 1.13's default
 * numbers, so they accept and ignore the switch). mu_product is a float32 scalar in PyTorch (a 0-d tensor), so it is kept
 * rounded to float32 here too. State: step, mu_product, exp_avg, exp_avg_sq.
 */
export class NAdam extends Optimizer {
  static override readonly optimizerName: string = "NAdam";
  constructor(params: ParamsArg, options: NAdamOptions = {}) {
    super(params, withDefaults("NAdam", { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, foreach: null }, options));
  }

  protected override checkOptions(o: Record<string, unknown>): void {
    checkLr(o.lr);
    checkEps(o.eps);
    checkBetas(o.betas);
    checkNonNegative(o.weightDecay, "weight_decay");
    checkNonNegative(o.momentumDecay, "momentum_decay");
    if (o.foreach !== null && o.foreach !== undefined && typeof o.foreach !== "boolean") {
      throw new TypeError(`Invalid foreach value: ${describe(o.foreach)} (expected a boolean or null)`);
    }
  }

  protected override stateScalarKeys(): string[] {
    return ["step", "mu_product"];
  }

  /** Two addcdiv_ on the parameter in PyTorch's step (its version counter moves by 2). */
  protected override get paramWritesPerStep(): number {
    return 2;
  }

  protected override initState(p: Tensor): ParamState {
    return { step: 0, mu_product: 1, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
  }

  protected override updateGroup(group: ParamGroup, params: Tensor[], grads: Tensor[]): void {
    const { lr, eps, weightDecay: wd, momentumDecay } = group;
    const [beta1, beta2] = group.betas as number[];
    const gc = group.gradCentralization;
    const effective = this.effectiveGrads(group, params, grads, 1, wd);
    const rows = this.fillRows(group, params, (r, p, i) => {
      const s = this.state.get(p)!;
      const t = (s.step as number) + 1;
      s.step = t;
      const bc2 = 1 - beta2 ** t;
      const mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
      const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
      const muProduct = f32((s.mu_product as number) * f32(mu));
      s.mu_product = muProduct;
      // 1.13: float32 Πμ·μt·μt+1 (single-tensor), or Πμ·μt+1 in float64 (foreach: `mu_product.item() * mu_next`).
      const muProductNext = group.foreach === true ? muProduct * muNext : f32(f32(muProduct * f32(mu)) * f32(muNext));
      r.g = effective[i];
      r.s0 = s.exp_avg as Tensor;
      r.s1 = s.exp_avg_sq as Tensor;
      r.t0 = f32(1 / bc2);
      r.t1 = f32((lr * (1 - mu)) / (1 - muProduct));
      r.t2 = f32((lr * muNext) / (1 - muProductNext));
    });
    const b1 = f32(beta1), omb1 = f32(1 - beta1), b2 = f32(beta2), omb2 = f32(1 - beta2), e = f32(eps), l2 = gc ? 0 : f32(wd);
    backend().nadamStep(this.tableFor(group, rows), b1, omb1, b2, omb2, e, l2);
  }
}
