// The shared control block through which the calling thread hands a kernel
// call to the pool's workers, and the split every participant applies.
//
// A job is one kernel call over `total` units (elements, rows, columns,
// table pieces), cut into chunks of `perChunk` units. A chunk runs the
// kernel with each split argument advanced by start·stride (bytes; null
// pointers stay null), the count argument set to the chunk's length and, for
// random fills, the 64-bit stream position advanced by start. Every
// participant (the caller too) claims chunks with a compare-and-swap on one
// word until none is left, so a slow or preempted worker only means the
// others take more chunks. Which thread runs a chunk never changes what the
// chunk computes: results are the same for any thread count.
//
// Int32 words of the control block (a SharedArrayBuffer of its own):
export const SEQ = 0; // job sequence: odd while the caller writes a job, even once published
export const CLAIM = 1; // (tag << 20) | next chunk; tag = (SEQ / 2) mod 4096
export const DONE = 2; // (tag << 20) | chunks finished in the current job (a late chunk of an abandoned job cannot count for the next)
export const NCHUNKS = 3;
export const PARTICIPANTS = 4; // workers 0 .. PARTICIPANTS-1 take part (thread count − 1)
export const KERNEL = 5; // index into the kernel name list
export const NARGS = 6;
export const COUNT_ARG = 7;
export const PER_CHUNK = 8;
export const TOTAL = 9;
export const NSPLIT = 10;
export const STOP = 11; // set once: workers leave their loop
export const SLEEPERS = 12; // workers blocked in Atomics.wait on SEQ
export const CALLER_WAITING = 13; // the caller is blocked in Atomics.wait on DONE
export const POS_LO_ARG = 14; // -1, or the argument index of a random fill's position (low word; high word next)
export const FAILED = 15; // a chunk threw: its message is in the worker's error post
export const SPLIT_ARG0 = 16; // .. 23: indices of the split arguments
export const MAX_SPLIT = 8;
/** Float64 slots: the arguments at ARGS_F64, the split strides (bytes per unit) at STRIDES_F64. */
export const ARGS_F64 = 32;
export const MAX_ARGS = 24;
export const STRIDES_F64 = ARGS_F64 + MAX_ARGS;
/**
 * Int32 words OWNERS + i: the id of the worker that is worker i now (0: none).
 * A stopped worker leaves its loop as soon as it sees its id gone — a
 * browser's Worker.terminate() lets the worker run on (Chromium: ~2 s, and
 * for as long as the page's main thread is busy), and its scratch is freed at
 * once, so it must never take a chunk again.
 */
export const OWNERS = (STRIDES_F64 + MAX_SPLIT) * 2;
export const MAX_WORKERS = 256;
export const CONTROL_BYTES = (OWNERS + MAX_WORKERS) * 4;
/** Chunk indices live in the low 20 bits of CLAIM. */
export const CHUNK_BITS = 20;
export const MAX_CHUNKS = 1 << CHUNK_BITS;
/** Atomics.load polls before a worker sleeps (~20–50 µs: back-to-back kernels of a step find it awake). */
export const WORKER_SPINS = 1 << 14;
/** Atomics.load polls before the caller blocks waiting for the last chunks. */
export const CALLER_SPINS = 1 << 16;
