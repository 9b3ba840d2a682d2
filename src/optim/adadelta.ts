// Adadelta (Zeiler, "ADADELTA: An Adaptive Learning Rate Method", 2012),
// as torch.optim.Adadelta 1.13.
import type { TensorTable } from "../backend/index.js";
import { backend } from "../backend/index.js";
import { f32, type ParamGroup } from "./optimizer.js";
import { UpdateRule, type RuleSpec } from "./rule.js";
import { RULES, type OptionsOf } from "./rules.js";

export type AdadeltaOptions = OptionsOf<"Adadelta">;

/**
 * Adadelta, as torch.optim.Adadelta (1.13):
 *
 *     g ← maximize ? −∇θ : ∇θ;  g ← g + λ·θ                          (weightDecay λ)
 *     sq ← ρ·sq + (1 − ρ)·g²
 *     δ ← √(acc + ε) / √(sq + ε) · g
 *     acc ← ρ·acc + (1 − ρ)·δ²
 *     θ ← θ − lr·δ
 *
 * The kernel evaluates δ as √((acc + ε)/(sq + ε))·g — one square root
 * instead of two and a division; equal to PyTorch's form up to float32
 * rounding. State: step, square_avg, acc_delta.
 */
export class Adadelta extends UpdateRule<AdadeltaOptions> {
  static override readonly optimizerName: string = "Adadelta";
  static override readonly rule: RuleSpec = RULES.Adadelta;

  protected override runKernel(table: TensorTable, group: ParamGroup, sign: number, l2: number): void {
    const { lr, rho, eps } = group;
    backend().adadeltaStep(table, f32(lr), f32(rho), f32(1 - rho), f32(eps), l2, sign);
  }
}
