// The threaded build's kernels: the module's exports with the kernels that
// pay for a split replaced by functions that hand them to the pool. Call
// sites do not change (they call `wasm.gemm(…)`, `wasm.adamStep(…)` as
// before), and a call below its size threshold goes straight to the kernel.
//
// Every split cuts where the kernel's own loops would not notice: elements
// in chunks of 16,384 (a multiple of every SIMD group and unroll, so the
// tail a single call would process is the same tail), rows whole, GEMM
// output columns in whole NR = 8 panels (or rows), optimizer tensors into
// fixed pieces of 32,768 elements (each piece a whole number of the update
// rules' 4-element groups). So each output element is computed by one call,
// in the same order, whatever the thread count: results are bit-identical
// for 1, 2, … n threads.
import type { ThreadPool, Split } from "./pool.js";
import { CONV_POOL_KERNELS, wrapConvKernels } from "./parallel_conv.js";

type Kernel = (...args: number[]) => unknown;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Exports = Record<string, any>;

/** Elements per chunk of an elementwise kernel or a random fill. */
export const ELEMENT_CHUNK = 16384;
/** Below this many elements a kernel runs on the calling thread (waking workers costs more). */
export const MIN_PARALLEL_ELEMENTS = 2 * ELEMENT_CHUNK;
/** Elements per piece of an optimizer tensor. */
export const TABLE_PIECE = 32768;
/** GEMMs below this many flops (2·M·N·K; 128³ is 4.2 M) run on the calling thread. */
export const MIN_PARALLEL_FLOPS = 1 << 22;
/** GEMM's B panel width (assembly/gemm_kernels.ts NR). */
const NR = 8;

/** [name, pointer arguments advancing 4 bytes per element, count argument]. */
const ELEMENTWISE: readonly (readonly [string, readonly number[], number])[] = [
  ["reluForward", [0, 1], 2],
  ["tanhForward", [0, 1], 2],
  ["sigmoidForward", [0, 1], 2],
  ["geluForward", [0, 1], 2],
  ["geluTanhForward", [0, 1], 2],
  ["leakyReluForward", [0, 1], 2],
  ["reluBackward", [0, 1, 2], 3],
  ["tanhBackward", [0, 1, 2], 3],
  ["sigmoidBackward", [0, 1, 2], 3],
  ["geluBackward", [0, 1, 2], 3],
  ["geluTanhBackward", [0, 1, 2], 3],
  ["leakyReluBackward", [0, 1, 2], 3],
  ["mulInto", [0, 1, 2], 3],
  ["scaleInto", [0, 1], 2],
  ["swaEqualAverage", [0, 1], 2],
  ["swaEma", [0, 1], 2],
  ["ewBinaryContiguous", [1, 2, 3], 4],
  ["ewUnary", [1, 2], 3],
  ["ewUnaryBackward", [1, 2, 3, 4], 5],
];

/** Random fills: (out, n, key0, key1, posLo, posHi, …): each chunk starts its stream at pos + start. */
const RANDOM_FILLS = ["philoxUniform", "philoxNormal", "philoxTruncNormal", "philoxBernoulli"];

/** Optimizer kernels over a tensor table (table, count, …) that update each element on its own. */
const TABLE_KERNELS = [
  "sgdStep", "adamStep", "adagradStep", "rmspropStep", "adamaxStep", "nadamStep", "radamStep", "adadeltaStep",
  "lambApply", "lookaheadSync", "scaleGrads", "clampGrads",
];

/**
 * Optimizer-table reductions: each piece's result (words r0, r1 of its row)
 * is the kernel's result for that piece, and the pieces of a tensor are
 * combined in order as the kernel combines them (assembly/optim.ts
 * REDUCE_PIECE = TABLE_PIECE).
 */
const TABLE_REDUCTIONS = ["gradNorms", "lambMoments"];

