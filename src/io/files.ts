// Node conveniences for checkpoint and safetensors bytes. node:fs is imported
// dynamically, when called, so bundling the library for a browser never
// touches it (browsers use Blob / fetch / File instead; see README).

type FsPromises = { writeFile(path: string, data: Uint8Array): Promise<void>; readFile(path: string): Promise<Uint8Array> };

async function fs(what: string): Promise<FsPromises> {
  const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
  if (!isNode) {
    throw new Error(`${what}: needs Node's file system; in a browser save the bytes with a Blob and read them with fetch() or a File`);
  }
  const specifier = "node:fs/promises";
  return (await import(/* @vite-ignore */ specifier)) as FsPromises;
}

/** Writes `bytes` to `path` (Node). */
export async function saveFile(path: string, bytes: Uint8Array): Promise<void> {
  if (typeof path !== "string" || path === "") throw new TypeError(`saveFile: path must be a non-empty string, got ${String(path)}`);
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`saveFile: bytes must be a Uint8Array, got ${String(bytes)}`);
  await (await fs("saveFile")).writeFile(path, bytes);
}

/** Reads the whole file at `path` (Node). */
export async function loadFile(path: string): Promise<Uint8Array> {
  if (typeof path !== "string" || path === "") throw new TypeError(`loadFile: path must be a non-empty string, got ${String(path)}`);
  const data = await (await fs("loadFile")).readFile(path);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
