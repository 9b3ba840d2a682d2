// Pure-JS twin of assembly/rng.ts: Philox4x32-10 and the uniform, normal,
// truncated-normal and Bernoulli fills, bit for bit. Every float32 operation of
// the kernel is one Math.fround here (no fused operations: WebAssembly SIMD has
// none without relaxed SIMD, and each f64 operation on f32 inputs rounds to the
// f32 result exactly); integer ops use Math.imul and exact float64 products.
// The stream layout and the polynomials are documented in assembly/rng.ts.

const fround = Math.fround;

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const M0_HI = M0 >>> 16;
const M0_LO = M0 & 0xffff;
const M1_HI = M1 >>> 16;
const M1_LO = M1 & 0xffff;

const LP0 = fround(0.3333332655247981);
const LP1 = fround(-0.25000280604100833);
const LP2 = fround(0.20001877446017047);
const LP3 = fround(-0.16643502026014104);
const LP4 = fround(0.1419031596895475);
const LP5 = fround(-0.12943306952958433);
const LP6 = fround(0.12798232437356932);
const LP7 = fround(-0.08304966862984572);
const LN2 = fround(0.6931471805599453);
const S0 = fround(6.283185160174727);
const S1 = fround(-41.341655052581004);
const S2 = fround(81.60100545925718);
const S3 = fround(-76.54981534153417);
const S4 = fround(39.53696534130867);
const C1 = fround(-19.73920862443437);
const C2 = fround(64.93935361100132);
const C3 = fround(-85.45383151584329);
const C4 = fround(60.14822187982471);
const C5 = fround(-25.00691806936926);
const IA0 = -39.69683028665376;
const IA1 = 220.9460984245205;
const IA2 = -275.9285104469687;
const IA3 = 138.357751867269;
const IA4 = -30.66479806614716;
const IA5 = 2.506628277459239;
const IB0 = -54.47609879822406;
const IB1 = 161.5858368580409;
const IB2 = -155.6989798598866;
const IB3 = 66.80131188771972;
const IB4 = -13.28068155288572;
const IC0 = -0.007784894002430293;
const IC1 = -0.3223964580411365;
const IC2 = -2.400758277161838;
const IC3 = -2.549732539343734;
const IC4 = 4.374664141464968;
const IC5 = 2.938163982698783;
const ID0 = 0.007784695709041462;
const ID1 = 0.3224671290700398;
const ID2 = 2.445134137142996;
const ID3 = 3.754408661907416;
const QUANTILE_TAIL = 0.02425;
const TWO_POW_M24 = 5.960464477539063e-8;
const TWO_POW_M31 = 4.656612873077393e-10;
const TWO_POW_M32 = 2.3283064365386963e-10;

/**
 * Philox4x32-10 of counter (c0, c1, c2, c3) under key (k0, k1), written to
 * out[0..3] as unsigned 32-bit words.
 */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  let x0 = c0 >>> 0, x1 = c1 | 0, x2 = c2 >>> 0, x3 = c3 | 0, a = k0 | 0, b = k1 | 0;
  for (let r = 0; r < 10; r++) {
    // high words of M·x from two exact < 2^48 partial products
    const hi0 = Math.floor((x0 * M0_HI + Math.floor((x0 * M0_LO) / 65536)) / 65536);
    const lo0 = Math.imul(M0, x0);
    const hi1 = Math.floor((x2 * M1_HI + Math.floor((x2 * M1_LO) / 65536)) / 65536);
    const lo1 = Math.imul(M1, x2);
    x0 = (hi1 ^ x1 ^ a) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ b) >>> 0;
    x3 = lo0;
    a = (a + W0) | 0;
    b = (b + W1) | 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

const groupWords = new Int32Array(16);

/** High word of the 64-bit product of a uint32 and a 16+16-bit split constant (exact in float64). */
function mulHi(x: number, mHi: number, mLo: number): number {
  // ·2^-16 is exact; a multiply, where a division by 65536 may stay a division
  return Math.floor((x * mHi + Math.floor(x * mLo * 1.52587890625e-5)) * 1.52587890625e-5);
}

