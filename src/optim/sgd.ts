// Stochastic gradient descent with momentum (Polyak 1964; Sutskever et al.
// 2013 for the Nesterov form), as torch.optim.SGD 1.13.
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/index.js";
import { describe } from "../validate.js";
import {
  withDefaults, Optimizer, checkBool, checkFinite, checkLr, checkNonNegative, f32, zerosLike,
  type CommonOptions, type ParamGroup, type ParamState, type ParamsArg,
} from "./optimizer.js";

export interface SGDOptions extends CommonOptions {
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

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
export class SGD extends Optimizer {
  static override readonly optimizerName: string = "SGD";
  constructor(params: ParamsArg, options: SGDOptions = {}) {
    super(params, withDefaults("SGD", { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, options));
  }

  protected override checkOptions(o: Record<string, unknown>): void {
    checkLr(o.lr);
    checkNonNegative(o.momentum, "momentum");
    checkFinite(o.dampening, "dampening");
    checkNonNegative(o.weightDecay, "weight_decay");
    checkBool(o.nesterov, "nesterov");
    checkBool(o.maximize, "maximize");
    if (o.nesterov && (!((o.momentum as number) > 0) || o.dampening !== 0)) {
      throw new RangeError(`Nesterov momentum requires a momentum and zero dampening (momentum ${describe(o.momentum)}, dampening ${describe(o.dampening)})`);
    }
  }

  protected override stateScalarKeys(): string[] {
    return [];
  }

  protected override initState(): ParamState {
    return {};
  }

  protected override lazyStateKeys(): string[] {
    return ["momentum_buffer"];
  }

  protected override updateGroup(group: ParamGroup, params: Tensor[], grads: Tensor[]): void {
    const { lr, momentum, dampening, weightDecay: wd, nesterov } = group;
    const gSign = group.maximize ? -1 : 1;
    const gc = group.gradCentralization;
    const effective = this.effectiveGrads(group, params, grads, gSign, wd);
    const rows = this.rowsFor(group, params.length);
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const s = this.state.get(p)!;
      let first = false;
      if (momentum !== 0 && !s.momentum_buffer) {
        s.momentum_buffer = zerosLike(p);
        first = true;
      }
      const r = rows[i];
      r.p = p;
      r.g = effective[i];
      r.s0 = momentum !== 0 ? (s.momentum_buffer as Tensor) : null;
      r.t0 = first ? 1 : 0;
    }
    const l = f32(lr), mu = f32(momentum), omd = f32(1 - dampening), l2 = gc ? 0 : f32(wd), sign = gc ? 1 : gSign;
    backend().sgdStep(this.tableFor(group, rows), l, mu, omd, l2, sign, nesterov);
  }
}
