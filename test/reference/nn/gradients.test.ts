// Every nn op's backward against central finite differences of its forward,
// both computed by the pure-JS twins in float64 (src/reference/nn.ts handed
// Float64Arrays). Loss L(x) = Σ r·f(x) with a fixed random r, so dL/dx is the
// backward pass with dy = r. Tolerance: |analytic − numeric| ≤ 1e-6·(1 + |numeric|)
// with h = 1e-5 (the central difference's error is O(h²·f‴) ≈ 1e-10 here).
import { describe, expect, it } from "vitest";
import * as ref from "../../../src/reference/nn.js";

type F64 = Float64Array;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randn(n: number, r: () => number, scale = 1): F64 {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = scale * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return out;
}

const H = 1e-5;
const TOL = 1e-6;

/** Checks grad (analytic, of L w.r.t. v) against central differences of L on v. */
function expectGradMatches(v: F64, loss: () => number, grad: F64, what: string): void {
  for (let i = 0; i < v.length; i++) {
    const keep = v[i];
    v[i] = keep + H;
    const up = loss();
    v[i] = keep - H;
    const down = loss();
    v[i] = keep;
    const numeric = (up - down) / (2 * H);
    const err = Math.abs(grad[i] - numeric);
    if (!(err <= TOL * (1 + Math.abs(numeric)))) {
      throw new Error(`${what}[${i}]: analytic ${grad[i]} vs numeric ${numeric} (error ${err})`);
    }
  }
}

const dot = (a: F64, b: F64) => a.reduce((s, v, i) => s + v * b[i], 0);