/**
 * The 16 words of group g (word 4j + lane = word j of counter (g, lane, 0))
 * into groupWords. As in the kernel, the first two rounds share the products
 * of the words that are equal in all four lanes.
 */
function philoxGroup(g: number, k0: number, k1: number): void {
  const gLo = g >>> 0;
  const gHi = Math.floor(g / 4294967296) >>> 0;
  // round 1 (c0 = gLo and c3 = 0 in every lane; c2 = lane)
  const s2 = (mulHi(gLo, M0_HI, M0_LO) ^ k1) >>> 0;
  const s3 = Math.imul(M0, gLo);
  // round 2: the M1·s2 product is shared
  const h1 = mulHi(s2, M1_HI, M1_LO);
  const l1 = Math.imul(M1, s2);
  const ka = (k0 + W0) | 0;
  const kb = (k1 + W1) | 0;
  for (let lane = 0; lane < 4; lane++) {
    // after round 1: x0 = hi(M1·lane) ^ gHi ^ k0, x1 = lo(M1·lane)
    const a0 = ((lane === 0 || lane === 1 ? 0 : lane - 1) ^ gHi ^ k0) >>> 0;
    const laneLo = Math.imul(M1, lane);
    let x0 = (h1 ^ laneLo ^ ka) >>> 0;
    let x1 = l1;
    let x2 = (mulHi(a0, M0_HI, M0_LO) ^ s3 ^ kb) >>> 0;
    let x3 = Math.imul(M0, a0);
    let a = (ka + W0) | 0;
    let b = (kb + W1) | 0;
    for (let r = 2; r < 10; r++) {
      const hi0 = mulHi(x0, M0_HI, M0_LO);
      const lo0 = Math.imul(M0, x0);
      const hi1 = mulHi(x2, M1_HI, M1_LO);
      const lo1 = Math.imul(M1, x2);
      x0 = (hi1 ^ x1 ^ a) >>> 0;
      x1 = lo1;
      x2 = (hi0 ^ x3 ^ b) >>> 0;
      x3 = lo0;
      a = (a + W0) | 0;
      b = (b + W1) | 0;
    }
    groupWords[lane] = x0;
    groupWords[4 + lane] = x1;
    groupWords[8 + lane] = x2;
    groupWords[12 + lane] = x3;
  }
}

const bitsF32 = new Float32Array(1);
const bitsI32 = new Int32Array(bitsF32.buffer);

/** Natural log of a positive normal float32, exactly as logF32x4 in assembly/rng.ts. */
export function logF32(u: number): number {
  bitsF32[0] = u;
  const bits = bitsI32[0] + (0x3f800000 - 0x3f3504f3);
  const e = (bits >> 23) - 127;
  bitsI32[0] = (bits & 0x7fffff) + 0x3f3504f3;
  const f = fround(bitsF32[0] - 1);
  const f2 = fround(f * f);
  let p = fround(fround(LP7 * f) + LP6);
  p = fround(fround(p * f) + LP5);
  p = fround(fround(p * f) + LP4);
  p = fround(fround(p * f) + LP3);
  p = fround(fround(p * f) + LP2);
  p = fround(fround(p * f) + LP1);
  p = fround(fround(p * f) + LP0);
  const t = fround(f2 * fround(fround(f * p) - 0.5));
  const lnm = fround(f + t);
  return fround(fround(fround(e) * LN2) + lnm);
}

/**
 * sin(2πw/2^32) and cos(2πw/2^32) for a 32-bit word w, exactly as the kernel:
 * half-turn reduction on the integer, then the two polynomials. Writes [cos, sin].
 */
export function sinCosTurn(w: number, out: Float64Array | number[]): void {
  const k = ((w + 0x40000000) | 0) >>> 31;
  const t = fround(fround((w - (k << 31)) | 0) * TWO_POW_M32);
  const t2 = fround(t * t);
  let s = fround(fround(S4 * t2) + S3);
  s = fround(fround(s * t2) + S2);
  s = fround(fround(s * t2) + S1);
  s = fround(fround(s * t2) + S0);
  s = fround(s * t);
  let c = fround(fround(C5 * t2) + C4);
  c = fround(fround(c * t2) + C3);
  c = fround(fround(c * t2) + C2);
  c = fround(fround(c * t2) + C1);
  c = fround(fround(c * t2) + 1);
  out[0] = k ? -c : c;
  out[1] = k ? -s : s;
}

