// The functional forms added with user-defined models (F.softmax, F.logSoftmax,
// F.silu, F.softplus, F.elu, F.embedding, F.oneHot and the losses) against
// PyTorch 1.13 (test/fixtures/generators/functional.py): outputs, and the
// gradients of sum(out · R) for a fixed random R.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { F, nn, tensor, Tensor } from "../../src/index.js";
import { expectClose } from "../helpers/close.js";

interface Arg {
  shape: number[];
  data: number[];
  grad: boolean;
}
interface Case {
  name: string;
  fn: string;
  args: Arg[];
  options: Record<string, unknown>;
  out: { shape: number[]; data: number[] };
  r: number[];
  grads: (number[] | null)[];
}
const fixtures = JSON.parse(readFileSync(new URL("../fixtures/functional.json", import.meta.url), "utf8")) as {
  cases: Case[];
  oneHot: { labels: number[][]; out: number[]; outInferred: number[] };
};

const toTensor = (a: Arg): Tensor => {
  const t = tensor(a.data, a.shape);
  if (a.grad) t.requiresGrad = true;
  return t;
};

function jsOptions(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = v && typeof v === "object" && "shape" in v ? toTensor(v as Arg) : v;
  return out;
}

const calls: Record<string, (args: Tensor[], o: Record<string, unknown>) => Tensor> = {
  softmax: ([x], o) => F.softmax(x, o.dim as number),
  log_softmax: ([x], o) => F.logSoftmax(x, o.dim as number),
  silu: ([x]) => F.silu(x),
  softplus: ([x], o) => F.softplus(x, o),
  elu: ([x], o) => F.elu(x, o),
  embedding: ([i, w], o) => F.embedding(i, w, o),
  cross_entropy: ([x, t], o) => F.crossEntropy(x, t, o),
  nll_loss: ([x, t], o) => F.nllLoss(x, t, o),
  mse_loss: ([x, t], o) => F.mseLoss(x, t, o),
  l1_loss: ([x, t], o) => F.l1Loss(x, t, o),
  smooth_l1_loss: ([x, t], o) => F.smoothL1Loss(x, t, o),
  huber_loss: ([x, t], o) => F.huberLoss(x, t, o),
  binary_cross_entropy: ([x, t], o) => F.binaryCrossEntropy(x, t, o),
  binary_cross_entropy_with_logits: ([x, t], o) => F.binaryCrossEntropyWithLogits(x, t, o),
};

/** Backpropagates sum(out · R): an MSE (sum) against out − R/2 has gradient R. */
function backwardWeighted(out: Tensor, r: number[]): void {
  const values = out.toArray();
  const target = tensor(Array.from(values, (v, i) => v - r[i] / 2), out.shape);
  F.mseLoss(out, target, { reduction: "sum" }).backward();
}

describe("functional forms match PyTorch 1.13 (forward and backward)", () => {
  for (const c of fixtures.cases) {
    it(c.name, () => {
      const args = c.args.map(toTensor);
      const out = calls[c.fn](args, jsOptions(c.options));
      expect(out.shape).toEqual(c.out.shape);
      expectClose(out.data, c.out.data, { rtol: 2e-5, atol: 2e-6, what: "output" });
      backwardWeighted(out, c.r);
      c.grads.forEach((g, i) => {
        if (!g) return;
        expect(args[i].grad, `grad of argument ${i}`).not.toBeNull();
        expectClose(args[i].grad!.data, g, { rtol: 1e-4, atol: 1e-5, what: `grad of argument ${i}` });
      });
    });
  }
});

describe("index inputs and oneHot", () => {
  it("class indices as Int32Array, number[] or a float tensor give the same loss; non-integers are an error", () => {
    const x = tensor([[1, 2, 3], [0, -1, 2]]);
    const a = F.crossEntropy(x, new Int32Array([2, 0])).item();
    expect(F.crossEntropy(x, [2, 0]).item()).toBe(a);
    expect(F.crossEntropy(x, tensor([2, 0])).item()).toBe(a);
    expect(() => F.crossEntropy(x, tensor([2, 0.5]))).toThrow("target[1] = 0.5 is not an integer index");
    expect(() => F.nllLoss(x, [2, 3])).toThrow(/target\[1\] = 3 is out of bounds for 3 classes/);
    expect(() => F.embedding([1.5], tensor([[1], [2]]))).toThrow("indices[0] = 1.5 is not an integer index");
    expect(() => F.embedding([2], tensor([[1], [2]]))).toThrow(/index out of range in self/);
  });

  it("oneHot matches PyTorch (explicit and inferred class counts)", () => {
    const o = F.oneHot(fixtures.oneHot.labels, 5);
    expect(o.shape).toEqual([2, 2, 5]);
    expect(Array.from(o.toArray())).toEqual(fixtures.oneHot.out);
    expect(Array.from(F.oneHot(new Int32Array([0, 3, 2])).toArray())).toEqual(fixtures.oneHot.outInferred);
    expect(() => F.oneHot([0, -1], 3)).toThrow("Class values must be non-negative");
    expect(() => F.oneHot([0, 3], 3)).toThrow("Class values must be smaller than num_classes");
  });
});

