// The convolution kernels of the running build (WebAssembly or pure JS) and
// their pure-JS twin (src/reference/conv.ts) against a direct float64
// definition (loops over the formula, no im2col), whose gradients are
// themselves checked by float64 finite differences.
import { describe, expect, it } from "vitest";
import { tensor } from "../../src/index.js";
import * as k from "../../src/nn/conv_kernels.js";
import { backend } from "../../src/backend/index.js";
import * as refConv from "../../src/reference/conv.js";
import type { ConvGeometry } from "../../src/nn/conv_kernels.js";
import { expectClose } from "../helpers/close.js";
import { lcg } from "../helpers/twins.js";

const r = lcg(5);
const randArray = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
const t = (a: Float32Array, shape?: number[]) => tensor(a, shape ?? [a.length]);

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
      expectClose(y.data, want, { atol: 1e-5, rtol: 1e-5, what: `${name} forward` });
      // Without bias: the output is written, never read.
      y.data.fill(NaN);
      backend().conv2dForward(x, w, null, y, cols, g);
      expectClose(y.data, naiveConv(xs, ws, null, g).forward(), { atol: 1e-5, rtol: 1e-5, what: `${name} forward without bias` });
      // The twin, on its own arrays.
      const yJs = new Float32Array(want.length);
      refConv.conv2dForward(xs, ws, bs, yJs, new Float32Array(k.colsSize(g)), g);
      expectClose(yJs, want, { atol: 1e-5, rtol: 1e-5, what: `${name} twin forward` });

      const dx = t(new Float32Array(xs.length).fill(NaN));
      backend().conv2dBackwardInput(dy, w, dx, cols, g, 0);
      expectClose(dx.data, grads.dx, { atol: 1e-5, rtol: 1e-5, what: `${name} input gradient` });
      backend().conv2dBackwardInput(dy, w, dx, cols, g, 1);
      expectClose(dx.data, grads.dx.map((v) => 2 * v), { atol: 2e-5, rtol: 1e-5, what: `${name} input gradient accumulated` });
      const dw = t(new Float32Array(ws.length).fill(NaN)), db = t(new Float32Array(g.Co).fill(NaN));
      backend().conv2dBackwardWeight(x, dy, dw, db, cols, g, 0);
      expectClose(dw.data, grads.dW, { atol: 1e-5, rtol: 1e-5, what: `${name} weight gradient` });
      expectClose(db.data, grads.db, { atol: 1e-5, rtol: 1e-5, what: `${name} bias gradient` });
      backend().conv2dBackwardWeight(x, dy, dw, db, cols, g, 1);
      expectClose(dw.data, grads.dW.map((v) => 2 * v), { atol: 2e-5, rtol: 1e-5, what: `${name} weight gradient accumulated` });
      expectClose(db.data, grads.db.map((v) => 2 * v), { atol: 2e-5, rtol: 1e-5, what: `${name} bias gradient accumulated` });

      const dxJs = new Float32Array(xs.length), dwJs = new Float32Array(ws.length), dbJs = new Float32Array(g.Co);
      const colsJs = new Float32Array(k.colsSize(g));
      refConv.conv2dBackwardInput(dys, ws, dxJs, colsJs, g, 0);
      refConv.conv2dBackwardWeight(xs, dys, dwJs, dbJs, colsJs, g, 0);
      expectClose(dxJs, grads.dx, { atol: 1e-5, rtol: 1e-5, what: `${name} twin input gradient` });
      expectClose(dwJs, grads.dW, { atol: 1e-5, rtol: 1e-5, what: `${name} twin weight gradient` });
      expectClose(dbJs, grads.db, { atol: 1e-5, rtol: 1e-5, what: `${name} twin bias gradient` });
      for (const v of [x, w, b, dy, y, cols, dx, dw, db]) v.dispose();
    });
  }
});
