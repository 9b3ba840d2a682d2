// Tensor storage comes from the runtime's TLSF allocator (`--runtime minimal`),
// which returns 16-byte aligned blocks: every v128 load on tensor data is aligned.

/** Allocates `bytes` bytes (16-byte aligned) and returns the pointer. */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Frees a block returned by `alloc`. */
export function free(ptr: usize): void {
  heap.free(ptr);
}

/**
 * Makes the heap hold a free block of at least `bytes` bytes: allocates one
 * and frees it again. TLSF doubles memory when it grows, but once doubling
 * would pass the 4 GiB limit it grows by exactly what each allocation needs;
 * the facade then calls this to grow in one large step instead (see
 * src/runtime/memory.ts). Traps, changing nothing, when memory cannot grow.
 */
export function reserve(bytes: usize): void {
  heap.free(heap.alloc(bytes));
}

/** First byte after static data: everything below belongs to the module. */
export function heapBase(): usize {
  return __heap_base;
}
