// Philox4x32-10 written independently with BigInt, straight from the paper
// (Salmon et al., SC 2011): the cross-check for the kernels and the twin.

/** Philox4x32-10 of counter ctr[0..3] under key key[0..1]: four uint32 words. */
export function philoxBigInt(ctr: number[], key: number[]): number[] {
  const mask = 0xffffffffn;
  let [x0, x1, x2, x3] = ctr.map(BigInt);
  let [k0, k1] = key.map(BigInt);
  for (let round = 0; round < 10; round++) {
    const p0 = 0xd2511f53n * x0;
    const p1 = 0xcd9e8d57n * x2;
    [x0, x1, x2, x3] = [((p1 >> 32n) ^ x1 ^ k0) & mask, p1 & mask, ((p0 >> 32n) ^ x3 ^ k1) & mask, p0 & mask];
    k0 = (k0 + 0x9e3779b9n) & mask;
    k1 = (k1 + 0xbb67ae85n) & mask;
  }
  return [x0, x1, x2, x3].map(Number);
}
