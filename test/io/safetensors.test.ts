// safetensors: the format as specified (8-byte little-endian header length,
// JSON header, raw little-endian data), every readable dtype against values
// written byte by byte here, and a malformed file as an error naming the
// problem with nothing allocated.
import { describe, expect, it } from "vitest";
import { io, memoryStats, tensor, zeros } from "../../src/index.js";

const enc = new TextEncoder();

/** A file from a header (object or raw text) and a data section; `length` overrides the header length field. */
function file(header: unknown, data: Uint8Array | number = 0, length?: number): Uint8Array {
  const text = enc.encode(typeof header === "string" ? header : JSON.stringify(header));
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + text.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(length ?? text.length), true);
  out.set(text, 8);
  out.set(body, 8 + text.length);
  return out;
}

/** Little-endian bytes written with a DataView setter. */
function bytes(n: number, each: number, write: (v: DataView, offset: number, i: number) => void): Uint8Array {
  const out = new Uint8Array(n * each);
  const v = new DataView(out.buffer);
  for (let i = 0; i < n; i++) write(v, i * each, i);
  return out;
}

function expectNothingAllocated(fn: () => unknown, message: RegExp, kind: ErrorConstructor = Error): void {
  const before = memoryStats();
  expect(fn).toThrow(kind);
  expect(fn).toThrow(message);
  const after = memoryStats();
  expect([after.liveTensors, after.allocatedBytes]).toEqual([before.liveTensors, before.allocatedBytes]);
}

describe("saveSafetensors / loadSafetensors", () => {
  it("round-trips names, shapes, bit patterns (NaN, -0, ±Infinity, subnormals) and metadata", () => {
    const values = [1.5, NaN, -0, Infinity, -Infinity, 1e-45, -3.4028234663852886e38, 0.1];
    const a = tensor(values, [2, 4]);
    const s = tensor([7], []);
    const empty = zeros([0, 3]);
    const out = io.saveSafetensors({ weight: a, "layer.scale": s, empty }, { metadata: { format: "pt", note: "ü" } });
    const { tensors, metadata } = io.loadSafetensors(out);
    expect(Object.keys(tensors)).toEqual(["weight", "layer.scale", "empty"]);
    expect(tensors.weight.shape).toEqual([2, 4]);
    expect(new Uint32Array(tensors.weight.toArray().buffer)).toEqual(new Uint32Array(Float32Array.from(values).buffer));
    expect([tensors["layer.scale"].shape, tensors["layer.scale"].item()]).toEqual([[], 7]);
    expect(tensors.empty.shape).toEqual([0, 3]);
    expect(metadata).toEqual({ format: "pt", note: "ü" });
    for (const t of [a, s, empty, ...Object.values(tensors)]) t.dispose();
  });

  it("writes the format as specified: u64 header length, JSON header padded with spaces to 8 bytes, F32 data in order", () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([[4], [5]]);
    const out = io.saveSafetensors({ a, b });
    const n = Number(new DataView(out.buffer, out.byteOffset).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(out.subarray(8, 8 + n)));
    expect(header).toEqual({
      a: { dtype: "F32", shape: [3], data_offsets: [0, 12] },
      b: { dtype: "F32", shape: [2, 1], data_offsets: [12, 20] },
    });
    expect(Array.from(new Float32Array(out.slice(8 + n).buffer))).toEqual([1, 2, 3, 4, 5]);
    expect(out.length).toBe(8 + n + 20);
    a.dispose();
    b.dispose();
  });

  it("reads F16, BF16, F64, I64, I32, U8 and BOOL into float32 tensors, entries in any order", () => {
    const f16 = [[0x3c00, 1], [0xc000, -2], [0x7bff, 65504], [0x0001, 2 ** -24], [0x3555, 0.333251953125], [0x7c00, Infinity], [0xfc00, -Infinity], [0x8000, -0]];
    const bf16Values = [1, -3.5, 2 ** -130, 3.3895313892515355e38];
    const f32bits = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0];
    const f64 = [0.1, -1e300, 5e-324, 123456789.123];
    const i64 = [-5n, 2n ** 40n, -(2n ** 53n), 0n];
    const i32 = [-2147483648, 2147483647, 0];
    const parts: [string, string, number[], Uint8Array][] = [
      ["f16", "F16", [8], bytes(8, 2, (v, o, i) => v.setUint16(o, f16[i][0], true))],
      ["bf16", "BF16", [2, 2], bytes(4, 2, (v, o, i) => v.setUint16(o, f32bits(bf16Values[i]) >>> 16, true))],
      ["f64", "F64", [4], bytes(4, 8, (v, o, i) => v.setFloat64(o, f64[i], true))],
      ["i64", "I64", [4], bytes(4, 8, (v, o, i) => v.setBigInt64(o, i64[i], true))],
      ["i32", "I32", [3], bytes(3, 4, (v, o, i) => v.setInt32(o, i32[i], true))],
      ["u8", "U8", [3], Uint8Array.from([0, 128, 255])],
      ["bool", "BOOL", [2], Uint8Array.from([1, 0])],
      ["f16nan", "F16", [1], bytes(1, 2, (v, o) => v.setUint16(o, 0x7e00, true))],
    ];
    // Data laid out in reverse order of the header's entries.
    const header: Record<string, unknown> = {};
    const chunks = [...parts].reverse();
    let offset = 0;
    const offsets = new Map<string, number[]>();
    for (const [name, , , data] of chunks) {
      offsets.set(name, [offset, offset + data.length]);
      offset += data.length;
    }
    for (const [name, dtype, shape] of parts) header[name] = { dtype, shape, data_offsets: offsets.get(name) };
    const body = new Uint8Array(offset);
    for (const [name, , , data] of chunks) body.set(data, offsets.get(name)![0]);
    // At an odd address, so no view of the input is aligned.
    const raw = file(header, body);
    const shifted = new Uint8Array(raw.length + 1).subarray(1);
    shifted.set(raw);
    const { tensors } = io.loadSafetensors(shifted);
    const get = (k: string) => Array.from(tensors[k].toArray());
    expect(get("f16")).toEqual(f16.map(([, x]) => x));
    expect(Object.is(get("f16")[7], -0)).toBe(true);
    expect(get("bf16")).toEqual(bf16Values.map(Math.fround));
    expect(tensors.bf16.shape).toEqual([2, 2]);
    expect(get("f64")).toEqual(f64.map(Math.fround));
    expect(get("i64")).toEqual(i64.map((x) => Math.fround(Number(x))));
    expect(get("i32")).toEqual(i32.map(Math.fround));
    expect(get("u8")).toEqual([0, 128, 255]);
    expect(get("bool")).toEqual([1, 0]);
    expect(Number.isNaN(get("f16nan")[0])).toBe(true);
    for (const t of Object.values(tensors)) t.dispose();
  });

  it("takes an ArrayBuffer", () => {
    const a = tensor([1, 2]);
    const out = io.saveSafetensors({ a });
    const { tensors } = io.loadSafetensors(out.slice().buffer);
    expect(Array.from(tensors.a.toArray())).toEqual([1, 2]);
    a.dispose();
    tensors.a.dispose();
  });
});

