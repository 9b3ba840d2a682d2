// Pure-JS twins of the tensor-operation kernels (assembly/ops_elementwise.ts,
// assembly/ops_reduce.ts): the pure-JS build's implementation and the tests'
// oracle. Same descriptor as the WebAssembly kernels (an Int32Array: [0]
// ndim, [1..8] sizes, then 8 strides per operand, in elements), arrays with
// element offsets instead of pointers. Arithmetic in float64, rounded on
// store; reductions in the same chunks and order as the kernels.
export type FloatArray = Float32Array | Float64Array;

export const OP = { ADD: 0, SUB: 1, MUL: 2, DIV: 3, MAXIMUM: 4, MINIMUM: 5, POW: 6 } as const;
export const TER = { WHERE: 0, MAX_GRAD: 1, MIN_GRAD: 2, DIV_GRAD_B: 3, POW_GRAD_BASE: 4, POW_GRAD_EXP: 5 } as const;
export const U = {
  NEG: 0, EXP: 1, LOG: 2, SQRT: 3, RSQRT: 4, ABS: 5, SQUARE: 6, ADD_SCALAR: 7, MUL_SCALAR: 8, DIV_SCALAR: 9,
  CLAMP: 10, POW_SCALAR: 11, RSUB_SCALAR: 12, RDIV_SCALAR: 13,
} as const;
export const R = { SUM: 0, MAX: 1, MIN: 2, VAR: 3, NORM2: 4, NORM1: 5, NORMINF: 6, NORMP: 7, ARGMAX: 8, ARGMIN: 9 } as const;
export const D_SIZES = 1;
export const D_STRIDES = 9;
export const REDUCE_CHUNK = 2048;
/** The descriptor's length in words; words from D_SCALARS on hold scalar operands (the WebAssembly side's). */
export const D_WORDS = 64;
export const D_SCALARS = 48;

/** Writes an iteration space (sizes, and each operand's strides) into a descriptor. */
export function writeDescriptor(d: Int32Array, it: { readonly sizes: readonly number[]; readonly strides: readonly (readonly number[])[] }): void {
  const nd = it.sizes.length;
  d[0] = nd;
  for (let i = 0; i < nd; i++) d[D_SIZES + i] = it.sizes[i];
  for (let k = 0; k < it.strides.length; k++) {
    const s = it.strides[k];
    for (let i = 0; i < nd; i++) d[D_STRIDES + 8 * k + i] = s[i];
  }
}

function binS(op: number, a: number, b: number, alpha: number): number {
  switch (op) {
    case OP.ADD: return a + Math.fround(b * alpha);
    case OP.SUB: return a - Math.fround(b * alpha);
    case OP.MUL: return a * b;
    case OP.DIV: return a / b;
    case OP.MAXIMUM: return a !== a || b !== b ? NaN : Math.max(a, b);
    case OP.MINIMUM: return a !== a || b !== b ? NaN : Math.min(a, b);
    default: return Math.pow(a, b);
  }
}

function terS(op: number, x: number, y: number, z: number): number {
  switch (op) {
    case TER.WHERE: return x !== 0 ? y : z;
    case TER.MAX_GRAD: return y > z ? x : y === z ? x * 0.5 : 0;
    case TER.MIN_GRAD: return y < z ? x : y === z ? x * 0.5 : 0;
    case TER.DIV_GRAD_B: return (-x * y) / (z * z);
    case TER.POW_GRAD_BASE: return z === 0 ? 0 : x * z * Math.pow(y, z - 1);
    default: return y === 0 && z >= 0 ? 0 : x * Math.pow(y, z) * Math.log(y);
  }
}

/**
 * Walks the descriptor's iteration space: calls row(offsets) for each row of
 * the innermost dimension with each operand's element offset.
 */
function forEachRow(desc: Int32Array, nOperands: number, base: number[], row: (off: number[]) => void): void {
  const nd = desc[0];
  const last = nd - 1;
  let rows = 1;
  for (let d = 0; d < last; d++) rows *= desc[D_SIZES + d];
  const count = new Array<number>(Math.max(last, 0)).fill(0);
  const off = base.slice();
  for (let r = 0; r < rows; r++) {
    row(off);
    for (let d = last - 1; d >= 0; d--) {
      const c = ++count[d];
      if (c < desc[D_SIZES + d]) {
        for (let k = 0; k < nOperands; k++) off[k] += desc[D_STRIDES + 8 * k + d];
        break;
      }
      count[d] = 0;
      for (let k = 0; k < nOperands; k++) off[k] -= desc[D_STRIDES + 8 * k + d] * (c - 1);
    }
  }
}

