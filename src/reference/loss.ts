// Pure-JS twin of assembly/loss.ts: the pointwise losses, forward and
// gradient in one pass, float64 arithmetic over typed arrays.
import type { FloatArray } from "./nn.js";

export const LOSS = { L1: 0, SMOOTH_L1: 1, HUBER: 2, BCE: 3, BCE_LOGITS: 4 } as const;

/** ln(1 + e^z), stable. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

export function pointwiseLoss(
  kind: number, x: FloatArray, t: FloatArray, weight: FloatArray | null, posWeight: FloatArray | null,
  grad: FloatArray, losses: FloatArray | null, n: number, gradScale: number, p: number,
): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    const ti = t[i];
    let l: number;
    let g: number;
    const d = xi - ti;
    const a = Math.abs(d);
    switch (kind) {
      case LOSS.L1:
        l = a;
        g = Math.sign(d);
        break;
      case LOSS.SMOOTH_L1:
        if (p === 0 || a >= p) {
          l = a - 0.5 * p;
          g = Math.sign(d);
        } else {
          l = (0.5 * d * d) / p;
          g = d / p;
        }
        break;
      case LOSS.HUBER:
        if (a <= p) {
          l = 0.5 * d * d;
          g = d;
        } else {
          l = p * (a - 0.5 * p);
          g = p * Math.sign(d);
        }
        break;
      case LOSS.BCE:
        l = -(ti * Math.max(Math.log(xi), -100) + (1 - ti) * Math.max(Math.log(1 - xi), -100));
        g = d / Math.max((1 - xi) * xi, 1e-12);
        break;
      default: {
        const pw = posWeight ? posWeight[i] : 1;
        const lw = 1 + (pw - 1) * ti;
        l = (1 - ti) * xi + lw * softplus(-xi);
        g = lw / (1 + Math.exp(-xi)) - pw * ti;
      }
    }
    if (weight) {
      l *= weight[i];
      g *= weight[i];
    }
    total += l;
    grad[i] = gradScale * g;
    if (losses) losses[i] = l;
  }
  return total;
}
