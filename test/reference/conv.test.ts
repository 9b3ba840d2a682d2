// The convolution, pooling and normalisation kernels of the running build
// (WebAssembly or pure JS) against their pure-JS twins and against direct
// float64 definitions (loops over the formula, no im2col); the direct
// definitions' gradients are themselves checked by float64 finite differences.
import { describe, expect, it } from "vitest";
import { tensor, Tensor } from "../../src/index.js";
import * as k from "../../src/nn/conv_kernels.js";
import { backend } from "../../src/backend/index.js";
import * as refConv from "../../src/reference/conv.js";
import * as refPool from "../../src/reference/pool.js";
import * as refNorm from "../../src/reference/norm.js";
import type { ConvGeometry, PoolGeometry } from "../../src/nn/conv_kernels.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const r = rng(5);
const randArray = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
const t = (a: Float32Array, shape?: number[]) => tensor(a, shape ?? [a.length]);

/** |got − want| ≤ abs + rel·|want| elementwise. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, abs: number, rel: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= abs + rel * Math.abs(want[i])) && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
      throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]} (error ${err})`);
    }
  }
}

const out = (n: number, k: number, s: number, p: number, d: number) => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;

function geometry(
  N: number, C: number, H: number, W: number, Co: number, [kh, kw]: number[], [sh, sw]: number[], [ph, pw]: number[],
  [dh, dw]: number[], groups: number,
): ConvGeometry {
  return { N, C, H, W, Co, kh, kw, sh, sw, ph, pw, dh, dw, groups, Ho: out(H, kh, sh, ph, dh), Wo: out(W, kw, sw, pw, dw) };
}

const CONVS: [string, ConvGeometry][] = [
  ["3x3", geometry(2, 3, 7, 6, 4, [3, 3], [1, 1], [0, 0], [1, 1], 1)],
  ["stride 2, padding 1, odd sizes", geometry(2, 3, 9, 7, 5, [3, 3], [2, 2], [1, 1], [1, 1], 1)],
  ["dilation 2, padding 2", geometry(1, 2, 8, 9, 3, [3, 3], [1, 1], [2, 2], [2, 2], 1)],
  ["groups 2", geometry(2, 4, 6, 6, 6, [3, 3], [1, 1], [1, 1], [1, 1], 2)],
  ["depthwise", geometry(2, 4, 7, 7, 8, [3, 3], [1, 1], [1, 1], [1, 1], 4)],
  ["pointwise 1x1", geometry(3, 5, 4, 5, 7, [1, 1], [1, 1], [0, 0], [1, 1], 1)],
  ["1x1 stride 2", geometry(2, 3, 7, 7, 4, [1, 1], [2, 2], [0, 0], [1, 1], 1)],
  ["rectangular everything", geometry(2, 3, 10, 9, 4, [2, 3], [2, 1], [1, 0], [1, 2], 1)],
  ["1-d (H = 1)", geometry(3, 4, 1, 17, 6, [1, 5], [1, 2], [0, 2], [1, 1], 1)],
  ["padding wider than the stride", geometry(1, 2, 5, 5, 3, [5, 5], [3, 3], [2, 2], [1, 1], 1)],
  ["wide rows (SIMD copies)", geometry(2, 8, 12, 21, 16, [3, 3], [1, 1], [1, 1], [1, 1], 1)],
];

/** Direct float64 definitions of conv2d and its two gradients. */
function naiveConv(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, g: ConvGeometry) {
  const { N, C, H, W, Co, kh, kw, sh, sw, ph, pw, dh, dw, groups, Ho, Wo } = g;
  const Cg = C / groups, Cog = Co / groups;
  const taps = (fn: (xi: number, wi: number, yi: number) => void) => {
    for (let n = 0; n < N; n++) for (let o = 0; o < Co; o++) {
      const gi = Math.floor(o / Cog);
      for (let oh = 0; oh < Ho; oh++) for (let ow = 0; ow < Wo; ow++) {
        const yi = ((n * Co + o) * Ho + oh) * Wo + ow;
        for (let c = 0; c < Cg; c++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
          const ih = oh * sh - ph + i * dh, iw = ow * sw - pw + j * dw;
          if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
          fn(((n * C + gi * Cg + c) * H + ih) * W + iw, ((o * Cg + c) * kh + i) * kw + j, yi);
        }
      }
    }
  };
  return {
    forward(): Float64Array {
      const y = new Float64Array(N * Co * Ho * Wo);
      if (b) for (let i = 0; i < y.length; i++) y[i] = b[Math.floor(i / (Ho * Wo)) % Co];
      taps((xi, wi, yi) => (y[yi] += x[xi] * w[wi]));
      return y;
    },
    backward(dy: ArrayLike<number>) {
      const dx = new Float64Array(N * C * H * W), dW = new Float64Array(Co * Cg * kh * kw), db = new Float64Array(Co);
      taps((xi, wi, yi) => {
        dx[xi] += w[wi] * dy[yi];
        dW[wi] += x[xi] * dy[yi];
      });
      for (let i = 0; i < dy.length; i++) db[Math.floor(i / (Ho * Wo)) % Co] += dy[i];
      return { dx, dW, db };
    },
  };
}

