// The WebAssembly kernels against their pure-JS twins on random data: the
// results must be bit-identical (both builds, every kernel), including groups
// that take the float64 path (gradients ~1e-20, second moments ~1e-40),
// tails past the last group of 4, and many tensors in one table.
import { describe, expect, it } from "vitest";
import { tensor, type Tensor } from "../../src/index.js";
import { wasmOrNull } from "../../src/runtime/runtime.js";
import { TensorTable, type TableRow } from "../../src/backend/tensor_table.js";
import * as ref from "../../src/reference/optim.js";

const build = process.env.WASMTRAIN_BUILD;
const f = Math.fround;

/** Deterministic xorshift generator (fixed seed: the test is reproducible). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

type Kind = "grad" | "param" | "moment" | "square";

/**
 * Values of a kind, with a share of tiny ones (the float64 path) and exact
 * zeros. Long arrays get their tiny values only in a few short stretches, so
 * the kernels' fast loops run between them and hand over to the per-group
 * path and back.
 */
function values(n: number, kind: Kind, r: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let u = r();
    if (n > 500 && (i % 300 < 280 || i % 7 !== 0) && u < 0.25) u = 0.25 + 0.75 * r();
    let x: number;
    if (kind === "square") x = u < 0.2 ? 1e-40 * r() : u < 0.3 ? 0 : r() * r() * 0.1;
    else if (kind === "grad") x = (u < 0.2 ? 1e-20 : u < 0.25 ? 1e-39 : 1) * (r() - 0.5);
    else if (kind === "moment") x = u < 0.1 ? 0 : (r() - 0.5) * 0.1;
    else x = r() * 2 - 1;
    out[i] = x;
  }
  return out;
}

const SIZES = [1, 3, 4, 5, 8, 13, 64, 257, 1029];

interface Setup {
  /** The kinds of state0..state2 (null: absent). */
  states: (Kind | null)[];
  scalars: number[];
  args: number[];
  kernel: string;
  twin: (p: Float32Array, g: Float32Array, s: (Float32Array | null)[], t: number[], args: number[]) => void | [number, number];
}

