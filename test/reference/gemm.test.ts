// The pure-JS twin (src/reference/gemm.ts) and, in the WebAssembly builds, the
// raw `gemm` export, called directly with padded row strides (lda, ldb, ldc
// larger than the rows they hold — the facade always passes dense strides),
// against a float64 reference. Tolerance as in test/matmul.test.ts:
//   |c − ref| ≤ 4·(K + 2)·eps32·(|α|·Σ_k |op(A)_ik|·|op(B)_kj| + |β|·|c0_ij|) + 1e-30.
// Padding elements of C must be left untouched, padding of A and B ignored.
import { describe, expect, it } from "vitest";
import { gemm as gemmJs } from "../../src/reference/gemm.js";
import { wasmOrNull } from "../../src/runtime/runtime.js";
import { empty } from "../../src/index.js";
import { mulberry32, referenceGemm, type GemmCase } from "../helpers/gemm.js";

function makeCases(count: number, seed: number): GemmCase[] {
  const next = mulberry32(seed);
  const dim = () => (next() < 0.15 ? 1 : 1 + Math.floor(next() * 90));
  const cases: GemmCase[] = [];
  for (let n = 0; n < count; n++) {
    const M = dim();
    const N = dim();
    const K = dim();
    const transA = next() < 0.5;
    const transB = next() < 0.5;
    const pad = () => Math.floor(next() * 5);
    cases.push({
      M, N, K, transA, transB,
      alpha: [1, -2, 0.75][Math.floor(next() * 3)],
      beta: [0, 1, -0.5][Math.floor(next() * 3)],
      lda: (transA ? M : K) + pad(),
      ldb: (transB ? K : N) + pad(),
      ldc: N + pad(),
    });
  }
  return cases;
}

/** Fills A, B, C for a strided case: padding of A and B holds NaN (must be ignored), C's padding a sentinel. */
function inputs(c: GemmCase, next: () => number): { A: Float32Array; B: Float32Array; C: Float32Array } {
  const aRows = c.transA ? c.K : c.M;
  const aCols = c.transA ? c.M : c.K;
  const bRows = c.transB ? c.N : c.K;
  const bCols = c.transB ? c.K : c.N;
  const A = new Float32Array(aRows * c.lda).fill(NaN);
  const B = new Float32Array(bRows * c.ldb).fill(NaN);
  const C = new Float32Array(c.M * c.ldc).fill(12345);
  for (let r = 0; r < aRows; r++) for (let k = 0; k < aCols; k++) A[r * c.lda + k] = next() * 2 - 1;
  for (let r = 0; r < bRows; r++) for (let k = 0; k < bCols; k++) B[r * c.ldb + k] = next() * 2 - 1;
  for (let i = 0; i < c.M; i++) for (let j = 0; j < c.N; j++) C[i * c.ldc + j] = c.beta === 0 ? NaN : next() * 2 - 1;
  return { A, B, C };
}

/** Worst |C − ref| / (scale·bound) over C's elements; Infinity if C's padding changed. */
function worstRatio(c: GemmCase, C: Float32Array, ref: Float64Array | Float32Array, bound: Float64Array, scale = 1): number {
  let worst = 0;
  for (let i = 0; i < c.M; i++) {
    for (let j = 0; j < c.ldc; j++) {
      const at = i * c.ldc + j;
      if (j >= c.N) {
        if (C[at] !== 12345) return Infinity;
        continue;
      }
      const r = Math.abs(C[at] - ref[at]) / (scale * bound[at]);
      if (!(r <= worst)) worst = r;
    }
  }
  return worst;
}

const label = (c: GemmCase) =>
  `${c.M}x${c.K}${c.transA ? "ᵀ" : ""}·${c.K}x${c.N}${c.transB ? "ᵀ" : ""} lda=${c.lda} ldb=${c.ldb} ldc=${c.ldc} α=${c.alpha} β=${c.beta}`;

describe("reference gemm (pure-JS twin)", () => {
  it("200 random strided cases match the float64 reference and leave C's padding alone", () => {
    const next = mulberry32(11);
    const failures: string[] = [];
    for (const c of makeCases(200, 42)) {
      const { A, B, C } = inputs(c, next);
      const C0 = C.slice();
      gemmJs(c.transA, c.transB, c.M, c.N, c.K, c.alpha, A, c.lda, B, c.ldb, c.beta, C, c.ldc);
      const [ref, bound] = referenceGemm(c, A, B, C0);
      const worst = worstRatio(c, C, ref, bound);
      if (!(worst <= 1)) failures.push(`${label(c)}: ${worst}`);
    }
    expect(failures).toEqual([]);
  });
});

describe("wasm gemm export (WebAssembly builds)", () => {
  it("200 random strided cases match the float64 reference and the twin", () => {
    const wasm = wasmOrNull();
    if (!wasm) return; // the js project has no WebAssembly export; the twin is tested above
    const next = mulberry32(12);
    const failures: string[] = [];
    for (const c of makeCases(200, 43)) {
      const { A, B, C } = inputs(c, next);
      const C0 = C.slice();
      const ta = empty([A.length]);
      const tb = empty([B.length]);
      const tc = empty([C.length]);
      ta.data.set(A);
      tb.data.set(B);
      tc.data.set(C);
      wasm.gemm(+c.transA, +c.transB, c.M, c.N, c.K, c.alpha, ta.ptr, c.lda, tb.ptr, c.ldb, c.beta, tc.ptr, c.ldc);
      const got = tc.toArray();
      const [ref, bound] = referenceGemm(c, A, B, C0);
      const worst = worstRatio(c, got, ref, bound);
      const twin = C0.slice();
      gemmJs(c.transA, c.transB, c.M, c.N, c.K, c.alpha, A, c.lda, B, c.ldb, c.beta, twin, c.ldc);
      // Both within the bound of the float64 reference, so within twice it of each other.
      const twinWorst = worstRatio(c, got, twin, bound, 2);
      if (!(worst <= 1)) failures.push(`${label(c)}: error/bound ${worst}`);
      if (!(twinWorst <= 1)) failures.push(`${label(c)}: wasm − twin / (2·bound) ${twinWorst}`);
      for (const t of [ta, tb, tc]) t.dispose();
    }
    expect(failures).toEqual([]);
  });
});
