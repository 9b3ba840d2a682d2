// Flatten: output shapes as torch.flatten gives them (0-d inputs included).
// Against PyTorch 1.13 (test/fixtures/generate.py).
// Tolerance: relative 1e-5 + absolute 2e-6 (float32 kernels).
import { describe, expect, it } from "vitest";
import { nn, parameter, tensor, zeros, type Tensor } from "../../src/index.js";
import { loadFixture } from "../helpers/fixture.js";
import { expectClose } from "../helpers/close.js";

const f = loadFixture("nn.json").modules;

/** backward() of Σ y·coef: MSELoss(sum) of y against y − coef/2 has gradient coef with respect to y. */
function backwardWeighted(y: Tensor, coef: number[]): void {
  const target = tensor(Array.from(y.toArray()).map((v, i) => v - coef[i] / 2), y.shape);
  new nn.MSELoss({ reduction: "sum" }).forward(y, target).backward();
}

describe("Flatten shapes as torch.flatten", () => {
  for (const [key, want] of Object.entries(f.flatten as Record<string, number[] | string>)) {
    it(key, () => {
      if (key === "err_1d") expect(() => new nn.Flatten().forward(zeros([5]))).toThrow(/out of range/);
      else if (key === "0d") {
        const x = parameter([3], []);
        const y = new nn.Flatten({ startDim: 0, endDim: -1 }).forward(x);
        expect(y.shape).toEqual(want);
        expect(Array.from(y.toArray())).toEqual([3]);
        backwardWeighted(y, [2]);
        expect(x.grad!.shape).toEqual([]);
        expect(Array.from(x.grad!.toArray())).toEqual([2]);
      } else {
        const [s, e] = key.split(",").map(Number);
        expect(new nn.Flatten({ startDim: s, endDim: e }).forward(zeros([2, 3, 4, 5])).shape).toEqual(want);
      }
    });
  }
});

describe("Flatten in a graph", () => {
  it("Flatten merges the trailing dimensions and passes gradients back", () => {
    const f = new nn.Flatten();
    const x = parameter(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    const y = f.forward(x);
    expect(y.shape).toEqual([2, 12]);
    expect(Array.from(y.data)).toEqual(Array.from(x.data));
    new nn.MSELoss({ reduction: "sum" }).forward(y, zeros([2, 12])).backward();
    expect(Array.from(x.grad!.data)).toEqual(Array.from(x.data, (v) => 2 * v));
    x.dispose();
  });
});
