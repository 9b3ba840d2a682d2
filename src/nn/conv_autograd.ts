// How the convolutional operations (conv.ts, pooling.ts, normalization.ts,
// dropout2d.ts) allocate their results and record themselves on the autograd
// tape: the one place that knows the tape's interface, so the operations
// themselves only say what they compute and what their backward does.
import { Tensor, type Shape } from "../tensor.js";
import { Node, isGradEnabled, needsGrad, setGradFn, sinkFor, wantsGrad, zeroUnlessAccumulating, type GradSink } from "./autograd.js";
import { result } from "../lifetime.js";

export { sinkFor, wantsGrad, zeroUnlessAccumulating, type GradSink };

/** A computed tensor (uninitialised): an operation's output or workspace, held by the lifetime clock (src/lifetime.ts). */
export function computed(shape: Shape): Tensor {
  return result(shape);
}

/** Whether an operation on `inputs` is recorded (grad mode on and some input needs a gradient). */
export function recording(inputs: readonly (Tensor | null | undefined)[]): boolean {
  return isGradEnabled() && inputs.some((t) => t != null && needsGrad(t));
}

/**
 * Records `out = op(inputs)` with its backward (`run` reads the output's
 * gradient from the returned node's `grad`, and adds the inputs' through
 * sinkFor). `saved` are the tensors backward reads; `scratch` are freed once
 * backward has consumed the node. Without recording, frees `scratch` now.
 */
export function record(
  name: string, out: Tensor, inputs: readonly Tensor[], run: (node: Node & { grad: Tensor }) => void, saved: readonly Tensor[],
  scratch: readonly Tensor[] = [],
): void {
  if (!recording(inputs)) {
    for (const t of scratch) t.dispose();
    setGradFn(out, null);
    return;
  }
  // The output's gradient is allocated by backward when it arrives (the Node owns it).
  const node: Node = new Node(name, inputs, out.shape, () => run(node as Node & { grad: Tensor }), saved, () => {
    for (const t of scratch) t.dispose();
  });
  setGradFn(out, node);
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
