// Tensor storage. In the WebAssembly builds storage is a 16-byte aligned block
// of the module's linear memory (from its TLSF allocator); in the pure-JS build
// it is a Float32Array of its own. Either way the facade owns it: it is freed
// by dispose(), with a FinalizationRegistry only as a safety net.
import { wasmOrNull, type WasmExports } from "./runtime.js";

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
  /** Holders: tensor handles (views share a storage) and autograd nodes that saved it. Freed at 0. */
  refs: number;
  /** PyTorch's version counter: bumped by every in-place change, checked by backward for saved tensors. */
  version: number;
  /** Set by Module.releaseOutput(): handed back for reuse while a graph may still have saved it. */
  handedBack: boolean;
}

/** The buffer of WebAssembly memory, which storage views are made over (a new one after memory grows). */
export function heapBuffer(): ArrayBufferLike {
  return wasmOrNull()!.memory.buffer;
}

let allocatedBytes = 0;
let peakBytes = 0;
let liveStorages = 0;

// The caching allocator (PyTorch's idea): freed blocks wait in free lists keyed
// by their exact size and the next request of that size takes one back, so a
// training loop that frees and allocates the same shapes every step touches
// the WebAssembly allocator only while warming up. Blocks above
// CACHE_BLOCK_LIMIT, and everything beyond CACHE_LIMIT in all, go straight
// back; emptyCache() returns the rest. allocatedBytes counts live storage
// only (PyTorch's memory_allocated); cachedBytes the free blocks held.
const CACHE_LIMIT = 256 * 2 ** 20;
const CACHE_BLOCK_LIMIT = 64 * 2 ** 20;
const cache = new Map<number, (number | Float32Array)[]>();
let cachedBytes = 0;

function freeBlock(ptr: number, js: Float32Array | null, bytes: number): void {
  if (bytes <= CACHE_BLOCK_LIMIT && cachedBytes + bytes <= CACHE_LIMIT) {
    const list = cache.get(bytes);
    const block = js ?? ptr;
    if (list) list.push(block);
    else cache.set(bytes, [block]);
    cachedBytes += bytes;
  } else if (ptr >= 0) {
    wasmOrNull()!.free(ptr);
  }
}

function freeStorage(s: Storage): void {
  if (s.freed) return;
  s.freed = true;
  freeBlock(s.ptr, s.js, s.bytes);
  s.js = null;
  allocatedBytes -= s.bytes;
  liveStorages--;
}

/** Returns every cached free block to the WebAssembly allocator (PyTorch's empty_cache). */
export function emptyCache(): void {
  const wasm = wasmOrNull();
  for (const list of cache.values()) for (const b of list) if (wasm && typeof b === "number") wasm.free(b);
  cache.clear();
  cachedBytes = 0;
}

/** The safety net for handles the program drops without dispose(): their reference goes when they are collected. */
const registry =
  typeof FinalizationRegistry === "function" ? new FinalizationRegistry<Storage>((s) => unretain(s)) : null;

/**
 * The request and what is available in one unit (the larger's), rounded to
 * nearest with as many decimals (2 to 4) as it takes to tell them apart —
 * never "1.00 GiB available" for a refused 1023.94 MiB — and, when even 4
 * cannot, the difference in bytes.
 */
export function formatBytePair(request: number, available: number): [string, string] {
  const big = Math.max(request, available);
  const [unit, scale] = big >= 2 ** 30 ? ["GiB", 2 ** 30] : big >= 2 ** 20 ? ["MiB", 2 ** 20] : big >= 2 ** 10 ? ["KiB", 2 ** 10] : ["bytes", 1];
  if (scale === 1) return [`${request} bytes`, `${available} bytes`];
  let r = "", a = "";
  for (let digits = 2; digits <= 4; digits++) {
    r = (request / scale).toFixed(digits);
    a = (available / scale).toFixed(digits);
    if (r !== a || request === available) return [`${r} ${unit}`, `${a} ${unit}`];
  }
  const diff = request - available;
  return [`${r} ${unit}`, `${a} ${unit}, ${Math.abs(diff)} bytes ${diff > 0 ? "less" : "more"}`];
}

/** `upTo`: `available` is an upper bound (the allocator's block headers and fragmentation take some of it). */
function outOfMemory(what: string | (() => string), bytes: number, available: number, why: string, upTo = false): RangeError {
  const [r, a] = formatBytePair(bytes, available);
  if (typeof what === "function") what = what();
  return new RangeError(`${what}: cannot allocate ${bytes} bytes (${r}); ${why}, ${upTo ? "at most " : ""}${available} bytes (${a}) available`);
}

