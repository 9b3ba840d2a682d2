// DataLoader: batching, dropLast, seeded shuffling (randperm of the
// generator, drawn when each pass starts), collation, the release of each
// batch when the next is asked for, and bad options.
import { describe, expect, it } from "vitest";
import { data, Generator, manualSeed, memoryStats, randperm, tensor, Tensor } from "../../src/index.js";

const rows = (n: number) => tensor(Array.from({ length: n * 2 }, (_, i) => i), [n, 2]);
const labels = (n: number) => tensor(Array.from({ length: n }, (_, i) => i), [n]);

/** The last tensor (the labels) of every batch of one pass, copied before the loader moves on. */
function labelsOf(loader: data.DataLoader<data.TensorDataset>): number[][] {
  const out: number[][] = [];
  for (const batch of loader) out.push(Array.from(batch[batch.length - 1].toArray()));
  return out;
}

describe("DataLoader", () => {
  it("batches in order; the last one smaller unless dropLast; length counts batches", () => {
    const ds = new data.TensorDataset(rows(10), labels(10));
    const loader = new data.DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const seen: number[][] = [];
    for (const [x, y] of loader) {
      expect(x.shape).toEqual([y.size, 2]);
      for (let r = 0; r < y.size; r++) expect(Array.from(x.data.subarray(2 * r, 2 * r + 2))).toEqual([2 * y.data[r], 2 * y.data[r] + 1]);
      seen.push(Array.from(y.toArray()));
    }
    expect(seen).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    const dropping = new data.DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dropping.length).toBe(2);
    expect(labelsOf(dropping)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    // Defaults: batchSize 1, in order.
    expect(labelsOf(new data.DataLoader(new data.TensorDataset(labels(3))))).toEqual([[0], [1], [2]]);
  });

  it("shuffle: the order is randperm(n) of the generator, drawn at the start of each pass; a seed fixes it", () => {
    const n = 50;
    const ds = new data.TensorDataset(labels(n));
    const loader = new data.DataLoader(ds, { batchSize: 8, shuffle: true, generator: new Generator(7) });
    const reference = new Generator(7);
    for (let epoch = 0; epoch < 3; epoch++) {
      const expected = Array.from(randperm(n, { generator: reference }));
      expect(labelsOf(loader).flat()).toEqual(expected);
    }
    // Without a generator the global one shuffles: manualSeed fixes the order.
    const global = new data.DataLoader(ds, { batchSize: 8, shuffle: true });
    manualSeed(3);
    const first = labelsOf(global).flat();
    manualSeed(3);
    expect(labelsOf(global).flat()).toEqual(first);
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(first).not.toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it("each batch is released when the next is asked for (reading it then throws); clone() keeps one; memory stays flat", () => {
    const ds = new data.TensorDataset(rows(12), labels(12));
    const loader = new data.DataLoader(ds, { batchSize: 5, shuffle: true, generator: new Generator(1) });
    let held: Tensor | null = null;
    let kept: Tensor | null = null;
    for (const [x] of loader) {
      if (!held) {
        held = x;
        kept = x.clone();
      } else break;
    }
    expect(() => held!.data).toThrow(/was released: the DataLoader reused its memory when the next batch was asked for.*clone\(\)/);
    expect(kept!.shape).toEqual([5, 2]);
    kept!.dispose();
    const passes = () => {
      for (let e = 0; e < 5; e++) for (const [x, y] of loader) expect(x.shape[0]).toBe(y.size);
    };
    passes();
    const before = memoryStats();
    passes();
    const after = memoryStats();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.allocatedBytes).toBe(before.allocatedBytes);
  });

  it("leaving a for...of early (break) releases the current batch at once: memoryStats is back where it was", () => {
    const ds = new data.TensorDataset(rows(12), labels(12));
    const loader = new data.DataLoader(ds, { batchSize: 4 });
    const before = memoryStats();
    let held: Tensor | null = null;
    for (const [x] of loader) {
      held = x;
      expect(memoryStats().liveTensors).toBeGreaterThan(before.liveTensors);
      break;
    }
    const after = memoryStats();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.allocatedBytes).toBe(before.allocatedBytes);
    expect(() => held!.data).toThrow(/was released: the DataLoader released the current batch when the for\.\.\.of loop over it was left.*clone\(\)/);
    // an error thrown inside the loop leaves it too
    expect(() => {
      for (const [x] of loader) {
        held = x;
        throw new Error("inside");
      }
    }).toThrow("inside");
    expect(memoryStats().liveTensors).toBe(before.liveTensors);
    expect(() => held!.data).toThrow(/released the current batch/);
  });

  it("collates items of any map-style dataset: tensors stacked, numbers into a 1-D tensor, arrays and records by position", () => {
    const ds = {
      length: 5,
      at: (i: number) => ({ x: tensor([i, -i]), y: i * 10, pair: [tensor([i]), i] }),
    };
    const loader = new data.DataLoader(ds, { batchSize: 2 });
    const batches = [...loader].length;
    expect(batches).toBe(3);
    const it = loader[Symbol.iterator]();
    const b = it.next().value as { x: Tensor; y: Tensor; pair: [Tensor, Tensor] };
    expect(b.x.shape).toEqual([2, 2]);
    expect(Array.from(b.x.toArray())).toEqual([0, -0, 1, -1]);
    expect(Array.from(b.y.toArray())).toEqual([0, 10]);
    expect(b.pair[0].shape).toEqual([2, 1]);
    expect(Array.from(b.pair[1].toArray())).toEqual([0, 1]);
    // batchSize null: the items themselves.
    const single = new data.DataLoader(ds, { batchSize: null });
    expect(single.length).toBe(5);
    expect((single[Symbol.iterator]().next().value as { y: number }).y).toBe(0);
    expect(() => [...new data.DataLoader({ length: 2, at: (i: number) => tensor(i ? [1, 2] : [1]) }, { batchSize: 2 })]).toThrow(
      /stack expects each tensor to be equal size, but got \[1\] at entry 0 and \[2\] at entry 1/,
    );
  });

  it("bad options are PyTorch's errors, before anything is drawn", () => {
    const ds = new data.TensorDataset(labels(4));
    expect(() => new data.DataLoader(ds, { batchSize: 0 })).toThrow("batch_size should be a positive integer value, but got batchSize=0");
    expect(() => new data.DataLoader(ds, { batchSize: 2.5 })).toThrow(RangeError);
    expect(() => new data.DataLoader(ds, { shuffle: 1 as never })).toThrow("shuffle should be a boolean value, but got shuffle=1");
    expect(() => new data.DataLoader(ds, { dropLast: "yes" as never })).toThrow("drop_last should be a boolean value, but got dropLast=yes");
    expect(() => new data.DataLoader(ds, { generator: 3 as never })).toThrow(TypeError);
    expect(() => new data.DataLoader(ds, { batch_size: 2 } as never)).toThrow("unknown option 'batch_size'");
    expect(() => new data.DataLoader(5 as never)).toThrow(TypeError);
    // An array is a dataset, as a Python list is.
    const fromArray: number[][] = [];
    for (const b of new data.DataLoader([1, 2, 3], { batchSize: 2 })) fromArray.push(Array.from((b as Tensor).toArray()));
    expect(fromArray).toEqual([[1, 2], [3]]);
  });
});
