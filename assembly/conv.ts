// Convolution (PyTorch's conv2d; conv1d is the H = 1 case) through the packed
// SIMD GEMM. NCHW float32; weight [Co, C/groups, kh, kw]; output [N, Co, Ho, Wo].
//
// Per sample, im2col lays the input out as cols [C·kh·kw, Ho·Wo] (row
// (c·kh + i)·kw + j holds the input pixel that kernel tap (i, j) of channel c
// meets at every output position, zero where it falls in the padding), so
// each group's convolution is one GEMM:
//   forward        y[g]  = W[g] · cols[g]          [Co/g, K] · [K, P]
//   input grad     dcols = W[g]ᵀ · dy[g], col2im    [K, Co/g] · [Co/g, P]
//   weight grad    dW[g] += dy[g] · cols[g]ᵀ        [Co/g, P] · [P, K]
// with K = (C/g)·kh·kw and P = Ho·Wo. The transposes are the GEMM's packing
// (never materialised). A 1×1 convolution with stride 1 and no padding uses
// the input itself as cols. cols is a caller-owned scratch of K·groups·P
// floats (one sample), reused for every sample, so memory does not grow with
// the batch; the weight gradient recomputes im2col rather than keeping the
// forward's (which would be N times larger).
import { gemm } from "./gemm";

/** dst[0, n) = src[0, n), SIMD with a scalar tail (rows are short: memory.copy's call costs more). */
// @ts-ignore: decorator
@inline
function copyRow(dst: usize, src: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) v128.store(dst + (<usize>k << 2), v128.load(src + (<usize>k << 2)));
  for (; k < n; k++) store<f32>(dst + (<usize>k << 2), load<f32>(src + (<usize>k << 2)));
}

/** dst[0, n) += src[0, n). */
// @ts-ignore: decorator
@inline
function addRow(dst: usize, src: usize, n: i32): void {
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const p = dst + (<usize>k << 2);
    v128.store(p, f32x4.add(v128.load(p), v128.load(src + (<usize>k << 2))));
  }
  for (; k < n; k++) {
    const p = dst + (<usize>k << 2);
    store<f32>(p, load<f32>(p) + load<f32>(src + (<usize>k << 2)));
  }
}

/** The first output column whose input column ow·s + off is ≥ 0. */
// @ts-ignore: decorator
@inline
function firstInside(off: i32, s: i32): i32 {
  return off >= 0 ? 0 : (s - 1 - off) / s;
}

/** The first output column whose input column ow·s + off is ≥ W, at most Wo. */
// @ts-ignore: decorator
@inline
function firstPast(off: i32, s: i32, W: i32, Wo: i32): i32 {
  const r = W - off <= 0 ? 0 : (W - off + s - 1) / s;
  return min(r, Wo);
}

/**
 * The walk im2col and col2im share: for every kernel tap (c, i, j) and
 * output row, the input row it meets and the output columns [lo, hi) whose
 * input column is inside the image. Forward (adjoint false): cols = that
 * pixel, 0 in the padding. Adjoint: the pixel += cols. Inlined with a
 * constant `adjoint`, so each caller compiles to its own branch-free loops.
 */
// @ts-ignore: decorator
@inline
function colsWalk(
  image: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  Ho: i32, Wo: i32, cols: usize, adjoint: bool,
): void {
  const rowBytes = <usize>Wo << 2;
  let at = cols;
  for (let c = 0; c < C; c++) {
    const plane = image + (<usize>c * H * W << 2);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const off = j * dw - pw;
        const lo = firstInside(off, sw);
        const hi = max(lo, firstPast(off, sw, W, Wo));
        for (let oh = 0; oh < Ho; oh++) {
          const ih = oh * sh - ph + i * dh;
          const row = at + <usize>oh * rowBytes;
          if (ih < 0 || ih >= H) {
            if (!adjoint) memory.fill(row, 0, rowBytes);
            continue;
          }
          const pixels = plane + (<usize>ih * W << 2);
          if (!adjoint) for (let ow = 0; ow < lo; ow++) store<f32>(row + (<usize>ow << 2), 0);
          if (sw == 1) {
            if (adjoint) addRow(pixels + (<usize>(lo + off) << 2), row + (<usize>lo << 2), hi - lo);
            else copyRow(row + (<usize>lo << 2), pixels + (<usize>(lo + off) << 2), hi - lo);
          } else {
            for (let ow = lo; ow < hi; ow++) {
              const p = pixels + (<usize>(ow * sw + off) << 2);
              const q = row + (<usize>ow << 2);
              if (adjoint) store<f32>(p, load<f32>(p) + load<f32>(q));
              else store<f32>(q, load<f32>(p));
            }
          }
          if (!adjoint) for (let ow = hi; ow < Wo; ow++) store<f32>(row + (<usize>ow << 2), 0);
        }
        at += <usize>Ho * rowBytes;
      }
    }
  }
}