/** How far memory grows at once when the allocator can no longer double it. */
export const GROWTH_STEP_BYTES = 256 * 2 ** 20;
/** Below this much room, growing ahead is not worth a call. */
const MIN_GROWTH_STEP_BYTES = 4 * 2 ** 20;

/**
 * Called after an allocation grew memory from `before` to `after` bytes. The
 * allocator doubles memory while it can; past 2 GiB doubling would cross the
 * 4 GiB limit and it grows by exactly the pages one allocation needs, so
 * every further allocation would grow memory again (1–3 ms each in V8 on a
 * large memory). Then this grows ahead by GROWTH_STEP_BYTES (or what is left
 * below 4 GiB): one free block the next allocations are carved from. A
 * failure to grow that far only means trying a smaller step.
 */
function growAhead(wasm: WasmExports, before: number, after: number): void {
  if (after - before >= before) return; // the allocator doubled: no need
  let room = Math.min(GROWTH_STEP_BYTES, MAX_MEMORY_BYTES - after);
  while (room >= MIN_GROWTH_STEP_BYTES) {
    // TLSF rounds a large request up by up to 1/16 and adds block headers
    const request = Math.floor((room * 15) / 16) - 2 ** 17;
    try {
      wasm.reserve(request);
      return;
    } catch {
      room = Math.floor(room / 2);
    }
  }
}

function allocateBlock(wasm: WasmExports, bytes: number, what: string | (() => string)): number {
  const inUse = wasm.heapBase() + allocatedBytes + cachedBytes;
  if (inUse + bytes > MAX_MEMORY_BYTES) {
    throw outOfMemory(what, bytes, Math.max(0, MAX_MEMORY_BYTES - inUse), "WebAssembly memory holds at most 4 GiB", true);
  }
  let ptr: number;
  const before = wasm.memory.buffer.byteLength;
  try {
    ptr = wasm.alloc(Math.max(bytes, 16)) >>> 0; // pointers >= 2 GiB arrive negative
  } catch (e) {
    throw outOfMemory(
      what,
      bytes,
      Math.max(0, MAX_MEMORY_BYTES - inUse),
      `WebAssembly memory (${before} bytes now) could not grow (${(e as Error).message}; a block over 256 bytes may need up to 1/16 more for the allocator's size classes)`,
      true,
    );
  }
  const after = wasm.memory.buffer.byteLength;
  if (after !== before) growAhead(wasm, before, after);
  return ptr;
}

/**
 * Allocates storage for `elements` float32 values (uninitialised), from the
 * cache when a block of that size is free. With `owner`, the storage gets one
 * reference held by `owner` (freed by release(), or when `owner` is collected);
 * without, it starts with none (see retain()). Throws RangeError (and
 * changes nothing) when the request cannot fit.
 */
export function allocate(elements: number, what: string | (() => string), owner?: object): Storage {
  const bytes = elements * 4;
  if (bytes > MAX_ALLOCATION_BYTES) {
    throw outOfMemory(what, bytes, MAX_ALLOCATION_BYTES, "one allocation holds at most 1 GiB");
  }
  const wasm = wasmOrNull();
  let storage: Storage;
  const cached = cache.get(bytes);
  if (cached && cached.length) {
    const block = cached.pop()!;
    cachedBytes -= bytes;
    marks[marks.length - 1]?.taken.push(bytes);
    storage = typeof block === "number"
      ? { ptr: block, js: null, bytes, freed: false, refs: 0, version: 0, handedBack: false }
      : { ptr: -1, js: block, bytes, freed: false, refs: 0, version: 0, handedBack: false };
  } else if (wasm) {
    let ptr: number;
    try {
      ptr = allocateBlock(wasm, bytes, what);
    } catch (e) {
      if (cachedBytes === 0) throw e;
      emptyCache();
      ptr = allocateBlock(wasm, bytes, what);
    }
    storage = { ptr, js: null, bytes, freed: false, refs: 0, version: 0, handedBack: false };
  } else {
    if (allocatedBytes + bytes > MAX_MEMORY_BYTES) {
      throw outOfMemory(what, bytes, MAX_MEMORY_BYTES - allocatedBytes, "the pure-JS build mirrors the 4 GiB WebAssembly limit");
    }
    storage = { ptr: -1, js: new Float32Array(elements), bytes, freed: false, refs: 0, version: 0, handedBack: false };
  }
  allocatedBytes += bytes;
  peakBytes = Math.max(peakBytes, allocatedBytes);
  liveStorages++;
  marks[marks.length - 1]?.allocated.push(storage);
  if (owner) track(owner, storage);
  return storage;
}

