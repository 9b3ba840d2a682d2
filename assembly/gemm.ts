// GEMM: C = alpha * op(A) * op(B) + beta * C, float32, row-major, op(A) is
// M x K, op(B) is K x N; lda, ldb, ldc are the row strides (in elements) of
// A, B and C as stored. transA / transB select op = transpose.
//
// Goto/BLIS structure. Loops over blocks of C's columns (NC), of the inner
// dimension (KC) and of C's rows (MC); each KC x NC block of op(B) is packed
// into NR-column panels (kept in L2/L3 and reused for every row block), each
// MC x KC block of op(A) into MR-row panels (kept in L2 and reused for every
// column panel). Packing absorbs the transposes (4 x 4 register transposes
// where a panel's lanes are strided in memory): the micro-kernel always reads
// both panels with unit stride, so Aᵀ·B and A·Bᵀ run as fast as A·B.
// The micro-kernel (assembly/gemm_kernels.ts, generated) keeps an MR x NR
// tile of C in v128 registers for a whole KC pass; one KC x NR panel of B
// (16 KiB) stays in L1 while it sweeps the MR panels of A.
// When C has few columns, A is not packed at all: the micro-kernel reads it in
// place through MR row pointers (any strides, so Aᵀ too), as XNNPACK's gemm
// kernels do; its ppmm kernels are the packed-A form.
// Tiles on C's right and bottom edges are computed in full on zero-padded
// panels into a small scratch tile and merged into C; a last panel of at most
// four columns runs an MR x 4 kernel (N = 10: 12 columns computed, not 16).
import { MR, MR_DIRECT, NR, gemmMicroKernel, gemmMicroKernelNarrow, ppmmMicroKernel, ppmmMicroKernelNarrow } from "./gemm_kernels";

/**
 * Inner-dimension block: a KC x NR panel of B is 16 KiB. Long passes amortize
 * each tile's C update (load, merge, store) over more k: against 256 and 384,
 * 512 measured 2–3% faster from 512³ up and on K = 784, in both builds.
 */
const KC: i32 = 512;
/**
 * Row block: an MC x KC block of packed A (64–96 KiB) stays in L2 next to the
 * B panels it meets (MC = 16–128 measured equal within 1% with KC = 512):
 * eight MR-row panels.
 */
const MC: i32 = 8 * MR;
/** Column block: KC x NC of packed B (2 MiB). */
const NC: i32 = 1024;
/**
 * Up to this many NR-column panels, A is read in place rather than packed:
 * packing would cost as much as the product saves. Relaxed build: N <= 64
 * (measured equal at N = 64, in place 9% faster at N = 24, 10–40% at N = 10).
 * Simd build: N <= 32, where its in-place loop (four row pointers to bump per
 * k) is no slower; at N = 64 the packed one is 6–10% faster.
 */
const DIRECT_A_MAX_PANELS: i32 = ASC_FEATURE_RELAXED_SIMD ? 8 : 4;

// Packing scratch: on the calling thread allocated at first use and kept for
// the module's life; a worker's is handed over by gemmSetScratch (workers
// must not allocate: see thread_local.ts).
let packA: usize = 0;
let packB: usize = 0;
let edgeTile: usize = 0;

// @ts-ignore: decorator
@inline const PACK_A_BYTES: usize = <usize>MC * KC * 4;
// @ts-ignore: decorator
@inline const PACK_B_BYTES: usize = <usize>((NC + NR - 1) / NR * NR) * KC * 4;
const EDGE_TILE_BYTES: usize = <usize>(MR > MR_DIRECT ? MR : MR_DIRECT) * NR * 4;

/** Bytes of one thread's packing scratch (for gemmSetScratch). */
export function gemmScratchBytes(): i32 {
  return <i32>(PACK_A_BYTES + PACK_B_BYTES + EDGE_TILE_BYTES);
}

/** Gives this instance (a worker's) its packing scratch: a 16-byte aligned block of gemmScratchBytes() bytes. */
export function gemmSetScratch(ptr: usize): void {
  packA = ptr;
  packB = ptr + PACK_A_BYTES;
  edgeTile = packB + PACK_B_BYTES;
}

function ensureScratch(): void {
  if (packA != 0) return;
  gemmSetScratch(heap.alloc(PACK_A_BYTES + PACK_B_BYTES + EDGE_TILE_BYTES));
}

/**
 * Packs `w` of `W` lanes that are contiguous in k: dst[k][r] = src[k * ld + r]
 * for r < w, 0 for w <= r < W (op(A) rows when A is stored transposed, op(B)
 * columns when B is not). `ld` in bytes.
 */
