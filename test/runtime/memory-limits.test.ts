// Allocation limits: kept in their own file (own isolate) because WebAssembly
// memory never shrinks once these tests have grown it to 3 GiB.
import { describe, expect, it } from "vitest";
import { empty, memoryStats, tensor, Tensor } from "../../src/index.js";

describe("memory limits", () => {
  it("a tensor larger than one allocation can hold is a RangeError naming the bytes, and existing tensors survive", () => {
    const keep = tensor([1, 2, 3]);
    const stats = memoryStats();
    expect(() => empty([1 << 28])).toThrow(RangeError);
    expect(() => empty([1 << 28])).toThrow(/cannot allocate 1073741824 bytes/);
    expect(memoryStats()).toEqual(stats);
    expect(Array.from(keep.data)).toEqual([1, 2, 3]);
    keep.dispose();
  });

  it("more than 4 GiB in all is a RangeError and changes nothing", () => {
    const keep = tensor([4, 5, 6]);
    const held: Tensor[] = [];
    let error: unknown = null;
    try {
      // 1 GiB - 64 bytes each: the fifth cannot fit in 4 GiB of memory.
      for (let i = 0; i < 5; i++) held.push(empty([(1 << 28) - 16]));
    } catch (e) {
      error = e;
    }
    const statsAfterFailure = memoryStats();
    for (const t of held) t.dispose();
    expect(error).toBeInstanceOf(RangeError);
    expect(String(error)).toMatch(/cannot allocate 1073741760 bytes/);
    expect(held.length).toBeLessThan(5);
    expect(statsAfterFailure.liveTensors).toBe(memoryStats().liveTensors + held.length);
    expect(Array.from(keep.data)).toEqual([4, 5, 6]);
    // memory is usable again afterwards
    const again = empty([1 << 20]);
    again.dispose();
    keep.dispose();
  });
});
