// The RNG's building blocks: Philox4x32-10 against the Random123 known-answer
// vectors (pure-JS twin, the WASM export, and an independent BigInt Philox in
// this file), the float32 log / sin / cos / quantile approximations against
// float64 Math over dense grids (the bounds stated in assembly/rng.ts), and
// the float64 normal CDF against PyTorch.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { logF32, normalQuantileF32, philox4x32, sinCosTurn } from "../../src/reference/rng.js";
import { normalCdf } from "../../src/random.js";
import { wasmOrNull } from "../../src/runtime/runtime.js";
import { philoxBigInt } from "../helpers/philox_bigint.js";

const fx = JSON.parse(readFileSync(new URL("../fixtures/init.json", import.meta.url), "utf8"));

// Random123 kat_vectors (DEShawResearch/random123, examples/kat_vectors):
// philox4x32 10, counter[4] key[2] -> output[4]
const KAT: [number[], number[], number[]][] = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
];

describe("Philox4x32-10 known answers (Random123)", () => {
  it.each(KAT)("counter %j key %j", (ctr, key, expected) => {
    const out = new Uint32Array(4);
    philox4x32(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out);
    expect(Array.from(out)).toEqual(expected);
    expect(philoxBigInt(ctr, key)).toEqual(expected);
    const wasm = wasmOrNull();
    if (wasm) {
      const p = wasm.alloc(16) >>> 0;
      wasm.philox4x32(p, ...ctr, ...key);
      expect(Array.from(new Uint32Array(wasm.memory.buffer, p, 4))).toEqual(expected);
      wasm.free(p);
    }
  });
  it("twin and BigInt agree on 2000 pseudo-random counters and keys", () => {
    const out = new Uint32Array(4);
    let s = 12345;
    const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
    for (let i = 0; i < 2000; i++) {
      const ctr = [next(), next(), next(), next()];
      const key = [next(), next()];
      philox4x32(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out);
      expect(Array.from(out)).toEqual(philoxBigInt(ctr, key));
    }
  });
});

describe("float32 approximations (errors stated in assembly/rng.ts)", () => {
  it("log: relative error below 1.2e-7 for u in [2^-33, 1)", () => {
    let worst = 0;
    for (let e = -33; e < 0; e++) {
      for (let j = 0; j < 40000; j++) {
        const u = Math.fround(2 ** e * (1 + j / 40000));
        if (u >= 1) continue;
        worst = Math.max(worst, Math.abs(logF32(u) - Math.log(u)) / Math.abs(Math.log(u)));
      }
    }
    // the 2^23 float32 values just below 1, where ln u is tiny and relative error is hardest
    for (let j = 1; j <= 1 << 20; j++) {
      const u = 1 - j * 2 ** -24;
      worst = Math.max(worst, Math.abs(logF32(u) - Math.log(u)) / Math.abs(Math.log(u)));
    }
    expect(logF32(1)).toBe(0);
    expect(worst).toBeLessThan(1.2e-7);
  });
  it("sin and cos of a turn: absolute error below 2.1e-7 over the whole circle", () => {
    const cs = new Float64Array(2);
    let worst = 0;
    for (let w = 0; w < 2 ** 32; w += 4093) {
      sinCosTurn(w | 0, cs);
      const th = (2 * Math.PI * w) / 2 ** 32;
      worst = Math.max(worst, Math.abs(cs[0] - Math.cos(th)), Math.abs(cs[1] - Math.sin(th)));
    }
    for (const w of [0, 1, 0x1fffffff, 0x20000000, 0x3fffffff, 0x40000000, 0x7fffffff, 0x80000000, 0xc0000000, 0xffffffff]) {
      sinCosTurn(w | 0, cs);
      const th = (2 * Math.PI * w) / 2 ** 32;
      worst = Math.max(worst, Math.abs(cs[0] - Math.cos(th)), Math.abs(cs[1] - Math.sin(th)));
    }
    expect(worst).toBeLessThan(2.1e-7);
  });
  it("normal quantile: within 1e-6·max(1, |x|) of the exact quantile (PyTorch's ndtri, float64 CDF) for float32 p", () => {
    for (const [p, x] of fx.normalQuantile as [number, number][]) {
      expect(Math.fround(p)).toBe(p);
      expect(Math.abs(normalQuantileF32(p) - x)).toBeLessThan(1e-6 * Math.max(1, Math.abs(x)));
    }
    // dense in log scale: the error in x is |Φ(x̂) - p| / φ(x̂), Φ from the float64 CDF
    let worst = 0;
    for (let e = -37; e < -0.302; e += 0.003) {
      for (const p of [Math.fround(10 ** e), Math.fround(1 - 10 ** e)]) {
        if (!(p > 0 && p < 1)) continue;
        const x = normalQuantileF32(p);
        const dens = Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
        const dp = p < 0.5 ? normalCdf(x) - p : 1 - p - normalCdf(-x);
        worst = Math.max(worst, Math.abs(dp) / dens / Math.max(1, Math.abs(x)));
      }
    }
    expect(worst).toBeLessThan(1e-6);
  });
});

describe("normalCdf (float64)", () => {
  it("matches Python math.erfc to 1e-12 relative (down to the subnormal range)", () => {
    for (const [x, p] of fx.normalCdf as [number, number][]) {
      expect(Math.abs(normalCdf(x) - p)).toBeLessThanOrEqual(1e-12 * p + 1e-318);
    }
  });
});