// @ts-ignore: decorator
@inline
function packCopy(W: i32, w: i32, src: usize, ld: usize, kc: i32, dst: usize): void {
  if (w == W && W % 4 == 0) {
    for (let k = 0; k < kc; k++) {
      for (let r = 0; r < W; r += 4) v128.store(dst + (<usize>r << 2), v128.load(src + (<usize>r << 2)));
      src += ld;
      dst += <usize>W << 2;
    }
  } else {
    for (let k = 0; k < kc; k++) {
      let r = 0;
      for (; r + 4 <= w; r += 4) v128.store(dst + (<usize>r << 2), v128.load(src + (<usize>r << 2)));
      for (; r < w; r++) store<f32>(dst + (<usize>r << 2), load<f32>(src + (<usize>r << 2)));
      for (; r < W; r++) store<f32>(dst + (<usize>r << 2), 0);
      src += ld;
      dst += <usize>W << 2;
    }
  }
}

/**
 * Packs `w` of `W` lanes that are each contiguous along k (op(A) rows when A
 * is not transposed, op(B) columns when B is): dst[k][r] = src[r * ld + k],
 * zero for w <= r < W. Full groups of four lanes go through 4 x 4 register
 * transposes (four v128 loads, eight shuffles, four v128 stores).
 */
// @ts-ignore: decorator
@inline
function packTranspose(W: i32, w: i32, src: usize, ld: usize, kc: i32, dst: usize): void {
  const rowBytes = <usize>W << 2;
  let r = 0;
  for (; r + 4 <= w; r += 4) {
    let s0 = src + <usize>r * ld;
    let s1 = s0 + ld;
    let s2 = s1 + ld;
    let s3 = s2 + ld;
    let d = dst + (<usize>r << 2);
    let k = 0;
    for (; k + 4 <= kc; k += 4) {
      const x0 = v128.load(s0);
      const x1 = v128.load(s1);
      const x2 = v128.load(s2);
      const x3 = v128.load(s3);
      const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
      const t1 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
      const t2 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
      const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
      v128.store(d, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
      v128.store(d + rowBytes, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
      v128.store(d + 2 * rowBytes, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
      v128.store(d + 3 * rowBytes, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
      s0 += 16;
      s1 += 16;
      s2 += 16;
      s3 += 16;
      d += 4 * rowBytes;
    }
    for (; k < kc; k++) {
      store<f32>(d, load<f32>(s0));
      store<f32>(d, load<f32>(s1), 4);
      store<f32>(d, load<f32>(s2), 8);
      store<f32>(d, load<f32>(s3), 12);
      s0 += 4;
      s1 += 4;
      s2 += 4;
      s3 += 4;
      d += rowBytes;
    }
  }
  for (; r + 2 <= w; r += 2) {
    // Two lanes: 2 x 4 blocks interleaved into four (k, k+1, …) pairs.
    let s0 = src + <usize>r * ld;
    let s1 = s0 + ld;
    let d = dst + (<usize>r << 2);
    let k = 0;
    for (; k + 4 <= kc; k += 4) {
      const x0 = v128.load(s0);
      const x1 = v128.load(s1);
      const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
      const t1 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
      v128.store64_lane(d, t0, 0);
      v128.store64_lane(d + rowBytes, t0, 1);
      v128.store64_lane(d + 2 * rowBytes, t1, 0);
      v128.store64_lane(d + 3 * rowBytes, t1, 1);
      s0 += 16;
      s1 += 16;
      d += 4 * rowBytes;
    }
    for (; k < kc; k++) {
      store<f32>(d, load<f32>(s0));
      store<f32>(d, load<f32>(s1), 4);
      s0 += 4;
      s1 += 4;
      d += rowBytes;
    }
  }
  for (; r < W; r++) {
    let d = dst + (<usize>r << 2);
    if (r < w) {
      let s = src + <usize>r * ld;
      for (let k = 0; k < kc; k++) {
        store<f32>(d, load<f32>(s));
        s += 4;
        d += rowBytes;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        store<f32>(d, 0);
        d += rowBytes;
      }
    }
  }
}

/**
 * Packs rows [i0, i0+mc) x columns [p0, p0+kc) of op(A) into MR-row panels:
 * panel q holds, for each k, the MR values op(A)[i0+q*MR+r][p0+k] (zero past mc).
 */
function packPanelsA(transA: i32, a: usize, lda: usize, i0: i32, p0: i32, mc: i32, kc: i32, dst: usize): void {
  const ld = lda << 2;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    if (transA) packCopy(MR, mr, a + ((<usize>p0 * lda + <usize>(i0 + ir)) << 2), ld, kc, dst);
    else packTranspose(MR, mr, a + ((<usize>(i0 + ir) * lda + <usize>p0) << 2), ld, kc, dst);
    dst += <usize>MR * kc << 2;
  }
}

/**
 * Packs rows [p0, p0+kc) x columns [j0, j0+nc) of op(B) into NR-column panels:
 * panel q holds, for each k, the NR values op(B)[p0+k][j0+q*NR+c] (zero past nc).
 */
function packPanelsB(transB: i32, b: usize, ldb: usize, p0: i32, j0: i32, kc: i32, nc: i32, dst: usize): void {
  const ld = ldb << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const src = transB ? b + ((<usize>(j0 + jr) * ldb + <usize>p0) << 2) : b + ((<usize>p0 * ldb + <usize>(j0 + jr)) << 2);
    if (nr <= 4) {
      // A last panel of at most 4 columns is packed 4 wide for the narrow kernel.
      if (transB) packTranspose(4, nr, src, ld, kc, dst);
      else packCopy(4, nr, src, ld, kc, dst);
    } else {
      if (transB) packTranspose(NR, nr, src, ld, kc, dst);
      else packCopy(NR, nr, src, ld, kc, dst);
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

/** C = alpha·op(A)·op(B) + beta·C (see the top of this file); beta == 0 never reads C. */
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
  // Byte strides of op(A) along its rows and along k, as stored.
  const rowStride: usize = transA ? 4 : <usize>lda << 2;
  const kStride: usize = transA ? <usize>lda << 2 : 4;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    // Packing A costs about as much as one NR-column panel of the product:
    // with few panels, the micro-kernel reads A in place instead.
    const packsA = (nc + NR - 1) / NR > DIRECT_A_MAX_PANELS;
    const mrStep = packsA ? MR : MR_DIRECT;
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      // The first pass over K applies beta; later passes accumulate.
      const betaPass: f32 = pc == 0 ? beta : 1;
      packPanelsB(transB, b, <usize>ldb, pc, jc, kc, nc, packB);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = min(MC, M - ic);
        if (packsA) packPanelsA(transA, a, <usize>lda, ic, pc, mc, kc, packA);
        const aBlock = a + <usize>ic * rowStride + <usize>pc * kStride;
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = packB + (<usize>jr * kc << 2);
          for (let ir = 0; ir < mc; ir += mrStep) {
            const mr = min(mrStep, mc - ir);
            const cp = c + ((<usize>(ic + ir) * ldc + <usize>(jc + jr)) << 2);
            const full = mr == mrStep && nr == NR;
            const ct = full ? cp : edgeTile;
            const ldct: usize = full ? ldcBytes : <usize>NR << 2;
            const bt: f32 = full ? betaPass : 0;
            const ap = packsA ? packA + (<usize>ir * kc << 2) : aBlock + <usize>ir * rowStride;
            if (nr <= 4) {
              if (packsA) ppmmMicroKernelNarrow(kc, ap, bp, ct, ldct, alpha, bt);
              else gemmMicroKernelNarrow(kc, mr, ap, rowStride, kStride, bp, ct, ldct, alpha, bt);
            } else {
              if (packsA) ppmmMicroKernel(kc, ap, bp, ct, ldct, alpha, bt);
              else gemmMicroKernel(kc, mr, ap, rowStride, kStride, bp, ct, ldct, alpha, bt);
            }
            if (!full) mergeEdgeTile(edgeTile, cp, <usize>ldc, mr, nr, betaPass);
          }
        }
      }
    }
  }
}

