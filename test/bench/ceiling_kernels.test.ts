// The bandwidth ceilings of bench/suites/ceilings.js must move the bytes they
// claim: each kernel's output equals the same float32 arithmetic in plain JS
// (exactly: no fused operations), over sizes that are whole loop iterations.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";

const build = process.env.WASMTRAIN_BUILD;

type Kernels = {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  ceilingCopy(dst: number, src: number, bytes: number): void;
  ceilingTriad(a: number, b: number, c: number, s: number, n: number): void;
  ceilingUpdate(a: number, b: number, c: number, d: number, s: number, n: number): void;
};

describe.runIf(build === "simd" || build === "relaxed-simd")("ceiling kernels", () => {
  let k: Kernels;
  const n = 1024 + 64;
  const f32 = Math.fround;
  const arrays = (count: number, seed: number): { ptr: number; values: Float32Array }[] =>
    Array.from({ length: count }, (_, i) => {
      const ptr = k.alloc(n * 4) >>> 0;
      const values = new Float32Array(k.memory.buffer, ptr, n);
      for (let j = 0; j < n; j++) values[j] = Math.sin(seed + 7 * i + 0.37 * j) * 3;
      return { ptr, values: values.slice() };
    });
  const read = (ptr: number) => new Float32Array(k.memory.buffer, ptr, n).slice();

  beforeAll(async () => {
    const bytes = readFileSync(new URL(`../../build/ceilings.${build}.wasm`, import.meta.url));
    const { instance } = await WebAssembly.instantiate(bytes, { env: { abort() { throw new Error("abort"); } } });
    k = instance.exports as unknown as Kernels;
  });

  it("copy copies", () => {
    const [dst, src] = arrays(2, 1);
    k.ceilingCopy(dst.ptr, src.ptr, n * 4);
    expect(read(dst.ptr)).toEqual(src.values);
  });

  it("triad computes a = b + s·c", () => {
    const [a, b, c] = arrays(3, 2);
    k.ceilingTriad(a.ptr, b.ptr, c.ptr, 3, n);
    expect(read(a.ptr)).toEqual(b.values.map((x, i) => f32(x + f32(3 * c.values[i]))));
  });

  it("update computes a += d, b += s·d, c −= d and leaves d", () => {
    const [a, b, c, d] = arrays(4, 3);
    const s = f32(1e-3);
    k.ceilingUpdate(a.ptr, b.ptr, c.ptr, d.ptr, s, n);
    expect(read(a.ptr)).toEqual(a.values.map((x, i) => f32(x + d.values[i])));
    expect(read(b.ptr)).toEqual(b.values.map((x, i) => f32(x + f32(s * d.values[i]))));
    expect(read(c.ptr)).toEqual(c.values.map((x, i) => f32(x - d.values[i])));
    expect(read(d.ptr)).toEqual(d.values);
  });
});
