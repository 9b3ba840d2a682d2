// The installed kernel backend. `ready()` loads the runtime (src/runtime/) and
// installs the implementation for the build it chose: a WasmBackend over the
// instance's exports, or the JsBackend. Every kernel call in the library goes
// through `backend()`; nothing else asks which build runs.
import { currentBuild, loadRuntime, wasmOrNull, type ReadyOptions } from "../runtime/runtime.js";
import type { Backend } from "./backend.js";
import { JsBackend } from "./js.js";
import { WasmBackend } from "./wasm.js";

export type { Backend, BuildName, KernelName, Operand, Strided } from "./backend.js";
export { TensorTable, type TableRow } from "./tensor_table.js";

let current: Backend | null = null;

function install(): Backend {
  const wasm = wasmOrNull(); // throws before ready()
  const build = currentBuild();
  current = wasm && build !== "js" ? new WasmBackend(build, wasm) : new JsBackend();
  return current;
}

/** The kernels of the running build. Throws before `ready()`. */
export function backend(): Backend {
  return current ?? install();
}

/**
 * Instantiates the kernels and installs their backend. Idempotent: later calls
 * resolve at once. With `{ build }`, forces that build (an error if the engine
 * lacks it, or if a different build is already running).
 */
export function ready(options: ReadyOptions = {}): Promise<void> {
  return loadRuntime(options).then(() => {
    if (!current) install();
  });
}
