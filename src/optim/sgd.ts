// Stochastic gradient descent with momentum (Polyak 1964; Sutskever et al.
// 2013 for the Nesterov form), as torch.optim.SGD 1.13.
import type { TableRow, TensorTable } from "../backend/index.js";
import { backend } from "../backend/index.js";
import { f32, type ParamGroup } from "./optimizer.js";
import { UpdateRule, type RuleSpec } from "./rule.js";
import { RULES, type OptionsOf } from "./rules.js";
import { describe } from "../validate.js";

export type SGDOptions = OptionsOf<"SGD">;

/**
 * SGD, as torch.optim.SGD (1.13):
 *
 *     g ← maximize ? −∇θ : ∇θ;  g ← g + λ·θ                          (weightDecay λ)
 *     if μ ≠ 0:  b ← first step ? g : μ·b + (1 − dampening)·g
 *                g ← nesterov ? g + μ·b : b
 *     θ ← θ − lr·g
 *
 * The momentum buffer is the gradient itself at its first step (no dampening),
 * and only exists when μ ≠ 0. State: momentum_buffer.
 */
export class SGD extends UpdateRule<SGDOptions> {
  static override readonly optimizerName: string = "SGD";
  static override readonly rule: RuleSpec = RULES.SGD;

  protected override checkOptions(o: Record<string, unknown>): void {
    super.checkOptions(o);
    if (o.nesterov && (!((o.momentum as number) > 0) || o.dampening !== 0)) {
      throw new RangeError(`Nesterov momentum requires a momentum and zero dampening (momentum ${describe(o.momentum)}, dampening ${describe(o.dampening)})`);
    }
  }

  /** t0: 1 at the momentum buffer's first step (the buffer starts as the gradient itself). */
  protected override rowScalars(r: TableRow, _s: unknown, _t: number, _g: ParamGroup, created: boolean): void {
    r.t0 = created ? 1 : 0;
  }

  protected override runKernel(table: TensorTable, group: ParamGroup, sign: number, l2: number): void {
    const { lr, momentum, dampening, nesterov } = group;
    backend().sgdStep(table, f32(lr), f32(momentum), f32(1 - dampening), l2, sign, nesterov);
  }
}
