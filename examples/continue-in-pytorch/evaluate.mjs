// Step 3: load the checkpoint PyTorch wrote back into wasmtrain and evaluate.
// Usage: node examples/continue-in-pytorch/evaluate.mjs <work dir>
import { readFileSync } from "node:fs";
import { io, ready } from "../../dist/index.js";
import { build, heldOutAccuracy, mnist } from "./common.mjs";

const dir = process.argv[2] ?? "work";
await ready();
const { heldOut } = mnist();
const { model, optimizer, scheduler } = build();
const { extra } = io.loadCheckpoint(readFileSync(`${dir}/continued.safetensors`), { model, optimizer, scheduler });
const accuracy = heldOutAccuracy(model, heldOut);
console.log(
  `wasmtrain: loaded PyTorch's checkpoint after epoch ${extra.epoch} (lr ${optimizer.paramGroups[0].lr.toPrecision(6)}, ` +
    `scheduler last_epoch ${scheduler.lastEpoch}); held-out accuracy ${(100 * accuracy).toFixed(2)}% ` +
    `(PyTorch measured ${(100 * extra.heldOutAccuracy).toFixed(2)}%)`,
);
if (Math.abs(accuracy - extra.heldOutAccuracy) > 1e-3) {
  console.error("the accuracies differ: the weights did not survive the round trip");
  process.exit(1);
}
