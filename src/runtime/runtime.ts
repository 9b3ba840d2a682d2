// Loads the WebAssembly kernels (embedded bytes, no fetch), picks the best
// build the engine accepts, and holds the one live instance. The kernels are
// called through src/backend/, which `ready()` there installs on top of this.
// Where shared WebAssembly memory and workers exist (Node; a
// crossOriginIsolated page), the build is its threaded variant on shared
// memory, and the exports the backend calls hand large kernels to a thread
// pool (src/runtime/threads/).
import {
  SIMD_WASM_BASE64,
  RELAXED_SIMD_WASM_BASE64,
  SIMD_THREADS_WASM_BASE64,
  RELAXED_SIMD_THREADS_WASM_BASE64,
} from "./wasm-bytes.generated.js";
import { hasRelaxedSimd, hasSimd } from "./features.js";
import { ThreadPool } from "./threads/pool.js";
import { parallelExports, POOL_KERNELS } from "./threads/parallel.js";
import { checkThreadCount, defaultThreadCount, threadSupport } from "./threads/platform.js";
import type { BuildName } from "../backend/backend.js";
import type { WasmExports } from "../backend/wasm_exports.generated.js";

export type { BuildName, WasmExports };

export interface ReadyOptions {
  /** Force a build instead of the best one the engine accepts. */
  build?: BuildName;
  /** Threads to use (as setNumThreads); default: every logical core where threads are available. */
  threads?: number;
}

export interface BackendInfo {
  build: BuildName;
  /** Threads in use (the calling thread and the workers that run). */
  threads: number;
  memoryBytes: number;
  /** Set when more than one thread was asked for and cannot be had: why, and what fixes it. */
  threadsUnavailable?: string;
}

interface State {
  build: BuildName;
  wasm: WasmExports | null;
  pool: ThreadPool | null;
  /** The thread count asked for (setNumThreads, ready({ threads }) or the default). */
  requested: number;
  /** Why threads cannot be had here (null where they can). */
  unavailable: string | null;
}

/** A thread count set before ready(). */
let requestedBeforeReady: number | undefined;

let state: State | null = null;
let pending: Promise<void> | null = null;
let pendingBuild: BuildName | undefined;

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Reads an AssemblyScript string (UTF-16, byte length at ptr - 4). */
function readString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return "";
  const bytes = new Uint32Array(memory.buffer, (ptr >>> 0) - 4, 1)[0];
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr >>> 0, bytes >>> 1));
}

function bestBuild(): BuildName {
  if (hasRelaxedSimd()) return "relaxed-simd";
  if (hasSimd()) return "simd";
  return "js";
}

function checkBuildName(build: unknown): asserts build is BuildName | undefined {
  if (build !== undefined && build !== "relaxed-simd" && build !== "simd" && build !== "js") {
    throw new TypeError(`ready: unknown build ${JSON.stringify(build)}; expected 'relaxed-simd', 'simd' or 'js'`);
  }
}

async function instantiate(
  build: "simd" | "relaxed-simd", shared: WebAssembly.Memory | null,
): Promise<{ exports: WasmExports; module: WebAssembly.Module }> {
  const supported = build === "simd" ? hasSimd() : hasRelaxedSimd();
  if (!supported) {
    const hint =
      build === "relaxed-simd"
        ? " (Node 20 needs --experimental-wasm-relaxed-simd; Node 22+, Chrome 114+ and Firefox 120+ have it on)"
        : "";
    if (typeof WebAssembly !== "object") {
      throw new Error(
        `wasmtrain: cannot load the '${build}' build: this engine has no WebAssembly at all (a JIT-less or locked-down mode?); use ready({ build: 'js' })`,
      );
    }
    throw new Error(`wasmtrain: this engine does not support WebAssembly ${build}${hint}; use ready({ build: 'js' }) or a newer engine`);
  }
  const base64 = shared
    ? build === "simd" ? SIMD_THREADS_WASM_BASE64 : RELAXED_SIMD_THREADS_WASM_BASE64
    : build === "simd" ? SIMD_WASM_BASE64 : RELAXED_SIMD_WASM_BASE64;
  const bytes = decodeBase64(base64);
  let memory: WebAssembly.Memory | null = shared;
  const env: WebAssembly.ModuleImports = {
    abort(msg: number, file: number, line: number, col: number): never {
      const text = memory ? `${readString(memory, msg)} at ${readString(memory, file)}:${line}:${col}` : "abort";
      throw new Error(`wasmtrain kernel aborted: ${text}`);
    },
  };
  if (shared) env.memory = shared;
  let instance: WebAssembly.Instance;
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes);
    instance = await WebAssembly.instantiate(module, { env });
  } catch (e) {
    throw new Error(
      `wasmtrain: instantiating the '${build}' build failed: ${(e as Error).message}; ` +
        "ready({ build: 'js' }) runs without WebAssembly (a Content-Security-Policy must allow 'wasm-unsafe-eval' for the others)",
    );
  }
  const exports = { ...(instance.exports as unknown as WasmExports) };
  if (shared) exports.memory = shared;
  memory = exports.memory;
  return { exports, module };
}

/** Shared memory for a threaded build: 16 pages to start (the build's initialMemory), up to 4 GiB. */
function sharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
}

/**
 * Warms the kernels up: V8 runs a WebAssembly function in its baseline tier
 * until it has run enough, so every `warmup*` export (each kernel family
 * provides one, calling its kernels on small inputs) runs a few times here.
 */
