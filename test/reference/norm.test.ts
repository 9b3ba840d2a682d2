// The normalisation kernels (BatchNorm2d, GroupNorm, scalePlanes) of the
// running build (WebAssembly or pure JS) against their float64 pure-JS twins
// (src/reference/norm.ts); the twins' backward passes, input and parameter
// gradients, against float64 central differences of their forwards.
import { describe, expect, it } from "vitest";
import { tensor } from "../../src/index.js";
import { backend } from "../../src/backend/index.js";
import * as refNorm from "../../src/reference/norm.js";
import { expectClose } from "../helpers/close.js";
import { checkByDifferences, lcg } from "../helpers/twins.js";

const r = lcg(5);
const randArray = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
const t = (a: Float32Array, shape?: number[]) => tensor(a, shape ?? [a.length]);

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
      expectClose(y.data, wy, { atol: 2e-5, rtol: 2e-5, what: "bn2d y" });
      expectClose(mean.data, wm, { atol: 1e-6, rtol: 1e-5, what: "bn2d mean" });
      expectClose(inv.data, wi, { atol: 1e-6, rtol: 2e-5, what: "bn2d invstd" });
      expectClose(rm.data, wrm, { atol: 1e-6, rtol: 1e-5, what: "bn2d running mean" });
      expectClose(rv.data, wrv, { atol: 1e-6, rtol: 2e-5, what: "bn2d running var" });
      for (const batchStats of [true, false]) {
        const dx = t(new Float32Array(xs.length).fill(NaN)), dw = t(new Float32Array(C).fill(NaN)), db = t(new Float32Array(C).fill(NaN));
        backend().batchNorm2dBackward(x, t(dys), N, C, HW, mean, inv, w, dx, 0, dw, db, 0, batchStats);
        const wdx = new Float64Array(xs.length), wdw = new Float64Array(C), wdb = new Float64Array(C);
        refNorm.batchNorm2dBackward(Float64Array.from(xs), Float64Array.from(dys), N, C, HW, wm, wi, Float64Array.from(ws), wdx, 0, wdw, wdb, 0, +batchStats);
        expectClose(dx.data, wdx, { atol: 2e-5, rtol: 2e-5, what: `bn2d dx batchStats=${batchStats}` });
        expectClose(dw.data, wdw, { atol: 2e-5, rtol: 2e-5, what: "bn2d dw" });
        expectClose(db.data, wdb, { atol: 2e-5, rtol: 2e-5, what: "bn2d db" });
      }
      const ye = t(new Float32Array(xs.length));
      backend().batchNorm2dEvalForward(x, N, C, HW, w, b, ye, rm, rv, 1e-5, inv);
      const wye = new Float64Array(xs.length);
      refNorm.batchNorm2dEvalForward(Float64Array.from(xs), N, C, HW, Float64Array.from(ws), Float64Array.from(bs), wye, wrm, wrv, 1e-5, new Float64Array(C));
      expectClose(ye.data, wye, { atol: 2e-5, rtol: 2e-5, what: "bn2d eval" });
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
          expectClose(y.data, wy, { atol: 2e-5, rtol: 2e-5, what: "gn y" });
          const dx = t(new Float32Array(xs.length).fill(NaN)), dw = t(new Float32Array(C).fill(NaN)), db = t(new Float32Array(C).fill(NaN));
          backend().groupNormBackward(x, t(dys), N, C, HW, G, mean, rstd, w, dx, 0, affine ? dw : null, affine ? db : null, 0);
          const wdx = new Float64Array(xs.length), wdw = new Float64Array(C), wdb = new Float64Array(C);
          refNorm.groupNormBackward(Float64Array.from(xs), Float64Array.from(dys), N, C, HW, G, wm, wr, w64, wdx, 0, wdw, wdb, 0);
          expectClose(dx.data, wdx, { atol: 5e-5, rtol: 5e-5, what: "gn dx" });
          if (affine) {
            expectClose(dw.data, wdw, { atol: 2e-5, rtol: 2e-5, what: "gn dw" });
            expectClose(db.data, wdb, { atol: 2e-5, rtol: 2e-5, what: "gn db" });
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
    expectClose(y.data, [...xs].map((v, i) => 2 * v * s[Math.floor(i / 7)]), { atol: 1e-7, rtol: 1e-7, what: "accumulated" });
  });
});

describe("the float64 twins' backward passes match central differences of their forwards (h = 1e-6, rel 1e-6)", () => {
  const N = 3, C = 4, HW = 5;
  const w = Float64Array.from(randArray(C)), b = Float64Array.from(randArray(C));
  it("BatchNorm2d with batch statistics (input gradient)", () => {
    checkByDifferences(randArray, N * C * HW, N * C * HW, (x) => {
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
      checkByDifferences(randArray, N * C * HW, N * C * HW, (x) => {
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
