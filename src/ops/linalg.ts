// matmul (PyTorch's torch.matmul: 1-D, 2-D and batched with broadcast batch
// dimensions) and linear (x·Wᵀ + b, fused), both through the packed GEMM.
// Transposes in backward passes are absorbed by the GEMM's packing. When the
// second operand is 2-D, the batch folds into the rows: one GEMM forward and
// one per gradient, whatever the batch.
import { Tensor, shapeToString } from "../tensor.js";
import { Node, needsGrad, record, savedFor, sinkFor, wantsGrad } from "../autograd/node.js";
import { gemmAt, reduceOuter, R } from "./kernels.js";
import { broadcastShapes, broadcastStrides } from "./iterator.js";
import { checkTensor, numel, result } from "./common.js";
import { backend } from "../backend/index.js";
import { sum, sumTo } from "./reduce.js";
import { reshape, t as transpose2d, transpose } from "./shape.js";

function mismatch(a: Tensor, b: Tensor, rows: number, k: number, k2: number, cols: number): RangeError {
  return new RangeError(
    `matmul: mat1 and mat2 shapes cannot be multiplied (${rows}x${k} and ${k2}x${cols}) (shapes ${shapeToString(a.shape)} and ${shapeToString(b.shape)})`,
  );
}

/** PyTorch's matmul. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const what = "matmul";
  checkTensor(what, a, "input");
  checkTensor(what, b, "other");
  if (a.ndim === 0 || b.ndim === 0) {
    throw new RangeError(`${what}: both arguments to matmul need to be at least 1D, but they are ${a.ndim}D and ${b.ndim}D`);
  }
  // 1-D operands: a row vector on the left, a column vector on the right, squeezed from the result.
  const aRows = a.ndim === 1 ? 1 : a.shape[a.ndim - 2];
  const K = a.shape[a.ndim - 1];
  const K2 = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
  const M = b.ndim === 1 ? 1 : b.shape[b.ndim - 1];
  if (K !== K2) {
    if (a.ndim === 1 && b.ndim === 1) {
      throw new RangeError(`${what}: inconsistent tensor size, expected tensor [${K}] and src [${K2}] to have the same number of elements, but got ${K} and ${K2} elements respectively`);
    }
    throw mismatch(a, b, a.ndim === 1 ? 1 : numel(a.shape.slice(0, -1)), K, K2, M);
  }
  const aBatch = a.ndim > 2 ? a.shape.slice(0, -2) : [];
  const bBatch = b.ndim > 2 ? b.shape.slice(0, -2) : [];
  const batch = broadcastShapes(what, aBatch, bBatch);
  const B = numel(batch);
  const outShape = [...batch, ...(a.ndim === 1 ? [] : [aRows]), ...(b.ndim === 1 ? [] : [M])];
  const out = result(outShape);
  // The batch folds into the rows when b has no batch dimensions.
  const fold = bBatch.length === 0;
  const N = fold ? numel(a.shape.slice(0, -1)) : aRows;
  const bStride = M * K;
  const aBatchStrides = broadcastStrides(aBatch, batch);
  const bBatchStrides = broadcastStrides(bBatch, batch);
  const offsets = (i: number): [number, number] => {
    // batch index i → the operands' matrix indices (0 along broadcast dimensions)
    let ai = 0;
    let bi = 0;
    for (let d = batch.length - 1, r = i; d >= 0; d--) {
      const c = r % batch[d];
      r = Math.floor(r / batch[d]);
      ai += c * aBatchStrides[d];
      bi += c * bBatchStrides[d];
    }
    return [ai * aRows * K, bi * bStride];
  };
  /**
   * Calls `each` for every batch with the operands' offsets and the beta for
   * operand k's gradient: `acc` where its matrix is first written, then 1 (a
   * broadcast operand's gradient sums over the batches it was reused in).
   */
  const perBatch = (k: 0 | 1, acc: number, each: (i: number, ao: number, bo: number, beta: number) => void): void => {
    const written = new Set<number>();
    for (let i = 0; i < B; i++) {
      const [ao, bo] = offsets(i);
      const at = k === 0 ? ao : bo;
      each(i, ao, bo, written.has(at) ? 1 : acc);
      written.add(at);
    }
  };
  if (fold) gemmAt(false, false, N, M, K, a, 0, K, b, 0, M, 0, out, 0, M);
  else for (let i = 0; i < B; i++) {
    const [ao, bo] = offsets(i);
    gemmAt(false, false, aRows, M, K, a, ao, K, b, bo, M, 0, out, i * aRows * M, M);
  }
  record(out, [a, b], () => {
    const node: Node = new Node("MmBackward0", [a, b], outShape, () => {
      const g = node.grad!;
      if (wantsGrad(node, 0)) {
        const s = sinkFor(node, 0)!;
        // dA = dC·Bᵀ; a broadcast A (fewer batch dimensions) sums over the batches it was reused in.
        if (fold) gemmAt(false, true, N, K, M, g, 0, M, b, 0, M, s.acc, s.tensor, 0, K);
        else perBatch(0, s.acc, (i, ao, bo, beta) => gemmAt(false, true, aRows, K, M, g, i * aRows * M, M, b, bo, M, beta, s.tensor, ao, K));
      }
      if (wantsGrad(node, 1)) {
        const s = sinkFor(node, 1)!;
        // dB = Aᵀ·dC
        if (fold) gemmAt(true, false, K, M, N, a, 0, K, g, 0, M, s.acc, s.tensor, 0, M);
        else perBatch(1, s.acc, (i, ao, bo, beta) => gemmAt(true, false, K, M, aRows, a, ao, K, g, i * aRows * M, M, beta, s.tensor, bo, M));
      }
    }, savedFor([a, b], [needsGrad(b), needsGrad(a)]));
    // dA = g·Bᵀ, dB = Aᵀ·g, summed over batch dimensions an operand was broadcast along (1-D operands: no double backward here)
    if (a.ndim >= 2 && b.ndim >= 2) {
      node.diff = (g) => [
        wantsGrad(node, 0) ? sumTo(matmul(g, transpose(b, -2, -1)), a.shape) : null,
        wantsGrad(node, 1) ? sumTo(matmul(transpose(a, -2, -1), g), b.shape) : null,
      ];
    }
    return node;
  });
  return out;
}

