// Pure-JS twins of assembly/optim.ts: the same arithmetic, bit for bit.
// Float32 steps are Math.fround of the float64 operation (exact for +, −, ×, ÷
// and √ of float32 inputs); the float64 path for groups with tiny gradients or
// tiny squared-gradient state rounds exactly where the kernel does. Each
// function updates one tensor; scalars must already be float32 values.

const f = Math.fround;
/** 2^-50 and 2^-80: see the subnormal note in assembly/optim.ts. */
const TINY_GRAD = 2 ** -50;
const TINY_STATE = 2 ** -80;

/** Elements per piece of a table reduction (assembly/optim.ts REDUCE_PIECE): pieces are summed apart and added in order. */
export const REDUCE_PIECE = 32768;

function tinyG(x: number): boolean {
  return x !== 0 && Math.abs(x) < TINY_GRAD;
}
/** State counts as tiny only when positive (squared-gradient state never is negative), as in the kernels. */
function tinyS(x: number): boolean {
  return x > 0 && x < TINY_STATE;
}
/** Whether element i's group (aligned 4, or the single tail element) takes the float64 path. */
function tinyGroup(g: Float32Array, s: Float32Array, i: number, n4: number, s2: Float32Array | null = null): boolean {
  if (i >= n4) return tinyG(g[i]) || tinyS(s[i]) || (s2 !== null && tinyS(s2[i]));
  for (let j = i; j < i + 4; j++) if (tinyG(g[j]) || tinyS(s[j]) || (s2 !== null && tinyS(s2[j]))) return true;
  return false;
}

/** SGD: d = gSign·g (+ wd·p); buf = first ? d : μ·buf + (1−dampening)·d; d = nesterov ? d + μ·buf : buf; p −= lr·d. */
export function sgdStepJs(
  p: Float32Array, g: Float32Array, buf: Float32Array | null, first: boolean,
  lr: number, momentum: number, omd: number, wd: number, gSign: number, nesterov: boolean,
): void {
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const pv = p[i];
    let d = f(g[i] * gSign);
    if (wd !== 0) d = f(d + f(wd * pv));
    if (momentum !== 0) {
      const b = first ? d : f(f(momentum * buf![i]) + f(omd * d));
      buf![i] = b;
      d = nesterov ? f(d + f(momentum * b)) : b;
    }
    p[i] = f(pv - f(lr * d));
  }
}

/**
 * Adam / AdamW (see adamStep in assembly/optim.ts). t0 = lr/bc1, t1 = 1/√bc2.
 * In a tiny group only v's update is evaluated in float64 and rounded once.
 */
export function adamStepJs(
  p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vmax: Float32Array | null,
  stepSize: number, rb2: number,
  b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number, decay: number, gSign: number,
): void {
  const n = p.length, n4 = n & ~3;
  const hasDecay = decay !== 1, hasWd = wd !== 0;
  for (let i0 = 0; i0 < n; i0 = i0 < n4 ? i0 + 4 : i0 + 1) {
    const end = i0 < n4 ? i0 + 4 : i0 + 1;
    const wide = tinyGroup(g, v, i0, n4);
    for (let i = i0; i < end; i++) {
      let pv = p[i];
      if (hasDecay) pv = f(pv * decay);
      let d = f(g[i] * gSign);
      if (hasWd) d = f(d + f(wd * pv));
      const mv = f(f(b1 * m[i]) + f(omb1 * d));
      const vv = wide ? f(b2 * v[i] + omb2 * d * d) : f(f(b2 * v[i]) + f(f(omb2 * d) * d));
      m[i] = mv;
      v[i] = vv;
      let vh = vv;
      if (vmax) {
        vh = Math.max(vmax[i], vv);
        vmax[i] = vh;
      }
      const denom = f(f(f(Math.sqrt(vh)) * rb2) + eps);
      p[i] = f(pv - f(f(stepSize * mv) / denom));
    }
  }
}

/** x rounded to float32, or left as it is in a tiny group (the kernels' float64 lanes round only where they store). */
function r(x: number, wide: boolean): number {
  return wide ? x : f(x);
}

/** The gradient the rules see: gSign·g (+ wd·p), each step rounded unless wide. */
function grad(g: number, pv: number, gSign: number, wd: number, wide: boolean): number {
  const d = r(g * gSign, wide);
  return wd !== 0 ? r(d + r(wd * pv, wide), wide) : d;
}

/** First moments: m = β1·m + (1 − β1)·d and v = β2·v + ((1 − β2)·d)·d, stored (rounded) at i. */
function moments(m: Float32Array, v: Float32Array, i: number, d: number, b1: number, omb1: number, b2: number, omb2: number, wide: boolean): void {
  m[i] = r(b1 * m[i], wide) + r(omb1 * d, wide);
  v[i] = r(b2 * v[i], wide) + r(r(omb2 * d, wide) * d, wide);
}

