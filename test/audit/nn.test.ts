// Audit: CrossEntropyLoss at extreme logits (±1e4, a row of ties, large
// finite values) for every reduction, with and without label smoothing:
// loss and input gradient against PyTorch 1.13 (test/fixtures/audit.json).
// Tolerance: relative 1e-5 with an absolute floor 1e-6 (float32 log-softmax).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nn, parameter } from "../../src/index.js";

const fx = JSON.parse(readFileSync(new URL("../fixtures/audit.json", import.meta.url), "utf8")).crossEntropy as {
  logits: number[][];
  labels: number[];
  cases: { reduction: "mean" | "sum" | "none"; labelSmoothing: number; loss: number[]; grad: number[] }[];
};

function expectClose(got: ArrayLike<number>, want: number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  want.forEach((w, i) => {
    if (!(Math.abs(got[i] - w) <= 1e-5 * Math.abs(w) + 1e-6)) expect.fail(`${what}[${i}]: got ${got[i]}, PyTorch ${w}`);
  });
}

describe("audit: CrossEntropyLoss at extreme logits", () => {
  for (const c of fx.cases) {
    it(`reduction ${c.reduction}, labelSmoothing ${c.labelSmoothing}`, () => {
      const x = parameter(fx.logits);
      const loss = new nn.CrossEntropyLoss({ reduction: c.reduction, labelSmoothing: c.labelSmoothing }).forward(x, fx.labels);
      expectClose(loss.toArray(), c.loss, "loss");
      if (c.reduction !== "none") {
        loss.backward();
        expectClose(x.grad!.toArray(), c.grad, "grad");
      }
    });
  }
});
