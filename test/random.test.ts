// Random numbers: the Generator API, bit-identical streams in every build
// (each test runs in the simd, relaxed-simd and js projects, and compares the
// kernels with the pure-JS twin), the documented stream layout (checked with
// an independent BigInt Philox), split invariance, a regression guard, and
// statistical tests.
//
// Statistical tests run at fixed seeds, so they are deterministic; each
// threshold is the critical value at significance 1e-4, i.e. a correct
// generator fails a given check for about one seed in 10 000.
import { describe, expect, it } from "vitest";
import { Generator, bernoulli, empty, initialSeed, manualSeed, memoryStats, rand, randn, seed, tensor, type Tensor } from "../src/index.js";
import { defaultGenerator, fillNormal, fillTruncNormal, fillUniform, normalCdf, randperm } from "../src/random.js";
import {
  philoxBernoulliJs, philoxNormalJs, philoxTruncNormalJs, philoxUniformJs,
} from "../src/reference/rng.js";
import { philoxBigInt } from "./helpers/philox_bigint.js";

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const key = (g: Generator) => g.key;

// critical values at significance 1e-4
const Z = 3.891; // two-sided normal
const KS = Math.sqrt(-0.5 * Math.log(1e-4 / 2)); // Kolmogorov: P(√n·D > KS) ≈ 1e-4
/** Wilson–Hilferty upper 1e-4 quantile of χ² with k degrees of freedom. */
const chi2Crit = (k: number) => k * (1 - 2 / (9 * k) + 3.719 * Math.sqrt(2 / (9 * k))) ** 3;

function ksStatistic(values: Float32Array, cdf: (x: number) => number): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(s[i]);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return d * Math.sqrt(n);
}

/** χ² over `bins` equiprobable bins of the given CDF. */
function chiSquare(values: Float32Array, cdf: (x: number) => number, bins: number): number {
  const counts = new Float64Array(bins);
  for (const v of values) counts[Math.min(bins - 1, Math.floor(cdf(v) * bins))]++;
  const e = values.length / bins;
  let c = 0;
  for (const k of counts) c += (k - e) ** 2 / e;
  return c;
}

function lag1(values: Float32Array): number {
  const n = values.length;
  let m = 0;
  for (const v of values) m += v;
  m /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    den += (values[i] - m) ** 2;
    if (i + 1 < n) num += (values[i] - m) * (values[i + 1] - m);
  }
  return num / den;
}

function meanVar(values: Float32Array): [number, number] {
  let m = 0;
  for (const v of values) m += v;
  m /= values.length;
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return [m, s / (values.length - 1)];
}

describe("Generator", () => {
  it("defaults to PyTorch's default seed 67280421310721, offset 0", () => {
    const g = new Generator();
    expect(g.initialSeed()).toBe(67280421310721);
    expect(g.getState()).toEqual({ seed: "67280421310721", offset: 0 });
  });
  it("manualSeed rewinds, returns the generator, and accepts numbers and bigints below 2^64", () => {
    const g = new Generator(5);
    const a = rand([37], { generator: g });
    expect(g.offset).toBe(37);
    expect(g.manualSeed(5)).toBe(g);
    expect(g.offset).toBe(0);
    const b = rand([37], { generator: g });
    expect(bits(b.data)).toEqual(bits(a.data));
    g.manualSeed(2n ** 64n - 1n);
    expect(g.initialSeed()).toBe(2n ** 64n - 1n);
    expect(g.key).toEqual([0xffffffff, 0xffffffff]);
    g.manualSeed(Number.MAX_SAFE_INTEGER);
    expect(g.initialSeed()).toBe(Number.MAX_SAFE_INTEGER);
    expect(new Generator(7n).getState()).toEqual(new Generator(7).getState());
    a.dispose();
    b.dispose();
  });
  it.each([
    [-1, RangeError, /non-negative integer/],
    [1.5, RangeError, /non-negative integer/],
    [NaN, RangeError, /got NaN/],
    [2 ** 60, RangeError, /pass a bigint/],
    [-1n, RangeError, /\[0, 2\^64\)/],
    [2n ** 64n, RangeError, /\[0, 2\^64\)/],
    ["42", TypeError, /number or bigint, got "42"/],
  ])("rejects seed %s", (bad, type, message) => {
    const g = new Generator(3);
    rand([5], { generator: g }).dispose();
    expect(() => g.manualSeed(bad as never)).toThrow(type);
    expect(() => g.manualSeed(bad as never)).toThrow(message);
    expect(() => new Generator(bad as never)).toThrow(message);
    expect(g.getState()).toEqual({ seed: "3", offset: 5 }); // unchanged
  });
  it("getState is plain JSON data; setState continues the stream exactly (also across a JSON round trip)", () => {
    const g = new Generator(2n ** 63n + 12345n);
    rand([100], { generator: g }).dispose();
    const state = JSON.parse(JSON.stringify(g.getState()));
    expect(state).toEqual({ seed: (2n ** 63n + 12345n).toString(), offset: 100 });
    const next = randn([50], { generator: g });
    const h = new Generator().setState(state);
    const again = randn([50], { generator: h });
    expect(bits(again.data)).toEqual(bits(next.data));
    next.dispose();
    again.dispose();
  });
  it("setState rejects malformed states and changes nothing", () => {
    const g = new Generator(9);
    for (const bad of [null, 5, { seed: "x", offset: 0 }, { seed: "1", offset: -1 }, { seed: "1", offset: 1.5 }, { seed: "-3", offset: 0 }, { seed: 1 }]) {
      expect(() => g.setState(bad as never)).toThrow(/Generator.setState/);
    }
    expect(g.getState()).toEqual({ seed: "9", offset: 0 });
  });
  it("manualSeed / seed / initialSeed act on the default generator", () => {
    expect(manualSeed(123)).toBe(defaultGenerator);
    expect(initialSeed()).toBe(123);
    const a = rand([10]);
    manualSeed(123);
    const b = rand([10]);
    expect(bits(a.data)).toEqual(bits(b.data));
    const s = seed();
    expect(Number.isSafeInteger(s) && s >= 0).toBe(true);
    expect(initialSeed()).toBe(s);
    a.dispose();
    b.dispose();
  });
  it("rand/randn reject bad shapes and generators without allocating", () => {
    const before = memoryStats();
    expect(() => rand([2, -1])).toThrow(RangeError);
    expect(() => randn("3" as never)).toThrow(TypeError);
    expect(() => rand([3], { generator: 5 as never })).toThrow(/generator must be a Generator/);
    expect(memoryStats().allocatedBytes).toBe(before.allocatedBytes);
  });
});

