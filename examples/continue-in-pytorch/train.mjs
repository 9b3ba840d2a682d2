// Step 1: train in wasmtrain for two epochs and save a checkpoint (PyTorch's
// layout) plus the data for PyTorch to continue with.
// Usage: node examples/continue-in-pytorch/train.mjs <work dir>
import { mkdirSync, writeFileSync } from "node:fs";
import { Generator, io, ready, tensor } from "../../dist/index.js";
import { trainModel } from "../mnist/train.js";
import { build, heldOutAccuracy, mnist } from "./common.mjs";

const dir = process.argv[2] ?? "work";
mkdirSync(dir, { recursive: true });
await ready();
const { train, heldOut } = mnist();
const { model, optimizer, scheduler } = build();
const epochs = 2;
trainModel({ model, optimizer, scheduler, train, heldOut, epochs, batchSize: 64, generator: new Generator(1) });
const accuracy = heldOutAccuracy(model, heldOut);
writeFileSync(`${dir}/checkpoint.safetensors`, io.saveCheckpoint({ model, optimizer, scheduler, extra: { epoch: epochs, heldOutAccuracy: accuracy } }));
const data = {
  train_x: tensor(train.images, [train.size, 784]),
  train_y: tensor(Float32Array.from(train.labels), [train.size]),
  held_out_x: tensor(heldOut.images, [heldOut.size, 784]),
  held_out_y: tensor(Float32Array.from(heldOut.labels), [heldOut.size]),
};
writeFileSync(`${dir}/data.safetensors`, io.saveSafetensors(data));
console.log(`wasmtrain: ${epochs} epochs, held-out accuracy ${(100 * accuracy).toFixed(2)}%, lr now ${optimizer.paramGroups[0].lr}; wrote ${dir}/checkpoint.safetensors`);
