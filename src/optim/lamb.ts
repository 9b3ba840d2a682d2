// LAMB (You et al., "Large Batch Optimization for Deep Learning: Training
// BERT in 76 minutes", ICLR 2020, Algorithm 2), as API.md defines it: the
// trust ratio without a clipping function.
import type { Tensor } from "../tensor.js";
import { backend } from "../backend/index.js";
import {
  withDefaults, Optimizer, checkBetas, checkEps, checkLr, checkNonNegative, f32, zerosLike,
  type CommonOptions, type ParamGroup, type ParamState, type ParamsArg,
} from "./optimizer.js";

export interface LAMBOptions extends CommonOptions {
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/**
 * LAMB, per parameter tensor w:
 *
 *     t ← t + 1;  g ← ∇w
 *     m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *     u ← (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε) + λ·w              (weightDecay λ, decoupled)
 *     r ← ‖w‖ / ‖u‖   (1 when either norm is 0; no clamping)
 *     w ← w − lr·r·u
 *
 * Two passes: the first updates m and v and accumulates ‖w‖², ‖u‖² (float64)
 * for every tensor of the group; the second recomputes u and applies lr·r.
 * State: step, exp_avg, exp_avg_sq.
 */
export class LAMB extends Optimizer {
  static override readonly optimizerName: string = "LAMB";
  constructor(params: ParamsArg, options: LAMBOptions = {}) {
    super(params, withDefaults("LAMB", { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-6, weightDecay: 0 }, options));
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
    const effective = this.effectiveGrads(group, params, grads, 1, 0);
    const rows = this.fillRows(group, params, (r, p, i) => {
      const s = this.state.get(p)!;
      const t = (s.step as number) + 1;
      s.step = t;
      r.g = effective[i];
      r.s0 = s.exp_avg as Tensor;
      r.s1 = s.exp_avg_sq as Tensor;
      r.t0 = f32(1 / (1 - beta1 ** t));
      r.t1 = f32(1 / (1 - beta2 ** t));
    });
    const b1 = f32(beta1), omb1 = f32(1 - beta1), b2 = f32(beta2), omb2 = f32(1 - beta2), e = f32(eps), w = f32(wd);
    backend().lambMoments(this.tableFor(group, rows), b1, omb1, b2, omb2, e, w, 1);
    for (const r of rows) {
      const wn = Math.sqrt(r.r0!), un = Math.sqrt(r.r1!);
      const ratio = wn === 0 || un === 0 ? 1 : wn / un;
      r.t2 = f32(lr * ratio);
    }
    backend().lambApply(this.tableFor(group, rows), e, w);
  }
}
