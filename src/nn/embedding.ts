// Embedding (a lookup table of rows, PyTorch's nn.Embedding / F.embedding)
// and F.oneHot.
import { Tensor, shapeToString } from "../tensor.js";
import { Module } from "./module.js";
import { sinkFor } from "./autograd.js";
import { IntBuffer, embeddingBackward, embeddingForward } from "./new_kernels.js";
import { checkOptionsArg, checkTensorArg, output, recordOp, toIndices, type IndexLike } from "./op_helpers.js";
import { checkFeatures } from "./linear.js";
import { normal } from "../init.js";
import { describe as describeValue, optionsArg } from "../validate.js";

export interface EmbeddingOptions {
  /** Rows at this index read as given but receive no gradient (PyTorch's padding_idx; negative counts from the end). */
  paddingIdx?: number | null;
}

function checkPaddingIdx(what: string, paddingIdx: unknown, num: number): number | null {
  if (paddingIdx === undefined || paddingIdx === null) return null;
  if (typeof paddingIdx !== "number" || !Number.isInteger(paddingIdx)) throw new TypeError(`${what}: paddingIdx must be an integer or null, got ${describeValue(paddingIdx)}`);
  if (paddingIdx >= num || paddingIdx < -num) {
    throw new RangeError(`${what}: Padding_idx must be within num_embeddings (paddingIdx ${paddingIdx}, numEmbeddings ${num})`);
  }
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}

/** weight[indices]: shape [...indices.shape, dim]; the gradient adds into the rows used (none into paddingIdx). */
export function embedding(indices: IndexLike, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  const what = "embedding";
  checkTensorArg(what, weight, "weight");
  checkOptionsArg(what, options, ["paddingIdx"]);
  if (weight.ndim !== 2) throw new RangeError(`${what}: weight must be 2-D [numEmbeddings, embeddingDim], got ${shapeToString(weight.shape)}`);
  const [num, dim] = weight.shape;
  const pad = checkPaddingIdx(what, options.paddingIdx, num);
  const { values, shape } = toIndices(what, indices);
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] >= num) {
      throw new RangeError(`${what}: index out of range in self (indices[${i}] = ${values[i]}, weight has ${num} rows)`);
    }
  }
  const idx = new IntBuffer(values);
  const out = output([...shape, dim]);
  embeddingForward(weight, idx, values.length, dim, out);
  recordOp("EmbeddingBackward0", [weight], out, [], (dy, node) => {
    const dw = sinkFor(node, 0);
    if (dw) embeddingBackward(dy, idx, values.length, dim, num, pad ?? -1, dw.tensor, dw.acc);
  }, () => idx.dispose());
  return out;
}

/** A lookup table [numEmbeddings, embeddingDim], initialised N(0, 1) (the paddingIdx row zeroed), as PyTorch. */
export class Embedding extends Module {
  static override readonly moduleName: string = "Embedding";
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, options?: EmbeddingOptions) {
    super();
    const { paddingIdx = null } = optionsArg("Embedding", options, ["paddingIdx"]) as EmbeddingOptions;
    checkFeatures("Embedding", "numEmbeddings", numEmbeddings);
    checkFeatures("Embedding", "embeddingDim", embeddingDim);
    this.paddingIdx = checkPaddingIdx("Embedding", paddingIdx, numEmbeddings);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    const w = normal(new Tensor([numEmbeddings, embeddingDim]));
    if (this.paddingIdx !== null) w.data.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
    this.weight = w;
    this.registerParameter("weight", w);
  }

  override describe(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim})`;
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? "" : `, padding_idx=${this.paddingIdx}`}`;
  }

  override forward(indices: IndexLike): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }
}

/** One-hot rows: shape [...labels.shape, numClasses] of 0/1 (numClasses −1: the largest label + 1), as float32. */
export function oneHot(labels: IndexLike, numClasses = -1): Tensor {
  const what = "oneHot";
  const { values, shape } = toIndices(what, labels, "labels");
  if (typeof numClasses !== "number" || !Number.isInteger(numClasses) || numClasses < -1) {
    throw new (typeof numClasses === "number" ? RangeError : TypeError)(`${what}: numClasses must be a non-negative integer or -1, got ${describeValue(numClasses)}`);
  }
  let max = -1;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0) throw new RangeError(`${what}: Class values must be non-negative (labels[${i}] = ${values[i]})`);
    max = Math.max(max, values[i]);
  }
  const C = numClasses === -1 ? max + 1 : numClasses;
  if (numClasses === -1 && values.length === 0) throw new RangeError(`${what}: Can not infer total number of classes from empty tensor.`);
  if (max >= C) throw new RangeError(`${what}: Class values must be smaller than num_classes (got ${max} with numClasses ${C})`);
  const out = output([...shape, C]);
  const d = out.data;
  d.fill(0);
  for (let i = 0; i < values.length; i++) d[i * C + values[i]] = 1;
  return out;
}
