// A strict TypeScript consumer: compiled with moduleResolution "bundler" and
// "node16" against the packed package. The @ts-expect-error lines fail the
// compile if the declarations did not resolve (everything would be `any`).
import { ready, tensor, zeros, randn, matmul, backendInfo, memoryStats, manualSeed, Generator, Tensor, nn, init, optim } from "wasmtrain";
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

// The training API, as in the README.
manualSeed(1);
const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
model.apply((m: nn.Module) => {
  if (m instanceof nn.Linear) {
    init.kaimingNormal(m.weight, { nonlinearity: "relu" });
    init.zeros(m.bias!);
  }
});
const opt = new optim.Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999] });
const schedule = new optim.lrScheduler.CosineAnnealingLR(opt, { tMax: 100 });
const lossFn = new nn.CrossEntropyLoss();
const x: Tensor = randn([32, 784], { generator: new Generator(7) });
opt.zeroGrad();
const loss: Tensor = lossFn.forward(model.forward(x), new Int32Array(32));
loss.backward();
opt.step();
schedule.step();
const lrs: number[] = schedule.getLastLr();
const lossValue: number = loss.item();
console.log(lrs, lossValue);

// @ts-expect-error Adam's betas are a pair
new optim.Adam(model.parameters(), { betas: 0.9 });

// @ts-expect-error build names are a closed union
const unknownBuild: BuildName = "webgpu";
// @ts-expect-error matmul takes tensors, not arrays
matmul([[1]], a);
void unknownBuild;
