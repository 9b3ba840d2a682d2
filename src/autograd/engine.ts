// The backward pass: Tensor.backward() and autograd.grad(). Both sort the
// nodes reachable from the roots topologically, check every one first (a
// consumed graph, a disposed or in-place-modified saved tensor: an error
// before any gradient changes), then run the closures from the roots back.
import { Tensor, setBackwardHook, shapeToString, sameShape, withPinnedReads } from "../tensor.js";
import { Node, noDoubleBackward, setCapture } from "./node.js";
import { enableGrad } from "./grad_mode.js";
import { add } from "../ops/elementwise.js";

function checkRetain(what: string, retainGraph: unknown): boolean {
  if (retainGraph === undefined || retainGraph === null) return false;
  if (typeof retainGraph !== "boolean") throw new TypeError(`${what}: retainGraph must be a boolean, got ${String(retainGraph)}`);
  return retainGraph;
}

/** The nodes reachable from `roots`, in post-order (inputs before consumers), each checked. */
function topoOrder(roots: Node[]): Node[] {
  const order: Node[] = [];
  const seen = new Set<Node>();
  const stack: [Node, number][] = [];
  for (const r of roots) {
    if (seen.has(r)) continue;
    seen.add(r);
    stack.push([r, 0]);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [node, next] = top;
      if (next === 0) node.checkSaved();
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
  }
  return order;
}

/** Seeds `node.grad` with `g` (a tensor of its shape) or ones, adding when it is seeded twice. */
function seed(node: Node, g: Tensor | null): void {
  if (!node.grad) node.grad = new Tensor(node.shape, { held: true });
  const d = node.grad.data;
  if (!node.filled) {
    if (g) d.set(g.data);
    else d.fill(1);
  } else if (g) {
    const s = g.data;
    for (let i = 0; i < d.length; i++) d[i] += s[i];
  } else {
    for (let i = 0; i < d.length; i++) d[i] += 1;
  }
  node.filled = true;
}

/** Runs the graph from the roots; `onBeforeRun` sees each node with its gathered gradient. */
function run(roots: Node[], grads: (Tensor | null)[], retainGraph: boolean, onBeforeRun?: (n: Node) => void): void {
  const order = topoOrder(roots);
  for (const n of order) n.filled = false;
  roots.forEach((r, i) => seed(r, grads[i]));
  withPinnedReads(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const n = order[i];
      if (n.filled) {
        onBeforeRun?.(n);
        n.run();
      }
      if (n.ownsGrad && n.grad) {
        n.grad.dispose();
        n.grad = null;
      }
      n.filled = false;
      if (!retainGraph) {
        n.consumed = true;
        n.freeSaved();
      }
    }
  });
}

/**
 * createGraph: runs the graph with every node's differentiable formula
 * (`node.diff`) under enableGrad, so the gradients are themselves recorded
 * and can be differentiated again. Gradients meet by `add` (out of place);
 * `toLeaf` receives each contribution to a leaf. Every node is checked first
 * (a node without a double backward is an error before anything changes).
 */
function runCreateGraph(
  roots: Node[], grads: (Tensor | null)[], retainGraph: boolean, toLeaf: (node: Node, i: number, g: Tensor) => void,
  onBeforeRun?: (n: Node, g: Tensor) => void,
): void {
  const order = topoOrder(roots);
  for (const n of order) if (!n.diff) throw noDoubleBackward(n);
  const gathered = new Map<Node, Tensor>();
  const gather = (n: Node, g: Tensor): void => {
    const prev = gathered.get(n);
    gathered.set(n, prev ? add(prev, g) : g);
  };
  enableGrad(() => {
    roots.forEach((r, i) => {
      const g = grads[i];
      if (g) gather(r, g);
      else {
        const ones = new Tensor(r.shape);
        ones.data.fill(1);
        gather(r, ones);
      }
    });
    withPinnedReads(() => {
      for (let k = order.length - 1; k >= 0; k--) {
        const n = order[k];
        const g = gathered.get(n);
        gathered.delete(n);
        if (g) {
          onBeforeRun?.(n, g);
          const inputGrads = n.diff!(g);
          inputGrads.forEach((gi, i) => {
            if (!gi) return;
            const fn = n.inputFns[i];
            if (fn) gather(fn, gi);
            else toLeaf(n, i, gi);
          });
        }
        if (!retainGraph) {
          n.consumed = true;
          n.freeSaved();
        }
      }
    });
  });
}

