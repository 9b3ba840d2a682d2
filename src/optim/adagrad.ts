// Adagrad (Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online
// Learning and Stochastic Optimization", JMLR 2011), as torch.optim.Adagrad 1.13.
import type { TableRow, TensorTable } from "../backend/index.js";
import { backend } from "../backend/index.js";
import { f32, type ParamGroup, type ParamsArg, type Optimizer } from "./optimizer.js";
import { UpdateRule, type RuleSpec } from "./rule.js";
import { RULES, type OptionsOf } from "./rules.js";

export type AdagradOptions = OptionsOf<"Adagrad">;

/**
 * Adagrad, as torch.optim.Adagrad (1.13):
 *
 *     t ← t + 1;  g ← maximize ? −∇θ : ∇θ;  g ← g + λ·θ              (weightDecay λ)
 *     clr ← lr / (1 + (t − 1)·lrDecay)
 *     sum ← sum + g²
 *     θ ← θ − clr · g / (√sum + ε)
 *
 * State (created for every parameter at construction, as PyTorch does):
 * step, sum (starting at initialAccumulatorValue).
 */
export class Adagrad extends UpdateRule<AdagradOptions> {
  static override readonly optimizerName: string = "Adagrad";
  static override readonly rule: RuleSpec = RULES.Adagrad;

  constructor(params: ParamsArg, options: AdagradOptions = {}) {
    super(params, options);
    for (const g of this.paramGroups) for (const p of g.params) this.state.set(p, this.initState(p, g));
  }

  override addParamGroup(group: Parameters<Optimizer["addParamGroup"]>[0]): void {
    super.addParamGroup(group);
    const g = this.paramGroups[this.paramGroups.length - 1];
    for (const p of g.params) this.state.set(p, this.initState(p, g));
  }

  protected override rowScalars(r: TableRow, _s: unknown, t: number, group: ParamGroup): void {
    r.t0 = f32(group.lr / (1 + (t - 1) * group.lrDecay));
  }

  protected override runKernel(table: TensorTable, group: ParamGroup, sign: number, l2: number): void {
    backend().adagradStep(table, f32(group.eps), l2, sign);
  }
}
