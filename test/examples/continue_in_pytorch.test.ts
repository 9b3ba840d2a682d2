// examples/continue-in-pytorch/run.sh end to end: wasmtrain -> PyTorch
// DistributedDataParallel (2 processes, gloo) -> wasmtrain, with the accuracy
// PyTorch measured reproduced after loading its checkpoint. Needs PyTorch.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function why(): string | null {
  if (process.env.WASMTRAIN_BUILD !== "simd") return "runs in the simd project only (it drives dist/ and PyTorch)";
  const r = spawnSync("/usr/bin/python3", ["-c", "import torch"]);
  return r.status === 0 ? null : "PyTorch is not installed (/usr/bin/python3 -c 'import torch' failed)";
}
const skip = why();

describe("examples/continue-in-pytorch", () => {
  it.skipIf(skip !== null)(`run.sh trains, continues with DDP in PyTorch and evaluates back in wasmtrain${skip ? ` (skipped: ${skip})` : ""}`, () => {
    const work = mkdtempSync(join(tmpdir(), "wasmtrain-ddp-"));
    try {
      const root = new URL("../../", import.meta.url).pathname;
      const text = execFileSync("sh", ["examples/continue-in-pytorch/run.sh", work], { cwd: root, encoding: "utf8", env: { ...process.env, PYTHON: "/usr/bin/python3" }, stdio: ["ignore", "pipe", "pipe"] });
      expect(text).toMatch(/PyTorch DDP \(2 processes, gloo\): epoch 4/);
      const pt = Number(/PyTorch: held-out accuracy ([\d.]+)%/.exec(text)![1]);
      const ours = Number(/wasmtrain: loaded PyTorch's checkpoint after epoch 4 .* held-out accuracy ([\d.]+)%/.exec(text)![1]);
      expect(ours).toBe(pt);
      expect(pt).toBeGreaterThan(90);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 300_000);
});
