// matmul against a float64 reference, in every build (the js project runs the
// pure-JS twin). Tolerance, elementwise, for float32 inputs and output:
//   |out − ref| ≤ 4·(K + 2)·eps32·(|α|·Σ_k |op(a)_ik|·|op(b)_kj| + |β|·|out0_ij|) + 1e-30
// with eps32 = 2^-23: four times the classical bound γ_K ≈ K·2^-24 for a
// float32 dot product of length K (blocked and fused accumulation only
// reorders it), plus the roundings of the α and β terms.
import { describe, expect, it } from "vitest";
import { empty, full, matmul, memoryStats, tensor, Tensor, zeros } from "../src/index.js";
import { mulberry32, referenceGemm } from "./helpers/gemm.js";

function randomValues(n: number, next: () => number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = next() * 2 - 1;
  return v;
}

interface Case {
  M: number;
  N: number;
  K: number;
  transposeA: boolean;
  transposeB: boolean;
  alpha: number;
  beta: number;
}

/** float64 α·op(A)·op(B) + β·C0 and the per-element error bound (dense strides). */
function reference(c: Case, A: Float32Array, B: Float32Array, C0: Float32Array | null): [Float64Array, Float64Array] {
  const { M, N, K, transposeA: transA, transposeB: transB, alpha, beta } = c;
  return referenceGemm({ M, N, K, transA, transB, alpha, beta, lda: transA ? M : K, ldb: transB ? K : N, ldc: N }, A, B, C0);
}

/** Runs one case through matmul (with a NaN-filled or random out) and returns the worst error / bound ratio. */
function runCase(c: Case, next: () => number): number {
  const { M, N, K, transposeA, transposeB, alpha, beta } = c;
  const A = randomValues(M * K, next);
  const B = randomValues(K * N, next);
  const a = tensor(A, transposeA ? [K, M] : [M, K]);
  const b = tensor(B, transposeB ? [N, K] : [K, N]);
  // beta = 0 must not read out: fill it with NaN so any read would show.
  const C0 = beta === 0 ? null : randomValues(M * N, next);
  const out = C0 ? tensor(C0, [M, N]) : full([M, N], NaN);
  const ret = matmul(a, b, { transposeA, transposeB, alpha, beta, out });
  expect(ret).toBe(out);
  const [ref, bound] = reference(c, A, B, C0);
  const got = out.data;
  let worst = 0;
  for (let i = 0; i < M * N; i++) {
    const r = Math.abs(got[i] - ref[i]) / bound[i];
    if (!(r <= worst)) worst = r; // NaN propagates as a failure
  }
  a.dispose();
  b.dispose();
  out.dispose();
  return worst;
}

const PRIMES = [2, 3, 5, 7, 11, 13, 17, 31, 37, 61, 67, 97, 127, 131, 251, 257, 263];

function randomDim(next: () => number): number {
  const u = next();
  if (u < 0.1) return 1;
  if (u < 0.45) return PRIMES[Math.floor(next() * PRIMES.length)];
  if (u < 0.55) return [4, 8, 12, 16, 64, 128, 256][Math.floor(next() * 7)];
  return 1 + Math.floor(next() * 150);
}

function randomCases(count: number, seed: number): Case[] {
  const next = mulberry32(seed);
  const alphas = [1, -0.5, 2.5, 0.125];
  const betas = [0, 0, 1, -1.5, 0.5];
  const cases: Case[] = [];
  while (cases.length < count) {
    const M = randomDim(next);
    const N = randomDim(next);
    const K = randomDim(next);
    if (M * N * K > 1.5e6) continue; // keep the float64 reference quick
    cases.push({
      M, N, K,
      transposeA: next() < 0.5,
      transposeB: next() < 0.5,
      alpha: alphas[Math.floor(next() * alphas.length)],
      beta: betas[Math.floor(next() * betas.length)],
    });
  }
  return cases;
}

const describeCase = (c: Case) =>
  `${c.M}x${c.K}${c.transposeA ? "ᵀ" : ""}·${c.K}x${c.N}${c.transposeB ? "ᵀ" : ""} α=${c.alpha} β=${c.beta}`;

