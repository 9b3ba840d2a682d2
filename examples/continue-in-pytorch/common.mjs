// Shared by train.mjs and evaluate.mjs: the network, its optimizer and
// schedule, and the data — the same objects ddp.py builds in PyTorch.
import { Generator, nn, optim, data } from "../../dist/index.js";
import { loadMnist, splitMnist, pixelStats, normalize } from "../mnist/data.js";
import { evaluate, tensorDataset } from "../mnist/train.js";

/** 784-128-10 ReLU (PyTorch: nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))). */
export function build() {
  const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: 0.7 });
  return { model, optimizer, scheduler };
}

/** The seeded 8,000 / 2,000 MNIST split of examples/mnist, normalised. */
export function mnist() {
  const { train, heldOut } = splitMnist(loadMnist(), { generator: new Generator(0) });
  const stats = pixelStats(train);
  return { train: normalize(train, stats), heldOut: normalize(heldOut, stats) };
}

export function heldOutAccuracy(model, heldOut) {
  const dataset = tensorDataset(heldOut);
  try {
    return evaluate(model, new data.DataLoader(dataset, { batchSize: 500 }), new nn.CrossEntropyLoss()).accuracy;
  } finally {
    for (const t of dataset.tensors) t.dispose();
  }
}
