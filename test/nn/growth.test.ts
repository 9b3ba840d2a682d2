// Views of WebAssembly memory held across an allocation that grows memory:
// each case below allocates while reading another tensor's data. In its own
// file (its own isolate) so that memory starts small and does grow; each case
// asserts the growth happened, so it tests what it says.
import { describe, expect, it } from "vitest";
import { backendInfo, full, nn, tensor } from "../../src/index.js";

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
