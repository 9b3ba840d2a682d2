// Adadelta (Zeiler, "ADADELTA: An Adaptive Learning Rate Method", 2012),
// as torch.optim.Adadelta 1.13.
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/index.js";
import {
  withDefaults, Optimizer, checkBool, checkEps, checkInRange, checkLr, checkNonNegative, f32, zerosLike,
  type CommonOptions, type ParamGroup, type ParamState, type ParamsArg,
} from "./optimizer.js";

export interface AdadeltaOptions extends CommonOptions {
  rho?: number;
  eps?: number;
  weightDecay?: number;
  maximize?: boolean;
}

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
export class Adadelta extends Optimizer {
  static override readonly optimizerName: string = "Adadelta";
  constructor(params: ParamsArg, options: AdadeltaOptions = {}) {
    super(params, withDefaults("Adadelta", { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }, options));
  }

  protected override checkOptions(o: Record<string, unknown>): void {
    checkLr(o.lr);
    checkInRange(o.rho, "rho", 0, 1);
    checkEps(o.eps);
    checkNonNegative(o.weightDecay, "weight_decay");
    checkBool(o.maximize, "maximize");
  }

  protected override initState(p: Tensor): ParamState {
    return { step: 0, square_avg: zerosLike(p), acc_delta: zerosLike(p) };
  }

  protected override updateGroup(group: ParamGroup, params: Tensor[], grads: Tensor[]): void {
    const { lr, rho, eps, weightDecay: wd } = group;
    const gSign = group.maximize ? -1 : 1;
    const gc = group.gradCentralization;
    const effective = this.effectiveGrads(group, params, grads, gSign, wd);
    const rows = this.fillRows(group, params, (r, p, i) => {
      const s = this.state.get(p)!;
      s.step = (s.step as number) + 1;
      r.g = effective[i];
      r.s0 = s.square_avg as Tensor;
      r.s1 = s.acc_delta as Tensor;
    });
    const l = f32(lr), r_ = f32(rho), omr = f32(1 - rho), e = f32(eps), l2 = gc ? 0 : f32(wd), sign = gc ? 1 : gSign;
    backend().adadeltaStep(this.tableFor(group, rows), l, r_, omr, e, l2, sign);
  }
}
