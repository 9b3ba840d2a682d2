// How the convolutional operations (conv.ts, pooling.ts, normalization.ts,
// dropout2d.ts) allocate their results and record themselves on the autograd
// tape (src/autograd/): results and workspaces are computed tensors held by
// the lifetime clocks (src/lifetime.ts), so loops run in constant memory; the
// operations themselves only say what they compute and what backward does.
import { Tensor, type Shape } from "../tensor.js";
import { result } from "../lifetime.js";
import { Node, record as recordNode, sinkFor, wantsGrad, zeroUnlessAccumulating, type GradSink } from "../autograd/node.js";

export { sinkFor, wantsGrad, zeroUnlessAccumulating, type GradSink };

/** A computed tensor (uninitialised): an operation's output or workspace. */
export function computed(shape: Shape): Tensor {
  return result(shape);
}

/**
 * Records `out = op(inputs)` with its backward when grad mode is on and an
 * input needs a gradient: `run(node, dy)` gets the output's gradient and adds
 * the inputs' through sinkFor. `saved` are the tensors backward reads (pinned
 * until the graph is consumed).
 */
export function record(
  name: string, out: Tensor, inputs: readonly Tensor[], run: (node: Node, dy: Tensor) => void, saved: readonly Tensor[],
): void {
  recordNode(out, inputs, () => {
    const node: Node = new Node(name, inputs, out.shape, () => run(node, node.grad!), saved);
    return node;
  });
}

let colsScratch: Tensor | null = null;

/** The shared im2col workspace (used only within one kernel call), grown to at least n floats and kept. */
export function colsWorkspace(n: number): Tensor {
  if (!colsScratch || colsScratch.disposed || colsScratch.size < n) {
    colsScratch?.dispose();
    colsScratch = new Tensor([Math.max(n, 1)]);
  }
  return colsScratch;
}
