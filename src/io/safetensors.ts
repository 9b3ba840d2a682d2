// The safetensors format (https://github.com/huggingface/safetensors): an
// 8-byte little-endian header length N, N bytes of JSON header, then the raw
// little-endian tensor bytes. The header maps each tensor's name to
// { dtype, shape, data_offsets: [begin, end] } (offsets relative to the start
// of the data), plus an optional "__metadata__" map of strings.
//
// Reading validates the whole header before allocating anything, then copies
// every tensor straight into its storage through typed-array views (a byte
// copy for F32; a converting loop over the source view otherwise) — no array
// of JavaScript numbers on the way.
import { Tensor, shapeToString } from "../tensor.js";
import { describe } from "../validate.js";

/** The dtypes loadSafetensors reads (every one becomes a float32 tensor). */
export const READ_DTYPES = ["F32", "F16", "BF16", "F64", "I64", "I32", "U8", "BOOL"] as const;
export type SafetensorsDtype = (typeof READ_DTYPES)[number];

const ITEM_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, U8: 1, BOOL: 1 };

/** safetensors' own limit on the header (its MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;

export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One tensor in a file being written: float32 storage, or values written as another dtype. */
export interface WriteEntry {
  name: string;
  shape: readonly number[];
  /** F32 from a tensor's storage; I64 (integer values) from `values`. */
  dtype: "F32" | "I64";
  tensor?: Tensor;
  values?: ArrayLike<number>;
}

/** One tensor described by a header, after validation. */
export interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  size: number;
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export interface ParsedHeader {
  entries: HeaderEntry[];
  metadata: Record<string, string>;
}

function checkMetadata(where: string, metadata: unknown): Record<string, string> {
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new TypeError(`${where}: metadata must be an object of strings, got ${describe(metadata)}`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw new TypeError(`${where}: metadata[${JSON.stringify(k)}] must be a string, got ${describe(v)}`);
  }
  return metadata as Record<string, string>;
}

/**
 * Writes `entries` as one safetensors file. The header is padded with spaces
 * to a multiple of 8 bytes (as the reference implementation does), so every
 * tensor's data starts 8-byte aligned in the file.
 */
