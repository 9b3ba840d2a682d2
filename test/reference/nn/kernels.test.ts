// The nn kernels of the running build (WebAssembly or pure JS) against their
// pure-JS twins in float64 (src/reference/nn.ts), over sizes that exercise the
// 4-lane bodies and every tail. Exact where the arithmetic is the same
// (selects, products, sums in the same order); within the polynomial errors
// stated in assembly/simdmath.ts for exp, tanh, sigmoid and GELU.
import { describe, expect, it } from "vitest";
import { tensor, Tensor } from "../../../src/index.js";
import { backend } from "../../../src/backend/index.js";
import * as ref from "../../../src/reference/nn.js";
import fixtures from "../../fixtures/nn.json" with { type: "json" };
import { expectClose } from "../../helpers/close.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const r = rng(11);
const randArray = (n: number, scale = 3) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
const t = (a: Float32Array | number[], shape?: number[]) => tensor(a, shape ?? [a.length]);
const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
const SIZES = [1, 2, 3, 4, 5, 7, 8, 13, 64, 67, 1001];

function dispose(...ts: Tensor[]): void {
  for (const x of ts) x.dispose();
}

describe("activation kernels agree with the float64 twins", () => {
  const cases = [
    ["reluForward", 0, 0],
    ["tanhForward", 1e-7, 5e-7],
    ["sigmoidForward", 1e-7, 5e-7],
    ["geluForward", 1.5e-7, 5e-7],
    ["geluTanhForward", 1.5e-7, 5e-7],
  ] as const;
  for (const [kind, abs, rel] of cases) {
    // GELU = x·Φ(x) rounds like a product: its error scales with |x| (abs·max(1, |x|)).
    it(`${kind} on every size/tail (abs ${abs}${kind.startsWith("gelu") ? "·max(1, |x|)" : ""}, rel ${rel})`, () => {
      for (const n of SIZES) {
        const xs = randArray(n, 10);
        const x = t(xs), y = t(new Float32Array(n));
        backend()[kind](x, y, x.size);
        const want = new Float64Array(n);
        ref[kind](f64(xs), want, n);
        expectClose(y.data, want, { atol: (i) => abs * Math.max(1, Math.abs(xs[i])), rtol: rel, what: `${kind} n=${n}` });
        dispose(x, y);
      }
    });
  }

  it("extreme inputs stay finite and saturate", () => {
    const xs = Float32Array.from([-1e30, -100, -88, -20, -1e-30, 0, 1e-30, 20, 88, 100, 1e30, -0]);
    const x = t(xs), y = t(new Float32Array(xs.length));
    for (const kind of ["tanhForward", "sigmoidForward", "geluForward", "geluTanhForward"] as const) {
      backend()[kind](x, y, x.size);
      const want = new Float64Array(xs.length);
      ref[kind](f64(xs), want, xs.length);
      for (let i = 0; i < xs.length; i++) expect(Number.isFinite(y.data[i])).toBe(true);
      expectClose(y.data, want, { atol: (i) => 1.5e-7 * Math.max(1, Math.abs(xs[i])), rtol: 5e-7, what: kind });
    }
    dispose(x, y);
  });

  it("GELU keeps its relative accuracy in the negative tail (rel 3e-5 down to x = -12)", () => {
    const xs = Float32Array.from({ length: 1000 }, (_, i) => -12 + i * 0.011);
    const x = t(xs), y = t(new Float32Array(xs.length));
    backend().geluForward(x, y, x.size);
    const want = new Float64Array(xs.length);
    ref.geluForward(f64(xs), want, xs.length);
    expectClose(y.data, want, { atol: 0, rtol: 3e-5, what: "gelu tail" });
    dispose(x, y);
  });

  it("match PyTorch's float32 tanh, sigmoid and GELU on [-9, 9] (abs 1.5e-7·max(1, |x|), rel 1e-6)", () => {
    // PyTorch's own float32 GELU is off by up to ~0.7e-7·|x| (1 + erf cancels for x < 0).
    const a = fixtures.activations;
    const x = t(Float32Array.from(a.x)), y = t(new Float32Array(a.x.length));
    for (const [kind, want] of [["tanhForward", a.tanh], ["sigmoidForward", a.sigmoid], ["geluForward", a.gelu]] as const) {
      backend()[kind](x, y, x.size);
      expectClose(y.data, want, { atol: (i) => 1.5e-7 * Math.max(1, Math.abs(a.x[i])), rtol: 1e-6, what: kind });
    }
    dispose(x, y);
  });

  it("match PyTorch's GELU tanh approximation and both GELUs' derivatives on [-9, 9] (abs 2e-7·max(1, |x|), rel 1e-6)", () => {
    // PyTorch evaluates ½x(1 + tanh(u)) in float32: 1 + tanh(u) cancels for x < 0, ~1e-7·|x| off.
    const a = fixtures.activations;
    const n = a.x.length;
    const x = t(Float32Array.from(a.x)), y = t(new Float32Array(n)), ones = t(new Float32Array(n).fill(1));
    backend().geluTanhForward(x, y, x.size);
    expectClose(y.data, a.geluTanh, { atol: (i) => 2e-7 * Math.max(1, Math.abs(a.x[i])), rtol: 1e-6, what: "geluTanh" });
    for (const [kind, want] of [["geluTanhBackward", a.geluTanhGrad], ["geluBackward", a.geluGrad]] as const) {
      backend()[kind](x, ones, y, ones.size, 0);
      expectClose(y.data, want, { atol: (i) => 2e-7 * Math.max(1, Math.abs(a.x[i])), rtol: 1e-6, what: kind });
    }
    dispose(x, y, ones);
  });

  // Accumulating rounds the product to float32 before the sum: 1 ulp of |dx| ≤ 6 (5e-7).
  const backward = [
    ["reluBackward", "y", 5e-7, 0],
    ["tanhBackward", "y", 5e-7, 1e-6],
    ["sigmoidBackward", "y", 5e-7, 1e-6],
    ["geluBackward", "x", 7e-7, 1e-6],
    ["geluTanhBackward", "x", 7e-7, 1e-6],
  ] as const;
  for (const [kind, _saved, abs, rel] of backward) {
    it(`${kind}, writing and accumulating`, () => {
      for (const n of SIZES) {
        const saved = randArray(n, kind.startsWith("gelu") ? 6 : 1);
        const dys = randArray(n);
        const init = randArray(n);
        for (const acc of [0, 1]) {
          const s = t(saved), dy = t(dys), dx = t(init);
          backend()[kind](s, dy, dx, dy.size, acc);
          const want = f64(init);
          ref[kind](f64(saved), f64(dys), want, n, acc);
          expectClose(dx.data, want, { atol: abs, rtol: rel, what: `${kind} n=${n} acc=${acc}` });
          dispose(s, dy, dx);
        }
      }
    });
  }

  it("leakyRelu forward (exact) and backward (1 ulp)", () => {
    for (const n of SIZES) {
      const xs = randArray(n), dys = randArray(n), init = randArray(n);
      const x = t(xs), y = t(new Float32Array(n)), dy = t(dys), dx = t(init);
      backend().leakyReluForward(x, y, x.size, 0.1);
      const want = new Float32Array(n);
      ref.leakyReluForward(xs, want, n, Math.fround(0.1));
      expect(Array.from(y.data)).toEqual(Array.from(want));
      backend().leakyReluBackward(x, dy, dx, x.size, 0.1, 1);
      const wantDx = Float32Array.from(init);
      ref.leakyReluBackward(xs, dys, wantDx, n, Math.fround(0.1), 1);
      expectClose(dx.data, wantDx, { atol: 5e-7, rtol: 0, what: "leakyReluBackward" });
      dispose(x, y, dy, dx);
    }
  });
});

