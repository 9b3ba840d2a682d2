// Shared by the GEMM tests (test/matmul.test.ts, test/reference/gemm.test.ts):
// a seeded generator and the float64 reference with its error bound.

/** Unit roundoff of float32 doubled (2^-23), the scale of the error bound. */
export const EPS32 = 2 ** -23;

/** mulberry32: a small seeded generator so every run tests the same shapes. */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GemmCase {
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  alpha: number;
  beta: number;
  /** Row strides (elements) of A, B and C as stored. */
  lda: number;
  ldb: number;
  ldc: number;
}

/**
 * float64 α·op(A)·op(B) + β·C0 and the per-element error bound
 *   4·(K + 2)·eps32·(|α|·Σ_k |op(A)_ik|·|op(B)_kj| + |β·c0_ij|) + 1e-30,
 * both laid out like C (stride ldc). C0 null (or β = 0) reads no C.
 */
export function referenceGemm(c: GemmCase, A: Float32Array, B: Float32Array, C0: Float32Array | null): [Float64Array, Float64Array] {
  const ref = new Float64Array(c.M * c.ldc);
  const bound = new Float64Array(c.M * c.ldc);
  for (let i = 0; i < c.M; i++) {
    for (let j = 0; j < c.N; j++) {
      let s = 0;
      let abs = 0;
      for (let k = 0; k < c.K; k++) {
        const x = (c.transA ? A[k * c.lda + i] : A[i * c.lda + k]) * (c.transB ? B[j * c.ldb + k] : B[k * c.ldb + j]);
        s += x;
        abs += Math.abs(x);
      }
      const c0 = C0 && c.beta !== 0 ? C0[i * c.ldc + j] : 0;
      ref[i * c.ldc + j] = c.alpha * s + c.beta * c0;
      bound[i * c.ldc + j] = 4 * (c.K + 2) * EPS32 * (Math.abs(c.alpha) * abs + Math.abs(c.beta * c0)) + 1e-30;
    }
  }
  return [ref, bound];
}