const b1 = f(0.9), omb1 = f(0.1), b2 = f(0.999), omb2 = f(1 - 0.999), eps = f(1e-8);
const setups: Record<string, Setup[]> = {
  sgd: [
    ...[0, 1].flatMap((first) => [[0.9, 0], [0.9, 1], [0, 0]].map(([mu, nesterov]) => ({
      kernel: "sgdStep", states: [mu ? "moment" : null, null, null], scalars: [first, 0, 0, 0],
      args: [f(0.01), f(mu), f(0.75), f(0.01), -1, nesterov],
      twin: (p, g, s, t, a) => ref.sgdStepJs(p, g, s[0], t[0] === 1, a[0], a[1], a[2], a[3], a[4], a[5] === 1),
    } as Setup))),
    // Plain momentum (no weight decay, dampening 0, gSign 1): its own loop.
    {
      kernel: "sgdStep", states: ["moment", null, null], scalars: [0, 0, 0, 0], args: [f(0.01), f(0.9), 1, 0, 1, 0],
      twin: (p, g, s, t, a) => ref.sgdStepJs(p, g, s[0], t[0] === 1, a[0], a[1], a[2], a[3], a[4], a[5] === 1),
    },
  ],
  adam: [[0, 0, 1, 1], [1, f(0.01), 1, -1], [0, 0, f(1 - 1e-4), 1], [0, f(0.01), 1, 1], [0, 0, 1, -1]].map(([ams, wd, decay, sign]) => ({
    kernel: "adamStep", states: ["moment", "square", ams ? "square" : null], scalars: [f(0.001 / 0.1), f(1 / Math.sqrt(0.001)), 0, 0],
    args: [b1, omb1, b2, omb2, eps, wd, decay, sign, ams],
    twin: (p, g, s, t, a) => ref.adamStepJs(p, g, s[0]!, s[1]!, s[2], t[0], t[1], a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]),
  })),
  adagrad: [[0, 1], [f(0.1), -1], [0, -1]].map(([wd, sign]) => ({
    kernel: "adagradStep", states: ["square", null, null], scalars: [f(0.01), 0, 0, 0], args: [f(1e-10), wd, sign],
    twin: (p, g, s, t, a) => ref.adagradStepJs(p, g, s[0]!, t[0], a[0], a[1], a[2]),
  })),
  rmsprop: [[0, 0, 1], [0.9, 0, 1], [0, 1, 1], [0.5, 1, 1], [0, 0, 0], [0.9, 0, 0]].map(([mu, centered, wd]) => ({
    kernel: "rmspropStep", states: ["square", centered ? "moment" : null, mu ? "moment" : null], scalars: [0, 0, 0, 0],
    args: [f(0.01), f(0.99), f(0.01), eps, wd ? f(0.01) : 0, 1, f(mu), centered],
    twin: (p, g, s, t, a) => ref.rmspropStepJs(p, g, s[0]!, s[1], s[2], a[0], a[1], a[2], a[3], a[4], a[5], a[6]),
  })),
  adamax: [[f(0.01), -1], [0, 1], [0, -1]].map(([wd, sign]) => ({
    kernel: "adamaxStep", states: ["moment", "square", null], scalars: [f(0.02), 0, 0, 0], args: [b1, omb1, b2, eps, wd, sign],
    twin: (p, g, s, t, a) => ref.adamaxStepJs(p, g, s[0]!, s[1]!, t[0], a[0], a[1], a[2], a[3], a[4], a[5]),
  })),
  nadam: [f(0.01), 0].map((wd) => ({
    kernel: "nadamStep", states: ["moment", "square", null], scalars: [f(1 / 0.002), f(0.0013), f(0.0091), 0],
    args: [b1, omb1, b2, omb2, eps, wd],
    twin: (p, g, s, t, a) => ref.nadamStepJs(p, g, s[0]!, s[1]!, t[0], t[1], t[2], a[0], a[1], a[2], a[3], a[4], a[5]),
  })),
  radam: [[0, f(0.01)], [f(1.3), f(0.01)], [0, 0], [f(1.3), 0]].map(([rect, wd]) => ({
    kernel: "radamStep", states: ["moment", "square", null], scalars: [f(1 / 0.3), f(0.001), rect, f(Math.sqrt(0.01))],
    args: [b1, omb1, b2, omb2, eps, wd],
    twin: (p, g, s, t, a) => ref.radamStepJs(p, g, s[0]!, s[1]!, t[0], t[1], t[2], t[3], a[0], a[1], a[2], a[3], a[4], a[5]),
  })),
  adadelta: [[f(0.01), -1], [0, 1], [0, -1]].map(([wd, sign]) => ({
    kernel: "adadeltaStep", states: ["square", "square", null], scalars: [0, 0, 0, 0], args: [1, f(0.9), f(0.1), f(1e-6), wd, sign],
    twin: (p, g, s, t, a) => ref.adadeltaStepJs(p, g, s[0]!, s[1]!, a[0], a[1], a[2], a[3], a[4], a[5]),
  })),
  lambMoments: [{
    kernel: "lambMoments", states: ["moment", "square", null], scalars: [f(1 / 0.1), f(1 / 0.001), 0, 0],
    args: [b1, omb1, b2, omb2, f(1e-6), f(0.01), 1],
    twin: (p, g, s, t, a) => ref.lambMomentsJs(p, g, s[0]!, s[1]!, t[0], t[1], a[0], a[1], a[2], a[3], a[4], a[5], a[6]),
  }],
  lambApply: [{
    kernel: "lambApply", states: ["moment", "square", null], scalars: [f(1 / 0.1), f(1 / 0.001), f(0.0037), 0], args: [f(1e-6), f(0.01)],
    twin: (p, _g, s, t, a) => ref.lambApplyJs(p, s[0]!, s[1]!, t[0], t[1], t[2], a[0], a[1]),
  }],
  lookahead: [{
    kernel: "lookaheadSync", states: ["param", null, null], scalars: [0, 0, 0, 0], args: [f(0.5)],
    twin: (p, _g, s, _t, a) => ref.lookaheadSyncJs(p, s[0]!, a[0]),
  }],
  gradNorms: [0, 1, 2].map((kind) => ({
    kernel: "gradNorms", states: [null, null, null], scalars: [0, 0, 0, 0], args: [kind],
    twin: (_p, g, _s, _t, a) => [ref.gradNormJs(g, a[0]), 0] as [number, number],
  })),
  scaleGrads: [{
    kernel: "scaleGrads", states: [null, null, null], scalars: [0, 0, 0, 0], args: [f(0.37)],
    twin: (_p, g, _s, _t, a) => ref.scaleGradJs(g, a[0]),
  }],
  clampGrads: [{
    kernel: "clampGrads", states: [null, null, null], scalars: [0, 0, 0, 0], args: [f(0.2)],
    twin: (_p, g, _s, _t, a) => ref.clampGradJs(g, a[0]),
  }],
};

