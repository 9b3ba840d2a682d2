// Adamax (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR
// 2015, section 7.1), as torch.optim.Adamax 1.13.
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/index.js";
import {
  withDefaults, Optimizer, checkBetas, checkBool, checkEps, checkLr, checkNonNegative, f32, zerosLike,
  type CommonOptions, type ParamGroup, type ParamState, type ParamsArg,
} from "./optimizer.js";

export interface AdamaxOptions extends CommonOptions {
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

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
export class Adamax extends Optimizer {
  static override readonly optimizerName: string = "Adamax";
  constructor(params: ParamsArg, options: AdamaxOptions = {}) {
    super(params, withDefaults("Adamax", { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false }, options));
  }

  protected override checkOptions(o: Record<string, unknown>): void {
    checkLr(o.lr);
    checkEps(o.eps);
    checkBetas(o.betas);
    checkNonNegative(o.weightDecay, "weight_decay");
    checkBool(o.maximize, "maximize");
  }

  protected override initState(p: Tensor): ParamState {
    return { step: 0, exp_avg: zerosLike(p), exp_inf: zerosLike(p) };
  }

  protected override updateGroup(group: ParamGroup, params: Tensor[], grads: Tensor[]): void {
    const { lr, eps, weightDecay: wd } = group;
    const [beta1, beta2] = group.betas as number[];
    const gSign = group.maximize ? -1 : 1;
    const gc = group.gradCentralization;
    const effective = this.effectiveGrads(group, params, grads, gSign, wd);
    const rows = this.fillRows(group, params, (r, p, i) => {
      const s = this.state.get(p)!;
      const t = (s.step as number) + 1;
      s.step = t;
      r.g = effective[i];
      r.s0 = s.exp_avg as Tensor;
      r.s1 = s.exp_inf as Tensor;
      r.t0 = f32(lr / (1 - beta1 ** t));
    });
    const b1 = f32(beta1), omb1 = f32(1 - beta1), b2 = f32(beta2), e = f32(eps), l2 = gc ? 0 : f32(wd), sign = gc ? 1 : gSign;
    backend().adamaxStep(this.tableFor(group, rows), b1, omb1, b2, e, l2, sign);
  }
}
