// matmul: out = alpha * op(a) * op(b) + beta * out for 2-D float32 tensors.
import { Tensor, shapeToString } from "./tensor.js";
import { backend } from "./backend/index.js";

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  alpha?: number;
  beta?: number;
  out?: Tensor;
}

/**
 * 2-D GEMM: `out = alpha·op(a)·op(b) + beta·out`, op = transpose when
 * `transposeA` / `transposeB`. Transposes are absorbed by the kernel's
 * packing, never materialised. `beta = 0` never reads `out` (it may hold
 * NaN). `out` must not be `a` or `b`.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const { transposeA = false, transposeB = false, alpha = 1, beta = 0, out } = options;
  if (!(a instanceof Tensor)) throw new TypeError(`matmul: a must be a Tensor, got ${String(a)}`);
  if (!(b instanceof Tensor)) throw new TypeError(`matmul: b must be a Tensor, got ${String(b)}`);
  a.assertAlive("matmul (a)");
  b.assertAlive("matmul (b)");
  if (a.ndim !== 2) throw new RangeError(`matmul: a must be 2-D, got shape ${shapeToString(a.shape)}`);
  if (b.ndim !== 2) throw new RangeError(`matmul: b must be 2-D, got shape ${shapeToString(b.shape)}`);
  if (typeof transposeA !== "boolean") throw new TypeError(`matmul: transposeA must be a boolean, got ${String(transposeA)}`);
  if (typeof transposeB !== "boolean") throw new TypeError(`matmul: transposeB must be a boolean, got ${String(transposeB)}`);
  if (typeof alpha !== "number") throw new TypeError(`matmul: alpha must be a number, got ${typeof alpha} ${String(alpha)}`);
  if (!Number.isFinite(alpha)) throw new RangeError(`matmul: alpha must be finite, got ${alpha}`);
  if (typeof beta !== "number") throw new TypeError(`matmul: beta must be a number, got ${typeof beta} ${String(beta)}`);
  if (!Number.isFinite(beta)) throw new RangeError(`matmul: beta must be finite, got ${beta}`);
  const [M, K] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [K2, N] = transposeB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (K !== K2) {
    throw new RangeError(
      `matmul: inner dimensions differ: op(a) is ${M}x${K} (a ${shapeToString(a.shape)}${transposeA ? " transposed" : ""}), ` +
        `op(b) is ${K2}x${N} (b ${shapeToString(b.shape)}${transposeB ? " transposed" : ""})`,
    );
  }
  if (out !== undefined) {
    if (!(out instanceof Tensor)) throw new TypeError(`matmul: out must be a Tensor, got ${String(out)}`);
    out.assertAlive("matmul (out)");
    if (out.ndim !== 2 || out.shape[0] !== M || out.shape[1] !== N) {
      throw new RangeError(`matmul: out must have shape [${M}, ${N}], got ${shapeToString(out.shape)}`);
    }
    // The kernel reads op(a) and op(b) block by block while it writes out, so
    // out may not share storage with either (tensors never share storage
    // unless they are the same tensor).
    if (out === a || out === b) {
      throw new RangeError(
        `matmul: out must not be the same tensor as ${out === a ? "a" : "b"} (${out.toString()}); ` +
          `write into a separate tensor and copy it back`,
      );
    }
  }
  const c = out ?? new Tensor([M, N]);
  // A fresh out holds garbage: beta = 0 makes the kernel write it without reading it.
  const betaC = out === undefined ? 0 : beta;
  if (M === 0 || N === 0) return c;
  const lda = a.shape[1];
  const ldb = b.shape[1];
  backend().gemm(transposeA, transposeB, M, N, K, alpha, a, lda, b, ldb, betaC, c, N);
  return c;
}
