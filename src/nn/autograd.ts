// The autograd tape, micrograd-style: every recorded operation leaves a Node on
// its output tensor (`t.gradFn`) holding the node's inputs and a closure that,
// given the gradient of the output, adds the gradients of the inputs. Calling
// `loss.backward()` sorts the nodes reachable from the loss topologically and
// runs the closures from the loss back to the leaves.
//
// Memory: nothing here allocates WebAssembly memory in steady state. A node's
// output, saved activations and output gradient are buffers its module lends
// it; once backward has run through the node (the graph is consumed, as in
// PyTorch) `release` hands them back to the module for its next forward. A
// leaf's `.grad` tensor is reused after zeroGrad() sets it to null.
import { Tensor, setBackwardHook, shapeToString, sameShape } from "../tensor.js";

/**
 * How many times a module buffer has been (re)lent: a node records the
 * versions of the tensors it saved and backward refuses to run if one has
 * been reused since (PyTorch's version counter for in-place changes).
 */
const versions = new WeakMap<Tensor, number>();

export function bumpVersion(t: Tensor): void {
  versions.set(t, (versions.get(t) ?? 0) + 1);
}

function versionOf(t: Tensor): number {
  return versions.get(t) ?? 0;
}

export class Node {
  /** Whether this backward pass has written `grad` yet (later writes add). */
  filled = false;
  /** Set once backward has run through the node (PyTorch frees the graph then). */
  consumed = false;
  readonly inputFns: (Node | null)[];
  readonly savedVersions: number[];

  constructor(
    /** The operation, for messages: e.g. "Linear(784, 256)". */
    readonly name: string,
    readonly inputs: readonly Tensor[],
    /** Where the gradient of the output is gathered (the output's shape). */
    readonly grad: Tensor,
    /** Adds the inputs' gradients given the output's (in `grad`). */
    readonly run: () => void,
    /** The tensors the closure reads (inputs and activations); checked before backward runs. */
    readonly saved: readonly Tensor[] = [],
    /** Gives the node's buffers back to their module once backward has consumed the node. */
    readonly release: (() => void) | null = null,
  ) {
    this.inputFns = inputs.map((t) => (t.gradFn instanceof Node ? t.gradFn : null));
    this.savedVersions = saved.map(versionOf);
  }

  /**
   * Throws if a saved tensor was disposed or lent out again since this node
   * was recorded, or if a leaf it would write a gradient into (a parameter of
   * a module since disposed, or that parameter's .grad) was disposed — all
   * before backward writes any gradient.
   */
  checkSaved(): void {
    for (let i = 0; i < this.inputs.length; i++) {
      const t = this.inputs[i];
      if (this.inputFns[i] !== null || !t.requiresGrad) continue;
      if (t.disposed) {
        throw new Error(
          `backward: ${this.name} needs the gradient of its input #${i}, Tensor${shapeToString(t.shape)}, which has been disposed ` +
            "(was the module disposed after forward()?)",
        );
      }
      const g = t.grad;
      if (g !== null && g.disposed) {
        throw new Error(`backward: ${this.name}: the .grad of its input #${i} (Tensor${shapeToString(t.shape)}) has been disposed; set it to null first`);
      }
    }
    for (let i = 0; i < this.saved.length; i++) {
      const t = this.saved[i];
      if (t.disposed) {
        throw new Error(
          `backward: a tensor ${this.name} saved for this graph (Tensor${shapeToString(t.shape)}) has been disposed; ` +
            "dispose forward() outputs only after backward()",
        );
      }
      if (versionOf(t) !== this.savedVersions[i]) {
        throw new Error(
          `backward: the activations ${this.name} saved for this graph were overwritten by a later forward() ` +
            `(Tensor${shapeToString(t.shape)} was handed back with releaseOutput() and reused); ` +
            "call backward() before releasing tensors the graph still uses",
        );
      }
    }
  }
}

let gradEnabled = true;

/** Runs fn with recording off (PyTorch's torch.no_grad()); returns its result. */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Whether a gradient would flow to t: a parameter, or the output of a recorded op. */
export function needsGrad(t: Tensor): boolean {
  return t.requiresGrad || t.gradFn !== null;
}

/** Attaches a node to an output tensor (or clears it when node is null). */
export function setGradFn(out: Tensor, node: Node | null): void {
  out.gradFn = node;
  out.requiresGrad = node !== null;
}

/** A gradient destination: write into `tensor` (acc = 0) or add into it (acc = 1). */
export interface GradSink {
  tensor: Tensor;
  acc: 0 | 1;
}

const leafGradCache = new WeakMap<Tensor, Tensor>();

/**
 * Where input `i` of `node` receives its gradient during backward, or null when
 * it needs none (a plain input). The first contribution writes, later ones add;
 * a leaf's existing `.grad` is always added into (PyTorch's accumulation).
 */
export function sinkFor(node: Node, i: number): GradSink | null {
  const fn = node.inputFns[i];
  if (fn) {
    const acc = fn.filled ? 1 : 0;
    fn.filled = true;
    return { tensor: fn.grad, acc };
  }
  const t = node.inputs[i];
  if (!t.requiresGrad) return null;
  if (t.grad) return { tensor: t.grad, acc: 1 };
  let g = leafGradCache.get(t);
  if (!g || g.disposed || !sameShape(g.shape, t.shape)) {
    g = new Tensor(t.shape);
    leafGradCache.set(t, g);
  }
  t.grad = g;
  return { tensor: g, acc: 0 };
}

/** Zeroes a sink that would be written (acc = 0), so kernels with one accumulate flag can add. */
export function zeroUnlessAccumulating(s: GradSink | null): Tensor | null {
  if (!s) return null;
  if (!s.acc) s.tensor.data.fill(0);
  return s.tensor;
}

/** Whether input i of node will receive a gradient (to skip work for plain inputs). */
export function wantsGrad(node: Node, i: number): boolean {
  return node.inputFns[i] !== null || node.inputs[i].requiresGrad;
}

function backward(root: Tensor): void {
  root.assertAlive("backward");
  if (root.size !== 1) {
    throw new Error(`grad can be implicitly created only for scalar outputs (backward() on a tensor of shape ${shapeToString(root.shape)})`);
  }
  const rootFn = root.gradFn;
  if (!(rootFn instanceof Node)) {
    if (root.requiresGrad) {
      const sink = leafGradCache.get(root) ?? new Tensor(root.shape);
      if (!root.grad) {
        sink.data[0] = 1;
        leafGradCache.set(root, sink);
        root.grad = sink;
      } else root.grad.data[0] += 1;
      return;
    }
    throw new Error("element 0 of tensors does not require grad and does not have a grad_fn");
  }
  // Topological order (iterative DFS, post-order), checking every node first so
  // that a stale or consumed graph changes no gradient.
  const order: Node[] = [];
  const seen = new Set<Node>([rootFn]);
  const stack: [Node, number][] = [[rootFn, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, next] = top;
    if (next === 0) {
      if (node.consumed) {
        throw new Error(
          "Trying to backward through the graph a second time: run forward again before calling backward() again " +
            `(${node.name} was already backpropagated)`,
        );
      }
      node.checkSaved();
    }
    if (next < node.inputFns.length) {
      top[1]++;
      const child = node.inputFns[next];
      if (child && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  for (const n of order) n.filled = false;
  rootFn.grad.data[0] = 1;
  rootFn.filled = true;
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    if (n.filled) n.run();
    n.consumed = true;
  }
  for (const n of order) n.release?.();
}

setBackwardHook(backward);