/** Elements per chunk of assembly/ops_reduce.ts (reducePartials writes one float64 per chunk). */
const OPS_REDUCE_CHUNK = 2048;
/** Elements per block of a loss's sum (assembly/reduce.ts LOSS_BLOCK). */
const LOSS_BLOCK = 16384;
/** assembly/ops_reduce.ts's reduction codes, and the reducePartials kinds. */
const R_SUM = 0, R_MAX = 1, R_MIN = 2, R_VAR = 3, R_NORM2 = 4, R_NORM1 = 5, R_NORMINF = 6;
const P_SUM = 0, P_SQUARES = 1, P_ABS = 2, P_CENTRED = 3, P_MAX = 4, P_MIN = 5, P_MAX_ABS = 6;

/**
 * Row kernels, each row computed by one call: [name, rows argument, floats per
 * row (from the arguments), pointer arguments advancing one row, pointer
 * arguments advancing 4 bytes per row (int32 indices, one output per row)].
 */
type Args = readonly number[];
const ROWS: readonly (readonly [string, number, (a: Args) => number, readonly number[], readonly number[]])[] = [
  ["biasAddRows", 3, (a) => a[4], [0, 2], []],
  ["centralizeRows", 3, (a) => a[4], [0, 1, 2], []],
  ["softmaxForward", 2, (a) => a[3] * a[4], [0, 1], []],
  ["softmaxBackward", 3, (a) => a[4] * a[5], [0, 1, 2], []],
  ["embeddingForward", 2, (a) => a[3], [4], [1]],
  ["reduceInner", 3, (a) => a[4], [1], [2]],
  ["reduceOuter", 3, (a) => a[4] * a[5], [1], []],
];
/** reduceOuter's output advances `inner` floats per outer row. */
const ROW_EXTRA: Record<string, (a: Args) => [number, number][]> = {
  reduceOuter: (a) => [[2, a[5] * 4]],
};

/** The table row layout of assembly/optim.ts: 16 words; pointers at words 0–4, length at word 5, float64 results r0, r1 at bytes 48, 56. */
const ENTRY_WORDS = 16;
const RESULT_F64 = 6;
const POINTER_WORDS = 5;
const LENGTH_WORD = 5;

/** Every kernel the pool may be asked to run (the workers resolve names once, at start). */
export const POOL_KERNELS: readonly string[] = [
  "gemm",
  ...ELEMENTWISE.map(([n]) => n),
  ...RANDOM_FILLS,
  ...TABLE_KERNELS,
  ...ROWS.map(([n]) => n),
  ...TABLE_REDUCTIONS,
  "reducePartials",
  "mseLossPartials",
  "pointwiseLossPartials",
  ...CONV_POOL_KERNELS,
];