export function ewBinary(
  op: number, desc: Int32Array, out: FloatArray, oo: number, a: FloatArray, ao: number, b: FloatArray, bo: number, alpha: number,
): void {
  const last = desc[0] - 1;
  const n = desc[D_SIZES + last];
  const so = desc[D_STRIDES + last], sa = desc[D_STRIDES + 8 + last], sb = desc[D_STRIDES + 16 + last];
  forEachRow(desc, 3, [oo, ao, bo], ([po, pa, pb]) => {
    for (let i = 0; i < n; i++) out[po + i * so] = binS(op, a[pa + i * sa], b[pb + i * sb], alpha);
  });
}

export function ewBinaryContiguous(
  op: number, out: FloatArray, oo: number, a: FloatArray, ao: number, b: FloatArray, bo: number, n: number, alpha: number,
): void {
  for (let i = 0; i < n; i++) out[oo + i] = binS(op, a[ao + i], b[bo + i], alpha);
}

export function ewTernary(
  op: number, desc: Int32Array, out: FloatArray, oo: number, x: FloatArray, xo: number, y: FloatArray, yo: number, z: FloatArray, zo: number,
): void {
  const last = desc[0] - 1;
  const n = desc[D_SIZES + last];
  const s = [0, 1, 2, 3].map((k) => desc[D_STRIDES + 8 * k + last]);
  forEachRow(desc, 4, [oo, xo, yo, zo], ([po, px, py, pz]) => {
    for (let i = 0; i < n; i++) out[po + i * s[0]] = terS(op, x[px + i * s[1]], y[py + i * s[2]], z[pz + i * s[3]]);
  });
}

export function copyStrided(desc: Int32Array, out: FloatArray, oo: number, src: FloatArray, so: number, acc: number): void {
  const last = desc[0] - 1;
  const n = desc[D_SIZES + last];
  const sOut = desc[D_STRIDES + last], sSrc = desc[D_STRIDES + 8 + last];
  forEachRow(desc, 2, [oo, so], ([po, ps]) => {
    if (acc) for (let i = 0; i < n; i++) out[po + i * sOut] += src[ps + i * sSrc];
    else for (let i = 0; i < n; i++) out[po + i * sOut] = src[ps + i * sSrc];
  });
}

function unS(op: number, x: number, p: number, q: number): number {
  switch (op) {
    case U.NEG: return -x;
    case U.EXP: return Math.exp(x);
    case U.LOG: return Math.log(x);
    case U.SQRT: return Math.sqrt(x);
    case U.RSQRT: return 1 / Math.sqrt(x);
    case U.ABS: return Math.abs(x);
    case U.SQUARE: return x * x;
    case U.ADD_SCALAR: return x + p;
    case U.MUL_SCALAR: return x * p;
    case U.DIV_SCALAR: return x / p;
    case U.CLAMP: return x !== x ? NaN : Math.min(Math.max(x, p), q);
    case U.RSUB_SCALAR: return p - x;
    case U.RDIV_SCALAR: return p / x;
    default: return p === 2 ? x * x : p === 0.5 ? Math.sqrt(x) : Math.pow(x, p);
  }
}

export function ewUnary(op: number, x: FloatArray, xo: number, y: FloatArray, yo: number, n: number, p: number, q: number): void {
  for (let i = 0; i < n; i++) y[yo + i] = unS(op, x[xo + i], p, q);
}

function unBackS(op: number, x: number, y: number, d: number, p: number, q: number): number {
  switch (op) {
    case U.NEG: return -d;
    case U.EXP: return d * y;
    case U.LOG: return d / x;
    case U.SQRT: return d / (2 * y);
    case U.RSQRT: return -0.5 * d * y * y * y;
    case U.ABS: return d * (x > 0 ? 1 : x < 0 ? -1 : 0);
    case U.SQUARE: return d * 2 * x;
    case U.ADD_SCALAR: return d;
    case U.MUL_SCALAR: return d * p;
    case U.DIV_SCALAR: return d / p;
    case U.CLAMP: return x >= p && x <= q ? d : 0;
    case U.RSUB_SCALAR: return -d;
    case U.RDIV_SCALAR: return (-d * y) / x;
    default: return p === 0 ? 0 : p === 2 ? d * 2 * x : d * p * Math.pow(x, p - 1);
  }
}

