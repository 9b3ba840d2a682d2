// Custom differentiable operations (PyTorch's torch.autograd.Function):
//
//   class Square extends autograd.Function {
//     static forward(ctx, x) { ctx.saveForBackward(x); return x.mul(x); }
//     static backward(ctx, g) { const [x] = ctx.savedTensors; return g.mul(x).mul(2); }
//   }
//   const y = Square.apply(x);
//
// forward runs with recording off; apply records one node whose backward
// calls the static backward (also with recording off) and adds what it
// returns into the inputs' gradients.
import { Tensor, shapeToString, sameShape } from "../tensor.js";
import { isGradEnabled, noGrad } from "./grad_mode.js";
import { Node, record, setGradFn, sinkFor } from "./node.js";
import { adopt } from "../lifetime.js";
import { addInto } from "../ops/kernels.js";

/** The context handed to forward and backward. */
export class FunctionCtx {
  #saved: Tensor[] = [];
  #versions: number[] = [];
  #freed = false;
  /** Set by apply: which inputs need a gradient (PyTorch's ctx.needs_input_grad). */
  needsInputGrad: boolean[] = [];

  /** Keeps tensors for backward; an in-place change to one before backward is an error there. */
  saveForBackward(...tensors: Tensor[]): void {
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`saveForBackward: argument ${i} must be a Tensor, got ${String(t)}`);
      t.assertAlive(`saveForBackward (argument ${i})`);
    });
    this.#saved = tensors;
    this.#versions = tensors.map((t) => t.version);
  }

  get savedTensors(): Tensor[] {
    if (this.#freed) {
      throw new Error(
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). " +
          "Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True " +
          "if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.",
      );
    }
    this.#saved.forEach((t, i) => {
      if (t.version !== this.#versions[i]) {
        throw new Error(
          "one of the variables needed for gradient computation has been modified by an inplace operation: " +
            `[torch.FloatTensor ${shapeToString(t.shape)}] is at version ${t.version}; expected version ${this.#versions[i]} instead.`,
        );
      }
    });
    return this.#saved.slice();
  }

  /** @internal the tensors to pin while the graph lives. */
  get savedForNode(): Tensor[] {
    return this.#saved;
  }

  /** @internal */
  free(): void {
    this.#freed = true;
  }
}

type FunctionClass = {
  name: string;
  forward(ctx: FunctionCtx, ...inputs: unknown[]): Tensor | Tensor[];
  backward(ctx: FunctionCtx, ...gradOutputs: Tensor[]): Tensor | null | (Tensor | null)[];
};

/** Subclass with static forward(ctx, ...inputs) and backward(ctx, ...gradOutputs); call with MyOp.apply(...inputs). */
export class Function {
  static forward(_ctx: FunctionCtx, ..._inputs: unknown[]): Tensor | Tensor[] {
    throw new Error(`${this.name}.forward is not implemented: define static forward(ctx, ...inputs) in your autograd.Function subclass`);
  }

  static backward(_ctx: FunctionCtx, ..._gradOutputs: Tensor[]): Tensor | null | (Tensor | null)[] {
    throw new Error(`${this.name}.backward is not implemented: define static backward(ctx, ...gradOutputs) in your autograd.Function subclass`);
  }

