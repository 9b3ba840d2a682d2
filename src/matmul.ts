// matmul: out = alpha * op(a) * op(b) + beta * out for 2-D float32 tensors.
import { Tensor, shapeToString } from "./tensor.js";
import { wasmOrNull } from "./runtime/runtime.js";
import { gemm as gemmJs } from "./reference/gemm.js";

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  alpha?: number;
  beta?: number;
  out?: Tensor;
}

/** 2-D GEMM; transposes are handled by the kernel, never materialised. */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const { transposeA = false, transposeB = false, alpha = 1, beta = 0, out } = options;
  if (!(a instanceof Tensor)) throw new TypeError(`matmul: a must be a Tensor, got ${String(a)}`);
  if (!(b instanceof Tensor)) throw new TypeError(`matmul: b must be a Tensor, got ${String(b)}`);
  a.assertAlive("matmul (a)");
  b.assertAlive("matmul (b)");
  if (a.ndim !== 2) throw new RangeError(`matmul: a must be 2-D, got shape ${shapeToString(a.shape)}`);
  if (b.ndim !== 2) throw new RangeError(`matmul: b must be 2-D, got shape ${shapeToString(b.shape)}`);
  if (!Number.isFinite(alpha)) throw new RangeError(`matmul: alpha must be finite, got ${alpha}`);
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
  }
  const c = out ?? new Tensor([M, N]);
  if (out === undefined && beta !== 0) c.data.fill(0);
  if (M === 0 || N === 0) return c;
  const lda = a.shape[1];
  const ldb = b.shape[1];
  const wasm = wasmOrNull();
  if (wasm) {
    wasm.gemm(+transposeA, +transposeB, M, N, K, alpha, a.ptr, lda, b.ptr, ldb, beta, c.ptr, N);
  } else {
    gemmJs(transposeA, transposeB, M, N, K, alpha, a.data, lda, b.data, ldb, beta, c.data, N);
  }
  return c;
}