/** The end of the group starting at i0: 4 elements in the aligned part (n4), then one. */
function groupEnd(i0: number, n4: number): number {
  return i0 < n4 ? i0 + 4 : i0 + 1;
}

/** Adagrad: d = gSign·g (+ wd·p); sum += d·d; p −= (clr·d)/(√sum + eps). */
export function adagradStepJs(
  p: Float32Array, g: Float32Array, sum: Float32Array, clr: number, eps: number, wd: number, gSign: number,
): void {
  for (let i0 = 0, n4 = p.length & ~3; i0 < p.length; i0 = groupEnd(i0, n4)) {
    if (tinyGroup(g, sum, i0, n4)) for (let i = i0; i < groupEnd(i0, n4); i++) adagradAt(p, g, sum, i, true, clr, eps, wd, gSign);
    else for (let i = i0; i < groupEnd(i0, n4); i++) adagradAt(p, g, sum, i, false, clr, eps, wd, gSign);
  }
}

function adagradAt(p: Float32Array, g: Float32Array, sum: Float32Array, i: number, wide: boolean, clr: number, eps: number, wd: number, gSign: number): void {
  const pv = p[i];
  const d = grad(g[i], pv, gSign, wd, wide);
  const s = f(sum[i] + r(d * d, wide));
  sum[i] = s;
  p[i] = pv - r(r(clr * d, wide) / r(r(Math.sqrt(s), wide) + eps, wide), wide);
}

/** RMSprop (centered, momentum). */
export function rmspropStepJs(
  p: Float32Array, g: Float32Array, sq: Float32Array, ga: Float32Array | null, buf: Float32Array | null,
  lr: number, alpha: number, oma: number, eps: number, wd: number, gSign: number, momentum: number,
): void {
  for (let i0 = 0, n4 = p.length & ~3; i0 < p.length; i0 = groupEnd(i0, n4)) {
    if (tinyGroup(g, sq, i0, n4)) for (let i = i0; i < groupEnd(i0, n4); i++) rmspropAt(p, g, sq, ga, buf, i, true, lr, alpha, oma, eps, wd, gSign, momentum);
    else for (let i = i0; i < groupEnd(i0, n4); i++) rmspropAt(p, g, sq, ga, buf, i, false, lr, alpha, oma, eps, wd, gSign, momentum);
  }
}

function rmspropAt(
  p: Float32Array, g: Float32Array, sq: Float32Array, ga: Float32Array | null, buf: Float32Array | null, i: number, wide: boolean,
  lr: number, alpha: number, oma: number, eps: number, wd: number, gSign: number, momentum: number,
): void {
  const pv = p[i];
  const d = grad(g[i], pv, gSign, wd, wide);
  const s = f(r(alpha * sq[i], wide) + r(r(oma * d, wide) * d, wide));
  sq[i] = s;
  let avg: number;
  if (ga) {
    const a = f(r(alpha * ga[i], wide) + r(oma * d, wide));
    ga[i] = a;
    avg = r(r(Math.sqrt(r(s - r(a * a, wide), wide)), wide) + eps, wide);
  } else {
    avg = r(r(Math.sqrt(s), wide) + eps, wide);
  }
  if (momentum > 0) {
    const b = f(r(momentum * buf![i], wide) + r(d / avg, wide));
    buf![i] = b;
    p[i] = pv - r(lr * b, wide);
  } else {
    p[i] = pv - r(r(lr * d, wide) / avg, wide);
  }
}

/** Adamax: m = β1·m + (1−β1)·d; u = max(β2·u, |d| + eps); p −= (clr·m)/u. */
export function adamaxStepJs(
  p: Float32Array, g: Float32Array, m: Float32Array, u: Float32Array,
  clr: number, b1: number, omb1: number, b2: number, eps: number, wd: number, gSign: number,
): void {
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const pv = p[i];
    const d = grad(g[i], pv, gSign, wd, false);
    const mv = f(f(b1 * m[i]) + f(omb1 * d));
    const uv = Math.max(f(b2 * u[i]), f(Math.abs(d) + eps));
    m[i] = mv;
    u[i] = uv;
    p[i] = f(pv - f(f(clr * mv) / uv));
  }
}

/** NAdam. t0 = 1/bc2, c1, c2 as in nadamStep. */
export function nadamStepJs(
  p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, rbc2: number, c1: number, c2: number,
  b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number,
): void {
  for (let i0 = 0, n4 = p.length & ~3; i0 < p.length; i0 = groupEnd(i0, n4)) {
    if (tinyGroup(g, v, i0, n4)) for (let i = i0; i < groupEnd(i0, n4); i++) nadamAt(p, g, m, v, i, true, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd);
    else for (let i = i0; i < groupEnd(i0, n4); i++) nadamAt(p, g, m, v, i, false, rbc2, c1, c2, b1, omb1, b2, omb2, eps, wd);
  }
}

