// The convolution, pooling and Dropout2d kernels on the thread pool (the
// threaded builds; parallel.ts wraps the other families). As there, every
// split cuts where the kernel's own loops would not notice, so each output
// is computed by one call in the same order whatever the thread count:
//
// - conv2dForward and conv2dBackwardInput: whole samples. Each sample's
//   im2col and GEMMs are the ones a whole-batch call runs; each chunk gets
//   its own im2col workspace (a block this file allocates and keeps).
// - conv2dBackwardWeight: input channels (conv2dBackwardWeightChannels).
//   A channel owns its dW columns, and its rows of the one-sample im2col
//   workspace, so chunks write disjoint memory; each dW element is the same
//   sum over samples and positions in the same order (the GEMM's result for
//   an element does not depend on which other rows and columns share the
//   call). The bias gradient goes with the channels too.
// - pooling and Dropout2d's plane scaling: whole planes.
import type { ThreadPool, Split } from "./pool.js";

type Kernel = (...args: number[]) => unknown;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Exports = Record<string, any>;

/** Convolutions below this many flops (2·N·Co·Ho·Wo·(C/groups)·kh·kw) run on the calling thread. */
export const MIN_PARALLEL_CONV_FLOPS = 1 << 22;
/** Pooling over fewer elements (planes·H·W) runs on the calling thread. */
export const MIN_PARALLEL_POOL_ELEMENTS = 1 << 15;
/** Elements (planes·H·W) per chunk of a pooling kernel, in whole planes. */
const POOL_CHUNK = 1 << 14;

/** Argument positions shared by the three convolution kernels after their pointers. */
const G = { N: 0, C: 1, H: 2, W: 3, Co: 4, kh: 5, kw: 6, sh: 7, sw: 8, ph: 9, pw: 10, dh: 11, dw: 12, groups: 13, Ho: 14, Wo: 15 } as const;
type GeometryArg = (typeof G)[keyof typeof G];

/**
 * Plane kernels: [name, planes argument, [pointer argument, [size arguments
 * whose product is the floats per plane]]]. A size list of [] is one float.
 */
const PLANE_KERNELS: readonly (readonly [string, number, readonly (readonly [number, readonly number[]])[]])[] = [
  ["maxPool2dForward", 3, [[0, [4, 5]], [1, [14, 15]], [2, [14, 15]]]],
  ["maxPool2dBackward", 3, [[0, [5]], [1, [5]], [2, [4]]]],
  ["avgPool2dForward", 2, [[0, [3, 4]], [1, [12, 13]]]],
  ["avgPool2dBackward", 2, [[0, [12, 13]], [1, [3, 4]]]],
  ["adaptiveAvgPool2dForward", 2, [[0, [3, 4]], [1, [5, 6]]]],
  ["adaptiveAvgPool2dBackward", 2, [[0, [5, 6]], [1, [3, 4]]]],
  ["scalePlanes", 3, [[0, [4]], [1, []], [2, [4]]]],
];

/** Every kernel of this file the pool may be asked to run. */
export const CONV_POOL_KERNELS: readonly string[] = [
  "conv2dForward", "conv2dBackwardInput", "conv2dBackwardWeightChannels", ...PLANE_KERNELS.map(([n]) => n),
];

