// The thread pool: persistent workers that instantiate the threaded build's
// module on the caller's shared memory and take chunks of kernel calls handed
// over through a shared control block (protocol.ts) with Atomics — no message
// per kernel. The caller takes chunks too and returns when every chunk is
// done; only the caller allocates (workers get their scratch at start).
//
// Workers never keep a Node process alive (unref) and sleep in Atomics.wait
// when idle (after a short spin, so the back-to-back kernels of a training
// step find them awake). A worker that fails to start or dies is dropped
// with a warning; the others (or the caller alone) keep taking every chunk.
import * as P from "./protocol.js";
import { WORKER_SOURCE } from "./worker_source.js";

/** What a kernel call's split looks like (see protocol.ts). */
export interface Split {
  /** Units to split (elements, rows, columns, table pieces). */
  total: number;
  /** Units per chunk. */
  perChunk: number;
  /** Argument index of the unit count. */
  countArg: number;
  /** [argument index, bytes per unit] of each pointer that advances with the unit. */
  split: readonly (readonly [number, number])[];
  /** Argument index of a random fill's 64-bit position (low word; the high word follows), or -1. */
  posLo?: number;
}

interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

interface WorkerSlot {
  worker: WorkerLike | null;
  /** Its position (worker index) and its id in the control block's OWNERS table. */
  index: number;
  id: number;
  scratch: number;
  gemmScratch: number;
  state: "starting" | "ready" | "dead";
  /** Resolves the promise settled() waits on. */
  settle: () => void;
}

export interface PoolHost {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The caller's own exports (kernels, alloc/free, scratch sizes). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  exports: Record<string, any>;
  /** Every kernel a job may name, in a fixed order shared with the workers. */
  names: readonly string[];
  /** Creates a worker running WORKER_SOURCE, wired to the callbacks. */
  spawn(onMessage: (m: { type: string; message?: string }) => void, onGone: (why: string) => void): WorkerLike;
  /** True when this thread may block in Atomics.wait (not a browser's main thread). */
  canBlock: boolean;
  warn(message: string): void;
  /** How long a job may make no progress before run() gives up (default 30 s; tests shorten it). */
  stallMs?: number;
}

const STALL_MS = 30_000;

export class ThreadPool {
  readonly #host: PoolHost;
  readonly #ctl: Int32Array;
  readonly #f64: Float64Array;
  readonly #slots: WorkerSlot[] = [];
  readonly #kernelIndex = new Map<string, number>();
  readonly #control: SharedArrayBuffer;
  #threads = 1;
  /** Why the last worker that failed did. */
  failure: string | null = null;
  #pending: Promise<void>[] = [];
  /** The last worker id handed out (ids are never reused). */
  #lastId = 0;
  #callArgs: number[] = [];