/** The exports with the pool's kernels wrapped. */
export function parallelExports(raw: Exports, pool: ThreadPool): Exports {
  const out: Exports = Object.create(null);
  for (const key of Object.keys(raw)) out[key] = raw[key];
  const has = (name: string) => typeof raw[name] === "function";

  for (const [name, pointers, countArg] of ELEMENTWISE) {
    if (!has(name)) continue;
    const kernel: Kernel = raw[name];
    const split = pointers.map((a) => [a, 4] as const);
    out[name] = (...args: number[]) => {
      const n = args[countArg];
      if (pool.threads <= 1 || n < MIN_PARALLEL_ELEMENTS) return kernel(...args);
      pool.run(name, args, { total: n, perChunk: ELEMENT_CHUNK, countArg, split });
    };
  }

  for (const name of RANDOM_FILLS) {
    if (!has(name)) continue;
    const kernel: Kernel = raw[name];
    const split = [[0, 4] as const];
    out[name] = (...args: number[]) => {
      const n = args[1];
      if (pool.threads <= 1 || n < MIN_PARALLEL_ELEMENTS) return kernel(...args);
      pool.run(name, args, { total: n, perChunk: ELEMENT_CHUNK, countArg: 1, split, posLo: 4 });
    };
  }

  for (const [name, rowsArg, rowFloats, pointers, perRow] of ROWS) {
    if (!has(name)) continue;
    const kernel: Kernel = raw[name];
    const extra = ROW_EXTRA[name];
    const rowsSplit = (args: number[]): boolean => {
      const rows = args[rowsArg], cols = rowFloats(args);
      if (rows < 2 || rows * cols < MIN_PARALLEL_ELEMENTS) return false;
      const perChunk = Math.max(1, Math.ceil(ELEMENT_CHUNK / Math.max(cols, 1)));
      const split: [number, number][] = [...pointers.map((a) => [a, cols * 4] as [number, number]), ...perRow.map((a) => [a, 4] as [number, number])];
      if (extra) split.push(...extra(args));
      pool.run(name, args, { total: rows, perChunk, countArg: rowsArg, split });
      return true;
    };
    out[name] = (...args: number[]) => {
      if (pool.threads <= 1 || !rowsSplit(args)) return kernel(...args);
    };
  }

  const pieces = new PieceTable(raw);
  for (const name of TABLE_KERNELS) {
    if (!has(name)) continue;
    const kernel: Kernel = raw[name];
    out[name] = (...args: number[]) => {
      if (pool.threads <= 1) return kernel(...args);
      const built = pieces.build(args[0] >>> 0, args[1]);
      if (built.elements < MIN_PARALLEL_ELEMENTS) return kernel(...args);
      const tableArgs = args.slice();
      tableArgs[0] = built.ptr;
      tableArgs[1] = built.count;
      const perChunk = Math.max(1, Math.ceil(built.count / (4 * pool.threads)));
      pool.run(name, tableArgs, { total: built.count, perChunk, countArg: 1, split: [[0, ENTRY_WORDS * 4]] });
    };
  }

  const partials = new Partials(raw);
  for (const name of TABLE_REDUCTIONS) {
    if (!has(name)) continue;
    const kernel: Kernel = raw[name];
    const results = name === "lambMoments" ? 2 : 1;
    out[name] = (...args: number[]) => {
      if (pool.threads <= 1) return kernel(...args);
      const table = args[0] >>> 0, count = args[1];
      const built = pieces.build(table, count);
      if (built.elements < MIN_PARALLEL_ELEMENTS) return kernel(...args);
      const tableArgs = args.slice();
      tableArgs[0] = built.ptr;
      tableArgs[1] = built.count;
      const perChunk = Math.max(1, Math.ceil(built.count / (4 * pool.threads)));
      pool.run(name, tableArgs, { total: built.count, perChunk, countArg: 1, split: [[0, ENTRY_WORDS * 4]] });
      // Combine each tensor's pieces in order, as the kernel does.
      const isMax = name === "gradNorms" && args[2] === 0;
      const buffer = raw.memory.buffer as ArrayBufferLike;
      const i32 = new Int32Array(buffer), f64 = new Float64Array(buffer);
      let piece = built.ptr >>> 3;
      for (let t = 0; t < count; t++) {
        const row = (table >>> 3) + t * (ENTRY_WORDS >> 1);
        const n = i32[(table >>> 2) + t * ENTRY_WORDS + LENGTH_WORD];
        const np = Math.max(1, Math.ceil(n / TABLE_PIECE));
        for (let r = 0; r < results; r++) {
          let acc = isMax ? f64[piece + RESULT_F64 + r] : 0;
          for (let k = isMax ? 1 : 0; k < np; k++) {
            const v = f64[piece + k * (ENTRY_WORDS >> 1) + RESULT_F64 + r];
            acc = isMax ? Math.max(acc, v) : acc + v;
          }
          f64[row + RESULT_F64 + r] = acc;
        }
        piece += np * (ENTRY_WORDS >> 1);
      }
    };
  }

  if (has("reduceInner") && has("reducePartials")) {
    const byRows = out.reduceInner as Kernel;
    /** One float64 result of reducePartials per OPS_REDUCE_CHUNK, computed by the pool. */
    const chunkResults = (kind: number, x: number, n: number, c: number): Float64Array => {
      const ptr = partials.ensure(Math.ceil(n / OPS_REDUCE_CHUNK));
      pool.run("reducePartials", [kind, x, n, c, ptr], {
        total: n, perChunk: ELEMENT_CHUNK, countArg: 2, split: [[1, 4], [4, 8 / OPS_REDUCE_CHUNK]],
      });
      return partials.read(Math.ceil(n / OPS_REDUCE_CHUNK));
    };
    const sum = (kind: number, x: number, n: number, c: number): number => {
      let total = 0;
      for (const v of chunkResults(kind, x, n, c)) total += v;
      return total;
    };
    const extremum = (kind: number, x: number, n: number): number => {
      const r = chunkResults(kind, x, n, 0);
      let best = r[0];
      for (let k = 1; k < r.length; k++) best = kind === P_MIN ? Math.min(best, r[k]) : Math.max(best, r[k]);
      return best;
    };
    /** reduceRow of assembly/ops_reduce.ts over one long row, its chunks on every thread. */
    const row = (op: number, x: number, n: number, p: number): number => {
      const f = Math.fround, pf = f(p);
      switch (op) {
        case R_SUM: return f(sum(P_SUM, x, n, 0) * pf);
        case R_MAX: return extremum(P_MAX, x, n);
        case R_MIN: return extremum(P_MIN, x, n);
        case R_VAR: {
          const mean = f(sum(P_SUM, x, n, 0) / n);
          return f(sum(P_CENTRED, x, n, mean) / Math.max(0, n - pf));
        }
        case R_NORM2: return f(Math.sqrt(sum(P_SQUARES, x, n, 0)));
        case R_NORM1: return f(sum(P_ABS, x, n, 0));
        default: return extremum(P_MAX_ABS, x, n); // R_NORMINF
      }
    };
    out.reduceInner = (...args: number[]) => {
      const [op, x, o, outer, R, p, acc] = args;
      if (pool.threads <= 1 || R < MIN_PARALLEL_ELEMENTS || outer >= 2 * pool.threads || op > R_NORMINF) return byRows(...args);
      for (let r = 0; r < outer; r++) {
        const v = row(op, x + r * R * 4, R, p);
        const buffer = raw.memory.buffer as ArrayBufferLike;
        const f32 = new Float32Array(buffer, o + r * 4, 1);
        f32[0] = acc ? Math.fround(f32[0] + v) : v;
        // The kernel's NaN is AssemblyScript's (0x7fc00000); Math.max's may have its sign bit set.
        if (f32[0] !== f32[0]) new Uint32Array(buffer, o + r * 4, 1)[0] = 0x7fc00000;
      }
    };
  }

  /** A loss kernel returning Σ of its elementwise losses: blocks on every thread, their sums added in order. */
  const lossSum = (name: string, kernelName: string, countArg: number, pointers: readonly number[]) => {
    if (!has(name) || !has(kernelName)) return;
    const kernel: Kernel = raw[name];
    out[name] = (...args: number[]) => {
      const n = args[countArg];
      if (pool.threads <= 1 || n < MIN_PARALLEL_ELEMENTS) return kernel(...args);
      const blocks = Math.ceil(n / LOSS_BLOCK);
      const ptr = partials.ensure(blocks);
      pool.run(kernelName, [...args, ptr], {
        total: n, perChunk: LOSS_BLOCK, countArg, split: [...pointers.map((a) => [a, 4] as const), [args.length, 8 / LOSS_BLOCK]],
      });
      let total = 0;
      for (const v of partials.read(blocks)) total += v;
      return total;
    };
  };
  lossSum("mseLoss", "mseLossPartials", 4, [0, 1, 2, 3]);
  lossSum("pointwiseLoss", "pointwiseLossPartials", 7, [1, 2, 3, 4, 5, 6]);

  if (has("gemm")) {
    const gemm: Kernel = raw.gemm;
    out.gemm = (...args: number[]) => {
      const T = pool.threads;
      const [transA, transB, M, N, K, , , lda, , ldb, , , ldc] = args;
      if (T <= 1 || 2 * M * N * K < MIN_PARALLEL_FLOPS) return gemm(...args);
      const split = gemmSplit(T, transA, transB, M, N, lda, ldb, ldc);
      if (!split) return gemm(...args);
      pool.run("gemm", args, split);
    };
  }
  wrapConvKernels(raw, pool, out);
  return out;
}