/**
 * F.linear's (and nn.Linear's) gradients as differentiable operations
 * (createGraph): dx = g·W, dW = gᵀ·x over the flattened rows, db = Σ rows of g.
 */
export function linearDiff(node: Node, x: Tensor, weight: Tensor, bias: Tensor | null): (g: Tensor) => (Tensor | null)[] {
  return (g) => {
    const M = weight.shape[0];
    const K = weight.shape[1];
    const rows = (): Tensor => reshape(g, [-1, M]);
    return [
      wantsGrad(node, 0) ? matmul(g, weight) : null,
      wantsGrad(node, 1) ? matmul(transpose2d(rows()), reshape(x, [-1, K])) : null,
      bias && wantsGrad(node, 2) ? sum(rows(), { dim: 0 }) : null,
    ];
  };
}

/** x·Wᵀ + b for x [*, in], W [out, in], b [out] (PyTorch's F.linear): one GEMM and a fused bias add. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const what = "linear";
  checkTensor(what, x, "input");
  checkTensor(what, weight, "weight");
  if (bias !== undefined && bias !== null) checkTensor(what, bias, "bias");
  if (weight.ndim !== 2 && weight.ndim !== 1) throw new RangeError(`${what}: weight must be 2-D [out, in], got shape ${shapeToString(weight.shape)}`);
  if (x.ndim === 0) throw new RangeError(`${what}: input must be at least 1-D, got a 0-d tensor`);
  const K = x.shape[x.ndim - 1];
  const M = weight.ndim === 2 ? weight.shape[0] : 1;
  const Kw = weight.shape[weight.ndim - 1];
  const N = x.size / (K || 1) || numel(x.shape.slice(0, -1));
  if (K !== Kw) throw mismatch(x, weight, numel(x.shape.slice(0, -1)), K, Kw, M);
  const b = bias ?? null;
  if (b && b.size !== M) {
    throw new RangeError(`${what}: bias must have ${M} elements (the weight's out_features), got shape ${shapeToString(b.shape)}`);
  }
  const outShape = weight.ndim === 2 ? [...x.shape.slice(0, -1), M] : x.shape.slice(0, -1);
  const y = result(outShape);
  gemmAt(false, true, N, M, K, x, 0, K, weight, 0, K, 0, y, 0, M);
  if (b && N > 0) backend().biasAddRows(y, b, y, N, M);
  const inputs = b ? [x, weight, b] : [x, weight];
  record(y, inputs, () => {
    const node: Node = new Node("AddmmBackward0", inputs, outShape, () => {
      const dy = node.grad!;
      if (wantsGrad(node, 1)) {
        const s = sinkFor(node, 1)!;
        gemmAt(true, false, M, K, N, dy, 0, M, x, 0, K, s.acc, s.tensor, 0, K);
      }
      if (b && wantsGrad(node, 2)) {
        const s = sinkFor(node, 2)!;
        reduceOuter(R.SUM, dy, s.tensor, 1, N, M, 1, s.acc);
      }
      if (wantsGrad(node, 0)) {
        const s = sinkFor(node, 0)!;
        gemmAt(false, false, N, K, M, dy, 0, M, weight, 0, K, s.acc, s.tensor, 0, K);
      }
    }, savedFor([x, weight], [needsGrad(weight), needsGrad(x)]));
    if (weight.ndim === 2) node.diff = linearDiff(node, x, weight, b);
    return node;
  });
  return y;
}