/**
 * cols[(c·kh + i)·kw + j][oh·Wo + ow] = x[c][oh·sh − ph + i·dh][ow·sw − pw + j·dw],
 * zero outside the input; x is one sample [C, H, W].
 */
export function im2col(
  x: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  Ho: i32, Wo: i32, cols: usize,
): void {
  colsWalk(x, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo, cols, false);
}

/** The adjoint of im2col: dx[c][ih][iw] += every cols entry that im2col took from it. */
export function col2im(
  cols: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  Ho: i32, Wo: i32, dx: usize,
): void {
  colsWalk(dx, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo, cols, true);
}

// @ts-ignore: decorator
@inline
function isPointwise(kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32): bool {
  return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
}

/**
 * y = conv2d(x, w) + bias (bias null: none). x [N, C, H, W], w [Co, C/groups,
 * kh, kw], y [N, Co, Ho, Wo]; cols: scratch of C·kh·kw·Ho·Wo floats (unused
 * for a pointwise convolution).
 */
export function conv2dForward(
  x: usize, w: usize, bias: usize, y: usize, cols: usize,
  N: i32, C: i32, H: i32, W: i32, Co: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, groups: i32, Ho: i32, Wo: i32,
): void {
  const P = Ho * Wo;
  const Cg = C / groups;
  const Cog = Co / groups;
  const Kg = Cg * kh * kw;
  const pointwise = isPointwise(kh, kw, sh, sw, ph, pw);
  for (let n = 0; n < N; n++) {
    const xn = x + (<usize>n * C * H * W << 2);
    const yn = y + (<usize>n * Co * P << 2);
    if (!pointwise) im2col(xn, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo, cols);
    const src = pointwise ? xn : cols;
    if (bias) {
      for (let o = 0; o < Co; o++) {
        const v = f32x4.splat(load<f32>(bias + (<usize>o << 2)));
        const row = yn + (<usize>o * P << 2);
        let k = 0;
        for (; k + 4 <= P; k += 4) v128.store(row + (<usize>k << 2), v);
        for (; k < P; k++) store<f32>(row + (<usize>k << 2), f32x4.extract_lane(v, 0));
      }
    }
    for (let g = 0; g < groups; g++) {
      gemm(
        0, 0, Cog, P, Kg, 1, w + (<usize>g * Cog * Kg << 2), Kg, src + (<usize>g * Kg * P << 2), P,
        bias ? 1 : 0, yn + (<usize>g * Cog * P << 2), P,
      );
    }
  }
}

/** dx (+)= the gradient of conv2d with respect to its input (acc = 0 writes, 1 adds). */
export function conv2dBackwardInput(
  dy: usize, w: usize, dx: usize, cols: usize,
  N: i32, C: i32, H: i32, W: i32, Co: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, groups: i32, Ho: i32, Wo: i32, acc: i32,
): void {
  const P = Ho * Wo;
  const Cg = C / groups;
  const Cog = Co / groups;
  const Kg = Cg * kh * kw;
  const pointwise = isPointwise(kh, kw, sh, sw, ph, pw);
  for (let n = 0; n < N; n++) {
    const dxn = dx + (<usize>n * C * H * W << 2);
    const dyn = dy + (<usize>n * Co * P << 2);
    if (pointwise) {
      for (let g = 0; g < groups; g++) {
        gemm(
          1, 0, Kg, P, Cog, 1, w + (<usize>g * Cog * Kg << 2), Kg, dyn + (<usize>g * Cog * P << 2), P,
          acc ? 1 : 0, dxn + (<usize>g * Kg * P << 2), P,
        );
      }
      continue;
    }
    for (let g = 0; g < groups; g++) {
      gemm(
        1, 0, Kg, P, Cog, 1, w + (<usize>g * Cog * Kg << 2), Kg, dyn + (<usize>g * Cog * P << 2), P,
        0, cols + (<usize>g * Kg * P << 2), P,
      );
    }
    if (!acc) memory.fill(dxn, 0, <usize>C * H * W << 2);
    col2im(cols, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo, dxn);
  }
}

/**
 * dw (+)= the gradient of conv2d with respect to its weight, db (+)= with
 * respect to its bias (per output channel, Σ over samples and positions);
 * either may be null. acc = 0 writes, 1 adds.
 */
export function conv2dBackwardWeight(
  x: usize, dy: usize, dwt: usize, db: usize, cols: usize,
  N: i32, C: i32, H: i32, W: i32, Co: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, groups: i32, Ho: i32, Wo: i32, acc: i32,
): void {
  conv2dBackwardWeightChannels(x, dy, dwt, db, cols, N, C, H, W, Co, kh, kw, sh, sw, ph, pw, dh, dw, groups, Ho, Wo, acc, 1, C);
}

