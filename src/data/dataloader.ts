// DataLoader (torch.utils.data.DataLoader): mini-batches of a dataset, in
// order or shuffled by a generator, collated into tensors.
import { Tensor, shapeToString } from "../tensor.js";
import { Generator, randperm } from "../random.js";
import { TensorDataset, gatherRows, type Dataset } from "./dataset.js";

export interface DataLoaderOptions {
  /** Examples per batch (default 1); null gives the dataset's items one by one, uncollated. */
  batchSize?: number | null;
  /** A new random order every pass (default false), drawn from `generator` as randperm does. */
  shuffle?: boolean;
  /** Leave out the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** The generator that shuffles (default: the global one, seeded by manualSeed). */
  generator?: Generator;
}

/** A collated batch: tensors stacked along a new first dimension, numbers into a 1-D tensor, arrays and records position by position. */
export type Collated = Tensor | Collated[] | { [key: string]: Collated };

/** What iterating a loader over D gives: Tensor[] for a TensorDataset. */
export type BatchOf<D> = D extends TensorDataset ? Tensor[] : D extends Dataset<infer T> ? Collated | T : Collated;

/**
 * Iterating gives the batches of one pass (an epoch). A batch of a
 * TensorDataset is an array of tensors, `[x, y]` for `TensorDataset(x, y)`.
 *
 * Batches are new tensors, and the loader releases each batch when the next
 * one is asked for, or at once when the loop is left early (break): a
 * training loop runs in constant memory. Read or clone() what you keep from
 * a batch before moving on.
 */
export class DataLoader<D extends Dataset = Dataset> implements Iterable<BatchOf<D>> {
  readonly dataset: D;
  readonly batchSize: number | null;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator | undefined;

  constructor(dataset: D, options: DataLoaderOptions = {}) {
    if (dataset === null || typeof dataset !== "object" || typeof dataset.length !== "number" || typeof dataset.at !== "function") {
      throw new TypeError(`DataLoader: dataset must have a length and an at(index) method (e.g. a TensorDataset), got ${String(dataset)}`);
    }
    if (options === null || typeof options !== "object") throw new TypeError(`DataLoader: options must be an object, got ${String(options)}`);
    const known = ["batchSize", "shuffle", "dropLast", "generator"];
    for (const k of Object.keys(options)) {
      if (!known.includes(k)) throw new TypeError(`DataLoader: unknown option '${k}' (expected one of ${known.join(", ")})`);
    }
    const { batchSize = 1, shuffle = false, dropLast = false, generator } = options;
    if (batchSize !== null && (typeof batchSize !== "number" || !Number.isInteger(batchSize) || batchSize < 1)) {
      throw new RangeError(`DataLoader: batch_size should be a positive integer value, but got batchSize=${String(batchSize)}`);
    }
    if (typeof shuffle !== "boolean") throw new TypeError(`DataLoader: shuffle should be a boolean value, but got shuffle=${String(shuffle)}`);
    if (typeof dropLast !== "boolean") throw new TypeError(`DataLoader: drop_last should be a boolean value, but got dropLast=${String(dropLast)}`);
    if (generator !== undefined && !(generator instanceof Generator)) {
      throw new TypeError(`DataLoader: generator must be a Generator, got ${String(generator)}`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = generator;
  }

  /** Batches per pass (PyTorch's len(loader)). */
  get length(): number {
    const n = this.dataset.length;
    if (this.batchSize === null) return n;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<BatchOf<D>> {
    const n = this.dataset.length;
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`DataLoader: the dataset's length must be a non-negative integer, got ${String(n)}`);
    // The order is drawn when the pass starts, as PyTorch's RandomSampler does.
    const order = this.shuffle ? randperm(n, this.generator ? { generator: this.generator } : undefined) : null;
    const size = this.batchSize ?? 1;
    const batches = this.length;
    let previous: Tensor[] = [];
    let finished = false;
    try {
      for (let b = 0; b < batches; b++) {
        const start = b * size;
        const end = Math.min(start + size, n);
        const indices = new Int32Array(end - start);
        for (let i = start; i < end; i++) indices[i - start] = order ? order[i] : i;
        releaseBatch(previous, RELEASED);
        previous = [];
        if (this.batchSize === null) {
          yield this.dataset.at(indices[0]) as BatchOf<D>;
          continue;
        }
        const batch =
          this.dataset instanceof TensorDataset
            ? gatherRows(this.dataset.tensors, indices)
            : collate(Array.from(indices, (i) => this.dataset.at(i)));
        previous = tensorsOf(batch);
        yield batch as BatchOf<D>;
      }
      finished = true;
    } finally {
      // The pass is over (the loop asked for one more), or the loop was left
      // early (break, return, throw: the iterator's return()): the batch goes now.
      releaseBatch(previous, finished ? RELEASED : LEFT);
    }
  }
}

const RELEASED =
  "was released: the DataLoader reused its memory when the next batch was asked for. " +
  "Read what you need from a batch before moving on, or keep a copy with t.clone()";

const LEFT =
  "was released: the DataLoader released the current batch when the for...of loop over it was left (break, return or an error). " +
  "Keep what you need from a batch with t.clone() before leaving the loop";

function releaseBatch(ts: Tensor[], reason: string): void {
  for (const t of ts) t.release(reason);
}

function tensorsOf(batch: Collated): Tensor[] {
  if (batch instanceof Tensor) return [batch];
  if (Array.isArray(batch)) return batch.flatMap(tensorsOf);
  return Object.values(batch).flatMap(tensorsOf);
}

/** PyTorch's default_collate for tensors, numbers, arrays and records. */
export function collate(items: unknown[]): Collated {
  const first = items[0];
  if (first instanceof Tensor) {
    items.forEach((t, i) => {
      if (!(t instanceof Tensor) || t.shape.length !== first.shape.length || t.shape.some((d, k) => d !== first.shape[k])) {
        const got = t instanceof Tensor ? shapeToString(t.shape) : String(t);
        throw new RangeError(`DataLoader: stack expects each tensor to be equal size, but got ${shapeToString(first.shape)} at entry 0 and ${got} at entry ${i}`);
      }
    });
    const out = new Tensor([items.length, ...first.shape]);
    const dst = out.data;
    items.forEach((t, i) => dst.set((t as Tensor).data, i * first.size));
    return out;
  }
  if (typeof first === "number") {
    const values = items.map((v, i) => {
      if (typeof v !== "number") throw new TypeError(`DataLoader: item ${i} is ${String(v)}, where item 0 is a number`);
      return v;
    });
    const t = new Tensor([values.length]);
    t.data.set(values);
    return t;
  }
  if (Array.isArray(first)) {
    return first.map((_, k) => collate(items.map((it) => (it as unknown[])[k])));
  }
  if (first !== null && typeof first === "object") {
    const out: Record<string, Collated> = {};
    for (const k of Object.keys(first)) out[k] = collate(items.map((it) => (it as Record<string, unknown>)[k]));
    return out;
  }
  throw new TypeError(`DataLoader: cannot collate items of type ${first === null ? "null" : typeof first}; return Tensors, numbers, arrays or records`);
}
