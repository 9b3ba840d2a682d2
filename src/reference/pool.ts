// Pure-JS twins of assembly/pool.ts (max, average and adaptive average
// pooling over [planes, H, W]), in float64 arithmetic on whatever arrays they
// are handed: the pure-JS build's pooling and the tests' oracle.
import type { FloatArray } from "./nn.js";

/** Pooling geometry over planes of H × W, output Ho × Wo. */
export interface PoolGeometry {
  planes: number; H: number; W: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number;
  dh: number; dw: number; Ho: number; Wo: number;
}

/** PyTorch's choice: scanning row by row, a value greater than the maximum or NaN replaces it. */
export function maxPool2dForward(x: FloatArray, y: FloatArray, ind: Int32Array | null, g: PoolGeometry): void {
  const { planes, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo } = g;
  for (let p = 0; p < planes; p++) {
    const plane = p * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      let h0 = oh * sh - ph;
      const h1 = Math.min(h0 + (kh - 1) * dh + 1, H);
      while (h0 < 0) h0 += dh;
      for (let ow = 0; ow < Wo; ow++) {
        let w0 = ow * sw - pw;
        const w1 = Math.min(w0 + (kw - 1) * dw + 1, W);
        while (w0 < 0) w0 += dw;
        let best = -Infinity;
        let index = h0 * W + w0;
        for (let ih = h0; ih < h1; ih += dh) {
          for (let iw = w0; iw < w1; iw += dw) {
            const v = x[plane + ih * W + iw];
            if (v > best || Number.isNaN(v)) {
              best = v;
              index = ih * W + iw;
            }
          }
        }
        const q = (p * Ho + oh) * Wo + ow;
        y[q] = best;
        if (ind) ind[q] = index;
      }
    }
  }
}

export function maxPool2dBackward(dy: FloatArray, ind: Int32Array, dx: FloatArray, planes: number, HW: number, P: number, acc: number): void {
  if (!acc) dx.fill(0, 0, planes * HW);
  for (let p = 0; p < planes; p++) {
    for (let q = 0; q < P; q++) dx[p * HW + ind[p * P + q]] += dy[p * P + q];
  }
}

/** [h0, h1, w0, w1, divisor] of PyTorch's average-pooling window. */
function avgWindow(g: PoolGeometry, countIncludePad: boolean, oh: number, ow: number): [number, number, number, number, number] {
  const { H, W, kh, kw, sh, sw, ph, pw } = g;
  let h0 = oh * sh - ph;
  let w0 = ow * sw - pw;
  let h1 = Math.min(h0 + kh, H + ph);
  let w1 = Math.min(w0 + kw, W + pw);
  const padded = (h1 - h0) * (w1 - w0);
  h0 = Math.max(h0, 0);
  w0 = Math.max(w0, 0);
  h1 = Math.min(h1, H);
  w1 = Math.min(w1, W);
  return [h0, h1, w0, w1, countIncludePad ? padded : (h1 - h0) * (w1 - w0)];
}

export function avgPool2dForward(x: FloatArray, y: FloatArray, g: PoolGeometry, countIncludePad: boolean): void {
  const { planes, H, W, Ho, Wo } = g;
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        const [h0, h1, w0, w1, div] = avgWindow(g, countIncludePad, oh, ow);
        let s = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += x[(p * H + ih) * W + iw];
        y[(p * Ho + oh) * Wo + ow] = h0 >= h1 || w0 >= w1 ? 0 : s / div;
      }
    }
  }
}

export function avgPool2dBackward(dy: FloatArray, dx: FloatArray, g: PoolGeometry, countIncludePad: boolean, acc: number): void {
  const { planes, H, W, Ho, Wo } = g;
  if (!acc) dx.fill(0, 0, planes * H * W);
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        const [h0, h1, w0, w1, div] = avgWindow(g, countIncludePad, oh, ow);
        if (h0 >= h1 || w0 >= w1) continue;
        const v = dy[(p * Ho + oh) * Wo + ow] / div;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) dx[(p * H + ih) * W + iw] += v;
      }
    }
  }
}

const start = (o: number, In: number, Out: number) => Math.floor((o * In) / Out);
const end = (o: number, In: number, Out: number) => Math.ceil(((o + 1) * In) / Out);

export function adaptiveAvgPool2dForward(x: FloatArray, y: FloatArray, planes: number, H: number, W: number, Ho: number, Wo: number): void {
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = start(oh, H, Ho), h1 = end(oh, H, Ho);
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = start(ow, W, Wo), w1 = end(ow, W, Wo);
        let s = 0;
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += x[(p * H + ih) * W + iw];
        y[(p * Ho + oh) * Wo + ow] = s / ((h1 - h0) * (w1 - w0));
      }
    }
  }
}

export function adaptiveAvgPool2dBackward(
  dy: FloatArray, dx: FloatArray, planes: number, H: number, W: number, Ho: number, Wo: number, acc: number,
): void {
  if (!acc) dx.fill(0, 0, planes * H * W);
  for (let p = 0; p < planes; p++) {
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = start(oh, H, Ho), h1 = end(oh, H, Ho);
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = start(ow, W, Wo), w1 = end(ow, W, Wo);
        const v = dy[(p * Ho + oh) * Wo + ow] / ((h1 - h0) * (w1 - w0));
        for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) dx[(p * H + ih) * W + iw] += v;
      }
    }
  }
}