/**
 * Output columns in whole NR panels, one run of panels per thread (each run
 * packs its own B columns and all of A: more runs would pack A more often);
 * when C has too few panels, rows instead (each run packs all of B).
 */
function gemmSplit(
  T: number, transA: number, transB: number, M: number, N: number, lda: number, ldb: number, ldc: number,
): Split | null {
  const panels = Math.ceil(N / NR);
  if (panels >= 2 * T) {
    return {
      total: N,
      perChunk: Math.ceil(panels / T) * NR,
      countArg: 3,
      split: [
        [8, transB ? ldb * 4 : 4],
        [11, 4],
      ],
    };
  }
  if (M >= 16 * T) {
    return {
      total: M,
      perChunk: Math.ceil(M / T / 8) * 8,
      countArg: 2,
      split: [
        [6, transA ? 4 : lda * 4],
        [11, ldc * 4],
      ],
    };
  }
  return null;
}

/**
 * An optimizer table rewritten as pieces of at most TABLE_PIECE elements
 * (each piece a copy of its tensor's row with pointers and length moved),
 * kept in one block of WebAssembly memory that the calling thread allocates
 * and grows.
 */
class PieceTable {
  readonly #raw: Exports;
  #ptr = 0;
  #capacity = 0;

  constructor(raw: Exports) {
    this.#raw = raw;
  }