function nadamAt(
  p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, i: number, wide: boolean, rbc2: number, c1: number, c2: number,
  b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number,
): void {
  const d = grad(g[i], p[i], 1, wd, wide);
  moments(m, v, i, d, b1, omb1, b2, omb2, wide);
  const denom = f(r(Math.sqrt(f(v[i] * rbc2)), wide) + eps);
  const pv = f(p[i] - r(r(c1 * d, wide) / denom, wide));
  p[i] = pv - r(r(c2 * m[i], wide) / denom, wide);
}

/** RAdam. t0 = 1/bc1, t1 = lr, t2 = rect (0: unrectified), t3 = √bc2. */
export function radamStepJs(
  p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, rbc1: number, lr: number, rect: number,
  sbc2: number, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number,
): void {
  for (let i0 = 0, n4 = p.length & ~3; i0 < p.length; i0 = groupEnd(i0, n4)) {
    if (tinyGroup(g, v, i0, n4)) for (let i = i0; i < groupEnd(i0, n4); i++) radamAt(p, g, m, v, i, true, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd);
    else for (let i = i0; i < groupEnd(i0, n4); i++) radamAt(p, g, m, v, i, false, rbc1, lr, rect, sbc2, b1, omb1, b2, omb2, eps, wd);
  }
}

function radamAt(
  p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, i: number, wide: boolean, rbc1: number, lr: number, rect: number,
  sbc2: number, b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number,
): void {
  const pv = p[i];
  moments(m, v, i, grad(g[i], pv, 1, wd, wide), b1, omb1, b2, omb2, wide);
  const ml = f(f(m[i] * rbc1) * lr);
  p[i] = rect > 0 ? pv - r(f(ml * f(sbc2 / r(r(Math.sqrt(v[i]), wide) + eps, wide))) * rect, wide) : pv - ml;
}

/** Adadelta: δ = √((acc + eps)/(sq + eps))·d (see adadeltaStep). */
export function adadeltaStepJs(
  p: Float32Array, g: Float32Array, sq: Float32Array, acc: Float32Array,
  lr: number, rho: number, omr: number, eps: number, wd: number, gSign: number,
): void {
  for (let i0 = 0, n4 = p.length & ~3; i0 < p.length; i0 = groupEnd(i0, n4)) {
    if (tinyGroup(g, sq, i0, n4, acc)) for (let i = i0; i < groupEnd(i0, n4); i++) adadeltaAt(p, g, sq, acc, i, true, lr, rho, omr, eps, wd, gSign);
    else for (let i = i0; i < groupEnd(i0, n4); i++) adadeltaAt(p, g, sq, acc, i, false, lr, rho, omr, eps, wd, gSign);
  }
}

function adadeltaAt(
  p: Float32Array, g: Float32Array, sq: Float32Array, acc: Float32Array, i: number, wide: boolean,
  lr: number, rho: number, omr: number, eps: number, wd: number, gSign: number,
): void {
  const pv = p[i], a = acc[i];
  const d = grad(g[i], pv, gSign, wd, wide);
  const s = f(r(rho * sq[i], wide) + r(r(omr * d, wide) * d, wide));
  sq[i] = s;
  const delta = f(f(Math.sqrt(f(f(a + eps) / f(s + eps)))) * d);
  acc[i] = r(rho * a, wide) + r(r(omr * delta, wide) * delta, wide);
  p[i] = pv - r(lr * delta, wide);
}

function lambDirection(pv: number, m: number, v: number, rbc1: number, rbc2: number, eps: number, wd: number, wide: boolean): number {
  const u = f(f(m * rbc1) / f(r(Math.sqrt(f(v * rbc2)), wide) + eps));
  return wd !== 0 ? f(u + r(wd * pv, wide)) : u;
}

/**
 * LAMB pass 1: moments and the norms. Returns [Σp², Σu²] summed in float64 as
 * the kernel does (lane sums over full groups of 4, (s0+s1)+(s2+s3), tail).
 */
export function lambMomentsJs(
  p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, rbc1: number, rbc2: number,
  b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number, gSign: number,
): [number, number] {
  let sP = 0, sU = 0;
  for (let s = 0; s === 0 || s < p.length; s += REDUCE_PIECE) {
    const e = s + REDUCE_PIECE;
    const [a, b] = lambMomentsPieceJs(p.subarray(s, e), g.subarray(s, e), m.subarray(s, e), v.subarray(s, e), rbc1, rbc2, b1, omb1, b2, omb2, eps, wd, gSign);
    sP += a;
    sU += b;
  }
  return [sP, sU];
}