/** backward({ createGraph }) into a leaf's .grad: set, or replaced by the (recorded) sum, as PyTorch's AccumulateGrad. */
function accumulateLeaf(node: Node, i: number, g: Tensor): void {
  const t = node.inputs[i];
  if (!t.requiresGrad) return;
  t.grad = t.grad ? add(t.grad, g) : g;
}

function checkGradient(what: string, out: Tensor, g: Tensor | null | undefined, index: number): Tensor | null {
  if (g === null || g === undefined) {
    if (out.size !== 1) {
      throw new Error(
        `${what}: grad can be implicitly created only for scalar outputs (output ${index} has shape ${shapeToString(out.shape)}; pass a gradient of that shape)`,
      );
    }
    return null;
  }
  if (!(g instanceof Tensor)) throw new TypeError(`${what}: gradient must be a Tensor, got ${String(g)}`);
  g.assertAlive(`${what} (gradient)`);
  if (!sameShape(g.shape, out.shape)) {
    throw new RangeError(
      `${what}: Mismatch in shape: grad_output[${index}] has a shape of ${shapeToString(g.shape)} and output[${index}] has a shape of ${shapeToString(out.shape)}.`,
    );
  }
  return g;
}

function checkCreateGraph(what: string, createGraph: unknown): boolean {
  if (createGraph === undefined || createGraph === null) return false;
  if (typeof createGraph !== "boolean") throw new TypeError(`${what}: createGraph must be a boolean, got ${String(createGraph)}`);
  return createGraph;
}

function backward(root: Tensor, gradient: Tensor | null, options: { retainGraph?: boolean; createGraph?: boolean }): void {
  if (!(root instanceof Tensor)) throw new TypeError(`backward: expected a Tensor, got ${String(root)}`);
  root.assertAlive("backward");
  const createGraph = checkCreateGraph("backward", options?.createGraph);
  // PyTorch: retain_graph defaults to create_graph
  const retainGraph = options?.retainGraph === undefined || options.retainGraph === null ? createGraph : checkRetain("backward", options.retainGraph);
  const g = checkGradient("backward", root, gradient, 0);
  const rootFn = root.gradFn;
  if (!(rootFn instanceof Node)) {
    if (!root.requiresGrad) throw new Error("element 0 of tensors does not require grad and does not have a grad_fn");
    if (!root.grad) {
      const sink = new Tensor(root.shape);
      if (g) sink.data.set(g.data);
      else sink.data.fill(1);
      root.setOwnedGrad(sink);
    } else {
      const d = root.grad.data;
      for (let i = 0; i < d.length; i++) d[i] += g ? g.data[i] : 1;
    }
    return;
  }
  if (createGraph) runCreateGraph([rootFn], [g], retainGraph, accumulateLeaf);
  else run([rootFn], [g], retainGraph);
}

setBackwardHook(backward);

export interface GradOptions {
  /** The gradients of the outputs (PyTorch's grad_outputs); needed for outputs with more than one element. */
  gradOutputs?: (Tensor | null)[] | Tensor | null;
  retainGraph?: boolean;
  /** Record the gradients' computation, so they can be differentiated again (higher-order gradients); retainGraph then defaults to true. */
  createGraph?: boolean;
  /** An input the outputs do not depend on gets null instead of an error. */
  allowUnused?: boolean;
}