/** Adds a reference (a view's handle, an autograd node saving it). */
export function retain(s: Storage): void {
  s.refs++;
}

/** Drops a reference; the last one frees the storage (into the cache). */
export function unretain(s: Storage): void {
  if (--s.refs <= 0) freeStorage(s);
}

/** A reference held by `owner`, dropped by untrack() or, as a safety net, when `owner` is collected. */
export function track(owner: object, s: Storage): void {
  s.refs++;
  registry?.register(owner, s, owner);
}

export function untrack(owner: object, s: Storage): void {
  registry?.unregister(owner);
  unretain(s);
}

/** Frees storage now, whoever else refers to it (idempotent). */
export function release(storage: Storage, owner?: object): void {
  if (owner) registry?.unregister(owner);
  storage.refs = 0;
  freeStorage(storage);
}

export interface MemoryStats {
  allocatedBytes: number;
  peakBytes: number;
  liveTensors: number;
  /** Free blocks kept by the caching allocator for reuse (not in allocatedBytes); emptyCache() returns them. */
  cachedBytes: number;
}

/**
 * Runs `fn`; if it throws, frees what it allocated (the tensors `made`
 * collects) and puts peakBytes back, so a failed operation leaves
 * memoryStats() exactly as it was. `fn` pushes every tensor it creates to `made`.
 */
export function undoAllocationsOnError<T>(fn: (made: { dispose(): void; readonly size: number }[]) => T): T {
  const mark = memoryMark();
  const made: { dispose(): void; readonly size: number }[] = [];
  let result: T;
  try {
    result = fn(made);
  } catch (e) {
    for (let i = made.length - 1; i >= 0; i--) made[i].dispose();
    restoreMemoryMark(mark);
    throw e;
  }
  settleMemoryMark(mark);
  return result;
}

/** Where memory stood before an operation that may fail (see restoreMemoryMark). */
export interface MemoryMark {
  peak: number;
  /** Sizes of the blocks taken from the cache since the mark. */
  taken: number[];
  /** Every storage allocated since the mark (those still live are freed on failure). */
  allocated: Storage[];
  /** cachedBytes at the mark. */
  cached: number;
}

/** The open marks, innermost last: a block taken from the cache is noted in the innermost. */
const marks: MemoryMark[] = [];

/** Opens a mark; close it with settleMemoryMark (success) or restoreMemoryMark (failure). */
export function memoryMark(): MemoryMark {
  const mark: MemoryMark = { peak: peakBytes, taken: [], allocated: [], cached: cachedBytes };
  marks.push(mark);
  return mark;
}

function closeMark(mark: MemoryMark): void {
  const i = marks.lastIndexOf(mark);
  if (i >= 0) marks.length = i;
}

/** The operation succeeded: its cache takes count toward the enclosing mark. */
export function settleMemoryMark(mark: MemoryMark): void {
  closeMark(mark);
  const outer = marks[marks.length - 1];
  if (outer) {
    outer.taken.push(...mark.taken);
    outer.allocated.push(...mark.allocated);
  }
}

/**
 * After a failed operation has freed what it allocated (blocks of
 * `freedBytes` bytes each): the blocks that freeing put in the cache but that
 * did not come from it go back to the WebAssembly allocator, and the peak is
 * put back — memoryStats() is then exactly as at the mark.
 */
export function restoreMemoryMark(mark: MemoryMark): void {
  closeMark(mark);
  // Everything allocated since the mark is freed now (what the caller freed
  // already, and what it did not know of); each went to the cache unless too
  // big. Those blocks, less the ones the operation took from the cache, are
  // the cache's growth: they go back to the WebAssembly allocator.
  const extra = new Map<number, number>();
  for (const s of mark.allocated) {
    if (!s.freed) {
      s.refs = 0;
      freeStorage(s);
    }
    extra.set(s.bytes, (extra.get(s.bytes) ?? 0) + 1);
  }
  for (const b of mark.taken) extra.set(b, (extra.get(b) ?? 0) - 1);
  const wasm = wasmOrNull();
  for (const [bytes, count] of extra) {
    const list = cache.get(bytes);
    for (let k = 0; k < count && list && list.length > 0 && cachedBytes - bytes >= mark.cached; k++) {
      const block = list.pop()!;
      cachedBytes -= bytes;
      if (wasm && typeof block === "number") wasm.free(block);
    }
  }
  peakBytes = Math.max(mark.peak, allocatedBytes);
}

export function memoryStats(): MemoryStats {
  return { allocatedBytes, peakBytes, liveTensors: liveStorages, cachedBytes };
}

