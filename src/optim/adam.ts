// Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015),
// with PyTorch 1.13's L2 weight decay, AMSGrad and maximize.
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/index.js";
import {
  withDefaults, Optimizer, checkBetas, checkBool, checkEps, checkLr, checkNonNegative, f32, zerosLike,
  type CommonOptions, type ParamGroup, type ParamState, type ParamsArg,
} from "./optimizer.js";

export interface AdamOptions extends CommonOptions {
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

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
export class Adam extends Optimizer {
  static override readonly optimizerName: string = "Adam";
  constructor(params: ParamsArg, options: AdamOptions = {}) {
    // The name the class states (AdamW's when constructing an AdamW): new.target.name is mangled by minifiers.
    super(params, withDefaults(new.target.optimizerName, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }, options));
  }

  /** AdamW applies weight decay to the parameter, not the gradient. */
  protected get decoupled(): boolean {
    return false;
  }

  protected override checkOptions(o: Record<string, unknown>): void {
    checkLr(o.lr);
    checkEps(o.eps);
    checkBetas(o.betas);
    checkNonNegative(o.weightDecay, "weight_decay");
    checkBool(o.amsgrad, "amsgrad");
    checkBool(o.maximize, "maximize");
  }

  protected override initState(p: Tensor, group: ParamGroup): ParamState {
    const s: ParamState = { step: 0, exp_avg: zerosLike(p), exp_avg_sq: zerosLike(p) };
    if (group.amsgrad) s.max_exp_avg_sq = zerosLike(p);
    return s;
  }

  protected override updateGroup(group: ParamGroup, params: Tensor[], grads: Tensor[]): void {
    const { lr, eps, weightDecay: wd, amsgrad } = group;
    const [beta1, beta2] = group.betas as number[];
    const gSign = group.maximize ? -1 : 1;
    const decoupled = this.decoupled;
    const gc = group.gradCentralization;
    const effective = this.effectiveGrads(group, params, grads, gSign, decoupled ? 0 : wd);
    const rows = this.rowsFor(group, params.length);
    let lastT = -1, stepSize = 0, rb2 = 0;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const s = this.state.get(p)!;
      if (amsgrad && !s.max_exp_avg_sq) s.max_exp_avg_sq = zerosLike(p);
      const t = (s.step as number) + 1;
      s.step = t;
      if (t !== lastT) {
        lastT = t;
        stepSize = f32(lr / (1 - beta1 ** t));
        rb2 = f32(1 / Math.sqrt(1 - beta2 ** t));
      }
      const r = rows[i];
      r.p = p;
      r.g = effective[i];
      r.s0 = s.exp_avg as Tensor;
      r.s1 = s.exp_avg_sq as Tensor;
      r.s2 = amsgrad ? (s.max_exp_avg_sq as Tensor) : null;
      r.t0 = stepSize;
      r.t1 = rb2;
    }
    const b1 = f32(beta1), omb1 = f32(1 - beta1), b2 = f32(beta2), omb2 = f32(1 - beta2), e = f32(eps);
    const l2 = decoupled || gc ? 0 : f32(wd);
    const decay = decoupled ? f32(1 - lr * wd) : 1;
    const sign = gc ? 1 : gSign;
    backend().adamStep(this.tableFor(group, rows), b1, omb1, b2, omb2, e, l2, decay, sign, amsgrad);
  }
}
