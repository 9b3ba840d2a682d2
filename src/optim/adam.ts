// Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015),
// with PyTorch 1.13's L2 weight decay, AMSGrad and maximize.
import type { TableRow, TensorTable } from "../backend/index.js";
import { backend } from "../backend/index.js";
import { f32, type ParamGroup } from "./optimizer.js";
import { UpdateRule, betaConstants, type RuleSpec } from "./rule.js";
import { RULES, type OptionsOf } from "./rules.js";

export type AdamOptions = OptionsOf<"Adam">;

/**
 * Adam, as torch.optim.Adam (1.13):
 *
 *     t ← t + 1;  g ← maximize ? −∇θ : ∇θ;  g ← g + λ·θ            (weightDecay λ, L2)
 *     m ← β1·m + (1 − β1)·g
 *     v ← β2·v + (1 − β2)·g²
 *     v̂ ← amsgrad ? (vmax ← max(vmax, v)) : v
 *     θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v̂ / √(1 − β2ᵗ) + ε)
 *
 * ε is added after the bias correction of √v̂, as PyTorch does. The step size
 * lr/(1 − β1ᵗ) and 1/√(1 − β2ᵗ) are computed once per step in float64 and
 * rounded to float32; the kernel multiplies √v̂ by the latter (PyTorch divides
 * by √(1 − β2ᵗ): the two differ by float32 rounding at most).
 * State: step, exp_avg (m), exp_avg_sq (v), max_exp_avg_sq (amsgrad).
 */
export class Adam extends UpdateRule<AdamOptions> {
  static override readonly optimizerName: string = "Adam";
  static override readonly rule: RuleSpec = RULES.Adam;

  /** AdamW applies weight decay to the parameter, not the gradient. */
  protected get decoupled(): boolean {
    return false;
  }

  protected override l2Decay(group: ParamGroup): number {
    return this.decoupled ? 0 : group.weightDecay;
  }

  protected override rowScalars(r: TableRow, _s: unknown, t: number, group: ParamGroup): void {
    const [beta1, beta2] = group.betas as number[];
    r.t0 = f32(group.lr / (1 - beta1 ** t));
    r.t1 = f32(1 / Math.sqrt(1 - beta2 ** t));
  }

  protected override runKernel(table: TensorTable, group: ParamGroup, sign: number, l2: number): void {
    const { lr, eps, weightDecay: wd, amsgrad } = group;
    const decay = this.decoupled ? f32(1 - lr * wd) : 1;
    backend().adamStep(table, ...betaConstants(group), f32(eps), l2, decay, sign, amsgrad);
  }
}
