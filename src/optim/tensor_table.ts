// The multi-tensor path: a table in WebAssembly memory listing, per tensor,
// pointers to its parameter, gradient and up to three state buffers, its
// length, four per-tensor float32 scalars and two float64 results (layout in
// assembly/optim.ts). One kernel call then updates a whole group. The table
// is allocated once per optimizer group and grown when needed; pointers are
// rewritten only when the group's tensors change, the gradient pointers and
// scalars every step (gradients may be reassigned between steps).
import { allocate, release, type Storage } from "../runtime/memory.js";
import { wasmOrNull } from "../runtime/runtime.js";
import type { Tensor } from "../tensor.js";

/** One tensor's row: what the kernel reads, what it writes back (results). */
export interface TableRow {
  p: Tensor;
  g: Tensor;
  s0?: Tensor | null;
  s1?: Tensor | null;
  s2?: Tensor | null;
  /** Per-tensor scalars t0..t3 (float32 values). */
  t0?: number;
  t1?: number;
  t2?: number;
  t3?: number;
  /** Results of reducing kernels (LAMB's Σp², Σu²; gradient norms). */
  r0?: number;
  r1?: number;
}

const ENTRY_WORDS = 16;

export class TensorTable {
  #storage: Storage | null = null;
  #capacity = 0;
  #key: (Tensor | null | undefined)[] = [];
  #buffer: ArrayBufferLike | null = null;
  #i32: Int32Array | null = null;
  #f32: Float32Array | null = null;
  #f64: Float64Array | null = null;

  /** Writes the rows and returns the table's address (WebAssembly builds only). */
  write(rows: readonly TableRow[]): number {
    const wasm = wasmOrNull()!;
    if (rows.length > this.#capacity) {
      const capacity = Math.max(rows.length, this.#capacity * 2, 4);
      const storage = allocate(capacity * ENTRY_WORDS, "optimizer tensor table", this);
      if (this.#storage) release(this.#storage);
      this.#storage = storage;
      this.#capacity = capacity;
      this.#key = [];
    }
    const buffer = wasm.memory.buffer;
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.#i32 = new Int32Array(buffer);
      this.#f32 = new Float32Array(buffer);
      this.#f64 = new Float64Array(buffer);
    }
    const i32 = this.#i32!, f32 = this.#f32!;
    const base = this.#storage!.ptr >>> 2;
    const key = this.#key;
    let same = key.length === rows.length * 4;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      const w = base + r * ENTRY_WORDS;
      const k = r * 4;
      if (!same || key[k] !== row.p || key[k + 1] !== row.s0 || key[k + 2] !== row.s1 || key[k + 3] !== row.s2) {
        same = false;
        key[k] = row.p;
        key[k + 1] = row.s0;
        key[k + 2] = row.s1;
        key[k + 3] = row.s2;
        i32[w] = row.p.ptr;
        i32[w + 2] = row.s0 ? row.s0.ptr : 0;
        i32[w + 3] = row.s1 ? row.s1.ptr : 0;
        i32[w + 4] = row.s2 ? row.s2.ptr : 0;
        i32[w + 5] = row.p.size;
      }
      i32[w + 1] = row.g.ptr;
      f32[w + 6] = row.t0 ?? 0;
      f32[w + 7] = row.t1 ?? 0;
      f32[w + 8] = row.t2 ?? 0;
      f32[w + 9] = row.t3 ?? 0;
    }
    key.length = rows.length * 4;
    return this.#storage!.ptr;
  }

  /** Copies the kernels' float64 results back into the rows. */
  readResults(rows: TableRow[]): void {
    const wasm = wasmOrNull()!;
    if (wasm.memory.buffer !== this.#buffer) {
      this.#buffer = wasm.memory.buffer;
      this.#i32 = new Int32Array(this.#buffer);
      this.#f32 = new Float32Array(this.#buffer);
      this.#f64 = new Float64Array(this.#buffer);
    }
    const base = this.#storage!.ptr >>> 3;
    for (let r = 0; r < rows.length; r++) {
      rows[r].r0 = this.#f64![base + r * 8 + 6];
      rows[r].r1 = this.#f64![base + r * 8 + 7];
    }
  }

  dispose(): void {
    if (this.#storage) release(this.#storage);
    this.#storage = null;
    this.#capacity = 0;
    this.#key = [];
  }
}
