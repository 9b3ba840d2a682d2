// Turns a drawing into an MNIST-like 28×28 image, the way the MNIST digits
// were made: crop to the ink's bounding box, scale it (keeping the aspect
// ratio) so its longer side is 20 pixels, then place it in a 28×28 field so
// that its centre of mass sits at the centre.

const FIELD = 28;
const BOX = 20;
/** Sub-samples per output pixel along each axis (area-averaging the ink). */
const SUPERSAMPLE = 4;

/** Bilinear read of a width × height grayscale image at (x, y) in pixel-centre coordinates. */
function bilinear(gray, width, height, x, y) {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx, yy) => (xx < 0 || yy < 0 || xx >= width || yy >= height ? 0 : gray[yy * width + xx]);
  return (
    (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) +
    fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1))
  );
}

/**
 * @param {ArrayLike<number>} gray intensities in [0, 1], row-major, ink bright on dark
 * @param {number} width
 * @param {number} height
 * @param {number} [threshold] intensity that counts as ink for the bounding box
 * @returns {Float32Array | null} 784 values in [0, 1], or null when there is no ink
 */
export function toMnist(gray, width, height, threshold = 0.1) {
  let left = width, right = -1, top = height, bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x] > threshold) {
        if (x < left) left = x;
        if (x > right) right = x;
        if (y < top) top = y;
        if (y > bottom) bottom = y;
      }
    }
  }
  if (right < 0) return null;
  const boxW = right - left + 1;
  const boxH = bottom - top + 1;
  const scale = BOX / Math.max(boxW, boxH);
  const outW = Math.max(1, Math.round(boxW * scale));
  const outH = Math.max(1, Math.round(boxH * scale));

  // Area-average the box into outW × outH pixels.
  const small = new Float32Array(outW * outH);
  const step = 1 / (scale * SUPERSAMPLE);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      let sum = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        const y = top + (oy * SUPERSAMPLE + sy + 0.5) * step - 0.5;
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const x = left + (ox * SUPERSAMPLE + sx + 0.5) * step - 0.5;
          sum += bilinear(gray, width, height, x, y);
        }
      }
      small[oy * outW + ox] = Math.min(1, sum / (SUPERSAMPLE * SUPERSAMPLE));
    }
  }

  // Centre of mass of the scaled ink, then shift it to the field's centre.
  let mass = 0, cx = 0, cy = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const v = small[y * outW + x];
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  }
  if (mass === 0) return null;
  const offsetX = Math.round(FIELD / 2 - cx / mass);
  const offsetY = Math.round(FIELD / 2 - cy / mass);
  const out = new Float32Array(FIELD * FIELD);
  for (let y = 0; y < outH; y++) {
    const fy = y + offsetY;
    if (fy < 0 || fy >= FIELD) continue;
    for (let x = 0; x < outW; x++) {
      const fx = x + offsetX;
      if (fx >= 0 && fx < FIELD) out[fy * FIELD + fx] = small[y * outW + x];
    }
  }
  return out;
}