describe("regression guard: documented first values for seed 42", () => {
  // Computed once by this implementation; the layout is cross-checked against
  // an independent Philox below, so a change here is a change of stream.
  it("rand([8]) and then randn([8]) after manualSeed(42)", () => {
    manualSeed(42);
    const u = rand([8]);
    const z = randn([8]);
    expect(Array.from(u.data)).toEqual([
      0.6129598617553711, 0.010058820247650146, 0.39841365814208984, 0.040308356285095215,
      0.4685865044593811, 0.12624984979629517, 0.5202383995056152, 0.445625901222229,
    ]);
    expect(Array.from(z.data)).toEqual([
      -1.2356206178665161, -0.4082709550857544, -0.46948233246803284, -0.6570045351982117,
      1.923926830291748, -1.6597529649734497, -1.2275587320327759, -0.4657706916332245,
    ]);
    u.dispose();
    z.dispose();
  });
});

describe("stream layout (documented in assembly/rng.ts), checked with an independent Philox", () => {
  it("position p is word (p mod 16) >> 2 of Philox(counter = (p div 16, lane = p mod 4, 0), key = seed): U = (word >>> 8)·2^-24", () => {
    const seedValue = 0x0123456789abcdefn;
    const g = new Generator(seedValue);
    const start = 2 ** 36 + 13; // exercises the high counter word and an unaligned start
    g.setState({ seed: seedValue.toString(), offset: start });
    const u = rand([300], { generator: g });
    const k = [Number(seedValue & 0xffffffffn), Number(seedValue >> 32n)];
    for (let i = 0; i < 300; i++) {
      const p = start + i;
      const grp = Math.floor(p / 16);
      const words = philoxBigInt([grp % 2 ** 32, Math.floor(grp / 2 ** 32), p % 4, 0], k);
      expect(u.data[i]).toBe((words[(p % 16) >> 2] >>> 8) * 2 ** -24);
    }
    u.dispose();
  });
  it("uniform values lie on the 2^-24 grid in [0, 1 - 2^-24]: 1.0 never occurs", () => {
    const u = rand([1 << 20], { generator: new Generator(77) });
    let max = 0;
    let offGrid = 0;
    for (const v of u.data) {
      if (!Number.isInteger(v * 2 ** 24)) offGrid++;
      max = Math.max(max, v);
    }
    expect(offGrid).toBe(0);
    expect(max).toBeLessThan(1);
    expect(max).toBeLessThanOrEqual(1 - 2 ** -24);
    u.dispose();
  });
});