/**
 * PyTorch's torch.autograd.grad: the gradients of `outputs` with respect to
 * `inputs`, returned as new tensors; no `.grad` is touched.
 */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], options: GradOptions = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const { gradOutputs, createGraph = false, allowUnused = false } = options;
  outs.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`autograd.grad: outputs[${i}] must be a Tensor, got ${String(t)}`);
    t.assertAlive(`autograd.grad (outputs[${i}])`);
  });
  ins.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`autograd.grad: inputs[${i}] must be a Tensor, got ${String(t)}`);
    t.assertAlive(`autograd.grad (inputs[${i}])`);
    if (!t.requiresGrad && t.gradFn === null) throw new Error(`autograd.grad: One of the differentiated Tensors (inputs[${i}]) does not require grad`);
  });
  if (typeof createGraph !== "boolean") throw new TypeError(`autograd.grad: createGraph must be a boolean, got ${String(createGraph)}`);
  const retainGraph = options.retainGraph === undefined || options.retainGraph === null ? createGraph : checkRetain("autograd.grad", options.retainGraph);
  const gos = gradOutputs === undefined || gradOutputs === null ? [] : Array.isArray(gradOutputs) ? gradOutputs : [gradOutputs];
  if (gos.length && gos.length !== outs.length) {
    throw new RangeError(`autograd.grad: gradOutputs has ${gos.length} entries but there are ${outs.length} outputs`);
  }
  const seeds = outs.map((o, i) => checkGradient("autograd.grad", o, gos[i], i));
  const roots: Node[] = [];
  const rootGrads: (Tensor | null)[] = [];
  outs.forEach((o, i) => {
    if (!(o.gradFn instanceof Node)) {
      if (!ins.includes(o)) throw new Error(`autograd.grad: element ${i} of tensors does not require grad and does not have a grad_fn`);
      return;
    }
    roots.push(o.gradFn);
    rootGrads.push(seeds[i]);
  });
  // Leaves receive their gradient through the capture map; non-leaf inputs are read off their node before it runs.
  const captured = new Map<Tensor, { grad: Tensor | null }>();
  for (const t of ins) if (!(t.gradFn instanceof Node)) captured.set(t, { grad: null });
  const byNode = new Map<Node, Tensor[]>();
  for (const t of ins) {
    if (t.gradFn instanceof Node) byNode.set(t.gradFn, [...(byNode.get(t.gradFn) ?? []), t]);
  }
  const nonLeaf = new Map<Tensor, Tensor>();
  setCapture(captured);
  try {
    if (createGraph) {
      runCreateGraph(roots, rootGrads, retainGraph, (n, i, g) => {
        const c = captured.get(n.inputs[i]);
        if (c) c.grad = c.grad ? add(c.grad, g) : g;
      }, (n, g) => {
        for (const t of byNode.get(n) ?? []) nonLeaf.set(t, g);
      });
    } else run(roots, rootGrads, retainGraph, (n) => {
      for (const t of byNode.get(n) ?? []) {
        const copy = new Tensor(t.shape);
        copy.data.set(n.grad!.data);
        nonLeaf.set(t, copy);
      }
    });
  } finally {
    setCapture(null);
  }
  // An output that is itself an input contributes its seed directly.
  outs.forEach((o, i) => {
    if (!ins.includes(o) || o.gradFn instanceof Node) return;
    const c = captured.get(o)!;
    if (!c.grad) {
      c.grad = new Tensor(o.shape);
      c.grad.data.fill(0);
    }
    const d = c.grad.data;
    for (let j = 0; j < d.length; j++) d[j] += seeds[i] ? seeds[i]!.data[j] : 1;
  });
  return ins.map((t, i) => {
    const g = t.gradFn instanceof Node ? nonLeaf.get(t) ?? null : captured.get(t)!.grad;
    if (!g && !allowUnused) {
      throw new Error(
        `autograd.grad: One of the differentiated Tensors (inputs[${i}]) appears to not have been used in the graph. ` +
          "Set allow_unused=True if this is the desired behavior (in wasmtrain: { allowUnused: true }).",
      );
    }
    return g;
  });
}
