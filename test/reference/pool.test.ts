// The pooling kernels of the running build (WebAssembly or pure JS) against
// their pure-JS twins (src/reference/pool.ts) in float64 and, for max
// pooling, against the direct definition; the twins' backward passes against
// float64 central differences of their forwards.
import { describe, expect, it } from "vitest";
import { tensor } from "../../src/index.js";
import * as k from "../../src/nn/conv_kernels.js";
import { backend } from "../../src/backend/index.js";
import * as refPool from "../../src/reference/pool.js";
import type { PoolGeometry } from "../../src/nn/conv_kernels.js";
import { expectClose } from "../helpers/close.js";
import { checkByDifferences, lcg } from "../helpers/twins.js";

const r = lcg(5);
const randArray = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
const t = (a: Float32Array, shape?: number[]) => tensor(a, shape ?? [a.length]);

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
      expectClose(y.data, want, { atol: 0, rtol: 0, what: `${name} max` });
      expect([...k.int32Of(ind)]).toEqual([...wantInd]);
      const dys = randArray(y.size);
      const dx = t(new Float32Array(xs.length).fill(NaN));
      backend().maxPool2dBackward(t(dys), ind, dx, g, 0);
      const wantDx = new Float64Array(xs.length);
      refPool.maxPool2dBackward(Float64Array.from(dys), wantInd, wantDx, g.planes, g.H * g.W, g.Ho * g.Wo, 0);
      expectClose(dx.data, wantDx, { atol: 1e-6, rtol: 0, what: `${name} max backward` });
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
        expectClose(y.data, want, { atol: 1e-7, rtol: 1e-6, what: `${name} avg` });
        const dys = randArray(y.size);
        const dx = t(new Float32Array(xs.length).fill(NaN));
        backend().avgPool2dBackward(t(dys), dx, g, countIncludePad, 0);
        const wantDx = new Float64Array(xs.length);
        refPool.avgPool2dBackward(Float64Array.from(dys), wantDx, g, countIncludePad, 0);
        expectClose(dx.data, wantDx, { atol: 1e-7, rtol: 1e-6, what: `${name} avg backward` });
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
      expectClose(y.data, want, { atol: 1e-7, rtol: 1e-6, what: `adaptive ${H}x${W}->${Ho}x${Wo}` });
      const dys = randArray(y.size);
      const dx = t(new Float32Array(xs.length).fill(NaN));
      backend().adaptiveAvgPool2dBackward(t(dys), dx, 2, H, W, Ho, Wo, 0);
      const wantDx = new Float64Array(xs.length);
      refPool.adaptiveAvgPool2dBackward(Float64Array.from(dys), wantDx, 2, H, W, Ho, Wo, 0);
      expectClose(dx.data, wantDx, { atol: 1e-7, rtol: 1e-6, what: `adaptive backward ${H}x${W}->${Ho}x${Wo}` });
    }
  });
});

describe("the float64 twins' backward passes match central differences of their forwards (h = 1e-6, rel 1e-6)", () => {
  for (const [name, g] of POOLS) {
    it(`max pooling ${name}`, () => {
      const P = g.planes * g.Ho * g.Wo, n = g.planes * g.H * g.W;
      const ind = new Int32Array(P);
      checkByDifferences(randArray, n, P, (x) => {
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
        checkByDifferences(randArray, n, P, (x) => {
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
      checkByDifferences(randArray, 2 * H * W, 2 * Ho * Wo, (x) => {
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
});