describe("bias, sums, products and scans (exact, or 1 ulp where a product is accumulated)", () => {
  it("biasAddRows and columnSums on ragged widths", () => {
    for (const [rows, cols] of [[1, 1], [3, 5], [7, 4], [2, 13], [5, 67]]) {
      const xs = randArray(rows * cols), bs = randArray(cols);
      const x = t(xs, [rows, cols]), b = t(bs), y = t(new Float32Array(rows * cols), [rows, cols]);
      backend().biasAddRows(x, b, y, rows, cols);
      const want = new Float32Array(rows * cols);
      ref.biasAddRows(xs, bs, want, rows, cols);
      expect(Array.from(y.data)).toEqual(Array.from(want));
      const sum = t(randArray(cols));
      const wantSum = Float32Array.from(sum.data);
      backend().columnSums(x, sum, rows, cols, 1);
      ref.columnSums(xs, wantSum, rows, cols, 1);
      expect(Array.from(sum.data)).toEqual(Array.from(wantSum));
      dispose(x, b, y, sum);
    }
  });

  it("mulInto, scaleInto and firstNaN", () => {
    for (const n of SIZES) {
      const as = randArray(n), bs = randArray(n), init = randArray(n);
      const a = t(as), b = t(bs), out = t(init);
      backend().mulInto(a, b, out, a.size, 1);
      const want = Float32Array.from(init);
      ref.mulInto(as, bs, want, n, 1);
      expectClose(out.data, want, { atol: 2e-6, rtol: 0, what: "mulInto" });
      backend().scaleInto(a, out, a.size, -0.25, 0);
      ref.scaleInto(as, want, n, -0.25, 0);
      expect(Array.from(out.data)).toEqual(Array.from(want));
      expect(backend().firstNaN(a, a.size)).toBe(-1);
      for (const at of [0, n - 1, n >> 1]) {
        a.data.set(as);
        a.data[at] = NaN;
        expect(backend().firstNaN(a, a.size)).toBe(at);
      }
      dispose(a, b, out);
    }
  });
});

