// Shared by the convolutional layers' tests: fixture tensors, and a scalar
// "Σ y·dy" whose backward feeds a given output gradient.
import { tensor, type Tensor } from "../../src/index.js";
import { computed, record, sinkFor } from "../../src/nn/conv_autograd.js";

export interface Packed {
  shape: number[];
  data: number[];
}

export const load = (p: Packed): Tensor => tensor(p.data, p.shape);

/** A scalar Σ y·dy recorded on the tape: its backward() gives y the gradient dy. */
export function dot(y: Tensor, dy: ArrayLike<number>): Tensor {
  const out = computed([]);
  let s = 0;
  const d = y.data;
  for (let i = 0; i < d.length; i++) s += d[i] * dy[i];
  out.data[0] = s;
  record("DotBackward", out, [y], (node, dout) => {
    const g = dout.data[0];
    const sink = sinkFor(node, 0)!;
    const t = sink.tensor.data;
    for (let i = 0; i < t.length; i++) t[i] = (sink.acc ? t[i] : 0) + g * dy[i];
  }, []);
  return out;
}
