// A worker's instantiation must not change shared memory: no start function
// that writes it, and no kernel state in static memory (a data segment is
// written again by every instantiation). After every kernel family's warm-up
// has run on one instance, instantiating the threaded build again leaves
// every byte as it was.
import { describe, expect, it } from "vitest";
import { SIMD_THREADS_WASM_BASE64, RELAXED_SIMD_THREADS_WASM_BASE64 } from "../../../src/runtime/wasm-bytes.generated.js";
import { hasRelaxedSimd } from "../../../src/runtime/features.js";

const builds: [string, string][] = [["simd-threads", SIMD_THREADS_WASM_BASE64]];
if (hasRelaxedSimd()) builds.push(["relaxed-simd-threads", RELAXED_SIMD_THREADS_WASM_BASE64]);

describe.each(builds)("the %s build", (_, base64) => {
  it("instantiating it again after every kernel family ran leaves memory unchanged", async () => {
    const module = await WebAssembly.compile(Buffer.from(base64, "base64"));
    const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
    const env = { memory, abort: () => { throw new Error("abort"); } };
    const first = (await WebAssembly.instantiate(module, { env })).exports as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    first.setThreadScratch(first.alloc(first.threadScratchBytes()));
    const scratchBytes = 1 << 16;
    const scratch = first.alloc(scratchBytes) >>> 0;
    const warmups = Object.keys(first).filter((n) => n.startsWith("warmup"));
    expect(warmups.length).toBeGreaterThan(5);
    for (let round = 0; round < 3; round++) for (const n of warmups) first[n](scratch, scratchBytes);
    const before = new Uint8Array(memory.buffer).slice();
    await WebAssembly.instantiate(module, { env });
    const after = new Uint8Array(memory.buffer);
    let firstDiff = -1;
    for (let i = 0; i < before.length && firstDiff < 0; i++) if (before[i] !== after[i]) firstDiff = i;
    expect(firstDiff, "first byte a second instantiation changed").toBe(-1);
  });
});
