// NAdam (Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016
// workshop), as torch.optim.NAdam 1.13 (momentum schedule μt included).
import type { TableRow, TensorTable } from "../backend/index.js";
import { backend } from "../backend/index.js";
import { f32, type ParamGroup, type ParamState } from "./optimizer.js";
import { UpdateRule, betaConstants, type RuleSpec } from "./rule.js";
import { RULES, type OptionsOf } from "./rules.js";

export type NAdamOptions = OptionsOf<"NAdam">;

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
export class NAdam extends UpdateRule<NAdamOptions> {
  static override readonly optimizerName: string = "NAdam";
  static override readonly rule: RuleSpec = RULES.NAdam;

  /** Two addcdiv_ on the parameter in PyTorch's step (its version counter moves by 2). */
  protected override get paramWritesPerStep(): number {
    return 2;
  }

  protected override rowScalars(r: TableRow, s: ParamState, t: number, group: ParamGroup): void {
    const { lr, momentumDecay } = group;
    const [beta1, beta2] = group.betas as number[];
    const bc2 = 1 - beta2 ** t;
    const mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
    const muProduct = f32((s.mu_product as number) * f32(mu));
    s.mu_product = muProduct;
    // 1.13: float32 Πμ·μt·μt+1 (single-tensor), or Πμ·μt+1 in float64 (foreach: `mu_product.item() * mu_next`).
    const muProductNext = group.foreach === true ? muProduct * muNext : f32(f32(muProduct * f32(mu)) * f32(muNext));
    r.t0 = f32(1 / bc2);
    r.t1 = f32((lr * (1 - mu)) / (1 - muProduct));
    r.t2 = f32((lr * muNext) / (1 - muProductNext));
  }

  protected override runKernel(table: TensorTable, group: ParamGroup, _sign: number, l2: number): void {
    backend().nadamStep(table, ...betaConstants(group), f32(group.eps), l2);
  }
}
