// Pooling over NCHW planes (PyTorch's max_pool2d, avg_pool2d and
// adaptive_avg_pool2d): x is [planes, H, W] with planes = N·C, y [planes, Ho, Wo].
//
// Max pooling keeps, per output, the flat index ih·W + iw of the chosen input
// within its plane (PyTorch's `indices`), and backward scatters through it.
// The choice is PyTorch's: scanning the window row by row, a value replaces
// the running maximum when it is greater or NaN (so NaN propagates, and the
// last NaN wins); the index starts at the window's first in-bounds element.
// The common 2×2, stride-2, unpadded window runs four outputs per step in
// SIMD (deinterleaving shuffles, compare-and-select of values and indices).
import { threadLocal, TLS_POOL_WINDOW } from "./thread_local";

/** Max pooling of one output at (oh, ow) in a plane: returns the index, stores the value. */
// @ts-ignore: decorator
@inline
function maxWindow(
  plane: usize, H: i32, W: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32,
  oh: i32, ow: i32, out: usize,
): i32 {
  let h0 = oh * sh - ph;
  const h1 = min(h0 + (kh - 1) * dh + 1, H);
  while (h0 < 0) h0 += dh;
  let w0 = ow * sw - pw;
  const w1 = min(w0 + (kw - 1) * dw + 1, W);
  while (w0 < 0) w0 += dw;
  let best: f32 = -Infinity;
  let index = h0 * W + w0;
  for (let ih = h0; ih < h1; ih += dh) {
    for (let iw = w0; iw < w1; iw += dw) {
      const i = ih * W + iw;
      const v = load<f32>(plane + (<usize>i << 2));
      if (v > best || isNaN(v)) {
        best = v;
        index = i;
      }
    }
  }
  store<f32>(out, best);
  return index;
}

/** y = max_pool2d(x); ind (i32, may be null) receives the indices. */
export function maxPool2dForward(
  x: usize, y: usize, ind: usize, planes: i32, H: i32, W: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, Ho: i32, Wo: i32,
): void {
  const fast = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1;
  // Outputs whose 2×2 window (8 floats read per 4 outputs) lies inside the row.
  const fastCols = fast ? min(Wo, W / 2) & ~3 : 0;
  const HW = H * W;
  const P = Ho * Wo;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>p * HW << 2);
    const yp = y + (<usize>p * P << 2);
    const ip = ind ? ind + (<usize>p * P << 2) : 0;
    for (let oh = 0; oh < Ho; oh++) {
      let ow = 0;
      if (fastCols && 2 * oh + 1 < H) {
        const r0 = plane + (<usize>(2 * oh) * W << 2);
        const r1 = r0 + (<usize>W << 2);
        const base0 = i32x4.add(i32x4.splat(2 * oh * W), i32x4(0, 2, 4, 6));
        for (; ow < fastCols; ow += 4) {
          const o = <usize>(2 * ow) << 2;
          const a0 = v128.load(r0 + o);
          const a1 = v128.load(r0 + o, 16);
          const b0 = v128.load(r1 + o);
          const b1 = v128.load(r1 + o, 16);
          const i00 = i32x4.add(base0, i32x4.splat(2 * ow));
          const i01 = i32x4.add(i00, i32x4.splat(1));
          const i10 = i32x4.add(i00, i32x4.splat(W));
          const i11 = i32x4.add(i10, i32x4.splat(1));
          let m = i32x4.shuffle(a0, a1, 0, 2, 4, 6);
          let idx = i00;
          let v = i32x4.shuffle(a0, a1, 1, 3, 5, 7);
          let take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
          m = v128.bitselect(v, m, take);
          idx = v128.bitselect(i01, idx, take);
          v = i32x4.shuffle(b0, b1, 0, 2, 4, 6);
          take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
          m = v128.bitselect(v, m, take);
          idx = v128.bitselect(i10, idx, take);
          v = i32x4.shuffle(b0, b1, 1, 3, 5, 7);
          take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
          m = v128.bitselect(v, m, take);
          idx = v128.bitselect(i11, idx, take);
          const q = <usize>(oh * Wo + ow) << 2;
          v128.store(yp + q, m);
          if (ip) v128.store(ip + q, idx);
        }
      }
      for (; ow < Wo; ow++) {
        const q = <usize>(oh * Wo + ow) << 2;
        const i = maxWindow(plane, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, yp + q);
        if (ip) store<i32>(ip + q, i);
      }
    }
  }
}

/** dx (+)= the scatter of dy through the indices (acc = 0 writes, 1 adds). */
export function maxPool2dBackward(dy: usize, ind: usize, dx: usize, planes: i32, HW: i32, P: i32, acc: i32): void {
  if (!acc) memory.fill(dx, 0, <usize>planes * HW << 2);
  for (let p = 0; p < planes; p++) {
    const dxp = dx + (<usize>p * HW << 2);
    const dyp = dy + (<usize>p * P << 2);
    const ip = ind + (<usize>p * P << 2);
    for (let q = 0; q < P; q++) {
      const d = dxp + (<usize>load<i32>(ip + (<usize>q << 2)) << 2);
      store<f32>(d, load<f32>(d) + load<f32>(dyp + (<usize>q << 2)));
    }
  }
}