describe("losses and normalisations agree with the float64 twins", () => {
  it("softmaxCrossEntropy: loss (rel 1e-6) and gradient (abs 1e-7), with smoothing, class weights, ignored rows and per-row losses", () => {
    for (const [N, C] of [[1, 2], [5, 3], [8, 10], [3, 17]]) {
      for (const smoothing of [0, 0.2]) {
        for (const weighted of [false, true]) {
          const xs = randArray(N * C, 8);
          // every third row ignored (label −1)
          const labels = Int32Array.from({ length: N }, (_, i) => (i % 3 === 2 ? -1 : (i * 7) % C));
          const ws = Float32Array.from({ length: C }, (_, j) => 0.25 + (j % 5) * 0.4);
          const x = t(xs, [N, C]), g = t(new Float32Array(N * C), [N, C]), losses = t(new Float32Array(N));
          const lab = t(new Float32Array(N));
          const wt = weighted ? t(ws) : null;
          new Int32Array(lab.data.buffer, lab.data.byteOffset, N).set(labels);
          const got = backend().softmaxCrossEntropy(x, lab, N, C, g, losses, smoothing, 1 / N, wt);
          const wantG = new Float64Array(N * C), wantL = new Float64Array(N);
          const want = ref.softmaxCrossEntropy(f64(xs), labels, N, C, wantG, wantL, smoothing, 1 / N, weighted ? f64(ws) : null);
          expectClose([got], [want], { atol: 1e-6, rtol: 1e-6, what: "loss" });
          expectClose(losses.data, wantL, { atol: 1e-6, rtol: 1e-6, what: "losses" });
          expectClose(g.data, wantG, { atol: 1e-7, rtol: 1e-6, what: "grad" });
          dispose(x, g, losses, lab, ...(wt ? [wt] : []));
        }
      }
    }
  });

  it("mseLoss", () => {
    for (const n of SIZES) {
      const as = randArray(n), bs = randArray(n);
      const a = t(as), b = t(bs), g = t(new Float32Array(n)), l = t(new Float32Array(n));
      const got = backend().mseLoss(a, b, g, l, a.size, 1 / n);
      const wantG = new Float64Array(n), wantL = new Float64Array(n);
      const want = ref.mseLoss(f64(as), f64(bs), wantG, wantL, n, 1 / n);
      expectClose([got], [want], { atol: 1e-6, rtol: 1e-6, what: "sum" });
      expectClose(g.data, wantG, { atol: 1e-7, rtol: 1e-6, what: "grad" });
      expectClose(l.data, wantL, { atol: 1e-7, rtol: 1e-6, what: "losses" });
      dispose(a, b, g, l);
    }
  });

  it("batchNorm train/eval forward and backward (abs 1e-5)", () => {
    for (const [N, C] of [[2, 1], [5, 3], [8, 9], [16, 20]]) {
      const xs = randArray(N * C, 4).map((v, i) => v + (i % C));
      const ws = randArray(C), bs = randArray(C), dys = randArray(N * C), rms = randArray(C), rvs = randArray(C).map((v) => 1 + Math.abs(v));
      const x = t(xs, [N, C]), w = t(ws), b = t(bs), y = t(new Float32Array(N * C), [N, C]);
      const mean = t(new Float32Array(C)), inv = t(new Float32Array(C)), rm = t(rms), rv = t(rvs), sums = t(new Float32Array(2 * C));
      expect(backend().batchNormTrainForward(x, N, C, w, b, y, mean, inv, rm, rv, 0.1, 1e-5)).toBe(-1);
      const R = {
        y: new Float64Array(N * C), mean: new Float64Array(C), inv: new Float64Array(C), rm: f64(rms), rv: f64(rvs),
      };
      ref.batchNormTrainForward(f64(xs), N, C, f64(ws), f64(bs), R.y, R.mean, R.inv, R.rm, R.rv, 0.1, 1e-5);
      expectClose(y.data, R.y, { atol: 1e-5, rtol: 1e-5, what: "y" });
      expectClose(rm.data, R.rm, { atol: 1e-6, rtol: 1e-6, what: "runningMean" });
      expectClose(rv.data, R.rv, { atol: 1e-6, rtol: 1e-5, what: "runningVar" });
      const dy = t(dys, [N, C]), dx = t(new Float32Array(N * C), [N, C]), dw = t(new Float32Array(C)), db = t(new Float32Array(C));
      backend().batchNormBackward(x, dy, N, C, mean, inv, w, sums, dx, 0, dw, db, 0, true);
      const D = { dx: new Float64Array(N * C), dw: new Float64Array(C), db: new Float64Array(C) };
      ref.batchNormBackward(f64(xs), f64(dys), N, C, R.mean, R.inv, f64(ws), new Float64Array(2 * C), D.dx, 0, D.dw, D.db, 0, 1);
      expectClose(dx.data, D.dx, { atol: 1e-5, rtol: 1e-4, what: "dx" });
      expectClose(dw.data, D.dw, { atol: 1e-5, rtol: 1e-5, what: "dw" });
      expectClose(db.data, D.db, { atol: 1e-5, rtol: 1e-5, what: "db" });
      backend().batchNormEvalForward(x, N, C, w, b, y, rm, rv, 1e-5, inv);
      ref.batchNormEvalForward(f64(xs), N, C, f64(ws), f64(bs), R.y, R.rm, R.rv, 1e-5, R.inv);
      expectClose(y.data, R.y, { atol: 1e-5, rtol: 1e-5, what: "eval y" });
      dispose(x, w, b, y, mean, inv, rm, rv, sums, dy, dx, dw, db);
    }
  });

  it("layerNorm forward and backward (abs 1e-5)", () => {
    for (const [R, D] of [[1, 1], [3, 5], [4, 16], [2, 67]]) {
      const xs = randArray(R * D, 4), ws = randArray(D), bs = randArray(D), dys = randArray(R * D);
      const x = t(xs, [R, D]), w = t(ws), b = t(bs), y = t(new Float32Array(R * D), [R, D]);
      const mean = t(new Float32Array(R)), rstd = t(new Float32Array(R));
      expect(backend().layerNormForward(x, R, D, w, b, y, mean, rstd, 1e-5)).toBe(-1);
      const W = { y: new Float64Array(R * D), mean: new Float64Array(R), rstd: new Float64Array(R) };
      ref.layerNormForward(f64(xs), R, D, f64(ws), f64(bs), W.y, W.mean, W.rstd, 1e-5);
      expectClose(y.data, W.y, { atol: 1e-5, rtol: 1e-5, what: "y" });
      const dy = t(dys, [R, D]), dx = t(randArray(R * D), [R, D]), dw = t(new Float32Array(D)), db = t(new Float32Array(D));
      const G = { dx: f64(dx.data), dw: new Float64Array(D), db: new Float64Array(D) };
      backend().layerNormBackward(x, dy, R, D, mean, rstd, w, dx, 1, dw, db, 0);
      ref.layerNormBackward(f64(xs), f64(dys), R, D, W.mean, W.rstd, f64(ws), G.dx, 1, G.dw, G.db, 0);
      expectClose(dx.data, G.dx, { atol: 1e-5, rtol: 1e-4, what: "dx" });
      expectClose(dw.data, G.dw, { atol: 1e-5, rtol: 1e-5, what: "dw" });
      expectClose(db.data, G.db, { atol: 1e-5, rtol: 1e-5, what: "db" });
      dispose(x, w, b, y, mean, rstd, dy, dx, dw, db);
    }
  });

  it("normalisations report a NaN row/feature and leave the running statistics alone", () => {
    const xs = randArray(12);
    xs[7] = NaN;
    const x = t(xs, [4, 3]), y = t(new Float32Array(12), [4, 3]);
    const mean = t(new Float32Array(4)), inv = t(new Float32Array(4)), rm = t([1, 2, 3]), rv = t([4, 5, 6]);
    expect(backend().batchNormTrainForward(x, 4, 3, null, null, y, mean, inv, rm, rv, 0.1, 1e-5)).toBe(1);
    expect(Array.from(rm.data)).toEqual([1, 2, 3]);
    expect(Array.from(rv.data)).toEqual([4, 5, 6]);
    expect(backend().layerNormForward(x, 4, 3, null, null, y, mean, inv, 1e-5)).toBe(2);
    dispose(x, y, mean, inv, rm, rv);
  });
});
