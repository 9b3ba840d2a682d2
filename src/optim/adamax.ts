// Adamax (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR
// 2015, section 7.1), as torch.optim.Adamax 1.13.
import type { TableRow, TensorTable } from "../backend/index.js";
import { backend } from "../backend/index.js";
import { f32, type ParamGroup } from "./optimizer.js";
import { UpdateRule, betaConstants, type RuleSpec } from "./rule.js";
import { RULES, type OptionsOf } from "./rules.js";

export type AdamaxOptions = OptionsOf<"Adamax">;

/**
 * Adamax, as torch.optim.Adamax (1.13):
 *
 *     t ← t + 1;  g ← maximize ? −∇θ : ∇θ;  g ← g + λ·θ              (weightDecay λ)
 *     m ← β1·m + (1 − β1)·g
 *     u ← max(β2·u, |g| + ε)
 *     θ ← θ − (lr / (1 − β1ᵗ)) · m / u
 *
 * State: step, exp_avg (m), exp_inf (u).
 */
export class Adamax extends UpdateRule<AdamaxOptions> {
  static override readonly optimizerName: string = "Adamax";
  static override readonly rule: RuleSpec = RULES.Adamax;

  protected override rowScalars(r: TableRow, _s: unknown, t: number, group: ParamGroup): void {
    r.t0 = f32(group.lr / (1 - group.betas[0] ** t));
  }

  protected override runKernel(table: TensorTable, group: ParamGroup, sign: number, l2: number): void {
    const [b1, omb1, b2] = betaConstants(group);
    backend().adamaxStep(table, b1, omb1, b2, f32(group.eps), l2, sign);
  }
}