describe("modules use their functional forms", () => {
  it("Softmax, LogSoftmax, SiLU, Softplus, ELU, Embedding and the new losses give their functions' values", () => {
    const x = tensor([[0.5, -1, 2], [3, 0, -2]]);
    const same = (a: Tensor, b: Tensor) => expect(Array.from(a.toArray())).toEqual(Array.from(b.toArray()));
    same(new nn.Softmax({ dim: 1 }).forward(x), F.softmax(x, 1));
    same(new nn.LogSoftmax({ dim: 0 }).forward(x), F.logSoftmax(x, 0));
    same(new nn.SiLU().forward(x), F.silu(x));
    same(new nn.Softplus({ beta: 2, threshold: 3 }).forward(x), F.softplus(x, { beta: 2, threshold: 3 }));
    same(new nn.ELU({ alpha: 0.3 }).forward(x), F.elu(x, { alpha: 0.3 }));
    const emb = new nn.Embedding(4, 2, { paddingIdx: 1 });
    expect(Array.from(emb.weight.toArray().subarray(2, 4))).toEqual([0, 0]);
    same(emb.forward([[3, 1]]), F.embedding([[3, 1]], emb.weight));
    const t = tensor([[0, 1, 1], [1, 0, 0.5]]);
    const w = tensor([1, 2, 0.5]);
    same(new nn.L1Loss().forward(x, t), F.l1Loss(x, t));
    same(new nn.SmoothL1Loss({ beta: 0.5 }).forward(x, t), F.smoothL1Loss(x, t, { beta: 0.5 }));
    same(new nn.HuberLoss({ delta: 2 }).forward(x, t), F.huberLoss(x, t, { delta: 2 }));
    same(new nn.BCEWithLogitsLoss({ posWeight: w }).forward(x, t), F.binaryCrossEntropyWithLogits(x, t, { posWeight: w }));
    same(new nn.BCELoss({ weight: w }).forward(F.softmax(x, 1), t), F.binaryCrossEntropy(F.softmax(x, 1), t, { weight: w }));
    same(new nn.NLLLoss({ weight: w }).forward(F.logSoftmax(x, 1), [2, 0]), F.nllLoss(F.logSoftmax(x, 1), [2, 0], { weight: w }));
    expect(Object.keys(new nn.BCEWithLogitsLoss({ posWeight: w }).stateDict())).toEqual(["pos_weight"]);
    expect(Object.keys(new nn.NLLLoss({ weight: w }).stateDict())).toEqual(["weight"]);
    // CrossEntropyLoss takes probability targets and [N, C, d] inputs too.
    const probs = F.softmax(tensor([[1, 0, 0], [0, 2, 1]]), 1);
    same(new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(x, probs), F.crossEntropy(x, probs, { labelSmoothing: 0.1 }));
    const x3 = tensor([[[1, 2], [0, 1], [3, -1]]]);
    same(new nn.CrossEntropyLoss({ reduction: "none" }).forward(x3, [[2, 1]]), F.crossEntropy(x3, [[2, 1]], { reduction: "none" }));
  });
});

describe("Tensor methods", () => {
  it("x.softmax(dim), x.logSoftmax(dim), x.silu(), x.softplus(o), x.elu(o) are F's functions, gradients included", () => {
    const x = tensor([[0.5, -1, 2], [3, 0, -2]]);
    const same = (a: Tensor, b: Tensor) => expect(Array.from(a.toArray())).toEqual(Array.from(b.toArray()));
    same(x.softmax(1), F.softmax(x, 1));
    same(x.logSoftmax(0), F.logSoftmax(x, 0));
    same(x.silu(), F.silu(x));
    same(x.softplus({ beta: 2 }), F.softplus(x, { beta: 2 }));
    same(x.elu({ alpha: 0.5 }), F.elu(x, { alpha: 0.5 }));
    const p = tensor([1, 2, 3]);
    p.requiresGrad = true;
    F.mseLoss(p.softmax(0), tensor([0, 0, 1]), { reduction: "sum" }).backward();
    expect(p.grad).not.toBeNull();
  });
});

describe("bad input", () => {
  it("dims out of range, mismatched shapes, bad options, probabilities outside [0, 1]", () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(() => F.softmax(x, 2)).toThrow("Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    expect(() => F.l1Loss(x, tensor([1, 2, 3]))).toThrow("The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1");
    expect(() => F.binaryCrossEntropy(x.sigmoid(), tensor([1, 0]))).toThrow("Target size ([2]) must be the same as input size ([2, 2])");
    expect(() => F.mseLoss(x, x, { reduction: "avg" as never })).toThrow('"avg" is not a valid value for reduction');
    expect(() => F.huberLoss(x, x, { delta: 0 })).toThrow(/delta/);
    expect(() => F.binaryCrossEntropy(x, x)).toThrow("all elements of input should be between 0 and 1");
    expect(() => F.crossEntropy(x, [0, 1], { weight: tensor([1, 2, 3]) })).toThrow(/weight tensor should be defined either for all 2 classes/);
    expect(() => F.crossEntropy(x, [0, 1], { labelSmoothing: 2 })).toThrow("label_smoothing must be between 0.0 and 1.0");
    expect(() => F.softplus(x, { beta: 0 })).toThrow(/beta/);
    expect(() => new nn.Embedding(3, 2, { paddingIdx: 3 })).toThrow("Padding_idx must be within num_embeddings");
  });
});