/**
 * PyTorch's average-pooling window: [h0, h1) × [w0, w1) clipped to the input,
 * and its divisor (the window clipped to the padded input when countIncludePad,
 * else the in-bounds count). Packed as h0, h1, w0, w1, divisor in `win`.
 */
// @ts-ignore: decorator
@inline
function avgWindow(
  H: i32, W: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, countIncludePad: i32, oh: i32, ow: i32,
  win: StaticArray<i32>,
): void {
  let h0 = oh * sh - ph;
  let w0 = ow * sw - pw;
  let h1 = min(h0 + kh, H + ph);
  let w1 = min(w0 + kw, W + pw);
  const padded = (h1 - h0) * (w1 - w0);
  h0 = max(h0, 0);
  w0 = max(w0, 0);
  h1 = min(h1, H);
  w1 = min(w1, W);
  unchecked((win[0] = h0));
  unchecked((win[1] = h1));
  unchecked((win[2] = w0));
  unchecked((win[3] = w1));
  unchecked((win[4] = countIncludePad ? padded : (h1 - h0) * (w1 - w0)));
}

/** The window of avgWindow, in thread-local scratch (see thread_local.ts). */
// @ts-ignore: decorator
@inline function windowScratch(): StaticArray<i32> {
  return changetype<StaticArray<i32>>(threadLocal(TLS_POOL_WINDOW));
}

/** y = avg_pool2d(x). A window entirely in the padding gives 0. */
export function avgPool2dForward(
  x: usize, y: usize, planes: i32, H: i32, W: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, countIncludePad: i32, Ho: i32, Wo: i32,
): void {
  const HW = H * W;
  const P = Ho * Wo;
  const fast = kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0;
  const fastCols = fast ? min(Wo, W / 2) & ~3 : 0;
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>p * HW << 2);
    const yp = y + (<usize>p * P << 2);
    for (let oh = 0; oh < Ho; oh++) {
      let ow = 0;
      if (fastCols && 2 * oh + 1 < H) {
        const r0 = plane + (<usize>(2 * oh) * W << 2);
        const r1 = r0 + (<usize>W << 2);
        for (; ow < fastCols; ow += 4) {
          const o = <usize>(2 * ow) << 2;
          // Summed in PyTorch's order: (0,0), (0,1), (1,0), (1,1).
          const a0 = v128.load(r0 + o);
          const a1 = v128.load(r0 + o, 16);
          const b0 = v128.load(r1 + o);
          const b1 = v128.load(r1 + o, 16);
          let s = f32x4.add(
            i32x4.shuffle(a0, a1, 0, 2, 4, 6),
            i32x4.shuffle(a0, a1, 1, 3, 5, 7),
          );
          s = f32x4.add(s, i32x4.shuffle(b0, b1, 0, 2, 4, 6));
          s = f32x4.add(s, i32x4.shuffle(b0, b1, 1, 3, 5, 7));
          v128.store(yp + (<usize>(oh * Wo + ow) << 2), f32x4.div(s, f32x4.splat(4)) /* sum / 4, as the scalar path divides */);
        }
      }
      for (; ow < Wo; ow++) {
        const window = windowScratch();
        avgWindow(H, W, kh, kw, sh, sw, ph, pw, countIncludePad, oh, ow, window);
        const h0 = unchecked(window[0]);
        const h1 = unchecked(window[1]);
        const w0 = unchecked(window[2]);
        const w1 = unchecked(window[3]);
        let s: f32 = 0;
        for (let ih = h0; ih < h1; ih++) {
          for (let iw = w0; iw < w1; iw++) s += load<f32>(plane + (<usize>(ih * W + iw) << 2));
        }
        const out = yp + (<usize>(oh * Wo + ow) << 2);
        store<f32>(out, h0 >= h1 || w0 >= w1 ? 0 : s / <f32>unchecked(window[4]));
      }
    }
  }
}

