// torch.nn.utils: parameters as one flat vector and back, and parameter counts.
import { Tensor, shapeToString } from "../tensor.js";
import { Module } from "./module.js";
import { Node, isGradEnabled, needsGrad, setGradFn, sinkFor, wantsGrad } from "./autograd.js";
import { describe as describeValue } from "../validate.js";

function tensorList(what: string, params: Iterable<Tensor>): Tensor[] {
  if (params instanceof Tensor) return [params];
  if (params === null || typeof params !== "object" || typeof (params as Iterable<Tensor>)[Symbol.iterator] !== "function") {
    throw new TypeError(`${what}: parameters must be an iterable of Tensors, got ${describeValue(params)}`);
  }
  const list = [...params];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TypeError(`${what}: parameters[${i}] is not a Tensor: ${describeValue(p)}`);
    p.assertAlive(`${what} (parameters[${i}])`);
  });
  return list;
}

/**
 * The parameters flattened and concatenated into one 1-D tensor (PyTorch's
 * parameters_to_vector). Differentiable: a loss of the vector sends
 * gradients back to each parameter.
 */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  const list = tensorList("parametersToVector", parameters);
  const total = list.reduce((n, p) => n + p.size, 0);
  const out = new Tensor([total]);
  let offset = 0;
  for (const p of list) {
    out.data.set(p.data, offset);
    offset += p.size;
  }
  if (!(isGradEnabled() && list.some(needsGrad))) return out;
  const dy = new Tensor([total]);
  const node: Node = new Node(
    "parametersToVector", list, dy,
    () => {
      let at = 0;
      list.forEach((p, i) => {
        if (wantsGrad(node, i)) {
          const sink = sinkFor(node, i)!;
          const g = sink.tensor.data;
          const src = dy.data.subarray(at, at + p.size);
          if (sink.acc) for (let j = 0; j < p.size; j++) g[j] += src[j];
          else g.set(src);
        }
        at += p.size;
      });
    },
    [],
    () => dy.dispose(),
  );
  setGradFn(out, node);
  return out;
}

/** Copies consecutive slices of the 1-D `vec` into the parameters (PyTorch's vector_to_parameters). */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`vectorToParameters: expected a Tensor, but got: ${describeValue(vec)}`);
  vec.assertAlive("vectorToParameters (vec)");
  if (vec.ndim !== 1) throw new RangeError(`vectorToParameters: vec must be 1-D, got shape ${shapeToString(vec.shape)}`);
  const list = tensorList("vectorToParameters", parameters);
  const total = list.reduce((n, p) => n + p.size, 0);
  if (total !== vec.size) {
    throw new RangeError(`vectorToParameters: the parameters hold ${total} values but vec has ${vec.size}`);
  }
  let offset = 0;
  for (const p of list) {
    p.data.set(vec.data.subarray(offset, offset + p.size));
    // PyTorch swaps p.data (a graph that saved p keeps the old values); here the values change in place, so backward must refuse
    p.bumpVersion();
    offset += p.size;
  }
}

export interface NumParametersOptions {
  /** Count only parameters with requiresGrad (default false: all). */
  trainableOnly?: boolean;
}

/** How many values the module's parameters hold (each shared parameter once). */
export function numParameters(model: Module, { trainableOnly = false }: NumParametersOptions = {}): number {
  if (!(model instanceof Module)) throw new TypeError(`numParameters: model must be an nn.Module, got ${describeValue(model)}`);
  if (typeof trainableOnly !== "boolean") throw new TypeError(`numParameters: trainableOnly must be a boolean, got ${describeValue(trainableOnly)}`);
  let n = 0;
  for (const p of model.parameters()) if (!trainableOnly || p.requiresGrad) n += p.size;
  return n;
}