describe("the direct float64 convolution (the oracle) has the gradients of its forward", () => {
  for (const [name, g] of CONVS.slice(0, 9)) {
    it(`${name}: analytic gradients match central differences (h = 1e-6, rel 1e-7)`, () => {
      const x = Float64Array.from(randArray(g.N * g.C * g.H * g.W));
      const w = Float64Array.from(randArray(g.Co * (g.C / g.groups) * g.kh * g.kw));
      const b = Float64Array.from(randArray(g.Co));
      const dy = Float64Array.from(randArray(g.N * g.Co * g.Ho * g.Wo));
      const loss = () => naiveConv(x, w, b, g).forward().reduce((s, v, i) => s + v * dy[i], 0);
      const { dx, dW, db } = naiveConv(x, w, b, g).backward(dy);
      for (const [arr, grad] of [[x, dx], [w, dW], [b, db]] as const) {
        for (let i = 0; i < arr.length; i += Math.max(1, Math.floor(arr.length / 13))) {
          const h = 1e-6, v = arr[i];
          arr[i] = v + h;
          const up = loss();
          arr[i] = v - h;
          const down = loss();
          arr[i] = v;
          expect(Math.abs((up - down) / (2 * h) - grad[i])).toBeLessThan(1e-7 * (1 + Math.abs(grad[i])));
        }
      }
    });
  }
});

describe("conv2d kernels agree with the direct float64 definition and with the pure-JS twin", () => {
  for (const [name, g] of CONVS) {
    it(`${name}: forward, input gradient, weight and bias gradients (abs 1e-5, rel 1e-5), accumulation`, () => {
      const Kg = (g.C / g.groups) * g.kh * g.kw;
      const xs = randArray(g.N * g.C * g.H * g.W), ws = randArray(g.Co * Kg), bs = randArray(g.Co);
      const dys = randArray(g.N * g.Co * g.Ho * g.Wo);
      const naive = naiveConv(xs, ws, bs, g);
      const want = naive.forward();
      const grads = naive.backward(dys);
      const x = t(xs), w = t(ws), b = t(bs), dy = t(dys);
      const y = t(new Float32Array(want.length).fill(NaN));
      const cols = t(new Float32Array(Math.max(1, k.colsSize(g))));
      backend().conv2dForward(x, w, b, y, cols, g);
      expectClose(y.data, want, 1e-5, 1e-5, `${name} forward`);
      // Without bias: the output is written, never read.
      y.data.fill(NaN);
      backend().conv2dForward(x, w, null, y, cols, g);
      expectClose(y.data, naiveConv(xs, ws, null, g).forward(), 1e-5, 1e-5, `${name} forward without bias`);
      // The twin, on its own arrays.
      const yJs = new Float32Array(want.length);
      refConv.conv2dForward(xs, ws, bs, yJs, new Float32Array(k.colsSize(g)), g);
      expectClose(yJs, want, 1e-5, 1e-5, `${name} twin forward`);

      const dx = t(new Float32Array(xs.length).fill(NaN));
      backend().conv2dBackwardInput(dy, w, dx, cols, g, 0);
      expectClose(dx.data, grads.dx, 1e-5, 1e-5, `${name} input gradient`);
      backend().conv2dBackwardInput(dy, w, dx, cols, g, 1);
      expectClose(dx.data, grads.dx.map((v) => 2 * v), 2e-5, 1e-5, `${name} input gradient accumulated`);
      const dw = t(new Float32Array(ws.length).fill(NaN)), db = t(new Float32Array(g.Co).fill(NaN));
      backend().conv2dBackwardWeight(x, dy, dw, db, cols, g, 0);
      expectClose(dw.data, grads.dW, 1e-5, 1e-5, `${name} weight gradient`);
      expectClose(db.data, grads.db, 1e-5, 1e-5, `${name} bias gradient`);
      backend().conv2dBackwardWeight(x, dy, dw, db, cols, g, 1);
      expectClose(dw.data, grads.dW.map((v) => 2 * v), 2e-5, 1e-5, `${name} weight gradient accumulated`);
      expectClose(db.data, grads.db.map((v) => 2 * v), 2e-5, 1e-5, `${name} bias gradient accumulated`);

      const dxJs = new Float32Array(xs.length), dwJs = new Float32Array(ws.length), dbJs = new Float32Array(g.Co);
      const colsJs = new Float32Array(k.colsSize(g));
      refConv.conv2dBackwardInput(dys, ws, dxJs, colsJs, g, 0);
      refConv.conv2dBackwardWeight(xs, dys, dwJs, dbJs, colsJs, g, 0);
      expectClose(dxJs, grads.dx, 1e-5, 1e-5, `${name} twin input gradient`);
      expectClose(dwJs, grads.dW, 1e-5, 1e-5, `${name} twin weight gradient`);
      expectClose(dbJs, grads.db, 1e-5, 1e-5, `${name} twin bias gradient`);
      for (const v of [x, w, b, dy, y, cols, dx, dw, db]) v.dispose();
    });
  }
});

