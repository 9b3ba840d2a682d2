// RMSprop (Hinton, Coursera lecture 6e, 2012; centered form from Graves,
// "Generating Sequences With Recurrent Neural Networks", 2013), as torch.optim.RMSprop 1.13.
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/index.js";
import {
  withDefaults, Optimizer, checkBool, checkEps, checkLr, checkNonNegative, f32, zerosLike,
  type CommonOptions, type ParamGroup, type ParamState, type ParamsArg,
} from "./optimizer.js";

export interface RMSpropOptions extends CommonOptions {
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  maximize?: boolean;
}

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
export class RMSprop extends Optimizer {
  static override readonly optimizerName: string = "RMSprop";
  constructor(params: ParamsArg, options: RMSpropOptions = {}) {
    super(params, withDefaults("RMSprop", { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }, options));
  }

  protected override checkOptions(o: Record<string, unknown>): void {
    checkLr(o.lr);
    checkEps(o.eps);
    checkNonNegative(o.momentum, "momentum");
    checkNonNegative(o.weightDecay, "weight_decay");
    checkNonNegative(o.alpha, "alpha");
    checkBool(o.centered, "centered");
    checkBool(o.maximize, "maximize");
  }

  protected override initState(p: Tensor, group: ParamGroup): ParamState {
    const s: ParamState = { step: 0, square_avg: zerosLike(p) };
    if (group.momentum > 0) s.momentum_buffer = zerosLike(p);
    if (group.centered) s.grad_avg = zerosLike(p);
    return s;
  }

  protected override updateGroup(group: ParamGroup, params: Tensor[], grads: Tensor[]): void {
    const { lr, alpha, eps, weightDecay: wd, momentum, centered } = group;
    const gSign = group.maximize ? -1 : 1;
    const gc = group.gradCentralization;
    const effective = this.effectiveGrads(group, params, grads, gSign, wd);
    const rows = this.fillRows(group, params, (r, p, i) => {
      const s = this.state.get(p)!;
      if (momentum > 0 && !s.momentum_buffer) s.momentum_buffer = zerosLike(p);
      if (centered && !s.grad_avg) s.grad_avg = zerosLike(p);
      s.step = (s.step as number) + 1;
      r.g = effective[i];
      r.s0 = s.square_avg as Tensor;
      r.s1 = centered ? (s.grad_avg as Tensor) : null;
      r.s2 = momentum > 0 ? (s.momentum_buffer as Tensor) : null;
    });
    const l = f32(lr), a = f32(alpha), oma = f32(1 - alpha), e = f32(eps), l2 = gc ? 0 : f32(wd), sign = gc ? 1 : gSign;
    const mu = f32(momentum);
    backend().rmspropStep(this.tableFor(group, rows), l, a, oma, e, l2, sign, mu, centered);
  }
}
