// Loads the WebAssembly kernels (embedded bytes, no fetch), picks the best
// build the engine accepts, and holds the one live instance. The kernels are
// called through src/backend/, which `ready()` there installs on top of this.
import { SIMD_WASM_BASE64, RELAXED_SIMD_WASM_BASE64 } from "./wasm-bytes.generated.js";
import { hasRelaxedSimd, hasSimd } from "./features.js";
import type { BuildName } from "../backend/backend.js";
import type { WasmExports } from "../backend/wasm_exports.generated.js";

export type { BuildName, WasmExports };

export interface ReadyOptions {
  /** Force a build instead of the best one the engine accepts. */
  build?: BuildName;
}

export interface BackendInfo {
  build: BuildName;
  threads: number;
  memoryBytes: number;
}

interface State {
  build: BuildName;
  wasm: WasmExports | null;
}

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

async function instantiate(build: "simd" | "relaxed-simd"): Promise<WasmExports> {
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
  const bytes = decodeBase64(build === "simd" ? SIMD_WASM_BASE64 : RELAXED_SIMD_WASM_BASE64);
  let memory: WebAssembly.Memory | null = null;
  const imports = {
    env: {
      abort(msg: number, file: number, line: number, col: number): never {
        const text = memory ? `${readString(memory, msg)} at ${readString(memory, file)}:${line}:${col}` : "abort";
        throw new Error(`wasmtrain kernel aborted: ${text}`);
      },
    },
  };
  let instance: WebAssembly.Instance;
  try {
    instance = (await WebAssembly.instantiate(bytes, imports)).instance;
  } catch (e) {
    throw new Error(
      `wasmtrain: instantiating the '${build}' build failed: ${(e as Error).message}; ` +
        "ready({ build: 'js' }) runs without WebAssembly (a Content-Security-Policy must allow 'wasm-unsafe-eval' for the others)",
    );
  }
  const exports = instance.exports as unknown as WasmExports;
  memory = exports.memory;
  return exports;
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
  if (state) {
    if (build !== undefined && build !== state.build) {
      return Promise.reject(
        new Error(`wasmtrain: the '${state.build}' build is already running; ready({ build: '${build}' }) must come first`),
      );
    }
    return Promise.resolve();
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
    const wasm = chosen === "js" ? null : await instantiate(chosen);
    if (wasm) warmUp(wasm);
    state = { build: chosen, wasm };
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

export function backendInfo(): BackendInfo {
  const build = currentBuild();
  return { build, threads: 1, memoryBytes: state!.wasm ? state!.wasm.memory.buffer.byteLength : 0 };
}