  #buffer: ArrayBufferLike | null = null;
  #i32: Int32Array<ArrayBufferLike> = new Int32Array(0);

  /** An Int32Array over all of memory, re-made only when memory has grown (a new view per call costs as much as a small step). */
  #view(): Int32Array {
    const buffer = this.#raw.memory.buffer as ArrayBufferLike;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.#i32 = new Int32Array(buffer);
    }
    return this.#i32;
  }

  build(table: number, count: number): { ptr: number; count: number; elements: number } {
    let i32 = this.#view();
    let pieces = 0;
    let elements = 0;
    for (let t = 0; t < count; t++) {
      const n = i32[(table >>> 2) + t * ENTRY_WORDS + LENGTH_WORD];
      elements += n;
      pieces += Math.max(1, Math.ceil(n / TABLE_PIECE));
    }
    if (elements < MIN_PARALLEL_ELEMENTS) return { ptr: table, count, elements };
    if (pieces > this.#capacity) {
      const capacity = Math.max(pieces, 2 * this.#capacity, 64);
      const ptr = this.#raw.alloc(capacity * ENTRY_WORDS * 4) >>> 0;
      if (this.#ptr) this.#raw.free(this.#ptr);
      this.#ptr = ptr;
      this.#capacity = capacity;
      i32 = this.#view();
    }
    const u32 = new Uint32Array(i32.buffer);
    let d = this.#ptr >>> 2;
    for (let t = 0; t < count; t++) {
      const e = (table >>> 2) + t * ENTRY_WORDS;
      const n = i32[e + LENGTH_WORD];
      let start = 0;
      do {
        for (let w = 0; w < ENTRY_WORDS; w++) u32[d + w] = u32[e + w];
        for (let w = 0; w < POINTER_WORDS; w++) if (u32[e + w] !== 0) u32[d + w] = u32[e + w] + start * 4;
        i32[d + LENGTH_WORD] = Math.min(TABLE_PIECE, n - start);
        d += ENTRY_WORDS;
        start += TABLE_PIECE;
      } while (start < n);
    }
    return { ptr: this.#ptr, count: pieces, elements };
  }
}

/** A block of float64 partial results in WebAssembly memory, allocated (and grown) by the calling thread. */
class Partials {
  readonly #raw: Exports;
  #ptr = 0;
  #capacity = 0;

  constructor(raw: Exports) {
    this.#raw = raw;
  }

  /** The block's address, with room for `count` float64s. */
  ensure(count: number): number {
    if (count > this.#capacity) {
      const capacity = Math.max(count, 2 * this.#capacity, 64);
      const ptr = this.#raw.alloc(capacity * 8) >>> 0;
      if (this.#ptr) this.#raw.free(this.#ptr);
      this.#ptr = ptr;
      this.#capacity = capacity;
    }
    return this.#ptr;
  }

  /** The first `count` results (a view: read before the next job). */
  read(count: number): Float64Array {
    return new Float64Array(this.#raw.memory.buffer as ArrayBufferLike, this.#ptr, count);
  }
}