  /**
   * Runs forward (recording off) and records one node whose backward is the
   * static backward. A forward returning an array of tensors gives an array:
   * backward then receives one gradient per output (zeros for an output the
   * loss does not use, as PyTorch's materialized gradients).
   */
  static apply<C extends FunctionClass>(this: C, ...inputs: unknown[]): ReturnType<C["forward"]>;
  static apply(this: FunctionClass, ...inputs: unknown[]): Tensor | Tensor[] {
    const cls = this;
    const tensors = inputs.filter((x): x is Tensor => x instanceof Tensor);
    tensors.forEach((t) => t.assertAlive(`${cls.name}.apply`));
    const ctx = new FunctionCtx();
    ctx.needsInputGrad = inputs.map((x) => x instanceof Tensor && (x.requiresGrad || x.gradFn !== null));
    const produced = noGrad(() => cls.forward(ctx, ...inputs));
    const multi = Array.isArray(produced);
    const list = multi ? produced : [produced];
    list.forEach((p, k) => {
      if (!(p instanceof Tensor)) {
        throw new TypeError(
          `${cls.name}.forward must return a Tensor or an array of Tensors, got ${multi ? `${String(p)} at index ${k}` : String(p)}`,
        );
      }
    });
    // An input (or an output listed twice) returned as is gets a fresh handle, so nodes attach to the outputs only.
    const outs = list.map((p, k) => (inputs.includes(p) || p.gradFn !== null || list.indexOf(p) < k ? adopt(p.detach()) : p));
    const tensorIndex = inputs.map((x) => (x instanceof Tensor ? tensors.indexOf(x) : -1));
    /** Adds what the user's backward returned (given the outputs' gradients) into the inputs' sinks. */
    const backwardInto = (node: Node, grads: Tensor[]): void => {
      const result = noGrad(() => cls.backward(ctx, ...grads));
      toInputs(result, (gi, ti) => {
        const sink = sinkFor(node, ti);
        if (sink) addInto(gi, sink.tensor, sink.acc);
      });
    };
    const toInputs = (result: Tensor | null | (Tensor | null)[], each: (g: Tensor, tensorIndex: number) => void): void => {
      const grads = Array.isArray(result) ? result : [result];
      if (grads.length !== inputs.length) {
        throw new Error(`function ${cls.name}Backward returned an incorrect number of gradients (expected ${inputs.length}, got ${grads.length})`);
      }
      grads.forEach((gi, k) => {
        const ti = tensorIndex[k];
        if (gi === null || gi === undefined || ti < 0) return;
        if (!(gi instanceof Tensor)) throw new TypeError(`${cls.name}.backward: gradient ${k} must be a Tensor or null, got ${String(gi)}`);
        const input = tensors[ti];
        if (!sameShape(gi.shape, input.shape)) {
          throw new RangeError(
            `Function ${cls.name}Backward returned an invalid gradient at index ${k} - got ${shapeToString(gi.shape)} but expected shape compatible with ${shapeToString(input.shape)}`,
          );
        }
        each(gi, ti);
      });
    };
    if (!multi) {
      const out = outs[0];
      record(out, tensors, () => {
        const node: Node = new Node(`${cls.name}Backward`, tensors, out.shape, () => backwardInto(node, [node.grad!]), ctx.savedForNode, () => ctx.free());
        // createGraph: the user's backward, recorded (differentiable when written with operations)
        node.diff = (g) => {
          const grads: (Tensor | null)[] = tensors.map(() => null);
          toInputs(cls.backward(ctx, g), (gi, ti) => (grads[ti] = gi));
          return grads;
        };
        return node;
      });
      return out;
    }
    if (!isGradEnabled() || !tensors.some((t) => t.requiresGrad || t.gradFn !== null)) return outs;
    // Several outputs: one node runs the user's backward with all the outputs' gradients, gathered
    // (by one small node per output) into consecutive slices of one flat buffer.
    const offsets: number[] = [];
    let total = 0;
    for (const o of outs) {
      offsets.push(total);
      total += o.size;
    }
    const main: Node = new Node(
      `${cls.name}Backward`, tensors, [total],
      () => {
        const flat = main.grad!.data;
        const grads = outs.map((o, k) => {
          const g = new Tensor(o.shape, { held: true });
          g.data.set(flat.subarray(offsets[k], offsets[k] + o.size));
          return g;
        });
        try {
          backwardInto(main, grads);
        } finally {
          for (const g of grads) g.dispose();
        }
      },
      ctx.savedForNode,
      () => ctx.free(),
    );
    const carrier = new Tensor([total], { held: true });
    setGradFn(carrier, main);
    outs.forEach((o, k) => {
      const part: Node = new Node(`${cls.name}Backward`, [carrier], o.shape, () => {
        const s = sinkFor(part, 0);
        if (!s) return;
        const d = s.tensor.data;
        if (!s.acc) d.fill(0); // the first output to arrive clears every slice: unused outputs get zeros
        const g = part.grad!.data;
        const at = offsets[k];
        for (let i = 0; i < g.length; i++) d[at + i] += g[i];
      });
      setGradFn(o, part);
    });
    carrier.dispose(); // the output nodes keep the main node
    return outs;
  }
}
