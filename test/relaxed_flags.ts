// The Node flags a child process needs to run the relaxed-simd build: Node 20
// has WebAssembly relaxed SIMD only behind --experimental-wasm-relaxed-simd;
// Node 22+ has it on and rejects that flag as a bad option. A process that
// has it only through the flag (the browser project's test process runs with
// it) passes the flag on.
import { hasRelaxedSimd } from "../src/runtime/features.js";

const FLAG = "--experimental-wasm-relaxed-simd";

export const RELAXED_SIMD_FLAGS: string[] = hasRelaxedSimd() && !process.execArgv.includes(FLAG) ? [] : [FLAG];