function poolGeometry(planes: number, H: number, W: number, [kh, kw]: number[], [sh, sw]: number[], [ph, pw]: number[], [dh, dw]: number[], ceil: boolean): PoolGeometry {
  const size = (n: number, k: number, s: number, p: number, d: number) => {
    let o = Math.floor((n + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
    if (ceil && (o - 1) * s >= n + p) o--;
    return o;
  };
  return { planes, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho: size(H, kh, sh, ph, dh), Wo: size(W, kw, sw, pw, dw) };
}

const POOLS: [string, PoolGeometry][] = [
  ["2x2 stride 2 (SIMD path)", poolGeometry(6, 12, 20, [2, 2], [2, 2], [0, 0], [1, 1], false)],
  ["2x2 stride 2 odd sizes, ceil", poolGeometry(3, 9, 11, [2, 2], [2, 2], [0, 0], [1, 1], true)],
  ["3x3 stride 2 padding 1", poolGeometry(4, 9, 8, [3, 3], [2, 2], [1, 1], [1, 1], false)],
  ["3x3 stride 2 padding 1 ceil", poolGeometry(4, 10, 10, [3, 3], [2, 2], [1, 1], [1, 1], true)],
  ["dilation 2", poolGeometry(2, 11, 10, [3, 2], [1, 2], [1, 1], [2, 2], false)],
  ["rectangular, stride 1", poolGeometry(3, 5, 7, [2, 3], [1, 1], [0, 1], [1, 1], false)],
];

describe("pooling kernels agree with the pure-JS twins (float64)", () => {
  for (const [name, g] of POOLS) {
    it(`max pooling ${name}: values and indices exactly, backward exactly; NaN propagates`, () => {
      const xs = randArray(g.planes * g.H * g.W);
      xs[5] = NaN;
      // Ties: equal values keep the first.
      xs[7] = xs[8] = 2;
      const x = t(xs), y = t(new Float32Array(g.planes * g.Ho * g.Wo)), ind = t(new Float32Array(y.size));
      backend().maxPool2dForward(x, y, ind, g);
      const want = new Float64Array(y.size), wantInd = new Int32Array(y.size);
      refPool.maxPool2dForward(Float64Array.from(xs), want, wantInd, g);
      expectClose(y.data, want, 0, 0, `${name} max`);
      expect([...k.int32Of(ind)]).toEqual([...wantInd]);
      const dys = randArray(y.size);
      const dx = t(new Float32Array(xs.length).fill(NaN));
      backend().maxPool2dBackward(t(dys), ind, dx, g, 0);
      const wantDx = new Float64Array(xs.length);
      refPool.maxPool2dBackward(Float64Array.from(dys), wantInd, wantDx, g.planes, g.H * g.W, g.Ho * g.Wo, 0);
      expectClose(dx.data, wantDx, 1e-6, 0, `${name} max backward`);
      // The direct definition: each output is the max over its window.
      for (let p = 0; p < g.planes; p++) for (let oh = 0; oh < g.Ho; oh++) for (let ow = 0; ow < g.Wo; ow++) {
        let m = -Infinity;
        for (let i = 0; i < g.kh; i++) for (let j = 0; j < g.kw; j++) {
          const ih = oh * g.sh - g.ph + i * g.dh, iw = ow * g.sw - g.pw + j * g.dw;
          if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) m = Number.isNaN(m) ? m : Math.max(m, xs[(p * g.H + ih) * g.W + iw]);
        }
        expect(Object.is(y.data[(p * g.Ho + oh) * g.Wo + ow], Math.fround(m)) || (Number.isNaN(m) && Number.isNaN(y.data[(p * g.Ho + oh) * g.Wo + ow]))).toBe(true);
      }
    });
    if (g.dh !== 1 || g.dw !== 1) continue;
    for (const countIncludePad of [true, false]) {
      it(`avg pooling ${name}, countIncludePad ${countIncludePad} (rel 1e-6)`, () => {
        const xs = randArray(g.planes * g.H * g.W);
        const x = t(xs), y = t(new Float32Array(g.planes * g.Ho * g.Wo));
        backend().avgPool2dForward(x, y, g, countIncludePad);
        const want = new Float64Array(y.size);
        refPool.avgPool2dForward(Float64Array.from(xs), want, g, countIncludePad);
        expectClose(y.data, want, 1e-7, 1e-6, `${name} avg`);
        const dys = randArray(y.size);
        const dx = t(new Float32Array(xs.length).fill(NaN));
        backend().avgPool2dBackward(t(dys), dx, g, countIncludePad, 0);
        const wantDx = new Float64Array(xs.length);
        refPool.avgPool2dBackward(Float64Array.from(dys), wantDx, g, countIncludePad, 0);
        expectClose(dx.data, wantDx, 1e-7, 1e-6, `${name} avg backward`);
      });
    }
  }
  it("adaptive average pooling to smaller, equal and larger sizes (rel 1e-6)", () => {
    for (const [H, W, Ho, Wo] of [[7, 9, 3, 4], [5, 5, 5, 5], [3, 4, 5, 7], [10, 10, 1, 1]]) {
      const xs = randArray(2 * H * W);
      const y = t(new Float32Array(2 * Ho * Wo));
      backend().adaptiveAvgPool2dForward(t(xs), y, 2, H, W, Ho, Wo);
      const want = new Float64Array(y.size);
      refPool.adaptiveAvgPool2dForward(Float64Array.from(xs), want, 2, H, W, Ho, Wo);
      expectClose(y.data, want, 1e-7, 1e-6, `adaptive ${H}x${W}->${Ho}x${Wo}`);
      const dys = randArray(y.size);
      const dx = t(new Float32Array(xs.length).fill(NaN));
      backend().adaptiveAvgPool2dBackward(t(dys), dx, 2, H, W, Ho, Wo, 0);
      const wantDx = new Float64Array(xs.length);
      refPool.adaptiveAvgPool2dBackward(Float64Array.from(dys), wantDx, 2, H, W, Ho, Wo, 0);
      expectClose(dx.data, wantDx, 1e-7, 1e-6, `adaptive backward ${H}x${W}->${Ho}x${Wo}`);
    }
  });
});

describe("normalisation kernels agree with the float64 twins", () => {
  for (const [N, C, HW] of [[2, 3, 25], [4, 5, 7], [3, 2, 1], [2, 4, 64]]) {
    it(`BatchNorm2d [${N}, ${C}, ${HW}]: train/eval forward, running statistics, backward (rel 2e-5)`, () => {
      const xs = randArray(N * C * HW).map((v) => v * 3 + 1);
      const ws = randArray(C), bs = randArray(C), dys = randArray(N * C * HW);
      const x = t(xs), w = t(ws), b = t(bs), y = t(new Float32Array(xs.length));
      const mean = t(new Float32Array(C)), inv = t(new Float32Array(C));
      const rm = t(new Float32Array(C).fill(0.5)), rv = t(new Float32Array(C).fill(2));
      expect(backend().batchNorm2dTrainForward(x, N, C, HW, w, b, y, mean, inv, rm, rv, 0.1, 1e-5)).toBe(-1);
      const wy = new Float64Array(xs.length), wm = new Float64Array(C), wi = new Float64Array(C);
      const wrm = new Float64Array(C).fill(0.5), wrv = new Float64Array(C).fill(2);
      expect(refNorm.batchNorm2dTrainForward(Float64Array.from(xs), N, C, HW, Float64Array.from(ws), Float64Array.from(bs), wy, wm, wi, wrm, wrv, 0.1, 1e-5)).toBe(-1);
      expectClose(y.data, wy, 2e-5, 2e-5, "bn2d y");
      expectClose(mean.data, wm, 1e-6, 1e-5, "bn2d mean");
      expectClose(inv.data, wi, 1e-6, 2e-5, "bn2d invstd");
      expectClose(rm.data, wrm, 1e-6, 1e-5, "bn2d running mean");
      expectClose(rv.data, wrv, 1e-6, 2e-5, "bn2d running var");
      for (const batchStats of [true, false]) {
        const dx = t(new Float32Array(xs.length).fill(NaN)), dw = t(new Float32Array(C).fill(NaN)), db = t(new Float32Array(C).fill(NaN));
        backend().batchNorm2dBackward(x, t(dys), N, C, HW, mean, inv, w, dx, 0, dw, db, 0, batchStats);
        const wdx = new Float64Array(xs.length), wdw = new Float64Array(C), wdb = new Float64Array(C);
        refNorm.batchNorm2dBackward(Float64Array.from(xs), Float64Array.from(dys), N, C, HW, wm, wi, Float64Array.from(ws), wdx, 0, wdw, wdb, 0, +batchStats);
        expectClose(dx.data, wdx, 2e-5, 2e-5, `bn2d dx batchStats=${batchStats}`);
        expectClose(dw.data, wdw, 2e-5, 2e-5, "bn2d dw");
        expectClose(db.data, wdb, 2e-5, 2e-5, "bn2d db");
      }
      const ye = t(new Float32Array(xs.length));
      backend().batchNorm2dEvalForward(x, N, C, HW, w, b, ye, rm, rv, 1e-5, inv);
      const wye = new Float64Array(xs.length);
      refNorm.batchNorm2dEvalForward(Float64Array.from(xs), N, C, HW, Float64Array.from(ws), Float64Array.from(bs), wye, wrm, wrv, 1e-5, new Float64Array(C));
      expectClose(ye.data, wye, 2e-5, 2e-5, "bn2d eval");
    });
    for (const G of [1, C]) {
      it(`GroupNorm [${N}, ${C}, ${HW}] groups ${G}: forward and backward, with and without affine (rel 2e-5)`, () => {
        const xs = randArray(N * C * HW).map((v) => v * 2 - 0.5);
        const ws = randArray(C), bs = randArray(C), dys = randArray(N * C * HW);
        for (const affine of [true, false]) {
          const x = t(xs), w = affine ? t(ws) : null, b = affine ? t(bs) : null, y = t(new Float32Array(xs.length));
          const mean = t(new Float32Array(N * G)), rstd = t(new Float32Array(N * G));
          expect(backend().groupNormForward(x, N, C, HW, G, w, b, y, mean, rstd, 1e-5)).toBe(-1);
          const w64 = affine ? Float64Array.from(ws) : null;
          const wy = new Float64Array(xs.length), wm = new Float64Array(N * G), wr = new Float64Array(N * G);
          refNorm.groupNormForward(Float64Array.from(xs), N, C, HW, G, w64, affine ? Float64Array.from(bs) : null, wy, wm, wr, 1e-5);
          expectClose(y.data, wy, 2e-5, 2e-5, "gn y");
          const dx = t(new Float32Array(xs.length).fill(NaN)), dw = t(new Float32Array(C).fill(NaN)), db = t(new Float32Array(C).fill(NaN));
          backend().groupNormBackward(x, t(dys), N, C, HW, G, mean, rstd, w, dx, 0, affine ? dw : null, affine ? db : null, 0);
          const wdx = new Float64Array(xs.length), wdw = new Float64Array(C), wdb = new Float64Array(C);
          refNorm.groupNormBackward(Float64Array.from(xs), Float64Array.from(dys), N, C, HW, G, wm, wr, w64, wdx, 0, wdw, wdb, 0);
          expectClose(dx.data, wdx, 5e-5, 5e-5, "gn dx");
          if (affine) {
            expectClose(dw.data, wdw, 2e-5, 2e-5, "gn dw");
            expectClose(db.data, wdb, 2e-5, 2e-5, "gn db");
          }
        }
      });
    }
  }
  it("scalePlanes multiplies each plane by its factor, and accumulates", () => {
    const xs = randArray(3 * 7), s = Float32Array.from([0, 2, -1]);
    const y = t(new Float32Array(21));
    backend().scalePlanes(t(xs), t(s), y, 3, 7, 0);
    expect([...y.data]).toEqual([...xs].map((v, i) => Math.fround(v * s[Math.floor(i / 7)])));
    backend().scalePlanes(t(xs), t(s), y, 3, 7, 1);
    expectClose(y.data, [...xs].map((v, i) => 2 * v * s[Math.floor(i / 7)]), 1e-7, 1e-7, "accumulated");
  });
});

/** Central differences of Σ forward(x)·r in float64 against backward's gradient, at every 7th input. */
function checkByDifferences(n: number, outN: number, forward: (x: Float64Array) => Float64Array, backward: (x: Float64Array, dy: Float64Array) => Float64Array, what: string): void {
  const x = Float64Array.from(randArray(n).map((v) => v * 2 + 0.3));
  const dy = Float64Array.from(randArray(outN));
  const loss = () => forward(x).reduce((s, v, i) => s + v * dy[i], 0);
  const grad = backward(x, dy);
  for (let i = 0; i < n; i += 7) {
    const h = 1e-6, v = x[i];
    x[i] = v + h;
    const up = loss();
    x[i] = v - h;
    const down = loss();
    x[i] = v;
    const fd = (up - down) / (2 * h);
    if (!(Math.abs(fd - grad[i]) <= 1e-6 * (1 + Math.abs(grad[i])))) throw new Error(`${what}[${i}]: finite difference ${fd}, backward ${grad[i]}`);
  }
}

describe("the float64 twins' backward passes match central differences of their forwards (h = 1e-6, rel 1e-6)", () => {
  for (const [name, g] of POOLS) {
    it(`max pooling ${name}`, () => {
      const P = g.planes * g.Ho * g.Wo, n = g.planes * g.H * g.W;
      const ind = new Int32Array(P);
      checkByDifferences(n, P, (x) => {
        const y = new Float64Array(P);
        refPool.maxPool2dForward(x, y, ind, g);
        return y;
      }, (x, dy) => {
        refPool.maxPool2dForward(x, new Float64Array(P), ind, g);
        const dx = new Float64Array(n);
        refPool.maxPool2dBackward(dy, ind, dx, g.planes, g.H * g.W, g.Ho * g.Wo, 0);
        return dx;
      }, `max ${name}`);
    });
    if (g.dh !== 1 || g.dw !== 1) continue;
    for (const cip of [true, false]) {
      it(`avg pooling ${name}, countIncludePad ${cip}`, () => {
        const P = g.planes * g.Ho * g.Wo, n = g.planes * g.H * g.W;
        checkByDifferences(n, P, (x) => {
          const y = new Float64Array(P);
          refPool.avgPool2dForward(x, y, g, cip);
          return y;
        }, (_x, dy) => {
          const dx = new Float64Array(n);
          refPool.avgPool2dBackward(dy, dx, g, cip, 0);
          return dx;
        }, `avg ${name}`);
      });
    }
  }
  it("adaptive average pooling 7x9 -> 3x4 and 3x4 -> 5x7", () => {
    for (const [H, W, Ho, Wo] of [[7, 9, 3, 4], [3, 4, 5, 7]]) {
      checkByDifferences(2 * H * W, 2 * Ho * Wo, (x) => {
        const y = new Float64Array(2 * Ho * Wo);
        refPool.adaptiveAvgPool2dForward(x, y, 2, H, W, Ho, Wo);
        return y;
      }, (_x, dy) => {
        const dx = new Float64Array(2 * H * W);
        refPool.adaptiveAvgPool2dBackward(dy, dx, 2, H, W, Ho, Wo, 0);
        return dx;
      }, "adaptive");
    }
  });
  const N = 3, C = 4, HW = 5;
  const w = Float64Array.from(randArray(C)), b = Float64Array.from(randArray(C));
  it("BatchNorm2d with batch statistics (input gradient)", () => {
    checkByDifferences(N * C * HW, N * C * HW, (x) => {
      const y = new Float64Array(N * C * HW);
      refNorm.batchNorm2dTrainForward(x, N, C, HW, w, b, y, new Float64Array(C), new Float64Array(C), null, null, 0, 1e-5);
      return y;
    }, (x, dy) => {
      const mean = new Float64Array(C), inv = new Float64Array(C), dx = new Float64Array(N * C * HW);
      refNorm.batchNorm2dTrainForward(x, N, C, HW, w, b, new Float64Array(N * C * HW), mean, inv, null, null, 0, 1e-5);
      refNorm.batchNorm2dBackward(x, dy, N, C, HW, mean, inv, w, dx, 0, null, null, 0, 1);
      return dx;
    }, "bn2d");
  });
  for (const G of [1, 2, 4]) {
    it(`GroupNorm with ${G} groups (input gradient)`, () => {
      checkByDifferences(N * C * HW, N * C * HW, (x) => {
        const y = new Float64Array(N * C * HW);
        refNorm.groupNormForward(x, N, C, HW, G, w, b, y, new Float64Array(N * G), new Float64Array(N * G), 1e-5);
        return y;
      }, (x, dy) => {
        const mean = new Float64Array(N * G), rstd = new Float64Array(N * G), dx = new Float64Array(N * C * HW);
        refNorm.groupNormForward(x, N, C, HW, G, w, b, new Float64Array(N * C * HW), mean, rstd, 1e-5);
        refNorm.groupNormBackward(x, dy, N, C, HW, G, mean, rstd, w, dx, 0, null, null, 0);
        return dx;
      }, `gn ${G}`);
    });
  }
  it("BatchNorm2d and GroupNorm parameter gradients", () => {
    const x = Float64Array.from(randArray(N * C * HW));
    const dy = Float64Array.from(randArray(N * C * HW));
    for (const kind of ["bn", "gn"] as const) {
      const run = (ww: Float64Array, bb: Float64Array) => {
        const y = new Float64Array(N * C * HW);
        if (kind === "bn") refNorm.batchNorm2dTrainForward(x, N, C, HW, ww, bb, y, new Float64Array(C), new Float64Array(C), null, null, 0, 1e-5);
        else refNorm.groupNormForward(x, N, C, HW, 2, ww, bb, y, new Float64Array(N * 2), new Float64Array(N * 2), 1e-5);
        return y.reduce((s, v, i) => s + v * dy[i], 0);
      };
      const dw = new Float64Array(C), db = new Float64Array(C);
      if (kind === "bn") {
        const mean = new Float64Array(C), inv = new Float64Array(C);
        refNorm.batchNorm2dTrainForward(x, N, C, HW, w, b, new Float64Array(N * C * HW), mean, inv, null, null, 0, 1e-5);
        refNorm.batchNorm2dBackward(x, dy, N, C, HW, mean, inv, w, null, 0, dw, db, 0, 1);
      } else {
        const mean = new Float64Array(N * 2), rstd = new Float64Array(N * 2);
        refNorm.groupNormForward(x, N, C, HW, 2, w, b, new Float64Array(N * C * HW), mean, rstd, 1e-5);
        refNorm.groupNormBackward(x, dy, N, C, HW, 2, mean, rstd, w, null, 0, dw, db, 0);
      }
      for (let c = 0; c < C; c++) {
        for (const [p, grad] of [[w, dw], [b, db]] as const) {
          const h = 1e-6, v = p[c];
          p[c] = v + h;
          const up = run(w, b);
          p[c] = v - h;
          const down = run(w, b);
          p[c] = v;
          expect(Math.abs((up - down) / (2 * h) - grad[c])).toBeLessThan(1e-6 * (1 + Math.abs(grad[c])));
        }
      }
    }
  });
});
