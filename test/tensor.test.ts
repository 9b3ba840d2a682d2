import { describe, expect, it } from "vitest";
import { availableParallelism } from "node:os";
import { backendInfo, empty, full, memoryStats, ones, parameter, tensor, Tensor, zeros } from "../src/index.js";

const build = process.env.WASMTRAIN_BUILD;

describe("tensor construction", () => {
  it("infers the shape of nested arrays and keeps row-major order", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.size).toBe(6);
    expect(t.ndim).toBe(2);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    t.dispose();
  });

  it("takes a flat array with an explicit shape and rounds to float32", () => {
    const t = tensor([0.1, 2, 3, 4], [2, 2]);
    expect(t.shape).toEqual([2, 2]);
    expect(t.data[0]).toBe(Math.fround(0.1));
    t.dispose();
  });

  it("zeros, ones, full and empty have the requested shape and values", () => {
    const z = zeros([3, 4]);
    const o = ones([5]);
    const f = full([2, 2], -1.5);
    const e = empty([7, 1]);
    expect(Array.from(z.data)).toEqual(new Array(12).fill(0));
    expect(Array.from(o.data)).toEqual(new Array(5).fill(1));
    expect(Array.from(f.data)).toEqual(new Array(4).fill(-1.5));
    expect(e.shape).toEqual([7, 1]);
    for (const t of [z, o, f, e]) t.dispose();
  });

  it("rejects a shape that does not match the number of values", () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/shape \[2, 2\] holds 4 values but 3 were given/);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => zeros([2, -1])).toThrow(RangeError);
    expect(() => zeros([2.5])).toThrow(/non-negative integer/);
  });

  it("a bare number gives a 0-d tensor (shape [], one element), as torch.tensor(5)", () => {
    const s = tensor(5);
    expect(s.shape).toEqual([]);
    expect(s.ndim).toBe(0);
    expect(s.size).toBe(1);
    expect(s.item()).toBe(5);
    expect(() => tensor("5" as never)).toThrow(TypeError);
    s.dispose();
  });

  it("item() reads single-element tensors and refuses others", () => {
    const s = tensor([42]);
    expect(s.item()).toBe(42);
    const v = tensor([1, 2]);
    expect(() => v.item()).toThrow(/one-element/);
    s.dispose();
    v.dispose();
  });

  it("toArray() is a copy, data is a live view", () => {
    const t = tensor([1, 2, 3]);
    const copy = t.toArray();
    t.data[0] = 9;
    expect(copy[0]).toBe(1);
    expect(t.toArray()[0]).toBe(9);
    t.dispose();
  });

  it("JSON.stringify gives { shape, data } with the float32 values, and tensor() reads them back", () => {
    const t = tensor([[0.1, -2], [3.5, 1e-3]]);
    const json = JSON.parse(JSON.stringify(t));
    expect(json).toEqual({ shape: [2, 2], data: Array.from(t.data) });
    const back = tensor(json.data, json.shape);
    expect(Array.from(back.data)).toEqual(Array.from(t.data));
    t.dispose();
    back.dispose();
  });

  it("parameter() sets requiresGrad", () => {
    const p = parameter([1, 2], [2]);
    expect(p.requiresGrad).toBe(true);
    expect(tensor([1]).requiresGrad).toBe(false);
    p.dispose();
  });
});

describe("grad assignment", () => {
  it("accepts a gradient of the same shape and rejects another shape, leaving grad unchanged", () => {
    const p = parameter([1, 2, 3, 4], [2, 2]);
    const g = tensor([1, 1, 1, 1], [2, 2]);
    p.grad = g;
    expect(p.grad).toBe(g);
    const bad = tensor([1, 1, 1, 1], [4]);
    expect(() => (p.grad = bad)).toThrow(/gradient shape \[4\] does not match the tensor's shape \[2, 2\]/);
    expect(p.grad).toBe(g);
    p.grad = null;
    expect(p.grad).toBeNull();
    expect(() => ((p as { requiresGrad: unknown }).requiresGrad = 1)).toThrow(/requiresGrad must be a boolean, got 1/);
    expect(p.requiresGrad).toBe(true);
    for (const t of [p, g, bad]) t.dispose();
  });
});

describe("dispose", () => {
  it("frees the storage and any later use throws naming the shape", () => {
    const before = memoryStats();
    const t = zeros([3, 5]);
    expect(memoryStats().liveTensors).toBe(before.liveTensors + 1);
    expect(memoryStats().allocatedBytes).toBe(before.allocatedBytes + 60);
    t.dispose();
    expect(memoryStats().liveTensors).toBe(before.liveTensors);
    expect(memoryStats().allocatedBytes).toBe(before.allocatedBytes);
    expect(t.disposed).toBe(true);
    expect(() => t.data).toThrow(/Tensor\[3, 5\] has been disposed/);
    expect(() => t.item()).toThrow(/disposed/);
    const p = zeros([3, 5]);
    expect(() => (p.grad = t)).toThrow(/disposed/);
    expect(p.grad).toBeNull();
    const g = zeros([3, 5]);
    expect(() => (t.grad = g)).toThrow(/Tensor\[3, 5\] has been disposed/);
    g.dispose();
    t.dispose(); // idempotent
    p.dispose();
  });

  it("peakBytes tracks the high-water mark", () => {
    const big = zeros([1 << 16]);
    const peak = memoryStats().peakBytes;
    big.dispose();
    expect(memoryStats().peakBytes).toBe(peak);
    expect(peak).toBeGreaterThanOrEqual((1 << 16) * 4);
  });
});

describe.runIf(build !== "js")("WebAssembly memory", () => {
  it("storage is 16-byte aligned", () => {
    const ts = [1, 3, 5, 17, 100].map((n) => empty([n]));
    for (const t of ts) expect(t.ptr % 16).toBe(0);
    for (const t of ts) t.dispose();
  });

  it("t.data stays valid when memory grows while the tensor is held", () => {
    const t = tensor([1, 2, 3, 4]);
    const oldView = t.data;
    const bytesBefore = backendInfo().memoryBytes;
    const big = empty([1 << 24]); // 64 MiB: forces growth
    expect(backendInfo().memoryBytes).toBeGreaterThan(bytesBefore);
    if (oldView.buffer instanceof SharedArrayBuffer) {
      // The threaded build's shared memory never detaches: an old view stays a view of the same bytes.
      expect(Array.from(oldView)).toEqual([1, 2, 3, 4]);
    } else {
      expect(oldView.length).toBe(0); // the old view was detached by growth
    }
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4]);
    t.data[2] = 7;
    expect(t.toArray()[2]).toBe(7);
    big.dispose();
    t.dispose();
  });
});

describe("backendInfo", () => {
  it("reports the build this project runs", () => {
    expect(backendInfo().build).toBe(build);
    // Every logical core by default where threads exist (Node); the pure-JS build runs on one.
    expect(backendInfo().threads).toBe(build === "js" ? 1 : availableParallelism());
  });
});
