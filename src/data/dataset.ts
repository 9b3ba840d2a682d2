// Datasets (torch.utils.data): anything with a length and an item at an
// index; TensorDataset pairs the rows of several tensors.
import { Tensor, shapeToString } from "../tensor.js";

/** A map-style dataset (PyTorch's Dataset with __len__ and __getitem__). */
export interface Dataset<T = unknown> {
  readonly length: number;
  at(index: number): T;
}

/**
 * Row i of every tensor, e.g. `new TensorDataset(images, labels)` gives
 * `[image_i, label_i]` (PyTorch's TensorDataset). The tensors are held, not
 * copied: changing one changes what the dataset gives.
 */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new TypeError("TensorDataset: expected at least one tensor");
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset: argument ${i} must be a Tensor, got ${String(t)}`);
      t.assertAlive(`TensorDataset (argument ${i})`);
      if (t.ndim === 0) throw new RangeError(`TensorDataset: argument ${i} is 0-d; every tensor needs a first dimension to index`);
    });
    const n = tensors[0].shape[0];
    const bad = tensors.findIndex((t) => t.shape[0] !== n);
    if (bad >= 0) {
      throw new RangeError(
        `TensorDataset: Size mismatch between tensors: argument 0 has ${n} rows (shape ${shapeToString(tensors[0].shape)}), ` +
          `argument ${bad} has ${tensors[bad].shape[0]} (shape ${shapeToString(tensors[bad].shape)})`,
      );
    }
    this.tensors = Object.freeze(tensors.slice());
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  /** Copies of row `index` of each tensor (negative counts from the end). */
  at(index: number): Tensor[] {
    const n = this.length;
    if (!Number.isInteger(index) || index < -n || index >= n) {
      throw new RangeError(`TensorDataset.at: index ${String(index)} is out of bounds for dimension 0 with size ${n}`);
    }
    const i = index < 0 ? index + n : index;
    return gatherRows(this.tensors, [i], false);
  }
}

/**
 * For each source tensor, a new tensor of its rows at `indices` (a batch
 * [indices.length, ...rest], or the bare row when `batched` is false).
 */
export function gatherRows(sources: readonly Tensor[], indices: ArrayLike<number>, batched = true): Tensor[] {
  sources.forEach((t, i) => t.assertAlive(`DataLoader (dataset tensor ${i})`));
  const count = indices.length;
  const outs = sources.map((t) => new Tensor(batched ? [count, ...t.shape.slice(1)] : t.shape.slice(1)));
  // Views are taken after every allocation: an allocation may grow WebAssembly memory.
  sources.forEach((t, s) => {
    const row = t.shape[0] === 0 ? 0 : t.size / t.shape[0];
    const src = t.data;
    const dst = outs[s].data;
    for (let r = 0; r < count; r++) {
      const k = indices[r];
      dst.set(src.subarray(k * row, (k + 1) * row), r * row);
    }
  });
  return outs;
}
