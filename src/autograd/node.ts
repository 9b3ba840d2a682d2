// The autograd tape, micrograd-style: every recorded operation leaves a Node
// on its output tensor (`t.gradFn`) holding the node's inputs and a closure
// that, given the gradient of the output (`node.grad`), adds the gradients of
// the inputs into their sinks (sinkFor). backward() sorts the nodes reachable
// from the roots topologically and runs the closures from the roots back to
// the leaves (src/autograd/engine.ts).
//
// Memory, as PyTorch's reference counting: a node is referenced by the tensors
// it produced and by the nodes that consumed them. It pins the tensors it
// saved (their storage stays even when the library releases the handles the
// user saw) until backward has consumed it or the last reference is gone —
// so a forward that is never backpropagated frees its graph as soon as its
// outputs are released. A node's output gradient is allocated when the first
// contribution arrives and returned to the caching allocator once the node
// has run.
import { Tensor, shapeToString } from "../tensor.js";
import type { GradFn } from "../tensor.js";
import { isGradEnabled } from "./grad_mode.js";

export class Node implements GradFn {
  /** Whether this backward pass has written `grad` yet (later writes add). */
  filled = false;
  /** Set once backward has run through the node without retainGraph (its saved tensors are freed then). */
  consumed = false;
  /** Output tensors and consuming nodes that refer to this node. */
  refs = 0;
  readonly inputFns: (Node | null)[];
  readonly savedVersions: number[];
  /** The output's shape (where the gradient is gathered). */
  readonly shape: readonly number[];
  /** Where the gradient of the output is gathered: a buffer the caller lent, or one the engine allocates per pass. */
  grad: Tensor | null;
  readonly ownsGrad: boolean;
  /**
   * For createGraph (higher-order gradients): the inputs' gradients given the
   * output's `g`, written with differentiable operations (null where an input
   * gets none); null when the operation has no double backward.
   */
  diff: ((g: Tensor) => (Tensor | null)[]) | null = null;
  #pinned: boolean;

  constructor(
    /** The operation, for messages: e.g. "Linear(784, 256)", "MulBackward0". */
    readonly name: string,
    readonly inputs: readonly Tensor[],
    /** The output's shape (the engine allocates its gradient), or a buffer of that shape to gather it in. */
    grad: Tensor | readonly number[],
    /** Adds the inputs' gradients given the output's (in `grad`). */
    readonly run: () => void,
    /** The tensors the closure reads (inputs and activations): pinned until consumed, checked before backward runs. */
    readonly saved: readonly Tensor[] = [],
    /** Called once backward has consumed the node (or it is freed unconsumed). */
    readonly release: (() => void) | null = null,
  ) {
    if (grad instanceof Tensor) {
      this.grad = grad;
      this.shape = grad.shape;
      this.ownsGrad = false;
      grad.pin();
    } else {
      this.grad = null;
      this.shape = grad;
      this.ownsGrad = true;
    }
    this.inputFns = inputs.map((t) => (t.gradFn instanceof Node ? t.gradFn : null));
    for (const fn of this.inputFns) if (fn) fn.refs++;
    this.savedVersions = saved.map((t) => t.version);
    for (const t of saved) t.pin();
    this.#pinned = true;
  }

  incRef(): void {
    this.refs++;
  }

  /** The last reference gone: free what the node holds, and drop its references to its inputs' nodes. */
  decRef(): void {
    if (--this.refs > 0) return;
    const stack: Node[] = [this];
    while (stack.length) {
      const n = stack.pop()!;
      n.freeSaved();
      if (n.ownsGrad && n.grad) {
        n.grad.dispose();
        n.grad = null;
      }
      for (const fn of n.inputFns) if (fn && --fn.refs <= 0) stack.push(fn);
    }
  }