/**
 * Runs the GEMM inside the scratch block on small shapes that take both paths
 * (A in place for narrow C, packed A for wide C), all four transpose cases,
 * edge tiles and beta != 0, so every kernel reaches V8's optimizing tier.
 */
export function warmupGemm(scratch: usize, scratchBytes: i32): void {
  // Three 32 x 32 matrices: 12 KiB of the runtime's scratch block.
  const n = 32;
  if (scratchBytes < 3 * n * n * 4) return;
  const a = scratch;
  const b = a + <usize>n * n * 4;
  const c = b + <usize>n * n * 4;
  for (let i = 0; i < n * n; i++) {
    store<f32>(a + (<usize>i << 2), <f32>(i % 7) * 0.25);
    store<f32>(b + (<usize>i << 2), <f32>(i % 5) * 0.5);
  }
  for (let t = 0; t < 4; t++) {
    gemm(t & 1, t >> 1, n, n, n, 1, a, n, b, n, 0, c, n);
    // N = 100 > 64: the packed-A path, ending in a 4-column panel (op(B) is 8 x 100).
    gemm(t & 1, t >> 1, 8, 100, 8, 1, a, 8, b, t >> 1 ? 8 : 100, 0, c, 100);
  }
  gemm(0, 0, n - 3, n - 5, n - 1, 1, a, n, b, n, 1, c, n);
}
