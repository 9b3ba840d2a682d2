// AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019).
import { Adam, type AdamOptions } from "./adam.js";
import { definedOptions, type ParamsArg } from "./optimizer.js";

/**
 * AdamW, as torch.optim.AdamW (1.13): Adam whose weight decay acts on the
 * parameter instead of the gradient.
 *
 *     t ← t + 1;  g ← maximize ? −∇θ : ∇θ
 *     θ ← θ · (1 − lr·λ)
 *     m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  v̂ ← amsgrad ? max(vmax, v) : v
 *     θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v̂ / √(1 − β2ᵗ) + ε)
 *
 * The same fused kernel as Adam; 1 − lr·λ is computed in float64 and rounded
 * to float32 once per step.
 */
export class AdamW extends Adam {
  static override readonly optimizerName: string = "AdamW";
  constructor(params: ParamsArg, options: AdamOptions = {}) {
    super(params, { weightDecay: 1e-2, ...definedOptions(options) });
  }

  protected override get decoupled(): boolean {
    return true;
  }

  /** θ·(1 − lr·λ), then the Adam update: two in-place writes in PyTorch. */
  protected override get paramWritesPerStep(): number {
    return 2;
  }
}
