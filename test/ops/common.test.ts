// Bad input to the operations: PyTorch's messages (broadcast mismatch naming
// both shapes, dims out of range, reshape sizes, non-integer indices, a
// released tensor), thrown before anything changes or is allocated.
import { describe, expect, it } from "vitest";
import { F, memoryStats, nn, tensor, zeros, type Tensor } from "../../src/index.js";

/** fn throws `message`; memory and the given tensors' values are as before. */
function refuses(fn: () => unknown, message: RegExp | string, ...untouched: Tensor[]): void {
  const before = untouched.map((t) => t.toArray());
  const stats = memoryStats();
  expect(fn).toThrow(message);
  expect(memoryStats().allocatedBytes).toBe(stats.allocatedBytes);
  untouched.forEach((t, i) => expect(Array.from(t.data)).toEqual(Array.from(before[i])));
}

describe("operations refuse bad input with PyTorch's messages, changing nothing", () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  const b = tensor([1, 2, 3, 4]);

  it("broadcast mismatches name both shapes", () => {
    refuses(() => a.add(b), "add: The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1 (shapes [2, 3] and [4])", a, b);
    const cond = tensor([1, 0]);
    refuses(() => F.where(cond, a, 1), /where: The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 1/);
    const column = tensor([[1], [2], [3]]);
    refuses(() => a.add_(column), /add_: The size of tensor a \(2\) must match the size of tensor b \(3\)/, a);
    const row = tensor([1, 2, 3]);
    refuses(() => row.add_(a), "add_: output with shape [3] doesn't match the broadcast shape [2, 3]", row);
  });

  it("dims out of range", () => {
    refuses(() => a.sum({ dim: 2 }), "sum: Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    refuses(() => a.transpose(0, -3), "transpose: Dimension out of range (expected to be in range of [-2, 1], but got -3)");
    refuses(() => a.unsqueeze(3), "unsqueeze: Dimension out of range (expected to be in range of [-3, 2], but got 3)");
    refuses(() => F.cat([a, a], 2), /cat: Dimension out of range/);
    refuses(() => a.sum({ dim: [0, -2] }), "sum: dim 0 appears multiple times in the list of dims");
    refuses(() => a.sum({ dim: 0.5 }), "sum: dim must be an integer, got 0.5");
  });

  it("reshape sizes that do not fit", () => {
    refuses(() => a.reshape([4, 2]), "reshape: shape '[4, 2]' is invalid for input of size 6");
    refuses(() => a.view(-1, 4), "view: shape '[-1, 4]' is invalid for input of size 6");
    refuses(() => a.reshape([-1, -1]), /only one dimension can be inferred/);
    refuses(() => a.expand([2, 4]), /The expanded size of the tensor \(4\) must match the existing size \(3\) at non-singleton dimension 1/);
    refuses(() => a.matmul(a), /mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)/);
    refuses(() => a.narrow(1, 2, 2), "narrow: start (2) + length (2) exceeds dimension size (3).");
  });

  it("non-integer and out-of-range indices", () => {
    refuses(() => a.indexSelect(0, [0, 1.5]), "indexSelect: index[1] = 1.5 is not an integer");
    refuses(() => a.indexSelect(1, [3]), /indexSelect: index out of range in self \(index\[0\] = 3 for a dimension of size 3\)/);
    const fractional = tensor([0.25]);
    refuses(() => a.indexSelect(0, fractional), /not an integer/);
    refuses(() => a.split(1.5), "split: splitSize must be an integer, got 1.5");
  });

  it("wrong types and options", () => {
    refuses(() => a.add("1" as unknown as number), 'add: other must be a Tensor or a number, got "1"');
    refuses(() => a.add(b, { alpha: "2" as unknown as number }), /alpha must be a number/);
    refuses(() => a.clamp({}), "clamp: At least one of 'min' or 'max' must not be None");
    refuses(() => a.gelu({ approximate: "erf" as "tanh" }), /approximate must be 'none' or 'tanh'/);
    refuses(() => a.sum({ keepdim: 1 as unknown as boolean }), "sum: keepdim must be a boolean, got 1");
  });

  it("a released tensor: every operation says it was released, by what, and what to do", () => {
    const l = new nn.Linear(3, 2);
    const y = l.forward(a);
    l.forward(a);
    l.forward(a);
    const z = zeros([2, 2]);
    for (const op of [() => y.add(1), () => y.sum(), () => y.reshape([4]), () => F.cat([y, y]), () => y.matmul(z), () => y.item()]) {
      refuses(op, /Tensor\[2, 2\] was released: the library reused its memory when Linear\(3, 2\)\.forward\(\) ran for the second time after computing it\. Read what you need before then \(t\.item\(\), t\.toArray\(\)\) or keep a copy with t\.clone\(\)/);
    }
    const d = tensor([1]);
    d.dispose();
    refuses(() => d.mul(2), "mul (input): Tensor[1] has been disposed and cannot be used");
  });
});