type Fill = (t: Tensor, g: Generator) => void;
type Twin = (out: Float32Array, k0: number, k1: number, pos: number) => void;
const kinds: [string, Fill, Twin][] = [
  ["uniform [-1.5, 3)", (t, g) => fillUniform(t, -1.5, 3, { generator: g }), (o, a, b, p) => philoxUniformJs(o, a, b, p, 4.5, -1.5)],
  ["normal (0.25, 2)", (t, g) => fillNormal(t, 0.25, 2, { generator: g }), (o, a, b, p) => philoxNormalJs(o, a, b, p, 0.25, 2)],
  ["standard normal (0, 1)", (t, g) => fillNormal(t, 0, 1, { generator: g }), (o, a, b, p) => philoxNormalJs(o, a, b, p, 0, 1)],
  [
    "truncNormal [-2, 2]",
    (t, g) => fillTruncNormal(t, 0, 1, -2, 2, { generator: g }),
    (o, a, b, p) => philoxTruncNormalJs(o, a, b, p, normalCdf(-2), normalCdf(2) - normalCdf(-2), 1, 0, 1, -2, 2),
  ],
  [
    "truncNormal [3, 5] (reflected)",
    (t, g) => fillTruncNormal(t, 0, 1, 3, 5, { generator: g }),
    (o, a, b, p) => philoxTruncNormalJs(o, a, b, p, normalCdf(-5), normalCdf(-3) - normalCdf(-5), -1, 0, 1, 3, 5),
  ],
  ["bernoulli p=0.3 scale 2.5", (t, g) => bernoulli(t, 0.3, { generator: g, scale: 2.5 }), (o, a, b, p) => philoxBernoulliJs(o, a, b, p, 0.3, 2.5)],
];

describe.each(kinds)("%s", (_name, fill, twin) => {
  it("is bit-identical to the pure-JS twin (odd sizes, unaligned offsets)", () => {
    for (const [offset, n] of [[0, 1], [0, 16], [3, 13], [7, 1000], [16, 33], [2 ** 33 + 5, 77], [0, 4099]]) {
      const g = new Generator(0xdeadbeefcafen);
      g.setState({ seed: g.getState().seed, offset });
      const t = empty([n]);
      fill(t, g);
      expect(g.offset).toBe(offset + n);
      const ref = new Float32Array(n);
      const [k0, k1] = key(g);
      twin(ref, k0, k1, offset);
      expect(bits(t.data)).toEqual(bits(ref));
      t.dispose();
    }
  });
  it("is split-invariant: 1000 then 9000 values equal 10000 from the same offset (and any other split)", () => {
    const whole = empty([10000]);
    fill(whole, new Generator(31));
    for (const split of [[1000, 9000], [1, 15, 17, 9967], [4096, 5904]]) {
      const g = new Generator(31);
      const parts: number[] = [];
      for (const n of split) {
        const t = empty([n]);
        fill(t, g);
        parts.push(...bits(t.data));
        t.dispose();
      }
      expect(parts).toEqual(bits(whole.data));
    }
    whole.dispose();
  });
});

