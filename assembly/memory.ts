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

/** First byte after static data: everything below belongs to the module. */
export function heapBase(): usize {
  return __heap_base;
}