/** dx (+)= the gradient of avg_pool2d: each dy spread over its window, divided by the divisor. */
export function avgPool2dBackward(
  dy: usize, dx: usize, planes: i32, H: i32, W: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, countIncludePad: i32, Ho: i32, Wo: i32, acc: i32,
): void {
  const HW = H * W;
  const P = Ho * Wo;
  if (!acc) memory.fill(dx, 0, <usize>planes * HW << 2);
  for (let p = 0; p < planes; p++) {
    const dxp = dx + (<usize>p * HW << 2);
    const dyp = dy + (<usize>p * P << 2);
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        const window = windowScratch();
        avgWindow(H, W, kh, kw, sh, sw, ph, pw, countIncludePad, oh, ow, window);
        const h0 = unchecked(window[0]);
        const h1 = unchecked(window[1]);
        const w0 = unchecked(window[2]);
        const w1 = unchecked(window[3]);
        if (h0 >= h1 || w0 >= w1) continue;
        const g = load<f32>(dyp + (<usize>(oh * Wo + ow) << 2)) / <f32>unchecked(window[4]);
        for (let ih = h0; ih < h1; ih++) {
          for (let iw = w0; iw < w1; iw++) {
            const d = dxp + (<usize>(ih * W + iw) << 2);
            store<f32>(d, load<f32>(d) + g);
          }
        }
      }
    }
  }
}

/** PyTorch's adaptive window [floor(o·In/Out), ceil((o + 1)·In/Out)). */
// @ts-ignore: decorator
@inline
function adaptiveStart(o: i32, In: i32, Out: i32): i32 {
  return <i32>((<i64>o * In) / Out);
}

// @ts-ignore: decorator
@inline
function adaptiveEnd(o: i32, In: i32, Out: i32): i32 {
  return <i32>((<i64>(o + 1) * In + Out - 1) / Out);
}

/** y = adaptive_avg_pool2d(x) to [Ho, Wo]. */
export function adaptiveAvgPool2dForward(x: usize, y: usize, planes: i32, H: i32, W: i32, Ho: i32, Wo: i32): void {
  for (let p = 0; p < planes; p++) {
    const plane = x + (<usize>p * H * W << 2);
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = adaptiveStart(oh, H, Ho);
      const h1 = adaptiveEnd(oh, H, Ho);
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = adaptiveStart(ow, W, Wo);
        const w1 = adaptiveEnd(ow, W, Wo);
        let s: f32 = 0;
        for (let ih = h0; ih < h1; ih++) {
          for (let iw = w0; iw < w1; iw++) s += load<f32>(plane + (<usize>(ih * W + iw) << 2));
        }
        store<f32>(y + ((<usize>p * Ho * Wo + oh * Wo + ow) << 2), s / <f32>((h1 - h0) * (w1 - w0)));
      }
    }
  }
}

/** dx (+)= the gradient of adaptive_avg_pool2d. */
export function adaptiveAvgPool2dBackward(dy: usize, dx: usize, planes: i32, H: i32, W: i32, Ho: i32, Wo: i32, acc: i32): void {
  if (!acc) memory.fill(dx, 0, <usize>planes * H * W << 2);
  for (let p = 0; p < planes; p++) {
    const plane = dx + (<usize>p * H * W << 2);
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = adaptiveStart(oh, H, Ho);
      const h1 = adaptiveEnd(oh, H, Ho);
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = adaptiveStart(ow, W, Wo);
        const w1 = adaptiveEnd(ow, W, Wo);
        const g = load<f32>(dy + ((<usize>p * Ho * Wo + oh * Wo + ow) << 2)) / <f32>((h1 - h0) * (w1 - w0));
        for (let ih = h0; ih < h1; ih++) {
          for (let iw = w0; iw < w1; iw++) {
            const d = plane + (<usize>(ih * W + iw) << 2);
            store<f32>(d, load<f32>(d) + g);
          }
        }
      }
    }
  }
}

/** Runs the pooling kernels on small planes (the 2×2 fast paths and the general ones). */
export function warmupPool(scratch: usize, scratchBytes: i32): void {
  // x [4, 12, 12], y [4, 6, 6], ind [4, 6, 6], dx [4, 12, 12]: 7 KiB.
  const x = scratch;
  const y = x + 4 * 144 * 4;
  const ind = y + 4 * 36 * 4;
  const dx = ind + 4 * 36 * 4;
  if (<i32>(dx + 4 * 144 * 4 - scratch) > scratchBytes) return;
  for (let i = 0; i < 4 * 144; i++) store<f32>(x + (<usize>i << 2), <f32>((i * 7) % 11) * 0.5);
  maxPool2dForward(x, y, ind, 4, 12, 12, 2, 2, 2, 2, 0, 0, 1, 1, 6, 6);
  maxPool2dBackward(y, ind, dx, 4, 144, 36, 0);
  maxPool2dForward(x, y, ind, 4, 12, 12, 3, 3, 2, 2, 1, 1, 1, 1, 6, 6);
  avgPool2dForward(x, y, 4, 12, 12, 2, 2, 2, 2, 0, 0, 1, 6, 6);
  avgPool2dBackward(y, dx, 4, 12, 12, 3, 3, 2, 2, 1, 1, 0, 6, 6, 1);
  adaptiveAvgPool2dForward(x, y, 4, 12, 12, 5, 5);
  adaptiveAvgPool2dBackward(y, dx, 4, 12, 12, 5, 5, 1);
}
