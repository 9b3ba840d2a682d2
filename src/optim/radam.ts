// RAdam (Liu et al., "On the Variance of the Adaptive Learning Rate and
// Beyond", ICLR 2020), as torch.optim.RAdam 1.13.
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/index.js";
import {
  withDefaults, Optimizer, checkBetas, checkEps, checkLr, checkNonNegative, f32, zerosLike,
  type CommonOptions, type ParamGroup, type ParamState, type ParamsArg,
} from "./optimizer.js";

export interface RAdamOptions extends CommonOptions {
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

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
export class RAdam extends Optimizer {
  static override readonly optimizerName: string = "RAdam";
  constructor(params: ParamsArg, options: RAdamOptions = {}) {
    super(params, withDefaults("RAdam", { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }, options));
  }

  protected override checkOptions(o: Record<string, unknown>): void {
    checkLr(o.lr);
    checkEps(o.eps);
    checkBetas(o.betas);
    checkNonNegative(o.weightDecay, "weight_decay");
  }

  protected override initState(p: Tensor): ParamState {
    return { step: 0, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
  }

  protected override updateGroup(group: ParamGroup, params: Tensor[], grads: Tensor[]): void {
    const { lr, eps, weightDecay: wd } = group;
    const [beta1, beta2] = group.betas as number[];
    const gc = group.gradCentralization;
    const effective = this.effectiveGrads(group, params, grads, 1, wd);
    const rhoInf = 2 / (1 - beta2) - 1;
    const rows = this.fillRows(group, params, (r, p, i) => {
      const s = this.state.get(p)!;
      const t = (s.step as number) + 1;
      s.step = t;
      const bc1 = 1 - beta1 ** t;
      const bc2 = 1 - beta2 ** t;
      const rhoT = rhoInf - (2 * t * beta2 ** t) / bc2;
      const rect = rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
      r.g = effective[i];
      r.s0 = s.exp_avg as Tensor;
      r.s1 = s.exp_avg_sq as Tensor;
      r.t0 = f32(1 / bc1);
      r.t1 = f32(lr);
      r.t2 = f32(rect);
      r.t3 = f32(Math.sqrt(bc2));
    });
    const b1 = f32(beta1), omb1 = f32(1 - beta1), b2 = f32(beta2), omb2 = f32(1 - beta2), e = f32(eps), l2 = gc ? 0 : f32(wd);
    backend().radamStep(this.tableFor(group, rows), b1, omb1, b2, omb2, e, l2);
  }
}
