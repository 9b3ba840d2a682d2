// TensorDataset: rows of several tensors by index (torch.utils.data.TensorDataset).
import { describe, expect, it } from "vitest";
import { data, tensor, zeros } from "../../src/index.js";

describe("TensorDataset", () => {
  it("gives row i of every tensor, as copies; negative indices count from the end", () => {
    const x = tensor([[1, 2], [3, 4], [5, 6]]);
    const y = tensor([0, 1, 2]);
    const ds = new data.TensorDataset(x, y);
    expect(ds.length).toBe(3);
    const [xi, yi] = ds.at(1);
    expect(xi.shape).toEqual([2]);
    expect(xi.toArray()).toEqual(new Float32Array([3, 4]));
    expect(yi.shape).toEqual([]);
    expect(yi.item()).toBe(1);
    expect(ds.at(-1)[0].toArray()).toEqual(new Float32Array([5, 6]));
    xi.data[0] = 99;
    expect(x.data[2]).toBe(3);
  });

  it("bad input: mismatched first dimensions, 0-d tensors, non-tensors, indices out of range", () => {
    expect(() => new data.TensorDataset(zeros([3, 2]), zeros([4]))).toThrow(/Size mismatch between tensors: argument 0 has 3 rows .* argument 1 has 4/);
    expect(() => new data.TensorDataset(zeros([]))).toThrow(/0-d/);
    expect(() => new data.TensorDataset([1, 2] as never)).toThrow(TypeError);
    expect(() => new data.TensorDataset()).toThrow(TypeError);
    const ds = new data.TensorDataset(zeros([3, 2]));
    expect(() => ds.at(3)).toThrow("index 3 is out of bounds for dimension 0 with size 3");
    expect(() => ds.at(1.5)).toThrow(RangeError);
  });
});