/** Box–Muller radius sqrt(-2 ln u), u = ((x >>> 1) + ½)·2^-31. */
function radius(x: number): number {
  const u = fround(fround(fround(x >>> 1) + 0.5) * TWO_POW_M31);
  return fround(Math.sqrt(fround(logF32(u) * -2)));
}

/** The normal quantile Φ⁻¹(p) exactly as normalQuantileF32x4 (rational part in float64). */
export function normalQuantileF32(p: number): number {
  const upper = p > 0.5;
  const q = upper ? fround(1 - p) : p;
  const qt = fround(Math.sqrt(fround(logF32(q) * -2)));
  let x: number;
  if (q < QUANTILE_TAIL) {
    const nt = ((((IC0 * qt + IC1) * qt + IC2) * qt + IC3) * qt + IC4) * qt + IC5;
    const dt = (((ID0 * qt + ID1) * qt + ID2) * qt + ID3) * qt + 1;
    x = fround(nt / dt);
  } else {
    const y = q - 0.5;
    const r = y * y;
    const nc = ((((IA0 * r + IA1) * r + IA2) * r + IA3) * r + IA4) * r + IA5;
    const dc = ((((IB0 * r + IB1) * r + IB2) * r + IB3) * r + IB4) * r + 1;
    x = fround((nc * y) / dc);
  }
  return upper ? -x : x;
}

/**
 * Acklam's normal quantile in float64 (relative error 1.2e-9) for p in
 * (0, 1): the truncated normal's path for intervals beyond float32's reach.
 */
export function normalQuantileF64(p: number): number {
  const q = Math.min(p, 1 - p);
  let x: number;
  if (q < QUANTILE_TAIL) {
    const qt = Math.sqrt(-2 * Math.log(q));
    x = (((((IC0 * qt + IC1) * qt + IC2) * qt + IC3) * qt + IC4) * qt + IC5) / ((((ID0 * qt + ID1) * qt + ID2) * qt + ID3) * qt + 1);
  } else {
    const y = q - 0.5;
    const r = y * y;
    x = ((((((IA0 * r + IA1) * r + IA2) * r + IA3) * r + IA4) * r + IA5) * y) / (((((IB0 * r + IB1) * r + IB2) * r + IB3) * r + IB4) * r + 1);
  }
  return p > 0.5 ? -x : x;
}

const KIND_UNIFORM = 0;
const KIND_NORMAL = 1;
const KIND_TRUNC_NORMAL = 2;
const KIND_BERNOULLI = 3;
const KIND_STANDARD_NORMAL = 4;
const groupOut = new Float32Array(16);
const cosSin = new Float64Array(2);

function groupValues(kind: number, g: number, k0: number, k1: number, prm: Float64Array, dst: Float32Array, at: number): void {
  philoxGroup(g, k0, k1);
  const w = groupWords;
  if (kind === KIND_UNIFORM) {
    const scale = prm[0], shift = prm[1];
    for (let i = 0; i < 16; i++) dst[at + i] = fround(fround((w[i] >>> 8) * TWO_POW_M24) * scale) + shift;
  } else if (kind === KIND_NORMAL) {
    const mean = prm[0], std = prm[1];
    for (let half = 0; half < 2; half++) {
      for (let lane = 0; lane < 4; lane++) {
        const r = fround(radius(w[8 * half + lane]) * std);
        sinCosTurn(w[8 * half + 4 + lane], cosSin);
        dst[at + 8 * half + lane] = fround(r * cosSin[0]) + mean;
        dst[at + 8 * half + 4 + lane] = fround(r * cosSin[1]) + mean;
      }
    }
  } else if (kind === KIND_STANDARD_NORMAL) {
    for (let half = 0; half < 2; half++) {
      for (let lane = 0; lane < 4; lane++) {
        const r = radius(w[8 * half + lane]);
        sinCosTurn(w[8 * half + 4 + lane], cosSin);
        dst[at + 8 * half + lane] = r * cosSin[0];
        dst[at + 8 * half + 4 + lane] = r * cosSin[1];
      }
    }
  } else if (kind === KIND_TRUNC_NORMAL) {
    const pLo = prm[0], pWidth = prm[1], flip = prm[2], mean = prm[3], std = prm[4], lo = prm[5], hi = prm[6];
    for (let i = 0; i < 16; i++) {
      const u = fround(fround(fround(w[i] >>> 0) + 0.5) * TWO_POW_M32);
      const p = fround(fround(u * pWidth) + pLo);
      const z = fround(normalQuantileF32(p) * flip);
      const v = fround(fround(z * std) + mean);
      dst[at + i] = Math.min(Math.max(v, lo), hi);
    }
  } else {
    const p = prm[0], value = prm[1];
    for (let i = 0; i < 16; i++) dst[at + i] = fround((w[i] >>> 8) * TWO_POW_M24) < p ? value : 0;
  }
}