const ok = { dtype: "F32", shape: [2], data_offsets: [0, 8] };

describe("a malformed file is an error naming the problem, with nothing allocated", () => {
  const cases: [string, () => Uint8Array | unknown, RegExp, ErrorConstructor][] = [
    ["shorter than the length field", () => new Uint8Array(5), /the file is 5 bytes, too short/, RangeError],
    ["header length beyond the file", () => file({ a: ok }, 8, 1000), /header length 1000 is beyond the end of the file/, RangeError],
    ["header length beyond safetensors' limit", () => file({}, 0, 2 ** 40), /exceeds safetensors' limit/, RangeError],
    ["a header that is not JSON", () => file('{"a": {"dtype": "F32",', 8), /the header is not JSON/, SyntaxError],
    ["a header that is not UTF-8", () => { const f = file("{}     "); f[9] = 0xff; return f; }, /the header is not JSON/, SyntaxError],
    ["a header that is a JSON array", () => file("[1, 2]"), /the header must be a JSON object, got \[1, 2\]/, TypeError],
    ["an entry that is not an object", () => file({ a: 5 }), /tensor "a": expected \{ dtype, shape, data_offsets \}, got 5/, TypeError],
    ["an unknown dtype", () => file({ w: { ...ok, dtype: "Q4_K" } }, 8), /tensor "w": unknown or unsupported dtype "Q4_K"/, TypeError],
    ["a dtype that is not a string", () => file({ w: { ...ok, dtype: 4 } }, 8), /tensor "w": dtype must be a string, got 4/, TypeError],
    ["a negative size in the shape", () => file({ w: { ...ok, shape: [2, -1] } }, 8), /tensor "w": shape must be an array of non-negative integers, got \[2, -1\]/, TypeError],
    ["a fractional size in the shape", () => file({ w: { ...ok, shape: [1.5] } }, 8), /tensor "w": shape must be/, TypeError],
    ["a string size in the shape", () => file({ w: { ...ok, shape: ["2"] } }, 8), /tensor "w": shape must be/, TypeError],
    ["data_offsets end before begin", () => file({ w: { ...ok, data_offsets: [8, 0] } }, 8), /tensor "w": data_offsets must be \[begin, end\] with 0 <= begin <= end/, TypeError],
    ["data_offsets of the wrong length", () => file({ w: { ...ok, data_offsets: [0] } }, 8), /tensor "w": data_offsets must be/, TypeError],
    ["offsets past the data", () => file({ w: { ...ok, shape: [16], data_offsets: [0, 64] } }, 8), /tensor "w": data_offsets \[0, 64\] are out of range: the data section has 8 bytes/, RangeError],
    ["a shape whose product disagrees with the bytes", () => file({ w: { ...ok, shape: [3] } }, 8), /tensor "w": shape \[3\] of F32 needs 12 bytes, but data_offsets \[0, 8\] hold 8/, RangeError],
    ["an I64 shape that disagrees", () => file({ w: { dtype: "I64", shape: [2], data_offsets: [0, 8] } }, 8), /tensor "w": shape \[2\] of I64 needs 16 bytes/, RangeError],
    ["overlapping tensors", () => file({ a: ok, b: { ...ok, data_offsets: [4, 12] } }, 12), /tensors "a" and "b" overlap \(data_offsets \[0, 8\] and \[4, 12\]\)/, RangeError],
    ["a hole between tensors", () => file({ a: { ...ok, shape: [1], data_offsets: [0, 4] }, b: { ...ok, shape: [1], data_offsets: [8, 12] } }, 12), /bytes \[4, 8\) of the data section belong to no tensor/, RangeError],
    ["data past the last tensor", () => file({ a: ok }, 12), /the data section has 12 bytes but the tensors cover 8/, RangeError],
    ["a duplicate name", () => file('{"a": {"dtype":"F32","shape":[1],"data_offsets":[0,4]}, "a": {"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8), /duplicate tensor name "a"/, Error],
    ["a metadata value that is not a string", () => file({ __metadata__: { epoch: 3 } }), /metadata\["epoch"\] must be a string, got 3/, TypeError],
    ["metadata that is null", () => file({ __metadata__: null }), /__metadata__ must be an object of strings, got null/, TypeError],
    ["not bytes at all", () => "model.safetensors", /expected a Uint8Array or ArrayBuffer, got "model.safetensors"/, TypeError],
  ];
  for (const [what, make, message, kind] of cases) {
    it(what, () => {
      const bad = make() as Uint8Array;
      expectNothingAllocated(() => io.loadSafetensors(bad), message, kind);
    });
  }

  it("a valid file next to each malformed one loads (the cases are malformed only where they say)", () => {
    const { tensors } = io.loadSafetensors(file({ a: ok, b: { ...ok, data_offsets: [8, 16] }, __metadata__: { k: "v" } }, 16));
    expect(Object.keys(tensors)).toEqual(["a", "b"]);
    for (const t of Object.values(tensors)) t.dispose();
  });
});

describe("saveSafetensors checks its arguments", () => {
  it("names the bad entry", () => {
    const t = tensor([1]);
    expect(() => io.saveSafetensors({ a: [1, 2] as never })).toThrow(/"a" is not a Tensor: \[1, 2\]/);
    expect(() => io.saveSafetensors({ __metadata__: t })).toThrow(/"__metadata__" cannot name a tensor/);
    expect(() => io.saveSafetensors({ a: t }, { metadata: { epoch: 3 as never } })).toThrow(/metadata\["epoch"\] must be a string, got 3/);
    expect(() => io.saveSafetensors(t as never)).toThrow(/expected an object of tensors by name/);
    t.dispose();
    expect(() => io.saveSafetensors({ a: t })).toThrow(/disposed/);
  });
});

describe("Node file helpers", () => {
  it("saveFile / loadFile round-trip bytes", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "wasmtrain-io-"));
    try {
      const a = tensor([1, 2, 3]);
      await io.saveFile(join(dir, "a.safetensors"), io.saveSafetensors({ a }));
      const { tensors } = io.loadSafetensors(await io.loadFile(join(dir, "a.safetensors")));
      expect(Array.from(tensors.a.toArray())).toEqual([1, 2, 3]);
      a.dispose();
      tensors.a.dispose();
      await expect(io.saveFile("", new Uint8Array())).rejects.toThrow(/path must be a non-empty string/);
      await expect(io.saveFile(join(dir, "x"), [1] as never)).rejects.toThrow(/bytes must be a Uint8Array/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
