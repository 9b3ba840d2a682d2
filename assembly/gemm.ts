// GEMM: C = alpha * op(A) * op(B) + beta * C, float32, row-major, op(A) is
// M x K, op(B) is K x N; lda, ldb, ldc are the row strides (in elements) of
// A, B and C as stored. transA / transB select op = transpose.
//
// Goto/BLIS structure. Loops over blocks of C's columns (NC), of the inner
// dimension (KC) and of C's rows (MC); each KC x NC block of op(B) is packed
// into NR-column panels (kept in L2/L3 and reused for every row block), each
// MC x KC block of op(A) into MR-row panels (kept in L2 and reused for every
// column panel). Packing absorbs the transposes: the micro-kernel always
// reads both panels with unit stride, so Aᵀ·B and A·Bᵀ run as fast as A·B.
// The micro-kernel (assembly/gemm_kernels.ts, generated) keeps an MR x NR
// tile of C in v128 registers for a whole KC pass; one KC x NR panel of B
// (8 KiB) stays in L1 while it sweeps the MR panels of A.
// Tiles on C's right and bottom edges are computed in full on zero-padded
// panels into a small scratch tile and merged into C.
import { MR, NR, gemmMicroKernel } from "./gemm_kernels";

/** Inner-dimension block: a KC x NR panel of B fits L1 alongside A's stream. */
const KC: i32 = 256;
/** Row block: an MC x KC block of packed A (128 KiB) stays in L2. */
const MC: i32 = 128;
/** Column block: KC x NC of packed B (1 MiB). */
const NC: i32 = 1024;

// Packing scratch, allocated once at first use and kept for the module's life.
let packA: usize = 0;
let packB: usize = 0;
let edgeTile: usize = 0;

function ensureScratch(): void {
  if (packA != 0) return;
  const mcPadded = (MC + MR - 1) / MR * MR;
  const ncPadded = (NC + NR - 1) / NR * NR;
  packA = heap.alloc(<usize>mcPadded * KC * 4);
  packB = heap.alloc(<usize>ncPadded * KC * 4);
  edgeTile = heap.alloc(<usize>MR * NR * 4);
}

/**
 * Packs rows [i0, i0+mc) x columns [p0, p0+kc) of op(A) into MR-row panels:
 * panel q holds, for each k, the MR values op(A)[i0+q*MR+r][p0+k] (zero past mc).
 */
function packPanelsA(transA: i32, a: usize, lda: usize, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    if (transA) {
      // A stored K x M: the MR values of one k are contiguous.
      let src = a + ((<usize>p0 * lda + <usize>(i0 + ir)) << 2);
      let d = dst;
      if (mr == MR && MR == 4) {
        for (let k = 0; k < kc; k++) {
          v128.store(d, v128.load(src));
          src += lda << 2;
          d += <usize>MR << 2;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          let r = 0;
          for (; r < mr; r++) store<f32>(d + (<usize>r << 2), load<f32>(src + (<usize>r << 2)));
          for (; r < MR; r++) store<f32>(d + (<usize>r << 2), 0);
          src += lda << 2;
          d += <usize>MR << 2;
        }
      }
    } else {
      // A stored M x K: row r of the panel is contiguous in k.
      for (let r = 0; r < MR; r++) {
        let d = dst + (<usize>r << 2);
        if (r < mr) {
          let src = a + ((<usize>(i0 + ir + r) * lda + <usize>p0) << 2);
          for (let k = 0; k < kc; k++) {
            store<f32>(d, load<f32>(src));
            src += 4;
            d += <usize>MR << 2;
          }
        } else {
          for (let k = 0; k < kc; k++) {
            store<f32>(d, 0);
            d += <usize>MR << 2;
          }
        }
      }
    }
    dst += <usize>MR * kc << 2;
  }
}

/**
 * Packs rows [p0, p0+kc) x columns [j0, j0+nc) of op(B) into NR-column panels:
 * panel q holds, for each k, the NR values op(B)[p0+k][j0+q*NR+c] (zero past nc).
 */
