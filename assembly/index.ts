// The one WebAssembly module: memory management for the TypeScript facade,
// then every kernel family. Kernels are plain functions over raw pointers and
// lengths; nothing managed crosses the boundary. (The benchmarks' machine
// ceilings, assembly/ceiling.ts, are a module of their own: ceilings_module.ts.)
export { alloc, free, heapBase, reserve } from "./memory";
export * from "./gemm";
export * from "./optim";
export * from "./optim_rules";
export * from "./rng";
export * from "./elementwise";
export * from "./reduce";
export * from "./swa";
export * from "./ops_elementwise";
export * from "./ops_reduce";
export * from "./conv";
export * from "./pool";
export * from "./norm";
export { setThreadScratch, threadScratchBytes } from "./thread_local";
export * from "./softmax";
export * from "./loss";
export * from "./activation";
export * from "./embedding";