describe("statistics at fixed seeds (each check: false-alarm rate 1e-4)", () => {
  const n = 1_000_000;
  it("uniform: moments, KS, χ² on 100 bins, lag-1 correlation", () => {
    const u = rand([n], { generator: new Generator(1001) }).data;
    const [m, v] = meanVar(u);
    expect(Math.abs(m - 0.5)).toBeLessThan((Z * Math.sqrt(1 / 12)) / Math.sqrt(n));
    expect(Math.abs(v - 1 / 12)).toBeLessThan((Z * (1 / 12) * Math.sqrt(0.8)) / Math.sqrt(n)); // kurtosis 1.8
    expect(ksStatistic(u, (x) => x)).toBeLessThan(KS);
    expect(chiSquare(u, (x) => x, 100)).toBeLessThan(chi2Crit(99));
    expect(Math.abs(lag1(u))).toBeLessThan(Z / Math.sqrt(n));
  });
  it("normal: moments, KS against Φ, χ² on 100 equiprobable bins, lag-1 and lag-4 correlation", () => {
    const z = randn([n], { generator: new Generator(1002) }).data;
    const [m, v] = meanVar(z);
    expect(Math.abs(m)).toBeLessThan(Z / Math.sqrt(n));
    expect(Math.abs(v - 1)).toBeLessThan((Z * Math.sqrt(2)) / Math.sqrt(n));
    let skew = 0;
    let kurt = 0;
    for (const x of z) {
      skew += x ** 3;
      kurt += x ** 4;
    }
    expect(Math.abs(skew / n)).toBeLessThan((Z * Math.sqrt(15)) / Math.sqrt(n));
    expect(Math.abs(kurt / n - 3)).toBeLessThan((Z * Math.sqrt(96)) / Math.sqrt(n));
    expect(ksStatistic(z, normalCdf)).toBeLessThan(KS);
    expect(chiSquare(z, normalCdf, 100)).toBeLessThan(chi2Crit(99));
    expect(Math.abs(lag1(z))).toBeLessThan(Z / Math.sqrt(n));
    // lag 4: the partner of a Box–Muller pair's cos value in the same group
    let c = 0;
    for (let i = 0; i + 4 < n; i++) c += z[i] * z[i + 4];
    expect(Math.abs(c / (n - 4))).toBeLessThan(Z / Math.sqrt(n));
  });
  it("normal tails: counts beyond 3σ, 4σ and 5σ match 2·Φ(-k) (1e7 draws)", () => {
    const t = randn([10_000_000], { generator: new Generator(1003) });
    for (const k of [3, 4, 5]) {
      let c = 0;
      for (const x of t.data) if (Math.abs(x) > k) c++;
      const e = 1e7 * 2 * normalCdf(-k);
      expect(Math.abs(c - e)).toBeLessThan(Z * Math.sqrt(e) + 1);
    }
    t.dispose();
  });
  const truncCases: [number, number, number, number][] = [
    [0, 1, -2, 2],
    [1, 2, -1, 8],
    [0, 1, 3, 5],
    [0, 1, -Infinity, -4],
    [0, 1, 6, 6.5],
    [0, 1, -30, -29.5],
    [2, 0.5, 9, 12],
    [0, 1, -0.1, 0.2],
  ];
  it.each(truncCases)("truncNormal mean %d std %d on [%d, %d]: KS against the exact truncated CDF, within bounds", (mean, std, a, b) => {
    const t = empty([200_000]);
    fillTruncNormal(t, mean, std, a, b, { generator: new Generator(1004) });
    const alpha = (a - mean) / std;
    const beta = (b - mean) / std;
    // upper-tail intervals: compute the CDF from the upper side for precision
    const upper = alpha + beta > 0;
    const cdf = (x: number) => {
      const s = (x - mean) / std;
      if (!upper) return (normalCdf(s) - normalCdf(alpha)) / (normalCdf(beta) - normalCdf(alpha));
      return (normalCdf(-alpha) - normalCdf(-s)) / (normalCdf(-alpha) - normalCdf(-beta));
    };
    let min = Infinity;
    let max = -Infinity;
    for (const x of t.data) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(min).toBeGreaterThanOrEqual(Math.fround(a));
    expect(max).toBeLessThanOrEqual(Math.fround(b));
    expect(ksStatistic(t.data, cdf)).toBeLessThan(KS);
    t.dispose();
  });
  it("truncNormal degenerate cases: std 0 or a = b give the (clamped) mean", () => {
    const t = empty([5]);
    fillTruncNormal(t, 3, 0, -1, 1);
    expect(Array.from(t.data)).toEqual([1, 1, 1, 1, 1]);
    fillTruncNormal(t, 0, 1, 0.5, 0.5);
    expect(Array.from(t.data)).toEqual(new Array(5).fill(0.5));
    t.dispose();
  });
  it("bernoulli: frequency of p, values exactly {0, scale}", () => {
    for (const [p, scale] of [[0.3, 1], [0.9, 1 / 0.1], [0, 1], [1, 1]]) {
      const t = bernoulli(empty([n]), p, { generator: new Generator(1005), scale });
      let ones = 0;
      let zeros = 0;
      for (const x of t.data) {
        if (x === Math.fround(scale)) ones++;
        else if (x === 0) zeros++;
      }
      expect(ones + zeros).toBe(n);
      expect(Math.abs(ones - n * p)).toBeLessThanOrEqual(Z * Math.sqrt(n * p * (1 - p)));
      t.dispose();
    }
  });
  it("bernoulli rejects p outside [0, 1] and a disposed tensor, leaving tensor and generator unchanged", () => {
    const t = tensor([1, 2, 3]);
    const g = new Generator(4);
    expect(() => bernoulli(t, 1.5, { generator: g })).toThrow(/p must be in \[0, 1\], got 1.5/);
    expect(() => bernoulli(t, NaN, { generator: g })).toThrow(/got NaN/);
    expect(() => bernoulli(t, 0.5, { generator: g, scale: Infinity })).toThrow(/scale must be a finite number/);
    expect(Array.from(t.data)).toEqual([1, 2, 3]);
    expect(g.offset).toBe(0);
    t.dispose();
    expect(() => bernoulli(t, 0.5)).toThrow(/disposed/);
  });
  it("randperm is a permutation, uniform over positions (χ² of where 0 lands)", () => {
    const g = new Generator(6);
    const counts = new Float64Array(10);
    for (let r = 0; r < 20000; r++) {
      const p = randperm(10, { generator: g });
      expect(Array.from(p).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      counts[p.indexOf(0)]++;
    }
    let c = 0;
    for (const k of counts) c += (k - 2000) ** 2 / 2000;
    expect(c).toBeLessThan(chi2Crit(9));
  });
});
