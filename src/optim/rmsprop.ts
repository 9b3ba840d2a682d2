// RMSprop (Hinton, Coursera lecture 6e, 2012; centered form from Graves,
// "Generating Sequences With Recurrent Neural Networks", 2013), as torch.optim.RMSprop 1.13.
import type { TensorTable } from "../backend/index.js";
import { backend } from "../backend/index.js";
import { f32, type ParamGroup } from "./optimizer.js";
import { UpdateRule, type RuleSpec } from "./rule.js";
import { RULES, type OptionsOf } from "./rules.js";

export type RMSpropOptions = OptionsOf<"RMSprop">;

/**
 * RMSprop, as torch.optim.RMSprop (1.13):
 *
 *     g ← maximize ? −∇θ : ∇θ;  g ← g + λ·θ                          (weightDecay λ)
 *     sq ← α·sq + (1 − α)·g²
 *     centered:  ga ← α·ga + (1 − α)·g;  avg ← √(sq − ga²) + ε     else  avg ← √sq + ε
 *     μ > 0:     buf ← μ·buf + g/avg;  θ ← θ − lr·buf                 else  θ ← θ − lr·g/avg
 *
 * State: step, square_avg, momentum_buffer (μ > 0), grad_avg (centered).
 */
export class RMSprop extends UpdateRule<RMSpropOptions> {
  static override readonly optimizerName: string = "RMSprop";
  static override readonly rule: RuleSpec = RULES.RMSprop;

  protected override runKernel(table: TensorTable, group: ParamGroup, sign: number, l2: number): void {
    const { lr, alpha, eps, momentum, centered } = group;
    backend().rmspropStep(table, f32(lr), f32(alpha), f32(1 - alpha), f32(eps), l2, sign, f32(momentum), centered);
  }
}