function warmUp(wasm: WasmExports): void {
  const all = wasm as unknown as Record<string, unknown>;
  const names = Object.keys(wasm).filter((n) => n.startsWith("warmup") && typeof all[n] === "function");
  if (names.length === 0) return;
  const scratchBytes = 1 << 16;
  const scratch = wasm.alloc(scratchBytes) >>> 0;
  try {
    for (let round = 0; round < 20; round++) for (const n of names) (all[n] as (ptr: number, bytes: number) => void)(scratch, scratchBytes);
  } finally {
    wasm.free(scratch);
  }
}

/**
 * Instantiates the kernels (`ready()` in src/backend/ runs this, then installs
 * the backend). Idempotent: later calls resolve at once. With `{ build }`,
 * forces that build (an error if the engine lacks it, or if a different build
 * is already running).
 */
export function loadRuntime(options: ReadyOptions = {}): Promise<void> {
  const build = options.build;
  checkBuildName(build);
  if (options.threads !== undefined) {
    try {
      checkThreadCount(options.threads, "ready: threads");
    } catch (e) {
      return Promise.reject(e);
    }
    if (state) setNumThreads(options.threads);
    else requestedBeforeReady = options.threads;
  }
  if (state) {
    if (build !== undefined && build !== state.build) {
      return Promise.reject(
        new Error(`wasmtrain: the '${state.build}' build is already running; ready({ build: '${build}' }) must come first`),
      );
    }
    return state.pool ? state.pool.settled() : Promise.resolve();
  }
  if (pending) {
    if (build !== undefined && build !== pendingBuild) {
      return Promise.reject(new Error(`wasmtrain: ready() is already loading the '${pendingBuild}' build`));
    }
    return pending;
  }
  const chosen = build ?? bestBuild();
  pendingBuild = chosen;
  pending = (async () => {
    if (chosen === "js") {
      // Forcing the pure-JS build chooses one thread: it says why only when more were asked for.
      const unavailable = "the pure-JS build ('js') runs on one thread";
      state = { build: chosen, wasm: null, pool: null, requested: requestedBeforeReady ?? 1, unavailable };
      return;
    }
    const requested = requestedBeforeReady ?? (await defaultThreadCount());
    const support = await threadSupport();
    let memory: WebAssembly.Memory | null = null;
    let unavailable = support.ok ? null : support.why;
    if (support.ok) {
      try {
        memory = sharedMemory();
      } catch (e) {
        unavailable = `shared WebAssembly memory could not be created (${(e as Error).message})`;
      }
    }
    const { exports, module } = await instantiate(chosen, memory);
    // On shared memory every thread's scratch is a heap block (see assembly/thread_local.ts).
    if (memory) exports.setThreadScratch(exports.alloc(exports.threadScratchBytes()));
    warmUp(exports);
    let pool: ThreadPool | null = null;
    if (memory && support.ok) {
      pool = new ThreadPool({
        module, memory, exports, names: POOL_KERNELS, spawn: support.spawn, canBlock: support.canBlock,
        warn: (m) => console.warn(m),
      });
      pool.resize(requested);
      await pool.settled();
    }
    const wasm = pool ? (parallelExports(exports, pool) as unknown as WasmExports) : exports;
    state = { build: chosen, wasm, pool, requested, unavailable };
  })();
  pending.catch(() => {
    pending = null;
    pendingBuild = undefined;
  });
  return pending;
}

/** The running build's exports, or null for the pure-JS build. Throws before ready(). */
export function wasmOrNull(): WasmExports | null {
  if (!state) throw new Error("wasmtrain: call `await ready()` before using tensors or kernels");
  return state.wasm;
}

/** The running build's name. Throws before ready(). */
export function currentBuild(): BuildName {
  if (!state) throw new Error("wasmtrain: call `await ready()` before using tensors or kernels");
  return state.build;
}

/** Threads in use: the calling thread plus the workers that started and have not died. */
function threadsInUse(s: State): number {
  return s.pool ? 1 + Math.min(s.pool.liveWorkers, s.pool.threads - 1) : 1;
}

export function backendInfo(): BackendInfo {
  const build = currentBuild();
  const s = state!;
  const info: BackendInfo = { build, threads: threadsInUse(s), memoryBytes: s.wasm ? s.wasm.memory.buffer.byteLength : 0 };
  if (s.requested > 1 && info.threads < s.requested) {
    if (s.unavailable) info.threadsUnavailable = s.unavailable;
    else if (s.pool && s.pool.liveWorkers < s.pool.threads - 1) {
      info.threadsUnavailable = s.pool.failure ?? "worker threads are still starting (await ready() waits for them)";
    }
  }
  return info;
}

/**
 * Sets the number of threads kernels use (PyTorch's torch.set_num_threads):
 * an integer from 1 to 256. Results do not depend on it. Where threads are
 * unavailable, kernels run on one thread and backendInfo().threadsUnavailable
 * says why. Workers start in the background; `await ready()` waits for them.
 */
export function setNumThreads(n: number): void {
  checkThreadCount(n, "setNumThreads");
  if (!state) {
    requestedBeforeReady = n;
    return;
  }
  state.requested = n;
  state.pool?.resize(n);
}

/** The number of threads in use (PyTorch's torch.get_num_threads); before ready(), the count asked for. */
export function getNumThreads(): number {
  if (!state) return requestedBeforeReady ?? 1;
  return threadsInUse(state);
}
