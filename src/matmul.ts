// matmul: out = alpha * op(a) * op(b) + beta * out for 2-D float32 tensors.
import { Tensor, shapeToString } from "./tensor.js";
import { backend } from "./backend/index.js";
import { booleanOption, describe, numberOption, optionsArg } from "./validate.js";

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
export function matmul(a: Tensor, b: Tensor, options?: MatmulOptions): Tensor {
  const where = "matmul";
  const o = optionsArg(where, options, ["transposeA", "transposeB", "alpha", "beta", "out"]);
  if (!(a instanceof Tensor)) throw new TypeError(`matmul: a must be a Tensor, got ${describe(a)}`);
  if (!(b instanceof Tensor)) throw new TypeError(`matmul: b must be a Tensor, got ${describe(b)}`);
  a.assertAlive("matmul (a)");
  b.assertAlive("matmul (b)");
  if (a.ndim !== 2) throw new RangeError(`matmul: a must be 2-D, got shape ${shapeToString(a.shape)}`);
  if (b.ndim !== 2) throw new RangeError(`matmul: b must be 2-D, got shape ${shapeToString(b.shape)}`);
  const transposeA = booleanOption(where, "transposeA", o.transposeA, false);
  const transposeB = booleanOption(where, "transposeB", o.transposeB, false);
  const alpha = numberOption(where, "alpha", o.alpha, 1);
  const beta = numberOption(where, "beta", o.beta, 0);
  const out = o.out as Tensor | undefined;
  const [M, K] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [K2, N] = transposeB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (K !== K2) {
    throw new RangeError(
      `matmul: inner dimensions differ: op(a) is ${M}x${K} (a ${shapeToString(a.shape)}${transposeA ? " transposed" : ""}), ` +
        `op(b) is ${K2}x${N} (b ${shapeToString(b.shape)}${transposeB ? " transposed" : ""})`,
    );
  }
  if (out !== undefined) {
    if (!(out instanceof Tensor)) throw new TypeError(`matmul: out must be a Tensor, got ${describe(out)}`);
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
