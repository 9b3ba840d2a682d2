// Pure-JS twin of assembly/gemm.ts: C = alpha * op(A) * op(B) + beta * C,
// float32 row-major, op(A) M x K, op(B) K x N, row strides lda, ldb, ldc.
//
// The same structure as the WASM kernel, in plain JavaScript: the inner
// dimension is cut in KC blocks; each block of op(B) is packed into 4-column
// panels and each 4-row panel of op(A) is packed next to it (packing absorbs
// the transposes), then a 4 x 4 tile of C is accumulated in 16 local doubles
// — the JIT keeps them in registers, so each k step does 8 loads for 16
// multiply-adds, where an i-k-j loop over rows of C does 9 loads and stores
// for 4. Within a block the sums are float64 (JavaScript numbers), rounded
// to float32 once per block when written to C. beta == 0 never reads C.

const MR = 4;
const NR = 4;
const KC = 256;

// Packing scratch, grown to the largest problem seen and then reused.
let packedA = new Float32Array(MR * KC);
let packedB = new Float32Array(0);
const edgeTile = new Float64Array(MR * NR);

/** Packs op(B)[p0 .. p0+kc) x [0, N) into NR-column panels (kc x NR each, zero-padded). */
function packB(transB: boolean, b: Float32Array, ldb: number, p0: number, kc: number, N: number, dst: Float32Array): void {
  let d = 0;
  for (let j0 = 0; j0 < N; j0 += NR) {
    const nr = Math.min(NR, N - j0);
    if (!transB) {
      for (let k = 0; k < kc; k++) {
        const src = (p0 + k) * ldb + j0;
        for (let c = 0; c < NR; c++) dst[d + c] = c < nr ? b[src + c] : 0;
        d += NR;
      }
    } else {
      for (let c = 0; c < NR; c++) {
        if (c < nr) {
          const src = (j0 + c) * ldb + p0;
          for (let k = 0; k < kc; k++) dst[d + k * NR + c] = b[src + k];
        } else {
          for (let k = 0; k < kc; k++) dst[d + k * NR + c] = 0;
        }
      }
      d += kc * NR;
    }
  }
}

/** Packs op(A)[i0 .. i0+MR) x [p0, p0+kc) into one MR-row panel (kc x MR, zero-padded). */
function packA(transA: boolean, a: Float32Array, lda: number, i0: number, mr: number, p0: number, kc: number, dst: Float32Array): void {
  if (transA) {
    for (let k = 0; k < kc; k++) {
      const src = (p0 + k) * lda + i0;
      for (let r = 0; r < MR; r++) dst[k * MR + r] = r < mr ? a[src + r] : 0;
    }
  } else {
    for (let r = 0; r < MR; r++) {
      if (r < mr) {
        const src = (i0 + r) * lda + p0;
        for (let k = 0; k < kc; k++) dst[k * MR + r] = a[src + k];
      } else {
        for (let k = 0; k < kc; k++) dst[k * MR + r] = 0;
      }
    }
  }
}

/** Writes an mr x nr corner of a 4 x 4 tile: C = alpha * tile + beta * C. */
function storeEdge(tile: Float64Array, c: Float32Array, at: number, ldc: number, mr: number, nr: number, alpha: number, beta: number): void {
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      const p = at + r * ldc + j;
      c[p] = beta === 0 ? alpha * tile[r * NR + j] : alpha * tile[r * NR + j] + beta * c[p];
    }
  }
}

export function gemm(
  transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) c[i * ldc + j] = beta === 0 ? 0 : beta * c[i * ldc + j];
    return;
  }
  const nPanels = Math.ceil(N / NR);
  if (packedB.length < nPanels * NR * Math.min(K, KC)) packedB = new Float32Array(nPanels * NR * Math.min(K, KC));
  const pa = packedA;
  const pb = packedB;
  for (let p0 = 0; p0 < K; p0 += KC) {
    const kc = Math.min(KC, K - p0);
    // The first block applies beta; later blocks accumulate into C.
    const bet = p0 === 0 ? beta : 1;
    packB(transB, b, ldb, p0, kc, N, pb);
    for (let i0 = 0; i0 < M; i0 += MR) {
      const mr = Math.min(MR, M - i0);
      packA(transA, a, lda, i0, mr, p0, kc, pa);
      for (let j0 = 0; j0 < N; j0 += NR) {
        const nr = Math.min(NR, N - j0);
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        let bp = (j0 / NR) * kc * NR;
        const end = kc * MR;
        for (let ap = 0; ap < end; ap += MR, bp += NR) {
          const b0 = pb[bp], b1 = pb[bp + 1], b2 = pb[bp + 2], b3 = pb[bp + 3];
          let x = pa[ap];
          c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
          x = pa[ap + 1];
          c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
          x = pa[ap + 2];
          c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
          x = pa[ap + 3];
          c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
        }
        const at = i0 * ldc + j0;
        if (mr === MR && nr === NR) {
          if (bet === 0) {
            let o = at;
            c[o] = alpha * c00; c[o + 1] = alpha * c01; c[o + 2] = alpha * c02; c[o + 3] = alpha * c03;
            o += ldc;
            c[o] = alpha * c10; c[o + 1] = alpha * c11; c[o + 2] = alpha * c12; c[o + 3] = alpha * c13;
            o += ldc;
            c[o] = alpha * c20; c[o + 1] = alpha * c21; c[o + 2] = alpha * c22; c[o + 3] = alpha * c23;
            o += ldc;
            c[o] = alpha * c30; c[o + 1] = alpha * c31; c[o + 2] = alpha * c32; c[o + 3] = alpha * c33;
          } else {
            let o = at;
            c[o] = alpha * c00 + bet * c[o]; c[o + 1] = alpha * c01 + bet * c[o + 1];
            c[o + 2] = alpha * c02 + bet * c[o + 2]; c[o + 3] = alpha * c03 + bet * c[o + 3];
            o += ldc;
            c[o] = alpha * c10 + bet * c[o]; c[o + 1] = alpha * c11 + bet * c[o + 1];
            c[o + 2] = alpha * c12 + bet * c[o + 2]; c[o + 3] = alpha * c13 + bet * c[o + 3];
            o += ldc;
            c[o] = alpha * c20 + bet * c[o]; c[o + 1] = alpha * c21 + bet * c[o + 1];
            c[o + 2] = alpha * c22 + bet * c[o + 2]; c[o + 3] = alpha * c23 + bet * c[o + 3];
            o += ldc;
            c[o] = alpha * c30 + bet * c[o]; c[o + 1] = alpha * c31 + bet * c[o + 1];
            c[o + 2] = alpha * c32 + bet * c[o + 2]; c[o + 3] = alpha * c33 + bet * c[o + 3];
          }
        } else {
          const t = edgeTile;
          t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
          t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
          t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
          t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
          storeEdge(t, c, at, ldc, mr, nr, alpha, bet);
        }
      }
    }
  }
}