export function encodeSafetensors(entries: readonly WriteEntry[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const e of entries) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    const bytes = size * (e.dtype === "F32" ? 4 : 8);
    header[e.name] = { dtype: e.dtype, shape: [...e.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + headerBytes + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes, true);
  view.setUint32(4, Math.floor(headerBytes / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerBytes);
  let pos = 8 + headerBytes;
  for (const e of entries) {
    if (e.dtype === "F32") {
      const src = e.tensor ? e.tensor.data : Float32Array.from(e.values!);
      if (LITTLE_ENDIAN) out.set(new Uint8Array(src.buffer, src.byteOffset, src.length * 4), pos);
      else for (let i = 0; i < src.length; i++) view.setFloat32(pos + 4 * i, src[i], true);
      pos += src.length * 4;
    } else {
      const src = e.tensor ? e.tensor.data : e.values!;
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        view.setUint32(pos, v >>> 0, true);
        view.setInt32(pos + 4, Math.floor(v / 2 ** 32), true);
        pos += 8;
      }
    }
  }
  return out;
}

/** PyTorch-side names are any non-empty string except the metadata key. */
function checkName(where: string, name: string): void {
  if (name === "" || name === "__metadata__") throw new RangeError(`${where}: ${JSON.stringify(name)} cannot name a tensor`);
}

/**
 * Serialises float32 tensors (as `F32`) in the safetensors format, with an
 * optional `__metadata__` map of strings. The tensors are not changed.
 */
export function saveSafetensors(tensors: Record<string, Tensor>, { metadata }: { metadata?: Record<string, string> } = {}): Uint8Array {
  const where = "saveSafetensors";
  if (tensors === null || typeof tensors !== "object" || Array.isArray(tensors) || tensors instanceof Tensor) {
    throw new TypeError(`${where}: expected an object of tensors by name, got ${describe(tensors)}`);
  }
  const meta = checkMetadata(where, metadata);
  const entries: WriteEntry[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    checkName(where, name);
    if (!(t instanceof Tensor)) throw new TypeError(`${where}: ${JSON.stringify(name)} is not a Tensor: ${describe(t)}`);
    t.assertAlive(`${where}: ${JSON.stringify(name)}`);
    entries.push({ name, shape: t.shape, dtype: "F32", tensor: t });
  }
  return encodeSafetensors(entries, meta);
}

function asBytes(where: string, bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new TypeError(`${where}: expected a Uint8Array or ArrayBuffer, got ${describe(bytes)}`);
}

/**
 * The top-level keys of a JSON object text, in order, duplicates included
 * (JSON.parse keeps only the last of duplicates). `text` is known to be valid JSON.
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let i = text.indexOf("{") + 1;
  const n = text.length;
  const skipWs = () => {
    while (i < n && " \t\r\n".includes(text[i])) i++;
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  for (;;) {
    skipWs();
    if (text[i] === "}") return keys;
    keys.push(readString());
    skipWs();
    i++; // ':'
    let depth = 0;
    for (;;) {
      skipWs();
      const c = text[i];
      if (c === '"') readString();
      else if (c === "{" || c === "[") {
        depth++;
        i++;
      } else if (c === "}" || c === "]") {
        if (depth === 0) break;
        depth--;
        i++;
      } else if (c === "," && depth === 0) break;
      else i++;
    }
    skipWs();
    if (text[i] === ",") i++;
  }
}

/**
 * Reads and validates the header of a safetensors file: its length, its JSON,
 * every entry's dtype, shape and offsets, that the entries tile the data
 * section exactly (no overlap, no gap, nothing past the end) and that no name
 * repeats. Allocates nothing; throws an Error naming the problem.
 */
export function parseSafetensorsHeader(bytes: Uint8Array | ArrayBuffer, where = "loadSafetensors"): ParsedHeader {
  const b = asBytes(where, bytes);
  if (b.length < 8) throw new RangeError(`${where}: the file is ${b.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > MAX_HEADER_BYTES) throw new RangeError(`${where}: header length ${headerLength} exceeds safetensors' limit of ${MAX_HEADER_BYTES} bytes`);
  if (8 + headerLength > b.length) {
    throw new RangeError(`${where}: header length ${headerLength} is beyond the end of the file (${b.length} bytes, ${b.length - 8} after the length)`);
  }
  let text: string;
  let header: unknown;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(b.subarray(8, 8 + headerLength));
    header = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`${where}: the header is not JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw new TypeError(`${where}: the header must be a JSON object, got ${describe(header)}`);
  }
  const keys = topLevelKeys(text);
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) throw new Error(`${where}: duplicate tensor name ${JSON.stringify(k)} in the header`);
    seen.add(k);
  }
  const dataStart = 8 + headerLength;
  const dataBytes = b.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      metadata = checkMetadata(`${where}: __metadata__`, info);
      if (info === null) throw new TypeError(`${where}: __metadata__ must be an object of strings, got null`);
      continue;
    }
    const what = `${where}: tensor ${JSON.stringify(name)}`;
    if (info === null || typeof info !== "object" || Array.isArray(info)) throw new TypeError(`${what}: expected { dtype, shape, data_offsets }, got ${describe(info)}`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== "string") throw new TypeError(`${what}: dtype must be a string, got ${describe(dtype)}`);
    if (!(READ_DTYPES as readonly string[]).includes(dtype)) {
      throw new TypeError(`${what}: unknown or unsupported dtype ${JSON.stringify(dtype)} (readable: ${READ_DTYPES.join(", ")})`);
    }
    if (!Array.isArray(shape) || shape.some((d) => typeof d !== "number" || !Number.isSafeInteger(d) || d < 0)) {
      throw new TypeError(`${what}: shape must be an array of non-negative integers, got ${describe(shape)}`);
    }
    if (
      !Array.isArray(offsets) || offsets.length !== 2 ||
      offsets.some((o) => typeof o !== "number" || !Number.isSafeInteger(o) || o < 0) || offsets[0] > offsets[1]
    ) {
      throw new TypeError(`${what}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${describe(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataBytes) {
      throw new RangeError(`${what}: data_offsets [${begin}, ${end}] are out of range: the data section has ${dataBytes} bytes`);
    }
    const size = (shape as number[]).reduce((a, d) => a * d, 1);
    const need = size * ITEM_BYTES[dtype as SafetensorsDtype];
    if (need !== end - begin) {
      throw new RangeError(
        `${what}: shape ${shapeToString(shape as number[])} of ${dtype} needs ${need} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    }
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], size, begin: dataStart + begin, end: dataStart + end });
  }
  const byStart = [...entries].sort((x, y) => x.begin - y.begin || x.end - y.end);
  let covered = dataStart;
  let prev: HeaderEntry | null = null;
  for (const e of byStart) {
    if (e.begin < covered) {
      throw new RangeError(
        `${where}: tensors ${JSON.stringify(prev!.name)} and ${JSON.stringify(e.name)} overlap ` +
          `(data_offsets [${prev!.begin - dataStart}, ${prev!.end - dataStart}] and [${e.begin - dataStart}, ${e.end - dataStart}])`,
      );
    }
    if (e.begin > covered) {
      throw new RangeError(`${where}: bytes [${covered - dataStart}, ${e.begin - dataStart}) of the data section belong to no tensor (the data must be covered without holes)`);
    }
    covered = e.end;
    if (e.end > e.begin) prev = e;
  }
  if (covered !== b.length) {
    throw new RangeError(`${where}: the data section has ${dataBytes} bytes but the tensors cover ${covered - dataStart}: bytes [${covered - dataStart}, ${dataBytes}) belong to no tensor`);
  }
  return { entries, metadata };
}

let halfTable: Float32Array | null = null;

/** float16 bit pattern → float32 value, for all 65,536 patterns (exact). */
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24;
    else if (exp === 31) t[h] = frac ? NaN : sign * Infinity;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return (halfTable = t);
}

/** The bytes of one entry, at an address aligned for its item size (a copy only when the file's bytes are not). */
function aligned(b: Uint8Array, e: HeaderEntry): Uint8Array {
  const src = b.subarray(e.begin, e.end);
  const item = ITEM_BYTES[e.dtype];
  return src.byteOffset % item === 0 ? src : src.slice();
}

/** Converts one entry's bytes into `dst` (its tensor's storage). */
export function decodeInto(b: Uint8Array, e: HeaderEntry, dst: Float32Array): void {
  const n = e.size;
  if (n === 0) return;
  if (!LITTLE_ENDIAN) {
    decodeBigEndianHost(b, e, dst);
    return;
  }
  switch (e.dtype) {
    case "F32":
      new Uint8Array(dst.buffer, dst.byteOffset, n * 4).set(b.subarray(e.begin, e.end));
      return;
    case "U8":
    case "BOOL":
      dst.set(b.subarray(e.begin, e.end));
      return;
  }
  const src = aligned(b, e);
  switch (e.dtype) {
    case "F64":
      dst.set(new Float64Array(src.buffer, src.byteOffset, n));
      return;
    case "I32":
      dst.set(new Int32Array(src.buffer, src.byteOffset, n));
      return;
    case "I64": {
      const words = new Int32Array(src.buffer, src.byteOffset, 2 * n);
      for (let i = 0; i < n; i++) dst[i] = words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
      return;
    }
    case "F16": {
      const table = halfToFloatTable();
      const h = new Uint16Array(src.buffer, src.byteOffset, n);
      for (let i = 0; i < n; i++) dst[i] = table[h[i]];
      return;
    }
    case "BF16": {
      const h = new Uint16Array(src.buffer, src.byteOffset, n);
      const bits = new Uint32Array(dst.buffer, dst.byteOffset, n);
      for (let i = 0; i < n; i++) bits[i] = h[i] << 16;
      return;
    }
  }
}

function decodeBigEndianHost(b: Uint8Array, e: HeaderEntry, dst: Float32Array): void {
  const v = new DataView(b.buffer, b.byteOffset + e.begin, e.end - e.begin);
  const table = e.dtype === "F16" ? halfToFloatTable() : null;
  for (let i = 0; i < e.size; i++) {
    switch (e.dtype) {
      case "F32": dst[i] = v.getFloat32(4 * i, true); break;
      case "F64": dst[i] = v.getFloat64(8 * i, true); break;
      case "I32": dst[i] = v.getInt32(4 * i, true); break;
      case "I64": dst[i] = v.getInt32(8 * i + 4, true) * 4294967296 + v.getUint32(8 * i, true); break;
      case "F16": dst[i] = table![v.getUint16(2 * i, true)]; break;
      case "BF16": dst[i] = new Float32Array(new Uint32Array([v.getUint16(2 * i, true) << 16]).buffer)[0]; break;
      default: dst[i] = v.getUint8(i);
    }
  }
}

/**
 * Allocates one tensor per entry and fills them from the file. If an
 * allocation fails, the tensors made so far are freed and nothing is left.
 */
export function materialize(bytes: Uint8Array, entries: readonly HeaderEntry[]): Map<string, Tensor> {
  const made = new Map<string, Tensor>();
  try {
    for (const e of entries) made.set(e.name, new Tensor(e.shape));
  } catch (err) {
    for (const t of made.values()) t.dispose();
    throw err;
  }
  // All allocated first: filling reads each tensor's view after memory stopped growing.
  for (const e of entries) decodeInto(bytes, e, made.get(e.name)!.data);
  return made;
}

/**
 * Reads a safetensors file into float32 tensors (F32, F16, BF16 and F64 are
 * converted; I64, I32, U8 and BOOL become integer-valued float32 tensors).
 * The whole header is validated first: a malformed file throws an Error
 * naming the problem, with nothing allocated.
 */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const b = asBytes("loadSafetensors", bytes);
  const { entries, metadata } = parseSafetensorsHeader(b);
  const made = materialize(b, entries);
  return { tensors: Object.fromEntries(made), metadata };
}