export function ewUnaryBackward(
  op: number, x: FloatArray, y: FloatArray, dy: FloatArray, dx: FloatArray, o: number, n: number, acc: number, p: number, q: number,
): void {
  for (let i = 0; i < n; i++) {
    const g = unBackS(op, x[o + i], y[o + i], dy[o + i], p, q);
    dx[o + i] = acc ? dx[o + i] + g : g;
  }
}

function chunkedSum(x: FloatArray, at: number, n: number, f: (v: number) => number): number {
  let total = 0;
  for (let start = 0; start < n; start += REDUCE_CHUNK) {
    const end = Math.min(n, start + REDUCE_CHUNK);
    let s = 0;
    for (let i = start; i < end; i++) s += f(x[at + i]);
    total += s;
  }
  return total;
}

function reduceRow(op: number, x: FloatArray, at: number, n: number, p: number): number {
  switch (op) {
    case R.SUM: return chunkedSum(x, at, n, (v) => v) * p;
    case R.MAX:
    case R.MIN:
    case R.NORMINF: {
      let r = op === R.MIN ? Infinity : -Infinity;
      if (op === R.NORMINF && n === 0) return 0;
      for (let i = 0; i < n; i++) {
        const v = op === R.NORMINF ? Math.abs(x[at + i]) : x[at + i];
        if (v !== v) return NaN;
        r = op === R.MIN ? Math.min(r, v) : Math.max(r, v);
      }
      return r;
    }
    case R.VAR: {
      const mean = Math.fround(chunkedSum(x, at, n, (v) => v) / n);
      return chunkedSum(x, at, n, (v) => (v - mean) ** 2) / Math.max(0, n - p);
    }
    case R.NORM2: return Math.sqrt(chunkedSum(x, at, n, (v) => v * v));
    case R.NORM1: return chunkedSum(x, at, n, Math.abs);
    case R.NORMP: {
      if (p === -Infinity) {
        let r = Infinity;
        for (let i = 0; i < n; i++) {
          const v = Math.abs(x[at + i]);
          if (v !== v) return NaN;
          r = Math.min(r, v);
        }
        return r;
      }
      let s = 0;
      for (let i = 0; i < n; i++) {
        const a = Math.abs(x[at + i]);
        s += p === 0 ? (a !== 0 ? 1 : 0) : Math.pow(a, p);
      }
      return p === 0 ? s : Math.pow(s, 1 / p);
    }
    default: {
      const isMax = op === R.ARGMAX;
      let best = x[at];
      if (best !== best) return 0;
      let where = 0;
      for (let i = 1; i < n; i++) {
        const v = x[at + i];
        if (v !== v) return i;
        if (isMax ? v > best : v < best) {
          best = v;
          where = i;
        }
      }
      return where;
    }
  }
}

export function reduceInner(
  op: number, x: FloatArray, xo: number, out: FloatArray, oo: number, outer: number, n: number, p: number, acc: number,
): void {
  for (let o = 0; o < outer; o++) {
    const v = reduceRow(op, x, xo + o * n, n, p);
    out[oo + o] = acc ? out[oo + o] + v : v;
  }
}

export function reduceOuter(
  op: number, x: FloatArray, xo: number, out: FloatArray, oo: number, outer: number, n: number, inner: number, p: number, acc: number,
): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = op === R.MAX ? -Infinity : op === R.MIN ? Infinity : 0;
      let nan = false;
      for (let r = 0; r < n; r++) {
        let v = x[xo + (o * n + r) * inner + i];
        if (op === R.SUM) s = Math.fround(s + v);
        else if (op === R.NORM2) s = Math.fround(s + Math.fround(v * v));
        else if (op === R.NORM1) s = Math.fround(s + Math.abs(v));
        else {
          if (op === R.NORMINF) v = Math.abs(v);
          if (v !== v) nan = true;
          s = op === R.MIN ? Math.min(s, v) : Math.max(s, v);
        }
      }
      if (op === R.SUM) s *= p;
      else if (op === R.NORM2) s = Math.sqrt(s);
      else if (nan && op !== R.NORM1) s = NaN;
      const k = oo + o * inner + i;
      out[k] = acc ? out[k] + s : s;
    }
  }
}