  constructor(host: PoolHost) {
    this.#host = host;
    this.#control = new SharedArrayBuffer(P.CONTROL_BYTES);
    this.#ctl = new Int32Array(this.#control);
    this.#f64 = new Float64Array(this.#control);
    host.names.forEach((n, i) => this.#kernelIndex.set(n, i));
  }

  /** Threads in use: the caller plus the workers that take part. */
  get threads(): number {
    return this.#threads;
  }

  /** Workers that started and have not died. */
  get liveWorkers(): number {
    return this.#slots.filter((s) => s.state === "ready").length;
  }

  /** Sets the thread count: starts missing workers (in the background) and stops surplus ones. */
  resize(threads: number): void {
    const workers = threads - 1;
    Atomics.store(this.#ctl, P.PARTICIPANTS, workers);
    while (this.#slots.length > workers) this.#stop(this.#slots.pop()!);
    while (this.#slots.length < workers) this.#start(this.#slots.length);
    this.#threads = threads;
  }

  /** Resolves once every worker started so far has started (or failed to). */
  async settled(): Promise<void> {
    while (this.#pending.length) {
      const pending = this.#pending;
      this.#pending = [];
      await Promise.all(pending);
    }
  }

  #start(index: number): void {
    const ex = this.#host.exports;
    const id = (this.#lastId = (this.#lastId + 1) | 0 || 1);
    const slot: WorkerSlot = { worker: null, index, id, scratch: 0, gemmScratch: 0, state: "starting", settle: () => {} };
    Atomics.store(this.#ctl, P.OWNERS + index, id);
    this.#slots.push(slot);
    this.#pending.push(new Promise<void>((resolve) => (slot.settle = resolve)));
    const settle = () => slot.settle();
    const fail = (why: string) => {
      if (slot.state === "dead") return;
      const wasStarting = slot.state === "starting";
      slot.state = "dead";
      this.failure = `a worker thread ${wasStarting ? "failed to start" : "stopped"}: ${why}`;
      this.#host.warn(
        `wasmtrain: a worker thread ${wasStarting ? "failed to start" : "stopped"} (${why}); ` +
          "continuing with the threads that remain (the calling thread takes every chunk if none do)",
      );
      settle();
    };
    try {
      slot.scratch = ex.alloc(ex.threadScratchBytes()) >>> 0;
      slot.gemmScratch = ex.alloc(ex.gemmScratchBytes()) >>> 0;
      slot.worker = this.#host.spawn(
        (m) => {
          if (m.type === "ready" && slot.state === "starting") {
            slot.state = "ready";
            settle();
          } else if (m.type === "error") fail(m.message ?? "unknown error");
          else if (m.type === "failed") this.#host.warn(`wasmtrain: a kernel failed in a worker thread: ${m.message}`);
        },
        (why) => fail(why),
      );
      slot.worker.postMessage({
        module: this.#host.module,
        memory: this.#host.memory,
        control: this.#control,
        index,
        id,
        scratch: slot.scratch,
        gemmScratch: slot.gemmScratch,
        names: this.#host.names,
      });
    } catch (e) {
      fail((e as Error).message);
    }
  }

  #stop(slot: WorkerSlot): void {
    // First take its place away: a browser's terminate() lets a worker run on
    // for seconds, and it must not take a chunk once its scratch is freed. It
    // sees this before the next job (published after this store) and leaves.
    if (Atomics.load(this.#ctl, P.OWNERS + slot.index) === slot.id) Atomics.store(this.#ctl, P.OWNERS + slot.index, 0);
    Atomics.notify(this.#ctl, P.SEQ);
    if (slot.worker) slot.worker.terminate();
    slot.state = "dead";
    slot.settle();
    // Not in a job (jobs run synchronously on the caller), so no worker is using the scratch.
    if (slot.scratch) this.#host.exports.free(slot.scratch);
    if (slot.gemmScratch) this.#host.exports.free(slot.gemmScratch);
  }

  /** Stops every worker (they also die with the process). */
  shutdown(): void {
    Atomics.store(this.#ctl, P.STOP, 1);
    Atomics.notify(this.#ctl, P.SEQ);
    while (this.#slots.length) this.#stop(this.#slots.pop()!);
    this.#threads = 1;
  }

  /**
   * Runs `name(...args)` split as `split` says: the caller publishes the job,
   * takes chunks itself, and returns when all are done.
   */
  run(name: string, args: readonly number[], split: Split): void {
    const ctl = this.#ctl, f64 = this.#f64;
    const kernel = this.#kernelIndex.get(name);
    if (kernel === undefined) throw new Error(`wasmtrain: kernel '${name}' is not in the thread pool's list`);
    const n = Math.ceil(split.total / split.perChunk);
    if (n >= P.MAX_CHUNKS) throw new Error(`wasmtrain: ${n} chunks exceed the pool's ${P.MAX_CHUNKS}`);
    const seq = (Atomics.load(ctl, P.SEQ) + 1) | 0; // odd: being written
    Atomics.store(ctl, P.SEQ, seq);
    ctl[P.KERNEL] = kernel;
    ctl[P.NARGS] = args.length;
    ctl[P.COUNT_ARG] = split.countArg;
    ctl[P.PER_CHUNK] = split.perChunk;
    ctl[P.TOTAL] = split.total;
    ctl[P.NCHUNKS] = n;
    ctl[P.NSPLIT] = split.split.length;
    ctl[P.POS_LO_ARG] = split.posLo ?? -1;
    ctl[P.FAILED] = 0;
    for (let i = 0; i < args.length; i++) f64[P.ARGS_F64 + i] = args[i];
    split.split.forEach(([arg, stride], j) => {
      ctl[P.SPLIT_ARG0 + j] = arg;
      f64[P.STRIDES_F64 + j] = stride;
    });
    const published = (seq + 1) | 0;
    const tag = (published >>> 1) & 4095;
    Atomics.store(ctl, P.DONE, tag << P.CHUNK_BITS);
    Atomics.store(ctl, P.CLAIM, tag << P.CHUNK_BITS);
    Atomics.store(ctl, P.SEQ, published);
    if (Atomics.load(ctl, P.SLEEPERS) > 0) Atomics.notify(ctl, P.SEQ);
    const error = this.#takeChunks(this.#host.exports[name], args, split, tag, n);
    this.#join(n);
    if (error) throw error;
    if (Atomics.load(ctl, P.FAILED)) throw new Error(`wasmtrain: kernel '${name}' failed in a worker thread`);
  }

  /** The caller's share: the loop of worker_source.ts. */
  #takeChunks(fn: (...a: number[]) => unknown, base: readonly number[], split: Split, tag: number, n: number): unknown {
    const ctl = this.#ctl;
    const args = this.#callArgs;
    args.length = base.length;
    for (let i = 0; i < base.length; i++) args[i] = base[i];
    const posLo = split.posLo ?? -1;
    let error: unknown = null;
    for (;;) {
      const v = Atomics.load(ctl, P.CLAIM);
      if (v >>> P.CHUNK_BITS !== tag) return error;
      const c = v & (P.MAX_CHUNKS - 1);
      if (c >= n) return error;
      if (Atomics.compareExchange(ctl, P.CLAIM, v, v + 1) !== v) continue;
      const start = c * split.perChunk;
      for (const [a, stride] of split.split) args[a] = base[a] === 0 ? 0 : base[a] + start * stride;
      args[split.countArg] = Math.min(split.perChunk, split.total - start);
      if (posLo >= 0) {
        const lo = base[posLo] + start;
        args[posLo] = lo % 4294967296;
        args[posLo + 1] = base[posLo + 1] + Math.floor(lo / 4294967296);
      }
      try {
        fn(...args);
      } catch (e) {
        error ??= e; // the other chunks still run: the job must end before the next starts
      }
      Atomics.add(ctl, P.DONE, 1);
    }
  }

  /** Waits for the chunks other threads took: spins briefly, then blocks where this thread may. */
  #join(n: number): void {
    const ctl = this.#ctl;
    if ((Atomics.load(ctl, P.DONE) & (P.MAX_CHUNKS - 1)) >= n) return;
    for (let i = 0; i < P.CALLER_SPINS; i++) if ((Atomics.load(ctl, P.DONE) & (P.MAX_CHUNKS - 1)) >= n) return;
    let progress = Date.now();
    let last = -1;
    if (this.#host.canBlock) Atomics.store(ctl, P.CALLER_WAITING, 1);
    try {
      for (;;) {
        const done = Atomics.load(ctl, P.DONE);
        if ((done & (P.MAX_CHUNKS - 1)) >= n) return;
        if (done !== last) {
          last = done;
          progress = Date.now();
        }
        if (this.#host.canBlock) Atomics.wait(ctl, P.DONE, done, 100);
        else for (let i = 0; i < P.CALLER_SPINS && Atomics.load(ctl, P.DONE) === done; i++);
        const stallMs = this.#host.stallMs ?? STALL_MS;
        if (Date.now() - progress > stallMs) {
          throw new Error(
            `wasmtrain: worker threads finished no chunk for ${stallMs / 1000} s (a worker died mid-kernel?); ` +
              "call setNumThreads(1) to run on the calling thread only",
          );
        }
      }
    } finally {
      Atomics.store(ctl, P.CALLER_WAITING, 0);
    }
  }
}