describe("finite-difference checks of every backward (float64 twins)", () => {
  const r = rng(7);
  const n = 23;

  const unary: [string, (x: F64, y: F64) => void, (x: F64, y: F64, dy: F64, dx: F64, acc: number) => void][] = [
    ["relu", (x, y) => ref.reluForward(x, y, n), (_x, y, dy, dx, acc) => ref.reluBackward(y, dy, dx, n, acc)],
    ["leakyRelu", (x, y) => ref.leakyReluForward(x, y, n, 0.2), (x, _y, dy, dx, acc) => ref.leakyReluBackward(x, dy, dx, n, 0.2, acc)],
    ["tanh", (x, y) => ref.tanhForward(x, y, n), (_x, y, dy, dx, acc) => ref.tanhBackward(y, dy, dx, n, acc)],
    ["sigmoid", (x, y) => ref.sigmoidForward(x, y, n), (_x, y, dy, dx, acc) => ref.sigmoidBackward(y, dy, dx, n, acc)],
    ["gelu", (x, y) => ref.geluForward(x, y, n), (x, _y, dy, dx, acc) => ref.geluBackward(x, dy, dx, n, acc)],
    ["geluTanh", (x, y) => ref.geluTanhForward(x, y, n), (x, _y, dy, dx, acc) => ref.geluTanhBackward(x, dy, dx, n, acc)],
  ];
  for (const [name, fwd, bwd] of unary) {
    it(`${name}`, () => {
      const x = randn(n, r, 2);
      // keep ReLU-like kinks away from the differencing step
      for (let i = 0; i < n; i++) if (Math.abs(x[i]) < 1e-3) x[i] = 0.5;
      const dy = randn(n, r);
      const y = new Float64Array(n);
      const loss = () => (fwd(x, y), dot(y, dy));
      fwd(x, y);
      const dx = new Float64Array(n);
      bwd(x, y, dy, dx, 0);
      expectGradMatches(x, loss, dx, name);
      // acc = 1 adds into what is there
      const before = Float64Array.from(dx);
      fwd(x, y);
      bwd(x, y, dy, dx, 1);
      dx.forEach((v, i) => expect(v).toBeCloseTo(2 * before[i], 12));
    });
  }

  it("erf against known values (1e-14)", () => {
    const known: [number, number][] = [[0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [3, 0.9999779095030014], [-1.5, -0.9661051464753108], [4.5, 0.9999999998033839]];
    for (const [x, v] of known) expect(Math.abs(ref.erf(x) - v)).toBeLessThan(1e-14);
  });

  it("linear (x·Wᵀ + b): dW = dyᵀx, db = Σ dy, dx = dy·W", () => {
    const [N, K, M] = [3, 5, 4];
    const x = randn(N * K, r), W = randn(M * K, r), b = randn(M, r), dy = randn(N * M, r);
    const fwd = () => {
      const y = new Float64Array(N * M);
      for (let i = 0; i < N; i++) for (let j = 0; j < M; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += x[i * K + k] * W[j * K + k];
        y[i * M + j] = s;
      }
      ref.biasAddRows(y, b, y, N, M);
      return dot(y, dy);
    };
    const dW = new Float64Array(M * K), dx = new Float64Array(N * K), db = new Float64Array(M);
    for (let i = 0; i < N; i++) for (let j = 0; j < M; j++) for (let k = 0; k < K; k++) {
      dW[j * K + k] += dy[i * M + j] * x[i * K + k];
      dx[i * K + k] += dy[i * M + j] * W[j * K + k];
    }
    ref.columnSums(dy, db, N, M, 0);
    expectGradMatches(W, fwd, dW, "dW");
    expectGradMatches(b, fwd, db, "db");
    expectGradMatches(x, fwd, dx, "dx");
  });

  it("dropout mask product", () => {
    const x = randn(n, r), m = Float64Array.from(randn(n, r), (v) => (v > 0 ? 2 : 0)), dy = randn(n, r);
    const y = new Float64Array(n);
    const loss = () => (ref.mulInto(x, m, y, n, 0), dot(y, dy));
    const dx = new Float64Array(n);
    ref.mulInto(dy, m, dx, n, 0);
    expectGradMatches(x, loss, dx, "dropout");
  });

  for (const [smoothing, scale] of [[0, 1 / 4], [0.1, 1], [0.3, 1 / 4]]) {
    it(`softmax cross-entropy (smoothing ${smoothing}, gradScale ${scale})`, () => {
      const [N, C] = [4, 7];
      const x = randn(N * C, r, 3);
      const labels = Int32Array.from([0, 6, 3, 3]);
      const g = new Float64Array(N * C);
      const loss = () => scale * ref.softmaxCrossEntropy(x, labels, N, C, new Float64Array(N * C), null, smoothing, scale);
      ref.softmaxCrossEntropy(x, labels, N, C, g, null, smoothing, scale);
      expectGradMatches(x, loss, g, "dlogits");
    });
  }

  it("softmax cross-entropy with class weights, smoothing 0.2 and an ignored row", () => {
    const [N, C] = [4, 5];
    const x = randn(N * C, r, 3);
    const labels = Int32Array.from([4, -1, 0, 2]);
    const w = Float64Array.from([0.5, 1, 2, 1.5, 0.75]);
    const g = new Float64Array(N * C);
    const loss = () => ref.softmaxCrossEntropy(x, labels, N, C, new Float64Array(N * C), null, 0.2, 1, w);
    ref.softmaxCrossEntropy(x, labels, N, C, g, null, 0.2, 1, w);
    expectGradMatches(x, loss, g, "dlogits");
    for (let j = 0; j < C; j++) expect(g[C + j]).toBe(0);
  });

  it("cross-entropy is stable for huge logits", () => {
    const x = Float64Array.from([1000, 0, -1000, 3000, 2999, 0]);
    const g = new Float64Array(6);
    const l = ref.softmaxCrossEntropy(x, Int32Array.from([0, 1]), 2, 3, g, null, 0, 1);
    expect(l).toBeCloseTo(0 + (1 + Math.log(1 + Math.exp(-1) + Math.exp(-3000))), 10);
    expect(g.every(Number.isFinite)).toBe(true);
  });

  it("mse", () => {
    const a = randn(n, r), b = randn(n, r), g = new Float64Array(n), gb = new Float64Array(n);
    const loss = () => ref.mseLoss(a, b, new Float64Array(n), null, n, 1) / n;
    ref.mseLoss(a, b, g, null, n, 1 / n);
    expectGradMatches(a, loss, g, "dinput");
    g.forEach((v, i) => (gb[i] = -v));
    expectGradMatches(b, loss, gb, "dtarget");
  });

  for (const affine of [true, false]) {
    it(`batchnorm1d with batch statistics (affine ${affine})`, () => {
      const [N, C] = [6, 5];
      const x = randn(N * C, r, 2), w = affine ? randn(C, r) : null, b = affine ? randn(C, r) : null, dy = randn(N * C, r);
      const mean = new Float64Array(C), inv = new Float64Array(C), y = new Float64Array(N * C);
      const loss = () => (ref.batchNormTrainForward(x, N, C, w, b, y, mean, inv, null, null, 0.1, 1e-5), dot(y, dy));
      loss();
      const dx = new Float64Array(N * C), dw = new Float64Array(C), db = new Float64Array(C), sums = new Float64Array(2 * C);
      ref.batchNormBackward(x, dy, N, C, mean, inv, w, sums, dx, 0, affine ? dw : null, affine ? db : null, 0, 1);
      expectGradMatches(x, loss, dx, "dx");
      if (w && b) {
        expectGradMatches(w, loss, dw, "dweight");
        expectGradMatches(b, loss, db, "dbias");
      }
    });
  }

  it("batchnorm1d with running statistics (eval)", () => {
    const [N, C] = [4, 3];
    const x = randn(N * C, r), w = randn(C, r), b = randn(C, r), dy = randn(N * C, r);
    const rm = randn(C, r), rv = Float64Array.from(randn(C, r), (v) => 0.5 + v * v);
    const inv = new Float64Array(C), y = new Float64Array(N * C);
    const loss = () => (ref.batchNormEvalForward(x, N, C, w, b, y, rm, rv, 1e-5, inv), dot(y, dy));
    loss();
    const dx = new Float64Array(N * C), dw = new Float64Array(C), db = new Float64Array(C), sums = new Float64Array(2 * C);
    ref.batchNormBackward(x, dy, N, C, rm, inv, w, sums, dx, 0, dw, db, 0, 0);
    expectGradMatches(x, loss, dx, "dx");
    expectGradMatches(w, loss, dw, "dweight");
    expectGradMatches(b, loss, db, "dbias");
  });

  for (const affine of [true, false]) {
    it(`layernorm (affine ${affine})`, () => {
      const [R, D] = [3, 9];
      const x = randn(R * D, r, 2), w = affine ? randn(D, r) : null, b = affine ? randn(D, r) : null, dy = randn(R * D, r);
      const mean = new Float64Array(R), rstd = new Float64Array(R), y = new Float64Array(R * D);
      const loss = () => (ref.layerNormForward(x, R, D, w, b, y, mean, rstd, 1e-5), dot(y, dy));
      loss();
      const dx = new Float64Array(R * D), dw = new Float64Array(D), db = new Float64Array(D);
      ref.layerNormBackward(x, dy, R, D, mean, rstd, w, dx, 0, affine ? dw : null, affine ? db : null, 0);
      expectGradMatches(x, loss, dx, "dx");
      if (w && b) {
        expectGradMatches(w, loss, dw, "dweight");
        expectGradMatches(b, loss, db, "dbias");
      }
    });
  }
});
