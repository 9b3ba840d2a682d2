// What the platform offers threads with: shared memory, a way to start a
// worker from embedded source (Node's worker_threads with `eval`; a browser's
// Worker from a Blob URL), whether this thread may block, and how many
// logical cores there are.
import { WORKER_SOURCE } from "./worker_source.js";

type Spawn = (onMessage: (m: { type: string; message?: string }) => void, onGone: (why: string) => void) => {
  postMessage(message: unknown): void;
  terminate(): unknown;
};

export type ThreadSupport =
  | { ok: true; spawn: Spawn; canBlock: boolean }
  | { ok: false; why: string };

/** The most threads setNumThreads accepts. */
export const MAX_THREADS = 256;

/** Checks a thread count (an integer 1..256): TypeError / RangeError naming the value. */
export function checkThreadCount(n: unknown, what: string): asserts n is number {
  if (typeof n !== "number") {
    const shown = typeof n === "string" ? JSON.stringify(n) : typeof n === "bigint" ? `${n}n` : String(n);
    throw new TypeError(`${what}: the thread count must be a number, got ${typeof n} ${shown}`);
  }
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new RangeError(`${what}: the thread count must be an integer from 1 to ${MAX_THREADS}, got ${n}`);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type NodeModule = any;

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (name: string) => NodeModule;
}

function nodeProcess(): NodeProcess | null {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.versions?.node ? p : null;
}

/** A Node built-in, without a static import a browser bundler would try to resolve. */
async function nodeBuiltin(name: string): Promise<NodeModule> {
  const p = nodeProcess()!;
  if (typeof p.getBuiltinModule === "function") return p.getBuiltinModule(name);
  const specifier = name; // a variable: bundlers leave the import alone
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
}

/** Logical cores: os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers. */
export async function defaultThreadCount(): Promise<number> {
  let n = 1;
  if (nodeProcess()) {
    const os = await nodeBuiltin("node:os");
    n = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  } else {
    n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  }
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(n) || 1));
}

function canBlockHere(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export const ISOLATION_HINT =
  'page is not crossOriginIsolated (needs COOP/COEP headers: "Cross-Origin-Opener-Policy: same-origin" and ' +
  '"Cross-Origin-Embedder-Policy: require-corp"); see the Threads section of the README';

/** Whether threads can run here, and how workers are started. */
export async function threadSupport(): Promise<ThreadSupport> {
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") {
    const g = globalThis as { crossOriginIsolated?: boolean };
    if (g.crossOriginIsolated === false) return { ok: false, why: ISOLATION_HINT };
    return { ok: false, why: "this engine has no SharedArrayBuffer" };
  }
  if (nodeProcess()) {
    let wt: NodeModule;
    try {
      wt = await nodeBuiltin("node:worker_threads");
    } catch (e) {
      return { ok: false, why: `node:worker_threads is unavailable (${(e as Error).message})` };
    }
    const spawn: Spawn = (onMessage, onGone) => {
      const w = new wt.Worker(WORKER_SOURCE, { eval: true });
      // Referenced while it starts (ready() awaits it); then unreferenced, so
      // that an idle pool never keeps the process alive.
      w.on("message", (m: { type: string }) => {
        if (m.type !== "failed") w.unref();
        onMessage(m);
      });
      w.on("error", (e: Error) => onGone(e.message));
      w.on("exit", (code: number) => onGone(`exited with code ${code}`));
      return w;
    };
    return { ok: true, spawn, canBlock: canBlockHere() };
  }
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: new (url: string) => Worker; URL?: typeof URL; Blob?: typeof Blob };
  if (g.crossOriginIsolated !== true) return { ok: false, why: ISOLATION_HINT };
  if (typeof g.Worker !== "function" || typeof g.Blob !== "function" || typeof g.URL?.createObjectURL !== "function") {
    return { ok: false, why: "this context cannot start Web Workers" };
  }
  let url: string;
  try {
    url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  } catch (e) {
    return { ok: false, why: `a worker script could not be created (${(e as Error).message})` };
  }
  const spawn: Spawn = (onMessage, onGone) => {
    const w = new g.Worker!(url);
    w.onmessage = (e: MessageEvent) => onMessage(e.data);
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault?.();
      onGone(e.message || "worker error (a Content-Security-Policy without worker-src blob:?)");
    };
    return w;
  };
  return { ok: true, spawn, canBlock: canBlockHere() };
}