/**
 * conv2dBackwardWeight restricted to the input channels [first1 − 1,
 * first1 − 1 + count) (global indices, across groups): the dW columns those
 * channels own, and db of the output channels o with ⌊o·C/Co⌋ in the range.
 * The thread pool hands disjoint ranges to its threads (first1 is 1-based so
 * that it advances like a pointer); each range im2cols only its channels,
 * into its own rows of cols (the rows a whole-tensor call would use), and
 * runs the same GEMMs on them, so every dW element is the same sum in the
 * same order however the channels are split.
 */
export function conv2dBackwardWeightChannels(
  x: usize, dy: usize, dwt: usize, db: usize, cols: usize,
  N: i32, C: i32, H: i32, W: i32, Co: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, groups: i32, Ho: i32, Wo: i32, acc: i32,
  first1: i32, count: i32,
): void {
  const P = Ho * Wo;
  const HW = H * W;
  const Cg = C / groups;
  const Cog = Co / groups;
  const khw = kh * kw;
  const Kg = Cg * khw;
  const c0 = first1 - 1;
  const c1 = c0 + count;
  const pointwise = isPointwise(kh, kw, sh, sw, ph, pw);
  if (dwt) {
    for (let n = 0; n < N; n++) {
      const xn = x + (<usize>n * C * HW << 2);
      const dyn = dy + (<usize>n * Co * P << 2);
      const beta: f32 = n == 0 && !acc ? 0 : 1;
      // Channel runs that stay inside one group: one im2col and one GEMM each.
      for (let ci = c0; ci < c1;) {
        const g = ci / Cg;
        const a = ci - g * Cg;
        const cn = min(Cg, c1 - g * Cg) - a;
        const xc = xn + (<usize>ci * HW << 2);
        const src = pointwise ? xc : cols + (<usize>ci * khw * P << 2);
        if (!pointwise) im2col(xc, cn, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo, src);
        gemm(
          0, 1, Cog, cn * khw, P, 1, dyn + (<usize>g * Cog * P << 2), P, src, P,
          beta, dwt + ((<usize>g * Cog * Kg + <usize>a * khw) << 2), Kg,
        );
        ci += cn;
      }
    }
    if (N == 0 && !acc) {
      for (let ci = c0; ci < c1; ci++) {
        const g = ci / Cg;
        for (let o = g * Cog; o < (g + 1) * Cog; o++) {
          memory.fill(dwt + ((<usize>o * Kg + <usize>(ci - g * Cg) * khw) << 2), 0, <usize>khw << 2);
        }
      }
    }
  }
  if (db) {
    // Output channel o belongs to the range holding input channel ⌊o·C/Co⌋.
    const o0 = (c0 * Co + C - 1) / C;
    const o1 = (c1 * Co + C - 1) / C;
    for (let o = o0; o < o1; o++) {
      // Per sample a 4-lane float32 sum of the row, then a float64 total over samples.
      let total: f64 = 0;
      for (let n = 0; n < N; n++) {
        const row = dy + ((<usize>n * Co + o) * P << 2);
        let s = f32x4.splat(0);
        let k = 0;
        for (; k + 4 <= P; k += 4) s = f32x4.add(s, v128.load(row + (<usize>k << 2)));
        let t: f32 = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
        for (; k < P; k++) t += load<f32>(row + (<usize>k << 2));
        total += <f64>t;
      }
      const p = db + (<usize>o << 2);
      store<f32>(p, acc ? load<f32>(p) + <f32>total : <f32>total);
    }
  }
}

/** Runs the convolution kernels on small shapes (stride 1 and 2, padding, groups, pointwise). */
export function warmupConv(scratch: usize, scratchBytes: i32): void {
  // x [2, 4, 9, 9], w [8, 4, 3, 3], y [2, 8, 9, 9], cols 36·81: 32 KiB.
  const x = scratch;
  const w = x + 2 * 4 * 81 * 4;
  const y = w + 8 * 4 * 9 * 4;
  const cols = y + 2 * 8 * 81 * 4;
  const dx = cols + 36 * 81 * 4;
  if (<i32>(dx + 2 * 4 * 81 * 4 - scratch) > scratchBytes) return;
  for (let i = 0; i < 2 * 4 * 81; i++) store<f32>(x + (<usize>i << 2), <f32>(i % 7) * 0.25);
  for (let i = 0; i < 8 * 36; i++) store<f32>(w + (<usize>i << 2), <f32>(i % 5) * 0.125);
  conv2dForward(x, w, w, y, cols, 2, 4, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 9, 9);
  conv2dBackwardInput(y, w, dx, cols, 2, 4, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 9, 9, 0);
  conv2dBackwardWeight(x, y, w, w, cols, 2, 4, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 9, 9, 1);
  conv2dForward(x, w, 0, y, cols, 2, 4, 9, 9, 8, 3, 3, 2, 2, 0, 0, 1, 1, 2, 4, 4);
  conv2dBackwardInput(y, w, dx, cols, 2, 4, 9, 9, 8, 3, 3, 2, 2, 0, 0, 1, 1, 2, 4, 4, 1);
  conv2dForward(x, w, 0, y, cols, 2, 4, 9, 9, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1, 9, 9);
}
