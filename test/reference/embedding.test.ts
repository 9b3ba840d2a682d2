// The embedding kernels (gather, and scatter-add skipping the padding row) of
// the running build (WebAssembly or pure JS, through src/nn/new_kernels.ts)
// against their pure-JS twin (src/reference/embedding.ts).
import { describe, it } from "vitest";
import { tensor, Tensor } from "../../src/index.js";
import * as k from "../../src/nn/new_kernels.js";
import * as emb from "../../src/reference/embedding.js";
import { expectClose } from "../helpers/close.js";
import { lcg } from "../helpers/twins.js";

const r = lcg(5);
const rand = (n: number, lo = -3, hi = 3) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
const t = (a: ArrayLike<number>) => tensor(Array.from(a), [a.length]);
const f64 = (a: ArrayLike<number>) => Float64Array.from(a);

describe("embedding", () => {
  for (const dim of [1, 3, 4, 9]) {
    it(`dim ${dim}: gather, and scatter-add skipping the padding row`, () => {
      const num = 6;
      const w = rand(num * dim);
      const idx = Int32Array.from([1, 4, 1, 5, 0, 4, 4]);
      const ib = new k.IntBuffer(idx);
      const out = new Tensor([idx.length * dim]);
      k.embeddingForward(t(w), ib, idx.length, dim, out);
      const want = new Float64Array(idx.length * dim);
      emb.embeddingForward(f64(w), idx, idx.length, dim, want);
      expectClose(out.data, want, { atol: 0, rtol: 0, what: "rows" });
      const dy = rand(idx.length * dim);
      const dw = t(rand(num * dim));
      const wantDw = f64(dw.toArray());
      k.embeddingBackward(t(dy), ib, idx.length, dim, num, 4, dw, 1);
      emb.embeddingBackward(f64(dy), idx, idx.length, dim, num, 4, wantDw, 1);
      expectClose(dw.data, wantDw, { atol: 1e-6, rtol: 1e-6, what: "dw" });
      ib.dispose();
    });
  }
});