function lambMomentsPieceJs(
  p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, rbc1: number, rbc2: number,
  b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number, gSign: number,
): [number, number] {
  const n = p.length, n4 = n & ~3;
  const sp = [0, 0, 0, 0], su = [0, 0, 0, 0];
  let tp = 0, tu = 0;
  for (let i0 = 0; i0 < n; i0 = groupEnd(i0, n4)) {
    const wide = tinyGroup(g, v, i0, n4);
    for (let i = i0; i < groupEnd(i0, n4); i++) {
      const pv = p[i];
      moments(m, v, i, r(g[i] * gSign, wide), b1, omb1, b2, omb2, wide);
      const u = lambDirection(pv, m[i], v[i], rbc1, rbc2, eps, wd, wide);
      if (i < n4) {
        sp[i & 3] += pv * pv;
        su[i & 3] += u * u;
      } else {
        tp += pv * pv;
        tu += u * u;
      }
    }
  }
  return [sp[0] + sp[1] + (sp[2] + sp[3]) + tp, su[0] + su[1] + (su[2] + su[3]) + tu];
}

/** LAMB pass 2: p −= (lr·r)·u with u recomputed from the stored m, v, p. */
export function lambApplyJs(
  p: Float32Array, m: Float32Array, v: Float32Array, rbc1: number, rbc2: number, lrr: number, eps: number, wd: number,
): void {
  for (let i0 = 0, n4 = p.length & ~3; i0 < p.length; i0 = groupEnd(i0, n4)) {
    let wide = false;
    for (let i = i0; i < groupEnd(i0, n4); i++) if (tinyS(v[i])) wide = true;
    for (let i = i0; i < groupEnd(i0, n4); i++) {
      const pv = p[i];
      p[i] = pv - r(lrr * lambDirection(pv, m[i], v[i], rbc1, rbc2, eps, wd, wide), wide);
    }
  }
}

/** Lookahead: slow += α·(fast − slow); fast = slow. */
export function lookaheadSyncJs(fast: Float32Array, slow: Float32Array, alpha: number): void {
  const n = fast.length;
  for (let i = 0; i < n; i++) {
    const s = slow[i];
    const r = f(s + f(alpha * f(fast[i] - s)));
    slow[i] = r;
    fast[i] = r;
  }
}

/** normType 2 → Σg², 1 → Σ|g| (float64, lane and piece order as the kernel), 0 → max|g|. */
export function gradNormJs(g: Float32Array, normType: number): number {
  let r = normPieceJs(g.subarray(0, REDUCE_PIECE), normType);
  for (let s = REDUCE_PIECE; s < g.length; s += REDUCE_PIECE) {
    const piece = normPieceJs(g.subarray(s, s + REDUCE_PIECE), normType);
    r = normType === 0 ? Math.max(r, piece) : r + piece;
  }
  return r;
}

function normPieceJs(g: Float32Array, normType: number): number {
  const n = g.length, n4 = n & ~3;
  if (normType === 0) {
    let r = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(g[i]);
      if (a > r || a !== a) r = a;
    }
    return r;
  }
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  if (normType === 1) {
    for (let i = 0; i < n4; i += 4) {
      s0 += Math.abs(g[i]);
      s1 += Math.abs(g[i + 1]);
      s2 += Math.abs(g[i + 2]);
      s3 += Math.abs(g[i + 3]);
    }
  } else {
    for (let i = 0; i < n4; i += 4) {
      const a = g[i], b = g[i + 1], c = g[i + 2], d = g[i + 3];
      s0 += a * a;
      s1 += b * b;
      s2 += c * c;
      s3 += d * d;
    }
  }
  let r = s0 + s1 + (s2 + s3);
  for (let i = n4; i < n; i++) r += normType === 1 ? Math.abs(g[i]) : g[i] * g[i];
  return r;
}

export function scaleGradJs(g: Float32Array, coef: number): void {
  for (let i = 0; i < g.length; i++) g[i] = f(g[i] * coef);
}

export function clampGradJs(g: Float32Array, clip: number): void {
  const lo = -clip;
  for (let i = 0; i < g.length; i++) g[i] = Math.min(Math.max(g[i], lo), clip);
}

/** out = x − mean(x) per row, x = gSign·g (+ wd·p) in float32, mean from a float64 sum. */
export function centralizeRowsJs(
  out: Float32Array, g: Float32Array, p: Float32Array, rows: number, cols: number, gSign: number, wd: number,
  center: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let sum = 0;
    for (let j = base; j < base + cols; j++) {
      let x = f(g[j] * gSign);
      if (wd !== 0) x = f(x + f(wd * p[j]));
      out[j] = x;
      sum += x;
    }
    if (!center) continue;
    const mean = f(sum / cols);
    for (let j = base; j < base + cols; j++) out[j] = f(out[j] - mean);
  }
}