function packPanelsB(transB: i32, b: usize, ldb: usize, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    if (!transB) {
      // B stored K x N: the NR values of one k are contiguous.
      let src = b + ((<usize>p0 * ldb + <usize>(j0 + jr)) << 2);
      let d = dst;
      if (nr == NR) {
        for (let k = 0; k < kc; k++) {
          for (let c = 0; c < NR; c += 4) v128.store(d + (<usize>c << 2), v128.load(src + (<usize>c << 2)));
          src += ldb << 2;
          d += <usize>NR << 2;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          let c = 0;
          for (; c < nr; c++) store<f32>(d + (<usize>c << 2), load<f32>(src + (<usize>c << 2)));
          for (; c < NR; c++) store<f32>(d + (<usize>c << 2), 0);
          src += ldb << 2;
          d += <usize>NR << 2;
        }
      }
    } else {
      // B stored N x K: column c of the panel is contiguous in k.
      for (let c = 0; c < NR; c++) {
        let d = dst + (<usize>c << 2);
        if (c < nr) {
          let src = b + ((<usize>(j0 + jr + c) * ldb + <usize>p0) << 2);
          for (let k = 0; k < kc; k++) {
            store<f32>(d, load<f32>(src));
            src += 4;
            d += <usize>NR << 2;
          }
        } else {
          for (let k = 0; k < kc; k++) {
            store<f32>(d, 0);
            d += <usize>NR << 2;
          }
        }
      }
    }
    dst += <usize>NR * kc << 2;
  }
}

/** Merges an edge tile (mr x nr valid of an MR x NR scratch tile, alpha applied) into C. */
function mergeEdgeTile(tile: usize, c: usize, ldc: usize, mr: i32, nr: i32, beta: f32): void {
  for (let r = 0; r < mr; r++) {
    const t = tile + (<usize>(r * NR) << 2);
    const cr = c + ((<usize>r * ldc) << 2);
    if (beta == 0) {
      for (let j = 0; j < nr; j++) store<f32>(cr + (<usize>j << 2), load<f32>(t + (<usize>j << 2)));
    } else {
      for (let j = 0; j < nr; j++) {
        const p = cr + (<usize>j << 2);
        store<f32>(p, load<f32>(t + (<usize>j << 2)) + beta * load<f32>(p));
      }
    }
  }
}

/** C = beta * C (beta == 0: zeros, C not read); the K == 0 case. */
function scaleC(M: i32, N: i32, beta: f32, c: usize, ldc: i32): void {
  for (let i = 0; i < M; i++) {
    const cr = c + ((<usize>i * ldc) << 2);
    for (let j = 0; j < N; j++) {
      const p = cr + (<usize>j << 2);
      store<f32>(p, beta == 0 ? 0 : beta * load<f32>(p));
    }
  }
}

export function gemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    scaleC(M, N, beta, c, ldc);
    return;
  }
  ensureScratch();
  const ldcBytes = <usize>ldc << 2;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      // The first pass over K applies beta; later passes accumulate.
      const betaPass: f32 = pc == 0 ? beta : 1;
      packPanelsB(transB, b, <usize>ldb, pc, jc, kc, nc, packB);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        packPanelsA(transA, a, <usize>lda, ic, pc, mc, kc, packA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = packB + (<usize>jr * kc << 2);
          let ap = packA;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const cp = c + ((<usize>(ic + ir) * ldc + <usize>(jc + jr)) << 2);
            if (mr == MR && nr == NR) {
              gemmMicroKernel(kc, ap, bp, cp, ldcBytes, alpha, betaPass);
            } else {
              gemmMicroKernel(kc, ap, bp, edgeTile, <usize>NR << 2, alpha, 0);
              mergeEdgeTile(edgeTile, cp, <usize>ldc, mr, nr, betaPass);
            }
            ap += <usize>MR * kc << 2;
          }
        }
      }
    }
  }
}

/** Runs the GEMM on small shapes (all four transpose cases) inside the scratch block. */
export function warmupGemm(scratch: usize, scratchBytes: i32): void {
  // Three 24 x 24 matrices: 3 * 2304 bytes, well inside the runtime's scratch.
  const n = 24;
  if (scratchBytes < 3 * n * n * 4) return;
  const a = scratch;
  const b = a + <usize>n * n * 4;
  const c = b + <usize>n * n * 4;
  for (let i = 0; i < n * n; i++) {
    store<f32>(a + (<usize>i << 2), <f32>(i % 7) * 0.25);
    store<f32>(b + (<usize>i << 2), <f32>(i % 5) * 0.5);
  }
  for (let t = 0; t < 4; t++) gemm(t & 1, t >> 1, n, n, n, 1, a, n, b, n, 0, c, n);
  gemm(0, 0, n - 3, n - 5, n - 1, 1, a, n, b, n, 1, c, n);
}
