// Adagrad (Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online
// Learning and Stochastic Optimization", JMLR 2011), as torch.optim.Adagrad 1.13.
import { Tensor } from "../tensor.js";
import { backend } from "../backend/index.js";
import {
  withDefaults, Optimizer, checkBool, checkEps, checkLr, checkNonNegative, f32,
  type CommonOptions, type ParamGroup, type ParamState, type ParamsArg,
} from "./optimizer.js";

export interface AdagradOptions extends CommonOptions {
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
  maximize?: boolean;
}

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
export class Adagrad extends Optimizer {
  static override readonly optimizerName: string = "Adagrad";
  constructor(params: ParamsArg, options: AdagradOptions = {}) {
    super(params, withDefaults("Adagrad", { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, options));
    for (const g of this.paramGroups) for (const p of g.params) this.state.set(p, this.initState(p, g));
  }

  protected override checkOptions(o: Record<string, unknown>): void {
    checkLr(o.lr);
    checkNonNegative(o.lrDecay, "lr_decay");
    checkNonNegative(o.weightDecay, "weight_decay");
    checkNonNegative(o.initialAccumulatorValue, "initial_accumulator_value");
    checkEps(o.eps);
    checkBool(o.maximize, "maximize");
  }

  protected override initState(p: Tensor, group: ParamGroup): ParamState {
    const sum = new Tensor(p.shape);
    sum.data.fill(group.initialAccumulatorValue);
    return { step: 0, sum };
  }

  override addParamGroup(group: Parameters<Optimizer["addParamGroup"]>[0]): void {
    super.addParamGroup(group);
    const g = this.paramGroups[this.paramGroups.length - 1];
    for (const p of g.params) this.state.set(p, this.initState(p, g));
  }

  protected override updateGroup(group: ParamGroup, params: Tensor[], grads: Tensor[]): void {
    const { lr, lrDecay, weightDecay: wd, eps } = group;
    const gSign = group.maximize ? -1 : 1;
    const gc = group.gradCentralization;
    const effective = this.effectiveGrads(group, params, grads, gSign, wd);
    const rows = this.fillRows(group, params, (r, p, i) => {
      const s = this.state.get(p)!;
      const t = (s.step as number) + 1;
      s.step = t;
      r.g = effective[i];
      r.s0 = s.sum as Tensor;
      r.t0 = f32(lr / (1 + (t - 1) * lrDecay));
    });
    const e = f32(eps), l2 = gc ? 0 : f32(wd), sign = gc ? 1 : gSign;
    backend().adagradStep(this.tableFor(group, rows), e, l2, sign);
  }
}
