// Pure-JS twin of assembly/gemm.ts. Placeholder: a plain loop, correct for every
// shape and transpose. Arrays are row-major with row strides lda, ldb, ldc.
export function gemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let p = 0; p < K; p++) {
        acc = Math.fround(acc + Math.fround((transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j])));
      }
      const ci = i * ldc + j;
      c[ci] = beta === 0 ? alpha * acc : alpha * acc + beta * c[ci];
    }
  }
}
