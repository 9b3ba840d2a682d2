// The pointwise loss kernels (L1, smooth L1, Huber, BCE, BCE with logits) of
// the running build (WebAssembly or pure JS, through src/nn/new_kernels.ts)
// against their pure-JS twin (src/reference/loss.ts) in float64, over sizes
// that hit every SIMD tail; and the twin's gradient against float64 central
// differences of its losses.
import { describe, it } from "vitest";
import { tensor, Tensor } from "../../src/index.js";
import * as k from "../../src/nn/new_kernels.js";
import * as ls from "../../src/reference/loss.js";
import { expectClose } from "../helpers/close.js";
import { gradcheck, lcg } from "../helpers/twins.js";

const r = lcg(5);
const rand = (n: number, lo = -3, hi = 3) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
const t = (a: ArrayLike<number>) => tensor(Array.from(a), [a.length]);
const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
/** The weights R of the gradient checks' Σ R·f(x). */
const drawR = (n: number) => f64(rand(n, -1, 1));

describe("pointwise losses", () => {
  const kinds: [string, number, number, [number, number]][] = [
    ["l1", ls.LOSS.L1, 0, [-3, 3]],
    ["smooth l1 beta=0.7", ls.LOSS.SMOOTH_L1, 0.7, [-3, 3]],
    ["smooth l1 beta=0", ls.LOSS.SMOOTH_L1, 0, [-3, 3]],
    ["huber delta=1.3", ls.LOSS.HUBER, 1.3, [-3, 3]],
    ["bce", ls.LOSS.BCE, 0, [0.02, 0.98]],
    ["bce with logits", ls.LOSS.BCE_LOGITS, 0, [-12, 12]],
  ];
  for (const [name, kind, p, [lo, hi]] of kinds) {
    for (const n of [1, 3, 4, 7, 64, 101]) {
      it(`${name}, n=${n}`, () => {
        const x = rand(n, lo, hi);
        const tg = kind === ls.LOSS.BCE || kind === ls.LOSS.BCE_LOGITS ? rand(n, 0, 1) : rand(n);
        const w = rand(n, 0.5, 2);
        const pw = rand(n, 0.5, 3);
        const grad = new Tensor([n]);
        const losses = new Tensor([n]);
        const total = k.pointwiseLoss(kind, t(x), t(tg), t(w), t(pw), grad, losses, 0.25, p);
        const wantGrad = new Float64Array(n);
        const wantLosses = new Float64Array(n);
        const wantTotal = ls.pointwiseLoss(kind, f64(x), f64(tg), f64(w), f64(pw), wantGrad, wantLosses, n, 0.25, Math.fround(p));
        expectClose(losses.data, wantLosses, { atol: 2e-6, rtol: 4e-6, what: "losses" });
        expectClose([total], [wantTotal], { atol: 1e-5, rtol: 1e-5, what: "total" });
        expectClose(grad.data, wantGrad, { atol: 1e-6, rtol: 4e-6, what: "grad" });
        // The formulas: gradients against central differences (away from the kinks).
        const kinked = kind === ls.LOSS.L1 || kind === ls.LOSS.SMOOTH_L1 || kind === ls.LOSS.HUBER;
        const nearKink = (v: number, i: number) => Math.abs(v - tg[i]) < 0.01 || Math.abs(Math.abs(v - tg[i]) - p) < 0.01;
        const smooth = f64(x).map((v, i) => (kinked && nearKink(v, i) ? v + 0.05 : v));
        gradcheck(smooth, drawR, (v) => {
          const l = new Float64Array(n);
          ls.pointwiseLoss(kind, v, f64(tg), f64(w), f64(pw), new Float64Array(n), l, n, 1, p);
          return l;
        }, (v, R) => {
          const g = new Float64Array(n);
          ls.pointwiseLoss(kind, v, f64(tg), f64(w), f64(pw), g, null, n, 1, p);
          return g.map((gi, i) => gi * R[i]);
        }, "twin gradient");
      });
    }
  }
});
