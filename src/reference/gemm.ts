// Pure-JS twin of assembly/gemm.ts: C = alpha * op(A) * op(B) + beta * C,
// float32 row-major, op(A) M x K, op(B) K x N, row strides lda, ldb, ldc.
//
// The fastest plain-JavaScript shape of the loop: i-k-j order, four rows of C
// at a time accumulated in float64 rows (each op(B) row read once serves four
// rows of C, and the inner loop runs with unit stride over op(B) and the
// accumulators). op(A) is read by index arithmetic (four scalars per k);
// op(B) = Bᵀ is first packed into a K x N scratch array so the inner loop
// keeps unit stride — the same packing idea as the WASM kernel. Accumulating
// in float64 and rounding once makes the result at least as accurate as the
// WASM kernels' float32 accumulation. beta == 0 never reads C.

let acc = new Float64Array(0);
let packedB = new Float32Array(0);

/** Copies Bᵀ (B stored N x K with stride ldb) into a dense K x N array, in cache-sized tiles. */
function packTransposedB(b: Float32Array, ldb: number, K: number, N: number): Float32Array {
  if (packedB.length < K * N) packedB = new Float32Array(K * N);
  const dst = packedB;
  const T = 32;
  for (let j0 = 0; j0 < N; j0 += T) {
    const j1 = Math.min(N, j0 + T);
    for (let k0 = 0; k0 < K; k0 += T) {
      const k1 = Math.min(K, k0 + T);
      for (let j = j0; j < j1; j++) {
        const src = j * ldb;
        for (let k = k0; k < k1; k++) dst[k * N + j] = b[src + k];
      }
    }
  }
  return dst;
}

export function gemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number,
): void {
  if (M <= 0 || N <= 0) return;
  let bRows = b;
  let bStride = ldb;
  if (transB && K > 0) {
    bRows = packTransposedB(b, ldb, K, N);
    bStride = N;
  }
  if (acc.length < 4 * N) acc = new Float64Array(4 * N);
  const acc0 = acc.subarray(0, N);
  const acc1 = acc.subarray(N, 2 * N);
  const acc2 = acc.subarray(2 * N, 3 * N);
  const acc3 = acc.subarray(3 * N, 4 * N);
  // op(A)[i][k] = a[i * ia + k * ka]
  const ia = transA ? 1 : lda;
  const ka = transA ? lda : 1;
  for (let i0 = 0; i0 < M; i0 += 4) {
    const rows = Math.min(4, M - i0);
    acc.fill(0, 0, 4 * N);
    if (rows === 4) {
      for (let k = 0; k < K; k++) {
        const ak = i0 * ia + k * ka;
        const a0 = a[ak];
        const a1 = a[ak + ia];
        const a2 = a[ak + 2 * ia];
        const a3 = a[ak + 3 * ia];
        const bk = k * bStride;
        for (let j = 0; j < N; j++) {
          const bv = bRows[bk + j];
          acc0[j] += a0 * bv;
          acc1[j] += a1 * bv;
          acc2[j] += a2 * bv;
          acc3[j] += a3 * bv;
        }
      }
    } else {
      for (let r = 0; r < rows; r++) {
        const row = acc.subarray(r * N, (r + 1) * N);
        for (let k = 0; k < K; k++) {
          const av = a[(i0 + r) * ia + k * ka];
          const bk = k * bStride;
          for (let j = 0; j < N; j++) row[j] += av * bRows[bk + j];
        }
      }
    }
    for (let r = 0; r < rows; r++) {
      const ci = (i0 + r) * ldc;
      const ar = r * N;
      if (beta === 0) {
        for (let j = 0; j < N; j++) c[ci + j] = alpha * acc[ar + j];
      } else {
        for (let j = 0; j < N; j++) c[ci + j] = alpha * acc[ar + j] + beta * c[ci + j];
      }
    }
  }
}
