// Placeholder GEMM: correct for every shape and transpose, not yet fast.
// C = alpha * op(A) * op(B) + beta * C, row-major; op(A) is M x K, op(B) is K x N.
// lda, ldb, ldc are the row strides (in elements) of A, B and C as stored.
export function gemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc: f32 = 0;
      for (let p = 0; p < K; p++) {
        const av = load<f32>(a + ((transA ? <usize>p * lda + i : <usize>i * lda + p) << 2));
        const bv = load<f32>(b + ((transB ? <usize>j * ldb + p : <usize>p * ldb + j) << 2));
        acc += av * bv;
      }
      const cp = c + ((<usize>i * ldc + j) << 2);
      store<f32>(cp, beta == 0 ? alpha * acc : alpha * acc + beta * load<f32>(cp));
    }
  }
}
