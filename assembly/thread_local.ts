// Scratch memory that belongs to one thread.
//
// In the threaded builds every worker instantiates this module on the same
// shared memory, so a kernel's scratch cannot be a static address (two
// threads would write it at once) nor a block the kernel allocates (the
// allocator is not thread-safe, and only the calling thread may use it).
// Each instance keeps its scratch behind this module's per-instance globals
// instead: a heap block the calling thread allocated and handed over with
// setThreadScratch() (and gemmSetScratch() for GEMM's packing buffers)
// before the instance ran any kernel. The static block below serves only the
// single-threaded builds: a data segment, which every instantiation on a
// shared memory writes again.
//
// So no kernel module may keep mutable state in static memory (memory.data,
// a top-level StaticArray) nor write memory at instantiation: a worker's
// instantiation would overwrite the calling thread's state.
// test/runtime/threads/isolation.test.ts instantiates the threaded build a
// second time after running every kernel family and expects memory unchanged.

/** Byte offsets of each family's scratch inside the thread-local block (16-byte aligned). */
export const TLS_RNG_GROUP: usize = 0; // 64: one Philox group of 16 outputs (head and tail of a fill)
export const TLS_RNG_PHILOX2: usize = 64; // 64: the word vectors after Philox's first two rounds
export const TLS_RNG_ROUND_KEYS: usize = 128; // 256: splatted round keys of rounds 3..10
export const TLS_POOL_WINDOW: usize = 384; // 32: an average-pooling window (5 x i32)
export const TLS_NORM_SUMS: usize = 416; // 16: two f64 row sums
export const TLS_OPS_COUNTERS: usize = 432; // 32: the counters of a strided elementwise walk (8 x i32)
/** Bytes of the thread-local block. */
export const TLS_BYTES: usize = 464;

const STATIC_BLOCK: usize = memory.data(<i32>TLS_BYTES, 16);
/** 0 until setThreadScratch (a global initialised to STATIC_BLOCK would need a start function). */
let base: usize = 0;

/** The address of this thread's scratch at `offset` (one of the TLS_* offsets). */
// @ts-ignore: decorator
@inline
export function threadLocal(offset: usize): usize {
  return select<usize>(base, STATIC_BLOCK, base != 0) + offset;
}

/** Points this instance's thread-local block at `ptr` (TLS_BYTES bytes, 16-byte aligned). */
export function setThreadScratch(ptr: usize): void {
  base = ptr;
}

/** Bytes of the thread-local block a worker needs. */
export function threadScratchBytes(): i32 {
  return <i32>TLS_BYTES;
}
