// Pure-JS twin of assembly/conv.ts: conv2d (conv1d is H = 1) as im2col + the
// pure-JS GEMM per sample and group, col2im for the input gradient. The same
// algorithm in plain JavaScript (the pure-JS build's convolution, the oracle
// of the agreement tests and the "pure JS" side of the benchmarks).
import { gemm } from "./gemm.js";

/** Geometry of one convolution: x [N, C, H, W], w [Co, C/groups, kh, kw], y [N, Co, Ho, Wo]. */
export interface ConvGeometry {
  N: number; C: number; H: number; W: number; Co: number; kh: number; kw: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; groups: number; Ho: number; Wo: number;
}

/** cols[(c·kh + i)·kw + j][oh·Wo + ow] = x[c][oh·sh − ph + i·dh][ow·sw − pw + j·dw] (0 outside); x one sample at xOff. */
export function im2col(x: Float32Array, xOff: number, g: ConvGeometry, cols: Float32Array): void {
  const { C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo } = g;
  let d = 0;
  for (let c = 0; c < C; c++) {
    const plane = xOff + c * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let oh = 0; oh < Ho; oh++) {
          const ih = oh * sh - ph + i * dh;
          if (ih < 0 || ih >= H) {
            cols.fill(0, d, d + Wo);
            d += Wo;
            continue;
          }
          const row = plane + ih * W;
          for (let ow = 0; ow < Wo; ow++, d++) {
            const iw = ow * sw - pw + j * dw;
            cols[d] = iw >= 0 && iw < W ? x[row + iw] : 0;
          }
        }
      }
    }
  }
}

/** dx[c][ih][iw] += every cols entry im2col took from it; dx one sample at dxOff. */
export function col2im(cols: Float32Array, g: ConvGeometry, dx: Float32Array, dxOff: number): void {
  const { C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, Ho, Wo } = g;
  let s = 0;
  for (let c = 0; c < C; c++) {
    const plane = dxOff + c * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let oh = 0; oh < Ho; oh++) {
          const ih = oh * sh - ph + i * dh;
          if (ih < 0 || ih >= H) {
            s += Wo;
            continue;
          }
          const row = plane + ih * W;
          for (let ow = 0; ow < Wo; ow++, s++) {
            const iw = ow * sw - pw + j * dw;
            if (iw >= 0 && iw < W) dx[row + iw] += cols[s];
          }
        }
      }
    }
  }
}

const pointwise = (g: ConvGeometry) => g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0;

/** The scratch im2col needs for one sample: C·kh·kw·Ho·Wo floats. */
export function colsSize(g: ConvGeometry): number {
  return g.C * g.kh * g.kw * g.Ho * g.Wo;
}

export function conv2dForward(
  x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, cols: Float32Array, g: ConvGeometry,
): void {
  const { N, C, H, W, Co, groups } = g;
  const P = g.Ho * g.Wo;
  const Cog = Co / groups;
  const Kg = (C / groups) * g.kh * g.kw;
  const pw = pointwise(g);
  for (let n = 0; n < N; n++) {
    const xOff = n * C * H * W;
    const yOff = n * Co * P;
    if (!pw) im2col(x, xOff, g, cols);
    const src = pw ? x.subarray(xOff) : cols;
    if (bias) for (let o = 0; o < Co; o++) y.fill(bias[o], yOff + o * P, yOff + (o + 1) * P);
    for (let gi = 0; gi < groups; gi++) {
      gemm(false, false, Cog, P, Kg, 1, w.subarray(gi * Cog * Kg), Kg, src.subarray(gi * Kg * P), P, bias ? 1 : 0, y.subarray(yOff + gi * Cog * P), P);
    }
  }
}

export function conv2dBackwardInput(
  dy: Float32Array, w: Float32Array, dx: Float32Array, cols: Float32Array, g: ConvGeometry, acc: number,
): void {
  const { N, C, H, W, Co, groups } = g;
  const P = g.Ho * g.Wo;
  const Cog = Co / groups;
  const Kg = (C / groups) * g.kh * g.kw;
  const pw = pointwise(g);
  for (let n = 0; n < N; n++) {
    const dxOff = n * C * H * W;
    const dyOff = n * Co * P;
    for (let gi = 0; gi < groups; gi++) {
      const out = pw ? dx.subarray(dxOff + gi * Kg * P) : cols.subarray(gi * Kg * P);
      gemm(true, false, Kg, P, Cog, 1, w.subarray(gi * Cog * Kg), Kg, dy.subarray(dyOff + gi * Cog * P), P, pw && acc ? 1 : 0, out, P);
    }
    if (pw) continue;
    if (!acc) dx.fill(0, dxOff, dxOff + C * H * W);
    col2im(cols, g, dx, dxOff);
  }
}

export function conv2dBackwardWeight(
  x: Float32Array, dy: Float32Array, dw: Float32Array | null, db: Float32Array | null, cols: Float32Array, g: ConvGeometry, acc: number,
): void {
  const { N, C, H, W, Co, groups } = g;
  const P = g.Ho * g.Wo;
  const Cog = Co / groups;
  const Kg = (C / groups) * g.kh * g.kw;
  const pw = pointwise(g);
  if (dw) {
    if (N === 0 && !acc) dw.fill(0, 0, Co * Kg);
    for (let n = 0; n < N; n++) {
      const xOff = n * C * H * W;
      if (!pw) im2col(x, xOff, g, cols);
      const src = pw ? x.subarray(xOff) : cols;
      const beta = n === 0 && !acc ? 0 : 1;
      for (let gi = 0; gi < groups; gi++) {
        gemm(false, true, Cog, Kg, P, 1, dy.subarray(n * Co * P + gi * Cog * P), P, src.subarray(gi * Kg * P), P, beta, dw.subarray(gi * Cog * Kg), Kg);
      }
    }
  }
  if (db) {
    for (let o = 0; o < Co; o++) {
      let total = 0;
      for (let n = 0; n < N; n++) {
        const row = (n * Co + o) * P;
        let s = 0;
        for (let k = 0; k < P; k++) s += dy[row + k];
        total += s;
      }
      db[o] = acc ? db[o] + total : total;
    }
  }
}
