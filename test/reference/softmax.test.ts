// The softmax/log-softmax, probability-target cross-entropy, NLL and
// row-scaling kernels of the running build (WebAssembly or pure JS, through
// src/nn/new_kernels.ts) against their pure-JS twins (src/reference/softmax.ts)
// in float64, over sizes that hit every SIMD tail and both softmax layouts; and
// each twin's backward against float64 central differences of its forward.
import { describe, it } from "vitest";
import { tensor, Tensor } from "../../src/index.js";
import * as k from "../../src/nn/new_kernels.js";
import * as sm from "../../src/reference/softmax.js";
import { expectClose } from "../helpers/close.js";
import { gradcheck, lcg } from "../helpers/twins.js";

const r = lcg(5);
const rand = (n: number, lo = -3, hi = 3) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
const t = (a: ArrayLike<number>) => tensor(Array.from(a), [a.length]);
const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
/** The weights R of the gradient checks' Σ R·f(x). */
const drawR = (n: number) => f64(rand(n, -1, 1));

const LAYOUTS: [number, number, number][] = [[3, 1, 1], [2, 5, 1], [3, 7, 1], [2, 37, 1], [2, 3, 4], [2, 5, 3], [1, 4, 9], [3, 2, 6]];

describe("softmax and log-softmax kernels", () => {
  for (const [outer, C, inner] of LAYOUTS) {
    for (const log of [false, true]) {
      it(`${log ? "log-softmax" : "softmax"} [${outer}, ${C}, ${inner}]: build vs float64 twin, twin vs central differences`, () => {
        const n = outer * C * inner;
        const x = rand(n, -6, 6);
        const dy = rand(n, -1, 1);
        const y = new Tensor([n]);
        k.softmaxForward(t(x), y, outer, C, inner, log);
        const want = new Float64Array(n);
        sm.softmaxForward(f64(x), want, outer, C, inner, +log);
        expectClose(y.data, want, { atol: 1e-6, rtol: 2e-6, what: "y" });
        const dx = t(rand(n));
        const before = dx.toArray();
        k.softmaxBackward(y, t(dy), dx, outer, C, inner, log, 1);
        const wantDx = f64(before);
        sm.softmaxBackward(want, f64(dy), wantDx, outer, C, inner, +log, 1);
        expectClose(dx.data, wantDx, { atol: 1e-5, rtol: 1e-5, what: "dx (acc)" });
        const fwd = (v: Float64Array) => {
          const o = new Float64Array(n);
          sm.softmaxForward(v, o, outer, C, inner, +log);
          return o;
        };
        gradcheck(f64(x), drawR, fwd, (v, R) => {
          const g = new Float64Array(n);
          sm.softmaxBackward(fwd(v), R, g, outer, C, inner, +log, 0);
          return g;
        }, "twin gradient");
      });
    }
  }
});

describe("cross-entropy with probabilities, NLL and row scaling", () => {
  for (const [N, C] of [[1, 3], [4, 5], [3, 8], [2, 13]]) {
    it(`[${N}, ${C}]`, () => {
      const x = rand(N * C, -4, 4);
      const p = rand(N * C, 0, 1);
      const w = rand(C, 0.5, 2);
      for (const weights of [null, w]) {
        const grad = new Tensor([N * C]);
        const losses = new Tensor([N]);
        const total = k.softmaxCrossEntropyProb(t(x), t(p), N, C, grad, losses, 0.1, 0.5, weights ? t(weights) : null);
        const wantGrad = new Float64Array(N * C);
        const wantLosses = new Float64Array(N);
        const wantTotal = sm.softmaxCrossEntropyProb(f64(x), f64(p), N, C, wantGrad, wantLosses, 0.1, 0.5, weights ? f64(weights) : null);
        expectClose([total], [wantTotal], { atol: 1e-5, rtol: 1e-5, what: "total" });
        expectClose(losses.data, wantLosses, { atol: 1e-5, rtol: 1e-5, what: "losses" });
        expectClose(grad.data, wantGrad, { atol: 1e-6, rtol: 1e-5, what: "grad" });
        gradcheck(f64(x), drawR, (v) => {
          const l = new Float64Array(N);
          sm.softmaxCrossEntropyProb(v, f64(p), N, C, new Float64Array(N * C), l, 0.1, 0.5, weights ? f64(weights) : null);
          return l;
        }, (v, R) => {
          const g = new Float64Array(N * C);
          sm.softmaxCrossEntropyProb(v, f64(p), N, C, g, null, 0.1, 1, weights ? f64(weights) : null);
          for (let i = 0; i < N; i++) for (let c = 0; c < C; c++) g[i * C + c] *= R[i];
          return g;
        }, "twin gradient");
      }
      const labels = Int32Array.from({ length: N }, (_, i) => (i === 1 ? -1 : (i * 3) % C));
      const ib = new k.IntBuffer(labels);
      const nll = new Tensor([N]);
      const tot = k.nllLossForward(t(x), ib, N, C, t(w), nll);
      const wantNll = new Float64Array(N);
      expectClose([tot], [sm.nllLossForward(f64(x), labels, N, C, f64(w), wantNll)], { atol: 1e-5, rtol: 1e-6, what: "nll total" });
      expectClose(nll.data, wantNll, { atol: 1e-6, rtol: 1e-6, what: "nll losses" });
      const dy = rand(N, -1, 1);
      const dx = t(rand(N * C));
      const wantDx = f64(dx.toArray());
      k.nllLossBackward(ib, N, C, t(w), t(dy), 1, 0.5, dx, 1);
      sm.nllLossBackward(labels, N, C, f64(w), f64(dy), 1, 0.5, wantDx, 1);
      expectClose(dx.data, wantDx, { atol: 1e-6, rtol: 1e-6, what: "nll dx" });
      const rows = new Tensor([N * C]);
      k.scaleRows(t(x), t(dy), rows, N, C, 0);
      const wantRows = new Float64Array(N * C);
      sm.scaleRows(f64(x), f64(dy), wantRows, N, C, 0);
      expectClose(rows.data, wantRows, { atol: 1e-6, rtol: 1e-6, what: "scaleRows" });
      ib.dispose();
    });
  }
});
