// WebAssembly memory as tensors see it: views re-derived when memory grows,
// and allocation limits. Its own file (own isolate): the growth cases need
// memory to start small, and memory never shrinks once the limit cases have
// grown it to 3 GiB, so they run last.
import { describe, expect, it } from "vitest";
import { backendInfo, empty, full, memoryStats, nn, tensor, Tensor } from "../../../src/index.js";

// Views of WebAssembly memory held across an allocation that grows memory:
// each case below allocates while reading another tensor's data. First in
// this file (its own isolate) so that memory starts small and does grow; each
// case asserts the growth happened, so it tests what it says.
const wasmBuild = process.env.WASMTRAIN_BUILD !== "js";

describe("reading a tensor's data while memory grows", () => {
  it("CrossEntropyLoss({ weight }) copies a Tensor weight even when allocating its buffer grows memory", () => {
    const w = full([5_000_000], 2);
    const bytesBefore = backendInfo().memoryBytes;
    const loss = new nn.CrossEntropyLoss({ weight: w });
    if (wasmBuild) expect(backendInfo().memoryBytes).toBeGreaterThan(bytesBefore);
    expect(loss.weight!.data[4_999_999]).toBe(2);
  });

  it("CrossEntropyLoss with Tensor labels equals the same labels as number[] when the forward grows memory", () => {
    const N = 2_000_000;
    const C = 10;
    const logits = full([N, C], 0);
    for (let i = 0; i < N; i++) logits.data[i * C + 3] = 8; // class 3 favoured
    const labelList = new Array<number>(N).fill(3);
    const labels = tensor(labelList);
    const bytesBefore = backendInfo().memoryBytes;
    const viaTensor = new nn.CrossEntropyLoss().forward(logits, labels).item();
    if (wasmBuild) expect(backendInfo().memoryBytes).toBeGreaterThan(bytesBefore);
    const viaArray = new nn.CrossEntropyLoss().forward(logits, labelList).item();
    expect(viaTensor).toBe(viaArray);
    expect(viaTensor).toBeCloseTo(Math.log(1 + 9 * Math.exp(-8)), 5);
  });

  it("tensor(other.data) copies the values even when allocating the copy grows memory", () => {
    const big = full([60_000_000], 1.5); // larger than the memory earlier cases freed, so the copy must grow memory
    const bytesBefore = backendInfo().memoryBytes;
    const copy = tensor(big.data);
    if (wasmBuild) expect(backendInfo().memoryBytes).toBeGreaterThan(bytesBefore);
    expect(copy.size).toBe(big.size);
    expect(copy.data[0]).toBe(1.5);
    expect(copy.data[copy.size - 1]).toBe(1.5);
  });
});

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