  /** Unpins the saved tensors (after backward consumed the node, or when it dies). */
  freeSaved(): void {
    if (!this.#pinned) return;
    this.#pinned = false;
    for (const t of this.saved) t.unpin();
    if (!this.ownsGrad) this.grad?.unpin();
    releasing++;
    try {
      this.release?.();
    } finally {
      releasing--;
    }
  }

  /**
   * Throws (PyTorch's messages) if backward cannot run through this node —
   * the graph was consumed, a saved tensor was disposed or changed in place,
   * a leaf it would write a gradient into (a parameter of a module since
   * disposed, or that parameter's .grad) was disposed; changes nothing.
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
    if (this.consumed) {
      throw new Error(
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). " +
          "Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True " +
          "if you need to backward through the graph a second time or if you need to access saved tensors after calling backward. " +
          `(In wasmtrain: backward(gradient, { retainGraph: true }); ${this.name} was already backpropagated.)`,
      );
    }
    for (let i = 0; i < this.saved.length; i++) {
      const t = this.saved[i];
      if (t.disposedByUser) {
        throw new Error(
          `backward: a tensor ${this.name} saved for this graph (Tensor${shapeToString(t.shape)}) has been disposed; ` +
            "dispose forward() outputs only after backward()",
        );
      }
      if (t.handedBack) {
        throw new Error(
          `backward: the activations ${this.name} saved for this graph were overwritten by a later forward() ` +
            `(Tensor${shapeToString(t.shape)} was handed back with releaseOutput() and reused); ` +
            "call backward() before releasing tensors the graph still uses",
        );
      }
      if (t.version !== this.savedVersions[i]) {
        throw new Error(
          "one of the variables needed for gradient computation has been modified by an inplace operation: " +
            `[torch.FloatTensor ${shapeToString(t.shape)}], which is saved by ${this.name}, is at version ${t.version}; ` +
            `expected version ${this.savedVersions[i]} instead. Hint: the in-place operation (add_, mul_, copy_, an optimizer ` +
            "step, …) ran between the forward pass and backward(); compute on a clone(), or call backward() first.",
        );
      }
    }
  }
}

/** Whether a gradient would flow to t: a tensor with requiresGrad, or the output of a recorded op. */
export function needsGrad(t: Tensor): boolean {
  return t.requiresGrad || t.gradFn !== null;
}

/**
 * The tensors a node saves, as PyTorch's autograd saves them: `tensors[i]` only
 * when `when[i]` (the gradient that reads it will be computed), so changing an
 * unread tensor in place (a first layer's weight stepped before backward) is
 * no error, as in PyTorch.
 */
export function savedFor(tensors: readonly Tensor[], when: readonly boolean[]): Tensor[] {
  const out: Tensor[] = [];
  for (let i = 0; i < tensors.length; i++) if (when[i]) out.push(tensors[i]);
  return out;
}

/** The error for createGraph through an operation whose gradient is not written with differentiable operations. */
export function noDoubleBackward(node: Node): Error {
  return new Error(
    `${node.name} does not support double backward: createGraph: true needs its gradient as differentiable operations, ` +
      "which wasmtrain does not have for this operation (docs/ops.md lists those that do); nothing was changed",
  );
}

/** Attaches a node to an output tensor (or clears it when node is null). */
export function setGradFn(out: Tensor, node: Node | null): void {
  out.gradFn = node;
  out.setRequiresGradUnchecked(node !== null);
}

/**
 * Records `node` on `out` when grad mode is on and an input needs a gradient;
 * returns whether it did. `makeNode` runs only then.
 */
export function record(out: Tensor, inputs: readonly Tensor[], makeNode: () => Node): boolean {
  if (!isGradEnabled()) return false;
  let any = false;
  for (const t of inputs) if (t.requiresGrad || t.gradFn !== null) any = true;
  if (!any) return false;
  setGradFn(out, makeNode());
  return true;
}

/** A gradient destination: write into `tensor` (acc = 0) or add into it (acc = 1). */
export interface GradSink {
  tensor: Tensor;
  acc: 0 | 1;
}

/** autograd.grad's destinations for the tensors it differentiates with respect to (null: not asked). */
let capture: Map<Tensor, { grad: Tensor | null }> | null = null;

export function setCapture(c: Map<Tensor, { grad: Tensor | null }> | null): void {
  capture = c;
}

/**
 * Where input `i` of `node` receives its gradient during backward, or null when
 * it needs none (a plain input). The first contribution writes, later ones add;
 * a leaf's existing `.grad` is always added into (PyTorch's accumulation).
 */
export function sinkFor(node: Node, i: number): GradSink | null {
  const fn = node.inputFns[i];
  if (fn) {
    if (!fn.grad) fn.grad = new Tensor(fn.shape, { held: true });
    const acc = fn.filled ? 1 : 0;
    fn.filled = true;
    return { tensor: fn.grad, acc };
  }
  const t = node.inputs[i];
  if (capture) {
    const c = capture.get(t);
    if (!c) return null;
    if (c.grad) return { tensor: c.grad, acc: 1 };
    c.grad = new Tensor(t.shape);
    return { tensor: c.grad, acc: 0 };
  }
  if (!t.requiresGrad) return null;
  if (t.grad) return { tensor: t.grad, acc: 1 };
  const g = new Tensor(t.shape);
  t.setOwnedGrad(g);
  return { tensor: g, acc: 0 };
}

/**
 * Sets p.grad to null (zeroGrad's default); a gradient backward allocated is
 * released, so its memory is reused at once and a handle kept to it throws.
 */
export function releaseGrad(p: Tensor, _by: string): void {
  if (p.grad) p.grad = null;
}

let releasing = 0;

/** Whether a node's release callback is running (modules then leave their outputs to the lifetime clock). */
export function isReleasingNode(): boolean {
  return releasing > 0;
}

/** Zeroes a sink that would be written (acc = 0), so kernels with one accumulate flag can add. */
export function zeroUnlessAccumulating(s: GradSink | null): Tensor | null {
  if (!s) return null;
  if (!s.acc) s.tensor.data.fill(0);
  return s.tensor;
}

/** Whether input i of node will receive a gradient (to skip work for plain inputs). */
export function wantsGrad(node: Node, i: number): boolean {
  if (node.inputFns[i] !== null) return true;
  return capture ? capture.has(node.inputs[i]) : node.inputs[i].requiresGrad;
}
