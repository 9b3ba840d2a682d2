// The geometry of the convolution and pooling kernels (their trailing sizes),
// and the helpers their callers share. The kernels themselves are methods of
// the backend (src/backend/backend.ts): backend().conv2dForward(…).
import type { Tensor } from "../tensor.js";
import type { ConvGeometry } from "../reference/conv.js";
import type { PoolGeometry } from "../reference/pool.js";

export type { ConvGeometry, PoolGeometry };
export { colsSize } from "../reference/conv.js";

/** A tensor's storage read as int32 (max-pooling indices). */
export const int32Of = (t: Tensor): Int32Array => new Int32Array(t.data.buffer, t.data.byteOffset, t.size);
