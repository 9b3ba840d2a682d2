// LAMB (You et al., "Large Batch Optimization for Deep Learning: Training
// BERT in 76 minutes", ICLR 2020, Algorithm 2), as API.md defines it: the
// trust ratio without a clipping function.
import type { TableRow, TensorTable } from "../backend/index.js";
import { backend } from "../backend/index.js";
import { f32, type ParamGroup } from "./optimizer.js";
import { UpdateRule, betaConstants, type RuleSpec } from "./rule.js";
import { RULES, type OptionsOf } from "./rules.js";

export type LAMBOptions = OptionsOf<"LAMB">;

/**
 * LAMB, per parameter tensor w:
 *
 *     t ← t + 1;  g ← ∇w
 *     m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *     u ← (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε) + λ·w              (weightDecay λ, decoupled)
 *     r ← ‖w‖ / ‖u‖   (1 when either norm is 0; no clamping)
 *     w ← w − lr·r·u
 *
 * Two passes: the first updates m and v and accumulates ‖w‖², ‖u‖² (float64)
 * for every tensor of the group; the second recomputes u and applies lr·r.
 * State: step, exp_avg, exp_avg_sq.
 */
export class LAMB extends UpdateRule<LAMBOptions> {
  static override readonly optimizerName: string = "LAMB";
  static override readonly rule: RuleSpec = RULES.LAMB;

  /** Decoupled: λ·w is part of u, not of the gradient. */
  protected override l2Decay(): number {
    return 0;
  }

  protected override rowScalars(r: TableRow, _s: unknown, t: number, group: ParamGroup): void {
    const [beta1, beta2] = group.betas as number[];
    r.t0 = f32(1 / (1 - beta1 ** t));
    r.t1 = f32(1 / (1 - beta2 ** t));
  }

  protected override runKernel(table: TensorTable, group: ParamGroup): void {
    const e = f32(group.eps), w = f32(group.weightDecay);
    backend().lambMoments(table, ...betaConstants(group), e, w, 1);
    for (const r of table.rows) {
      const wn = Math.sqrt(r.r0!), un = Math.sqrt(r.r1!);
      const ratio = wn === 0 || un === 0 ? 1 : wn / un;
      r.t2 = f32(group.lr * ratio);
    }
    backend().lambApply(table, e, w);
  }
}
