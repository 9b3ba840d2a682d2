// Random fills of 10M float32 values: uniform U[0,1) and standard normal.
//   wasmtrain   init.uniform / init.normal in place (Philox4x32-10, SIMD kernels)
//   pure-js     the pure-JS twin of those kernels (src/reference/rng.ts), bit-identical
//   xoshiro128** + polar   the best plain-JS generator: xoshiro128** (Blackman &
//               Vigna) for uniforms, Marsaglia's polar method for normals
//   tfjs-cpu / tfjs-wasm   tf.randomUniform / tf.randomNormal + dataSync()
import { philoxNormalJs, philoxUniformJs } from "../../dist/reference/rng.js";

const N = 10_000_000;

/**
 * xoshiro128** 1.1 with the state in locals; fills `out` with U[0,1) on the
 * 2^-24 grid (the top 24 bits), or with N(0,1) by the polar method (two
 * uniforms in (-1, 1), rejected outside the unit disc, both outputs used).
 */
function xoshiro128ss(seed) {
  // splitmix32 seeding, so no state word is zero
  let z = seed >>> 0;
  const next32 = () => {
    z = (z + 0x9e3779b9) | 0;
    let t = z ^ (z >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
  let s0 = next32();
  let s1 = next32();
  let s2 = next32();
  let s3 = next32();
  return {
    uniform(out) {
      let a = s0, b = s1, c = s2, d = s3;
      for (let i = 0; i < out.length; i++) {
        const x = Math.imul(b, 5);
        const r = Math.imul((x << 7) | (x >>> 25), 9);
        const t = b << 9;
        c ^= a;
        d ^= b;
        b ^= c;
        a ^= d;
        c ^= t;
        d = (d << 11) | (d >>> 21);
        out[i] = (r >>> 8) * 5.960464477539063e-8;
      }
      s0 = a; s1 = b; s2 = c; s3 = d;
    },
    normal(out) {
      let a = s0, b = s1, c = s2, d = s3;
      const n = out.length;
      let i = 0;
      while (i < n) {
        let u, v, s;
        do {
          let x = Math.imul(b, 5);
          let r = Math.imul((x << 7) | (x >>> 25), 9);
          let t = b << 9;
          c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = (d << 11) | (d >>> 21);
          u = (r | 0) * 4.656612873077393e-10; // (-1, 1)
          x = Math.imul(b, 5);
          r = Math.imul((x << 7) | (x >>> 25), 9);
          t = b << 9;
          c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = (d << 11) | (d >>> 21);
          v = (r | 0) * 4.656612873077393e-10;
          s = u * u + v * v;
        } while (s >= 1 || s === 0);
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        out[i++] = u * f;
        if (i < n) out[i++] = v * f;
      }
      s0 = a; s1 = b; s2 = c; s3 = d;
    },
  };
}

export default function suites() {
  const fillSuite = (what) => ({
    name: `${what} fill, 10M float32`,
    unit: "sample",
    items: N,
    bytes: 4 * N,
    options: { minSamples: 5, maxTime: 3 },
    cases: {
      wasmtrain: async ({ wt }) => {
        const t = wt.empty([N]);
        const generator = new wt.Generator(1);
        const fill = what === "uniform" ? () => wt.init.uniform(t, { generator }) : () => wt.init.normal(t, { generator });
        return { fn: fill, teardown: () => t.dispose() };
      },
      "pure-js": async () => {
        const out = new Float32Array(N);
        let pos = 0;
        return what === "uniform"
          ? () => { philoxUniformJs(out, 1, 0, pos, 1, 0); pos += N; }
          : () => { philoxNormalJs(out, 1, 0, pos, 0, 1); pos += N; };
      },
      "xoshiro128** + polar": async () => {
        const out = new Float32Array(N);
        const g = xoshiro128ss(1);
        return what === "uniform" ? () => g.uniform(out) : () => g.normal(out);
      },
      "tfjs-cpu": async ({ tf }) => () => {
        const t = what === "uniform" ? tf.randomUniform([N]) : tf.randomNormal([N]);
        t.dataSync();
        t.dispose();
      },
      "tfjs-wasm": async ({ tf }) => () => {
        const t = what === "uniform" ? tf.randomUniform([N]) : tf.randomNormal([N]);
        t.dataSync();
        t.dispose();
      },
    },
  });
  return [fillSuite("uniform"), fillSuite("normal")];
}
