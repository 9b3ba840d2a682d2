// RAdam (Liu et al., "On the Variance of the Adaptive Learning Rate and
// Beyond", ICLR 2020), as torch.optim.RAdam 1.13.
import type { TableRow, TensorTable } from "../backend/index.js";
import { backend } from "../backend/index.js";
import { f32, type ParamGroup } from "./optimizer.js";
import { UpdateRule, betaConstants, type RuleSpec } from "./rule.js";
import { RULES, type OptionsOf } from "./rules.js";

export type RAdamOptions = OptionsOf<"RAdam">;

/**
 * RAdam, as torch.optim.RAdam (1.13):
 *
 *     t ← t + 1;  g ← ∇θ + λ·θ                                        (weightDecay λ)
 *     m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  m̂ ← m / (1 − β1ᵗ)
 *     ρ∞ ← 2/(1 − β2) − 1;  ρt ← ρ∞ − 2t·β2ᵗ/(1 − β2ᵗ)
 *     ρt > 5:  r ← √((ρt − 4)(ρt − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρt))
 *              θ ← θ − m̂·lr·(√(1 − β2ᵗ)/(√v + ε))·r
 *     else:    θ ← θ − m̂·lr
 *
 * The kernel multiplies m by 1/(1 − β1ᵗ) (PyTorch divides: float32 rounding
 * apart, the same). State: step, exp_avg, exp_avg_sq.
 */
export class RAdam extends UpdateRule<RAdamOptions> {
  static override readonly optimizerName: string = "RAdam";
  static override readonly rule: RuleSpec = RULES.RAdam;

  protected override rowScalars(r: TableRow, _s: unknown, t: number, group: ParamGroup): void {
    const [beta1, beta2] = group.betas as number[];
    const rhoInf = 2 / (1 - beta2) - 1;
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    const rhoT = rhoInf - (2 * t * beta2 ** t) / bc2;
    const rect = rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
    r.t0 = f32(1 / bc1);
    r.t1 = f32(group.lr);
    r.t2 = f32(rect);
    r.t3 = f32(Math.sqrt(bc2));
  }

  protected override runKernel(table: TensorTable, group: ParamGroup, _sign: number, l2: number): void {
    backend().radamStep(table, ...betaConstants(group), f32(group.eps), l2);
  }
}