describe("matmul: random shapes against a float64 reference", () => {
  it("400 random shapes (1, primes, odd sizes; all transposes; α/β combinations) are within 4·(K+2)·eps32 relative to Σ|a||b|", () => {
    const next = mulberry32(7);
    const failures: string[] = [];
    for (const c of randomCases(400, 1234)) {
      const worst = runCase(c, next);
      if (!(worst <= 1)) failures.push(`${describeCase(c)}: error/bound ${worst}`);
    }
    expect(failures).toEqual([]);
  });

  it("covers all four transpose combinations across the blocking edges (K, M, N near 512, 32, 1024)", () => {
    const next = mulberry32(99);
    // [M, N, K]. Wide C packs A (MC, KC blocks of packed panels); narrow C reads A in place
    // (N <= 64 in the relaxed build, N <= 32 in the simd build: 33–64 take different paths).
    const shapes: [number, number, number][] = [
      [4, 8, 255], [4, 8, 256], [5, 9, 257], [3, 7, 513],
      [127, 3, 2], [128, 5, 3], [129, 6, 17], [257, 2, 3],
      [2, 1023, 3], [2, 1024, 5], [3, 1025, 2], [1, 2049, 3],
      [130, 1030, 260],
      [4, 72, 511], [5, 72, 512], [6, 80, 513], [3, 66, 1025],
      [31, 70, 9], [32, 72, 4], [33, 75, 5], [65, 68, 3],
      [37, 1030, 515],
      [9, 32, 7], [10, 33, 513], [7, 64, 9], [33, 40, 6],
    ];
    const failures: string[] = [];
    for (const [M, N, K] of shapes) {
      for (let t = 0; t < 4; t++) {
        const c: Case = { M, N, K, transposeA: (t & 1) === 1, transposeB: (t & 2) === 2, alpha: 1, beta: t === 3 ? 0.5 : 0 };
        const worst = runCase(c, next);
        if (!(worst <= 1)) failures.push(`${describeCase(c)}: error/bound ${worst}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("handles tall and skinny products and the MLP shapes", () => {
    const next = mulberry32(5);
    const shapes: [number, number, number, boolean, boolean][] = [
      [2000, 3, 5, false, false], [3, 2000, 5, false, true], [1, 1, 3000, true, false], [1500, 1, 1, false, false],
      [1, 700, 1, true, true], [600, 600, 1, false, false], [128, 256, 78, false, false],
      [128, 10, 256, false, false], [78, 256, 128, true, false], [128, 256, 10, false, true],
    ];
    const failures: string[] = [];
    for (const [M, N, K, transposeA, transposeB] of shapes) {
      const c: Case = { M, N, K, transposeA, transposeB, alpha: 1, beta: 0 };
      const worst = runCase(c, next);
      if (!(worst <= 1)) failures.push(`${describeCase(c)}: error/bound ${worst}`);
    }
    expect(failures).toEqual([]);
  });
});

describe("matmul: semantics", () => {
  it("multiplies a small known product exactly", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[7, 8], [9, 10], [11, 12]]);
    const c = matmul(a, b);
    expect(c.shape).toEqual([2, 2]);
    expect(Array.from(c.data)).toEqual([58, 64, 139, 154]);
    const ct = matmul(b, a, { transposeA: true, transposeB: true }); // (a·b)ᵀ
    expect(Array.from(ct.data)).toEqual([58, 139, 64, 154]);
    for (const t of [a, b, c, ct]) t.dispose();
  });

  it("allocates out when not given, ignoring beta (a fresh out counts as zeros)", () => {
    const a = tensor([[1, 2]]);
    const b = tensor([[3], [4]]);
    const c = matmul(a, b, { alpha: 2, beta: 5 });
    expect(Array.from(c.data)).toEqual([22]);
    for (const t of [a, b, c]) t.dispose();
  });

  it("beta = 0 overwrites out without reading it (NaN and Infinity in out disappear)", () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[1, 0], [0, 1]]);
    const out = tensor([NaN, Infinity, -Infinity, NaN], [2, 2]);
    matmul(a, b, { out });
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4]);
    for (const t of [a, b, out]) t.dispose();
  });

  it("accumulates with beta = 1 (gradient accumulation) and scales with alpha", () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6], [7, 8]]);
    const out = tensor([[1, 1], [1, 1]]);
    matmul(a, b, { out, beta: 1 });
    expect(Array.from(out.data)).toEqual([20, 23, 44, 51]);
    matmul(a, b, { out, alpha: -1, beta: 1 });
    expect(Array.from(out.data)).toEqual([1, 1, 1, 1]);
    matmul(a, b, { out, alpha: 0, beta: 3 });
    expect(Array.from(out.data)).toEqual([3, 3, 3, 3]);
    for (const t of [a, b, out]) t.dispose();
  });

  it("an empty inner dimension gives beta·out (zeros for a fresh out)", () => {
    const a = zeros([3, 0]);
    const b = zeros([0, 2]);
    const c = matmul(a, b);
    expect(Array.from(c.data)).toEqual([0, 0, 0, 0, 0, 0]);
    const out = full([3, 2], 4);
    matmul(a, b, { out, beta: 0.5 });
    expect(Array.from(out.data)).toEqual([2, 2, 2, 2, 2, 2]);
    const nanOut = full([3, 2], NaN);
    matmul(a, b, { out: nanOut });
    expect(Array.from(nanOut.data)).toEqual([0, 0, 0, 0, 0, 0]);
    const e = matmul(zeros([0, 4]), zeros([4, 5]));
    expect(e.shape).toEqual([0, 5]);
    for (const t of [a, b, c, out, nanOut, e]) t.dispose();
  });

  it("allocates nothing when out is given, and exactly one tensor when not", () => {
    const next = mulberry32(3);
    const a = tensor(randomValues(64 * 96, next), [64, 96]);
    const b = tensor(randomValues(96 * 33, next), [96, 33]);
    const out = empty([64, 33]);
    const before = memoryStats();
    for (let i = 0; i < 50; i++) matmul(a, b, { out, beta: i === 0 ? 0 : 1 });
    expect(memoryStats().allocatedBytes).toBe(before.allocatedBytes);
    const c = matmul(a, b);
    expect(memoryStats().liveTensors).toBe(before.liveTensors + 1);
    c.dispose();
    expect(memoryStats()).toMatchObject({ allocatedBytes: before.allocatedBytes, liveTensors: before.liveTensors });
    for (const t of [a, b, out]) t.dispose();
  });
});

describe("matmul: bad input throws before writing anything", () => {
  const a = () => tensor([[1, 2, 3], [4, 5, 6]]); // 2 x 3
  const b = () => tensor([[1, 2], [3, 4], [5, 6]]); // 3 x 2

  it("rejects mismatched inner dimensions, naming both shapes", () => {
    const x = a();
    const y = zeros([4, 5]);
    expect(() => matmul(x, y)).toThrow(RangeError);
    expect(() => matmul(x, y)).toThrow(/inner dimensions differ: op\(a\) is 2x3 \(a \[2, 3\]\), op\(b\) is 4x5 \(b \[4, 5\]\)/);
    expect(() => matmul(x, y, { transposeA: true, transposeB: true })).toThrow(
      /op\(a\) is 3x2 \(a \[2, 3\] transposed\), op\(b\) is 5x4 \(b \[4, 5\] transposed\)/,
    );
    const x2 = a();
    const ok = matmul(x, x2, { transposeB: true });
    expect(ok.shape).toEqual([2, 2]);
    for (const t of [x, x2, y, ok]) t.dispose();
  });

  it("rejects tensors that are not 2-D", () => {
    const v = tensor([1, 2, 3]);
    const m = b();
    const t3 = zeros([2, 3, 1]);
    expect(() => matmul(v, m)).toThrow(/a must be 2-D, got shape \[3\]/);
    expect(() => matmul(m, t3)).toThrow(/b must be 2-D, got shape \[2, 3, 1\]/);
    for (const t of [v, m, t3]) t.dispose();
  });

  it("rejects disposed tensors, naming the argument", () => {
    const x = a();
    const y = b();
    const out = zeros([2, 2]);
    const dead = a();
    dead.dispose();
    expect(() => matmul(dead, y)).toThrow(/matmul \(a\): Tensor\[2, 3\] has been disposed/);
    expect(() => matmul(x, dead, { transposeB: true })).toThrow(/matmul \(b\).*disposed/);
    const deadOut = zeros([2, 2]);
    deadOut.dispose();
    expect(() => matmul(x, y, { out: deadOut })).toThrow(/matmul \(out\).*disposed/);
    for (const t of [x, y, out]) t.dispose();
  });

  it("rejects NaN, infinite and non-number alpha / beta, and non-boolean transpose flags", () => {
    const x = a();
    const y = b();
    const out = full([2, 2], 7);
    expect(() => matmul(x, y, { alpha: NaN, out })).toThrow(/alpha must be finite, got NaN/);
    expect(() => matmul(x, y, { beta: Infinity, out })).toThrow(RangeError);
    expect(() => matmul(x, y, { alpha: "2" as unknown as number, out })).toThrow(TypeError);
    expect(() => matmul(x, y, { transposeA: 1 as unknown as boolean, out })).toThrow(/transposeA must be a boolean/);
    expect(() => matmul(x, [[1]] as unknown as Tensor)).toThrow(/b must be a Tensor/);
    expect(Array.from(out.data)).toEqual([7, 7, 7, 7]);
    for (const t of [x, y, out]) t.dispose();
  });

  it("rejects out with the wrong shape", () => {
    const x = a();
    const y = b();
    const out = full([2, 3], 7);
    expect(() => matmul(x, y, { out })).toThrow(/out must have shape \[2, 2\], got \[2, 3\]/);
    expect(Array.from(out.data)).toEqual([7, 7, 7, 7, 7, 7]);
    for (const t of [x, y, out]) t.dispose();
  });

  it("rejects out that is a or b (no in-place product), leaving it unchanged", () => {
    const sq = tensor([[1, 2], [3, 4]]);
    const other = tensor([[1, 0], [0, 1]]);
    expect(() => matmul(sq, other, { out: sq })).toThrow(/out must not be the same tensor as a/);
    expect(() => matmul(other, sq, { out: sq, beta: 1 })).toThrow(/out must not be the same tensor as b/);
    expect(Array.from(sq.data)).toEqual([1, 2, 3, 4]);
    for (const t of [sq, other]) t.dispose();
  });
});