/** A block of WebAssembly memory the calling thread allocates, grows and keeps (never shrinks). */
class Scratch {
  readonly #raw: Exports;
  #ptr = 0;
  #bytes = 0;
  constructor(raw: Exports) {
    this.#raw = raw;
  }
  at(bytes: number): number {
    if (bytes > this.#bytes) {
      const grown = Math.max(bytes, 2 * this.#bytes);
      const ptr = this.#raw.alloc(grown) >>> 0;
      if (this.#ptr) this.#raw.free(this.#ptr);
      this.#ptr = ptr;
      this.#bytes = grown;
    }
    return this.#ptr;
  }
}

/** Wraps the convolution, pooling and plane-scaling kernels of `raw` into `out`. */
export function wrapConvKernels(raw: Exports, pool: ThreadPool, out: Exports): void {
  const has = (name: string) => typeof raw[name] === "function";

  // Forward and input gradient: samples. [name, first geometry argument, [pointer, floats-per-sample of]].
  const bySample: readonly (readonly [string, number, number, number])[] = [
    // conv2dForward(x, w, bias, y, cols, N, …): x advances a sample of input, y of output.
    ["conv2dForward", 5, 0, 3],
    // conv2dBackwardInput(dy, w, dx, cols, N, …): dy advances a sample of output, dx of input.
    ["conv2dBackwardInput", 4, 2, 0],
  ];
  const workspace = new Scratch(raw);
  for (const [name, g0, inputArg, outputArg] of bySample) {
    if (!has(name)) continue;
    const kernel: Kernel = raw[name];
    const colsArg = g0 - 1;
    out[name] = (...args: number[]) => {
      const T = pool.threads;
      const N = args[g0 + G.N];
      if (T <= 1 || N < 2 || convFlops(args, g0) < MIN_PARALLEL_CONV_FLOPS) return kernel(...args);
      const C = args[g0 + G.C], Co = args[g0 + G.Co], P = args[g0 + G.Ho] * args[g0 + G.Wo];
      const perChunk = Math.ceil(N / T);
      const chunks = Math.ceil(N / perChunk);
      const a = (i: GeometryArg) => args[g0 + i];
      const pointwise = a(G.kh) === 1 && a(G.kw) === 1 && a(G.sh) === 1 && a(G.sw) === 1 && a(G.ph) === 0 && a(G.pw) === 0;
      const colsBytes = pointwise ? 0 : 4 * C * a(G.kh) * a(G.kw) * P;
      // The cols pointer advances perSample bytes a sample: chunk c's workspace starts c·perChunk·perSample bytes in.
      const perSample = 16 * Math.ceil(colsBytes / perChunk / 16);
      const call = args.slice();
      if (!pointwise) call[colsArg] = workspace.at(chunks * perChunk * perSample);
      const split: Split = {
        total: N,
        perChunk,
        countArg: g0 + G.N,
        split: [
          [inputArg, 4 * C * args[g0 + G.H] * args[g0 + G.W]],
          [outputArg, 4 * Co * P],
          [colsArg, perSample],
        ],
      };
      pool.run(name, call, split);
    };
  }

  if (has("conv2dBackwardWeight") && has("conv2dBackwardWeightChannels")) {
    const kernel: Kernel = raw.conv2dBackwardWeight;
    // conv2dBackwardWeight(x, dy, dw, db, cols, N, …, acc) → conv2dBackwardWeightChannels(…, acc, first1, count)
    const g0 = 5;
    const firstArg = g0 + 17, countArg = g0 + 18;
    out.conv2dBackwardWeight = (...args: number[]) => {
      const T = pool.threads;
      const C = args[g0 + G.C];
      if (T <= 1 || C < 2 || convFlops(args, g0) < MIN_PARALLEL_CONV_FLOPS) return kernel(...args);
      const call = [...args.slice(0, g0 + 17), 1, C];
      // The first channel (1-based) advances one per channel, like a pointer of 1 byte per unit.
      pool.run("conv2dBackwardWeightChannels", call, { total: C, perChunk: Math.ceil(C / T), countArg, split: [[firstArg, 1]] });
    };
  }

  for (const [name, planesArg, pointers] of PLANE_KERNELS) {
    if (!has(name)) continue;
    const kernel: Kernel = raw[name];
    out[name] = (...args: number[]) => {
      const planes = args[planesArg];
      const floats = pointers.map(([, sizes]) => sizes.reduce((p, a) => p * args[a], 1));
      const elements = planes * Math.max(...floats);
      if (pool.threads <= 1 || planes < 2 || elements < MIN_PARALLEL_POOL_ELEMENTS) return kernel(...args);
      const perChunk = Math.max(1, Math.floor(POOL_CHUNK / Math.max(...floats)));
      pool.run(name, args, { total: planes, perChunk, countArg: planesArg, split: pointers.map(([a], i) => [a, 4 * floats[i]] as const) });
    };
  }
}

/** 2·N·Co·Ho·Wo·(C/groups)·kh·kw of a convolution kernel's arguments. */
function convFlops(args: readonly number[], g0: number): number {
  const a = (i: GeometryArg) => args[g0 + i];
  return (2 * a(G.N) * a(G.Co) * a(G.Ho) * a(G.Wo) * (a(G.C) / a(G.groups)) * a(G.kh) * a(G.kw));
}
