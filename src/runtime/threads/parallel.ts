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
];

/** Random fills: (out, n, key0, key1, posLo, posHi, …): each chunk starts its stream at pos + start. */
const RANDOM_FILLS = ["philoxUniform", "philoxNormal", "philoxTruncNormal", "philoxBernoulli"];

/** Optimizer kernels over a tensor table (table, count, …) that update each element on its own. */
const TABLE_KERNELS = [
  "sgdStep", "adamStep", "adagradStep", "rmspropStep", "adamaxStep", "nadamStep", "radamStep", "adadeltaStep",
  "lambApply", "lookaheadSync", "scaleGrads", "clampGrads",
];

/** Row kernels: [name, pointer arguments advancing one row of `cols` floats, rows argument, cols argument]. */
const ROWS: readonly (readonly [string, readonly number[], number, number])[] = [
  ["biasAddRows", [0, 2], 3, 4],
  ["centralizeRows", [0, 1, 2], 3, 4],
];

/** The table row layout of assembly/optim.ts: 16 words; pointers at words 0–4, length at word 5. */
const ENTRY_WORDS = 16;
const POINTER_WORDS = 5;
const LENGTH_WORD = 5;

/** Every kernel the pool may be asked to run (the workers resolve names once, at start). */
export const POOL_KERNELS: readonly string[] = [
  "gemm",
  ...ELEMENTWISE.map(([n]) => n),
  ...RANDOM_FILLS,
  ...TABLE_KERNELS,
  ...ROWS.map(([n]) => n),
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

  for (const [name, pointers, rowsArg, colsArg] of ROWS) {
    if (!has(name)) continue;
    const kernel: Kernel = raw[name];
    out[name] = (...args: number[]) => {
      const rows = args[rowsArg], cols = args[colsArg];
      if (pool.threads <= 1 || rows < 2 || rows * cols < MIN_PARALLEL_ELEMENTS) return kernel(...args);
      const perChunk = Math.max(1, Math.ceil(ELEMENT_CHUNK / Math.max(cols, 1)));
      pool.run(name, args, { total: rows, perChunk, countArg: rowsArg, split: pointers.map((a) => [a, cols * 4] as const) });
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
