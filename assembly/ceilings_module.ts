// The bench-only module (build/ceilings.<build>.wasm, asconfig.ceilings.json):
// the machine ceilings of assembly/ceiling.ts and an allocator for their
// arrays. Built beside the library but not part of it: the library's .wasm
// (assembly/index.ts) does not contain these kernels.
export { alloc, free } from "./memory";
export * from "./ceiling";
