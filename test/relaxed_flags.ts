// The Node flags a child process needs to run the relaxed-simd build: Node 20
// has WebAssembly relaxed SIMD only behind --experimental-wasm-relaxed-simd;
// Node 22+ has it on and rejects that flag as a bad option.
import { hasRelaxedSimd } from "../src/runtime/features.js";

export const RELAXED_SIMD_FLAGS: string[] = hasRelaxedSimd() ? [] : ["--experimental-wasm-relaxed-simd"];
