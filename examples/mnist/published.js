#!/usr/bin/env node
// The architectures of LeCun et al.'s MNIST table, trained with wasmtrain on
// the standard split (60,000 training digits, error on the 10,000 test
// digits), for docs/mnist-results.md:
//   mlp300   784-300-10, ReLU                     (LeCun et al. 1998: 4.7% with MSE, no preprocessing)
//   mlp800   784-800-10, ReLU, cross-entropy      (Simard et al. 2003: 1.6%, no distortions)
//   lenet5   LeNet-5 (conv 6@5×5 pad 2, avg-pool, conv 16@5×5, avg-pool, 120, 84, 10; tanh)  (LeCun et al. 1998: 0.95%)
// All with cross-entropy, Adam (lr 1e-3), batch 64, inputs normalised with
// (0.1307, 0.3081), no augmentation, seed 0. Usage:
//   node examples/mnist/published.js <mlp300|mlp800|lenet5> [epochs=3]
import { ready, manualSeed, nn, optim, tensor, noGrad, data, Generator } from "../../dist/index.js";
import { loadMnistSplit } from "./idx.js";

const MODELS = {
  mlp300: () => new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 300), new nn.ReLU(), new nn.Linear(300, 10)),
  mlp800: () => new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 800), new nn.ReLU(), new nn.Linear(800, 10)),
  lenet5: () =>
    new nn.Sequential(
      new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.Tanh(), new nn.AvgPool2d(2),
      new nn.Conv2d(6, 16, 5), new nn.Tanh(), new nn.AvgPool2d(2),
      new nn.Flatten(), new nn.Linear(400, 120), new nn.Tanh(), new nn.Linear(120, 84), new nn.Tanh(), new nn.Linear(84, 10),
    ),
};

function dataset(split) {
  const { images, labels, size } = loadMnistSplit(split);
  const x = new Float32Array(images.length);
  for (let i = 0; i < x.length; i++) x[i] = (images[i] - 0.1307) / 0.3081;
  return new data.TensorDataset(tensor(x, [size, 1, 28, 28]), tensor(Float32Array.from(labels), [size]));
}

export async function run(name, epochs) {
  if (!(name in MODELS)) throw new RangeError(`unknown model ${JSON.stringify(name)}; expected one of ${Object.keys(MODELS).join(", ")}`);
  await ready();
  manualSeed(0);
  const model = MODELS[name]();
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const train = new data.DataLoader(dataset("train"), { batchSize: 64, shuffle: true, generator: new Generator(0) });
  const test = new data.DataLoader(dataset("test"), { batchSize: 1000 });
  const results = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const [x, y] of train) {
      opt.zeroGrad();
      lossFn.forward(model.forward(x), y).backward();
      opt.step();
    }
    const c = process.cpuUsage(c0);
    const seconds = (performance.now() - t0) / 1000;
    model.eval();
    let wrong = 0;
    noGrad(() => {
      for (const [x, y] of test) {
        const o = model.forward(x).data, t = y.data;
        for (let i = 0; i < t.length; i++) {
          let best = 0;
          for (let k = 1; k < 10; k++) if (o[i * 10 + k] > o[i * 10 + best]) best = k;
          if (best !== t[i]) wrong++;
        }
      }
    });
    const r = { model: name, epoch, testErrorPercent: wrong / 100, trainSeconds: seconds, trainCpuSeconds: (c.user + c.system) / 1e6 };
    results.push(r);
    console.log(JSON.stringify(r));
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await run(process.argv[2], Number(process.argv[3] ?? 3));