const params = new Float64Array(7);

function fill(kind: number, out: Float32Array, key0: number, key1: number, pos: number): void {
  const n = out.length;
  if (n === 0) return;
  let g = Math.floor(pos / 16);
  const head = pos - g * 16;
  let done = 0;
  if (head !== 0) {
    groupValues(kind, g, key0, key1, params, groupOut, 0);
    const take = Math.min(16 - head, n);
    out.set(groupOut.subarray(head, head + take), 0);
    done = take;
    g++;
  }
  for (; n - done >= 16; done += 16, g++) groupValues(kind, g, key0, key1, params, out, done);
  if (done < n) {
    groupValues(kind, g, key0, key1, params, groupOut, 0);
    out.set(groupOut.subarray(0, n - done), done);
  }
}

function setParams(a: number, b: number, c = 0, d = 0, e = 0, f = 0, g = 0): void {
  params[0] = fround(a);
  params[1] = fround(b);
  params[2] = fround(c);
  params[3] = fround(d);
  params[4] = fround(e);
  params[5] = fround(f);
  params[6] = fround(g);
}

/** out[i] = u·scale + shift for stream positions pos.. of key (key0, key1); see philoxUniform. */
export function philoxUniformJs(out: Float32Array, key0: number, key1: number, pos: number, scale: number, shift: number): void {
  setParams(scale, shift);
  fill(KIND_UNIFORM, out, key0, key1, pos);
}

/** out[i] = z·std + mean (Box–Muller); see philoxNormal. */
export function philoxNormalJs(out: Float32Array, key0: number, key1: number, pos: number, mean: number, std: number): void {
  setParams(mean, std);
  fill(params[0] === 0 && params[1] === 1 ? KIND_STANDARD_NORMAL : KIND_NORMAL, out, key0, key1, pos);
}

/** Truncated normal by inversion; see philoxTruncNormal. */
export function philoxTruncNormalJs(
  out: Float32Array, key0: number, key1: number, pos: number,
  pLo: number, pWidth: number, flip: number, mean: number, std: number, lo: number, hi: number,
): void {
  setParams(pLo, pWidth, flip, mean, std, lo, hi);
  fill(KIND_TRUNC_NORMAL, out, key0, key1, pos);
}

/** out[i] = value where u < p else 0; see philoxBernoulli. */
export function philoxBernoulliJs(out: Float32Array, key0: number, key1: number, pos: number, p: number, value: number): void {
  setParams(p, value);
  fill(KIND_BERNOULLI, out, key0, key1, pos);
}

/** The raw 32-bit words at stream positions pos.. (used for permutations). */
export function philoxWords(out: Uint32Array, key0: number, key1: number, pos: number): void {
  const n = out.length;
  let g = Math.floor(pos / 16);
  let i = pos - g * 16;
  philoxGroup(g, key0, key1);
  for (let done = 0; done < n; done++) {
    if (i === 16) {
      g++;
      i = 0;
      philoxGroup(g, key0, key1);
    }
    out[done] = groupWords[i++];
  }
}
