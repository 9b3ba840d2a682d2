// Tensor storage. In the WebAssembly builds storage is a 16-byte aligned block
// of the module's linear memory (from its TLSF allocator); in the pure-JS build
// it is a Float32Array of its own. Either way the facade owns it: it is freed
// by dispose(), with a FinalizationRegistry only as a safety net.
import { wasmOrNull } from "./runtime.js";

/** AssemblyScript's largest block: (1 << 30) minus the 4-byte block header. */
export const MAX_ALLOCATION_BYTES = 2 ** 30 - 4;
/** 32-bit WebAssembly memory: 65,536 pages of 64 KiB. */
export const MAX_MEMORY_BYTES = 2 ** 32;

export interface Storage {
  /** Byte offset in WebAssembly memory (always >= 0), or -1 in the pure-JS build. */
  ptr: number;
  /** The pure-JS build's own array; null in the WebAssembly builds. */
  js: Float32Array | null;
  bytes: number;
  freed: boolean;
}

let allocatedBytes = 0;
let peakBytes = 0;
let liveStorages = 0;

function freeStorage(s: Storage): void {
  if (s.freed) return;
  s.freed = true;
  if (s.ptr >= 0) wasmOrNull()!.free(s.ptr);
  s.js = null;
  allocatedBytes -= s.bytes;
  liveStorages--;
}

const registry =
  typeof FinalizationRegistry === "function" ? new FinalizationRegistry<Storage>((s) => freeStorage(s)) : null;

function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(2)} MiB`;
  return `${n} bytes`;
}

function outOfMemory(what: string, bytes: number, available: number, why: string): RangeError {
  return new RangeError(
    `${what}: cannot allocate ${bytes} bytes (${formatBytes(bytes)}); ${why}, ${available} bytes (${formatBytes(available)}) available`,
  );
}

/**
 * Allocates storage for `elements` float32 values. `owner` is registered with
 * the safety net so its storage is freed if it is garbage-collected undisposed.
 * Throws RangeError (and changes nothing) when the request cannot fit.
 */
export function allocate(elements: number, what: string, owner?: object): Storage {
  const bytes = elements * 4;
  if (bytes > MAX_ALLOCATION_BYTES) {
    throw outOfMemory(what, bytes, MAX_ALLOCATION_BYTES, "one allocation holds at most 1 GiB");
  }
  const wasm = wasmOrNull();
  let storage: Storage;
  if (wasm) {
    const inUse = wasm.heapBase() + allocatedBytes;
    if (inUse + bytes > MAX_MEMORY_BYTES) {
      throw outOfMemory(what, bytes, Math.max(0, MAX_MEMORY_BYTES - inUse), "WebAssembly memory holds at most 4 GiB");
    }
    let ptr: number;
    try {
      ptr = wasm.alloc(Math.max(bytes, 16)) >>> 0; // pointers >= 2 GiB arrive negative
    } catch (e) {
      throw outOfMemory(
        what,
        bytes,
        Math.max(0, MAX_MEMORY_BYTES - inUse),
        `WebAssembly memory could not grow (${(e as Error).message})`,
      );
    }
    storage = { ptr, js: null, bytes, freed: false };
  } else {
    if (allocatedBytes + bytes > MAX_MEMORY_BYTES) {
      throw outOfMemory(what, bytes, MAX_MEMORY_BYTES - allocatedBytes, "the pure-JS build mirrors the 4 GiB WebAssembly limit");
    }
    storage = { ptr: -1, js: new Float32Array(elements), bytes, freed: false };
  }
  allocatedBytes += bytes;
  peakBytes = Math.max(peakBytes, allocatedBytes);
  liveStorages++;
  if (owner && registry) registry.register(owner, storage, storage);
  return storage;
}

/** Frees storage now (idempotent). */
export function release(storage: Storage): void {
  registry?.unregister(storage);
  freeStorage(storage);
}

export interface MemoryStats {
  allocatedBytes: number;
  peakBytes: number;
  liveTensors: number;
}

export function memoryStats(): MemoryStats {
  return { allocatedBytes, peakBytes, liveTensors: liveStorages };
}