function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
}

describe.runIf(build !== "js")("kernels agree bit for bit with their pure-JS twins", () => {
  for (const [name, list] of Object.entries(setups)) {
    it(name, () => {
      const wasm = wasmOrNull()!;
      const r = rng(12345);
      const table = new TensorTable();
      list.forEach((setup, si) => {
        const inputs = SIZES.map((n) => ({
          p: values(n, "param", r),
          g: values(n, "grad", r),
          s: setup.states.map((k) => (k ? values(n, k, r) : null)),
        }));
        const tensors: Tensor[] = [];
        const mk = (a: Float32Array) => {
          const t = tensor(a);
          tensors.push(t);
          return t;
        };
        const rows: TableRow[] = inputs.map((x) => {
          const [s0, s1, s2] = x.s.map((a) => (a ? mk(a) : null));
          const [t0, t1, t2, t3] = setup.scalars;
          return { p: mk(x.p), g: mk(x.g), s0, s1, s2, t0, t1, t2, t3 };
        });
        const kernel = (wasm as unknown as Record<string, (...args: number[]) => void>)[setup.kernel];
        kernel(table.bind(rows).write(wasm.memory), rows.length, ...setup.args);
        table.readResults(wasm.memory);
        inputs.forEach((x, i) => {
          const p = x.p.slice(), g = x.g.slice(), s = x.s.map((a) => (a ? a.slice() : null));
          const result = setup.twin(p, g, s, setup.scalars, setup.args);
          const row = rows[i];
          const where = `${name} setup ${si}, n = ${x.p.length}`;
          expect(bits(row.p.data), `${where}: param`).toEqual(bits(p));
          expect(bits(row.g.data), `${where}: grad`).toEqual(bits(g));
          [row.s0, row.s1, row.s2].forEach((t, k) => {
            if (t) expect(bits(t.data), `${where}: state ${k}`).toEqual(bits(s[k]!));
          });
          if (Array.isArray(result)) {
            expect(row.r0, `${where}: result 0`).toBe(result[0]);
            if (setup.kernel === "lambMoments") expect(row.r1, `${where}: result 1`).toBe(result[1]);
          }
        });
        for (const t of tensors) t.dispose();
      });
      table.dispose();
    });
  }

  it("centralizeRows", () => {
    const wasm = wasmOrNull()!;
    const r = rng(7);
    for (const [rows, cols, center] of [[3, 5, 1], [4, 8, 1], [1, 7, 0], [2, 1, 1]]) {
      const g = values(rows * cols, "grad", r), p = values(rows * cols, "param", r);
      const gt = tensor(g), pt = tensor(p), out = tensor(new Float32Array(rows * cols));
      wasm.centralizeRows(out.ptr, gt.ptr, pt.ptr, rows, cols, -1, f(0.01), center);
      const expected = new Float32Array(rows * cols);
      ref.centralizeRowsJs(expected, g, p, rows, cols, -1, f(0.01), center === 1);
      expect(bits(out.data)).toEqual(bits(expected));
      for (const t of [gt, pt, out]) t.dispose();
    }
  });
});

describe("float64 path for tiny values", () => {
  it("Adam with gradients ~1e-20 keeps v in the subnormal range and matches float32 math to rounding", () => {
    // v = (1 − β2)·g² ≈ 1e-43 after one step: the group takes the float64
    // path; the result must equal the exact value rounded to float32.
    const g = new Float32Array([1e-20, -2e-20, 3e-20, 4e-20, 5e-20]);
    const expectedV = Array.from(g, (x) => f(f(0.001) * x * x));
    const p = new Float32Array(5).fill(1), m = new Float32Array(5), v = new Float32Array(5);
    ref.adamStepJs(p, g, m, v, null, f(0.001 / 0.1), f(1 / Math.sqrt(0.001)), b1, omb1, b2, omb2, eps, 0, 1, 1);
    expect(Array.from(v)).toEqual(expectedV);
    expect(v[0]).toBeGreaterThan(0);
    expect(v[0]).toBeLessThan(1.1754943508222875e-38);
  });
});
