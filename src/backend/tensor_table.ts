// The multi-tensor path: an optimizer kernel updates a whole table of tensors
// (a parameter group) in one call. The rows are plain objects in JavaScript;
// the WebAssembly backend mirrors them into a block of its memory, one 64-byte
// row per tensor in the layout of table_layout.generated.ts (the AssemblyScript
// reader, assembly/table.ts, is generated from the same spec). The block is
// allocated at the first WebAssembly call and grown when needed; pointers are
// rewritten only when the group's tensors change, the gradient pointers and
// scalars every call (gradients may be reassigned between steps). The pure-JS
// backend reads the rows directly and never allocates the block.
import { allocate, release, type Storage } from "../runtime/memory.js";
import type { Tensor } from "../tensor.js";
import { ROW_BYTES, ROW } from "./table_layout.generated.js";

/**
 * One tensor's row: what the kernel reads, what it writes back (results).
 * What the slots mean for each rule (state buffers s0..s2, scalars t0..t3):
 *
 *   rule          s0               s1            s2               t0         t1            t2                t3
 *   sgdStep       momentum_buffer  —             —                first (1/0) —            —                 —
 *   adamStep      exp_avg          exp_avg_sq    max_exp_avg_sq   lr/bc1     1/√bc2        —                 —
 *   adagradStep   sum              —             —                clr        —             —                 —
 *   rmspropStep   square_avg       grad_avg      momentum_buffer  —          —             —                 —
 *   adamaxStep    exp_avg          exp_inf       —                lr/bc1     —             —                 —
 *   nadamStep     exp_avg          exp_avg_sq    —                1/bc2      lr(1−μ)/(1−Πμ) lr·μ'/(1−Πμ·μ')  —
 *   radamStep     exp_avg          exp_avg_sq    —                1/bc1      lr            rect (0: SGD step) √bc2
 *   adadeltaStep  square_avg       acc_delta     —                —          —             —                 —
 *   lambMoments   exp_avg          exp_avg_sq    —                1/bc1      1/bc2         —                 —
 *   lambApply     exp_avg          exp_avg_sq    —                1/bc1      1/bc2         lr·trust ratio    —
 *   lookaheadSync slow weights     —             —                —          —             —                 —
 *
 * Results (float64): lambMoments r0 = ‖p‖², r1 = ‖u‖²; gradNorms r0 (the
 * kernel reads the gradient from `g`). Rules with no state leave s0..s2 null.
 */
export interface TableRow {
  p: Tensor;
  g: Tensor;
  s0?: Tensor | null;
  s1?: Tensor | null;
  s2?: Tensor | null;
  t0?: number;
  t1?: number;
  t2?: number;
  t3?: number;
  r0?: number;
  r1?: number;
}

export class TensorTable {
  /** The rows the next kernel call works on (bound by the caller). */
  rows: readonly TableRow[] = [];
  #storage: Storage | null = null;
  #capacity = 0;
  #key: (Tensor | null | undefined)[] = [];
  #buffer: ArrayBufferLike | null = null;
  #i32: Int32Array | null = null;
  #f32: Float32Array | null = null;
  #f64: Float64Array | null = null;

  /** Binds the rows the next kernel call works on; returns the table. */
  bind(rows: readonly TableRow[]): this {
    this.rows = rows;
    return this;
  }

  #views(buffer: ArrayBufferLike): void {
    if (buffer !== this.#buffer) {
      this.#buffer = buffer;
      this.#i32 = new Int32Array(buffer);
      this.#f32 = new Float32Array(buffer);
      this.#f64 = new Float64Array(buffer);
    }
  }

  /** Mirrors the rows into WebAssembly memory and returns the table's address. */
  write(memory: WebAssembly.Memory): number {
    const rows = this.rows;
    if (rows.length > this.#capacity) {
      const capacity = Math.max(rows.length, this.#capacity * 2, 4);
      const storage = allocate((capacity * ROW_BYTES) / 4, "optimizer tensor table", this);
      if (this.#storage) release(this.#storage);
      this.#storage = storage;
      this.#capacity = capacity;
      this.#key = [];
    }
    this.#views(memory.buffer);
    const i32 = this.#i32!, f32 = this.#f32!;
    const base = this.#storage!.ptr;
    const key = this.#key;
    let same = key.length === rows.length * 4;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      const at = base + r * ROW_BYTES;
      const k = r * 4;
      if (!same || key[k] !== row.p || key[k + 1] !== row.s0 || key[k + 2] !== row.s1 || key[k + 3] !== row.s2) {
        same = false;
        key[k] = row.p;
        key[k + 1] = row.s0;
        key[k + 2] = row.s1;
        key[k + 3] = row.s2;
        i32[(at + ROW.p) >>> 2] = row.p.ptr;
        i32[(at + ROW.s0) >>> 2] = row.s0 ? row.s0.ptr : 0;
        i32[(at + ROW.s1) >>> 2] = row.s1 ? row.s1.ptr : 0;
        i32[(at + ROW.s2) >>> 2] = row.s2 ? row.s2.ptr : 0;
        i32[(at + ROW.n) >>> 2] = row.p.size;
      }
      i32[(at + ROW.g) >>> 2] = row.g.ptr;
      f32[(at + ROW.t0) >>> 2] = row.t0 ?? 0;
      f32[(at + ROW.t1) >>> 2] = row.t1 ?? 0;
      f32[(at + ROW.t2) >>> 2] = row.t2 ?? 0;
      f32[(at + ROW.t3) >>> 2] = row.t3 ?? 0;
    }
    key.length = rows.length * 4;
    return base;
  }

  /** Copies the kernels' float64 results back from WebAssembly memory into the rows. */
  readResults(memory: WebAssembly.Memory): void {
    this.#views(memory.buffer);
    const rows = this.rows as TableRow[];
    const f64 = this.#f64!;
    for (let r = 0; r < rows.length; r++) {
      const at = this.#storage!.ptr + r * ROW_BYTES;
      rows[r].r0 = f64[(at + ROW.r0) >>> 3];
      rows[r].r1 = f64[(at + ROW.r1) >>> 3];
    }
  }

  dispose(): void {
    if (this.#storage) release(this.#storage);
    this.#storage = null;
    this.#capacity = 0;
    this.#key = [];
  }
}
