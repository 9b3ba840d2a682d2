// A strict TypeScript consumer: compiled with moduleResolution "bundler" and
// "node16" against the packed package. The @ts-expect-error lines fail the
// compile if the declarations did not resolve (everything would be `any`).
import { ready, tensor, zeros, matmul, backendInfo, memoryStats, Tensor } from "wasmtrain";
import type { BackendInfo, BuildName, MemoryStats, Shape } from "wasmtrain";

await ready();
const a: Tensor = tensor([[1, 2], [3, 4]]);
const c: Tensor = matmul(a, a, { transposeB: true, alpha: 0.5 });
const shape: Shape = c.shape;
const data: Float32Array = c.data;
const z = zeros([2, 3]);
const info: BackendInfo = backendInfo();
const build: BuildName = info.build;
const stats: MemoryStats = memoryStats();
console.log(shape, data[0], z.size, build, stats.liveTensors);

// @ts-expect-error build names are a closed union
const unknownBuild: BuildName = "webgpu";
// @ts-expect-error matmul takes tensors, not arrays
matmul([[1]], a);
void unknownBuild;
