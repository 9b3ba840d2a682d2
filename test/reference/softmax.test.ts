// The kernels behind softmax/log-softmax, the probability-target
// cross-entropy, NLL, the pointwise losses, SiLU/Softplus/ELU and Embedding:
// the running build (WebAssembly or pure JS) against the pure-JS twins in
// float64 over sizes that hit every SIMD tail and both softmax layouts; and
// each twin's backward against float64 central differences of its forward.
import { describe, expect, it } from "vitest";
import { tensor, Tensor } from "../../src/index.js";
import * as k from "../../src/nn/new_kernels.js";
import * as sm from "../../src/reference/softmax.js";
import * as ls from "../../src/reference/loss.js";
import * as act from "../../src/reference/activation.js";
import * as emb from "../../src/reference/embedding.js";
import { expectClose as close } from "../helpers/close.js";

const expectClose = (got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number, what: string) => close(got, want, { atol, rtol, what });

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const r = rng(5);
const rand = (n: number, lo = -3, hi = 3) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
const t = (a: ArrayLike<number>) => tensor(Array.from(a), [a.length]);
const f64 = (a: ArrayLike<number>) => Float64Array.from(a);

/** Central differences of Σ R·f(x) in float64, against the analytic gradient. */
function gradcheck(n: number, x: Float64Array, forward: (x: Float64Array) => Float64Array, backward: (x: Float64Array, R: Float64Array) => Float64Array, what: string): void {
  const R = f64(rand(forward(x).length, -1, 1));
  const g = backward(x, R);
  const h = 1e-6;
  const num = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const xp = x.slice();
    const xm = x.slice();
    xp[i] += h;
    xm[i] -= h;
    const fp = forward(xp);
    const fm = forward(xm);
    let d = 0;
    for (let j = 0; j < fp.length; j++) d += R[j] * (fp[j] - fm[j]);
    num[i] = d / (2 * h);
  }
  expectClose(g, num, 1e-6, 1e-5, what);
}

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
        expectClose(y.data, want, 1e-6, 2e-6, "y");
        const dx = t(rand(n));
        const before = dx.toArray();
        k.softmaxBackward(y, t(dy), dx, outer, C, inner, log, 1);
        const wantDx = f64(before);
        sm.softmaxBackward(want, f64(dy), wantDx, outer, C, inner, +log, 1);
        expectClose(dx.data, wantDx, 1e-5, 1e-5, "dx (acc)");
        const fwd = (v: Float64Array) => {
          const o = new Float64Array(n);
          sm.softmaxForward(v, o, outer, C, inner, +log);
          return o;
        };
        gradcheck(n, f64(x), fwd, (v, R) => {
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
        expectClose([total], [wantTotal], 1e-5, 1e-5, "total");
        expectClose(losses.data, wantLosses, 1e-5, 1e-5, "losses");
        expectClose(grad.data, wantGrad, 1e-6, 1e-5, "grad");
        gradcheck(N * C, f64(x), (v) => {
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
      expectClose([tot], [sm.nllLossForward(f64(x), labels, N, C, f64(w), wantNll)], 1e-5, 1e-6, "nll total");
      expectClose(nll.data, wantNll, 1e-6, 1e-6, "nll losses");
      const dy = rand(N, -1, 1);
      const dx = t(rand(N * C));
      const wantDx = f64(dx.toArray());
      k.nllLossBackward(ib, N, C, t(w), t(dy), 1, 0.5, dx, 1);
      sm.nllLossBackward(labels, N, C, f64(w), f64(dy), 1, 0.5, wantDx, 1);
      expectClose(dx.data, wantDx, 1e-6, 1e-6, "nll dx");
      const rows = new Tensor([N * C]);
      k.scaleRows(t(x), t(dy), rows, N, C, 0);
      const wantRows = new Float64Array(N * C);
      sm.scaleRows(f64(x), f64(dy), wantRows, N, C, 0);
      expectClose(rows.data, wantRows, 1e-6, 1e-6, "scaleRows");
      ib.dispose();
    });
  }
});

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
        expectClose(losses.data, wantLosses, 2e-6, 4e-6, "losses");
        expectClose([total], [wantTotal], 1e-5, 1e-5, "total");
        expectClose(grad.data, wantGrad, 1e-6, 4e-6, "grad");
        // The formulas: gradients against central differences (away from the kinks).
        const kinked = kind === ls.LOSS.L1 || kind === ls.LOSS.SMOOTH_L1 || kind === ls.LOSS.HUBER;
        const nearKink = (v: number, i: number) => Math.abs(v - tg[i]) < 0.01 || Math.abs(Math.abs(v - tg[i]) - p) < 0.01;
        const smooth = f64(x).map((v, i) => (kinked && nearKink(v, i) ? v + 0.05 : v));
        gradcheck(n, smooth, (v) => {
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

describe("SiLU, Softplus and ELU", () => {
  const cases: [k.NewActivation, number, number][] = [["silu", 0, 0], ["softplus", 1, 20], ["softplus", 2, 3], ["elu", 1, 0], ["elu", 0.4, 0]];
  for (const [kind, p, q] of cases) {
    for (const n of [1, 3, 4, 9, 200]) {
      it(`${kind}(${p}, ${q}), n=${n}`, () => {
        const x = rand(n, -20, 20);
        const y = new Tensor([n]);
        k.activationForward(kind, t(x), y, p, q);
        const fwd = (v: Float64Array) => {
          const o = new Float64Array(n);
          if (kind === "silu") act.siluForward(v, o, n);
          else if (kind === "softplus") act.softplusForward(v, o, n, p, q);
          else act.eluForward(v, o, n, p);
          return o;
        };
        const bwd = (v: Float64Array, R: Float64Array, dx = new Float64Array(n), acc = 0) => {
          if (kind === "silu") act.siluBackward(v, R, dx, n, acc);
          else if (kind === "softplus") act.softplusBackward(v, R, dx, n, p, q, acc);
          else act.eluBackward(v, R, dx, n, p, acc);
          return dx;
        };
        expectClose(y.data, fwd(f64(x)), 1e-6, 1e-6, "y");
        const dy = rand(n, -1, 1);
        const dx = t(rand(n));
        const wantDx = bwd(f64(x), f64(dy), f64(dx.toArray()), 1);
        k.activationBackward(kind, t(x), t(dy), dx, p, q, 1);
        expectClose(dx.data, wantDx, 1e-6, 1e-6, "dx");
        const away = f64(x).map((v) => (Math.abs(v) < 0.01 || Math.abs(v * p - q) < 0.01 ? v + 0.05 : v));
        gradcheck(n, away, fwd, (v, R) => bwd(v, R), "twin gradient");
      });
    }
  }
});

describe("embedding", () => {
  for (const dim of [1, 3, 4, 9]) {
    it(`dim ${dim}: gather, and scatter-add skipping the padding row`, () => {
      const num = 6;
      const w = rand(num * dim);
      const idx = Int32Array.from([1, 4, 1, 5, 0, 4, 4]);
      const ib = new k.IntBuffer(idx);
      const out = new Tensor([idx.length * dim]);
      k.embeddingForward(t(w), ib, idx.length, dim, out);
      const want = new Float64Array(idx.length * dim);
      emb.embeddingForward(f64(w), idx, idx.length, dim, want);
      expectClose(out.data, want, 0, 0, "rows");
      const dy = rand(idx.length * dim);
      const dw = t(rand(num * dim));
      const wantDw = f64(dw.toArray());
      k.embeddingBackward(t(dy), ib, idx.length, dim, num, 4, dw, 1);
      emb.embeddingBackward(f64(dy), idx, idx.length, dim, num, 4, wantDw, 1);
      expectClose(dw.data, wantDw, 1e-6, 1e-6, "dw");
      ib.dispose();
    });
  }
});
