// The module API (names, traversal, modes, state dicts), autograd semantics
// (accumulation, noGrad, eval, errors PyTorch raises) and bad input.
import { describe, expect, it } from "vitest";
import { Generator, manualSeed, nn, noGrad, parameter, tensor, Tensor, zeros } from "../../src/index.js";

const x8 = () => tensor(Array.from({ length: 4 * 8 }, (_, i) => Math.sin(i * 1.3)), [4, 8]);

function mlp(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.BatchNorm1d(16), new nn.Linear(16, 3));
}

function step(model: nn.Module, x: Tensor, labels = [0, 1, 2, 1]): Tensor {
  const loss = new nn.CrossEntropyLoss().forward(model.forward(x), labels);
  loss.backward();
  return loss;
}

describe("module tree", () => {
  it("Sequential names children 0, 1, ... and parameters as PyTorch", () => {
    const m = mlp();
    expect(m.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"]);
    expect(m.children().length).toBe(4);
    expect(m.modules().length).toBe(5);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(["2.running_mean", "2.running_var", "2.num_batches_tracked"]);
    const seen: string[] = [];
    m.apply((mod) => seen.push(mod.constructor.name));
    expect(seen).toEqual(["Linear", "ReLU", "BatchNorm1d", "Linear", "Sequential"]);
    m.eval();
    expect(m.modules().every((mod) => !mod.training)).toBe(true);
    m.train();
    expect(m.modules().every((mod) => mod.training)).toBe(true);
    m.dispose();
  });

  it("Linear: weight [out, in], bias [out], PyTorch's default bounds ±1/√in", () => {
    const l = new nn.Linear(100, 30);
    expect(l.weight.shape).toEqual([30, 100]);
    expect(l.bias!.shape).toEqual([30]);
    const b = 1 / Math.sqrt(100);
    for (const v of l.weight.data) expect(Math.abs(v)).toBeLessThanOrEqual(b);
    for (const v of l.bias!.data) expect(Math.abs(v)).toBeLessThanOrEqual(b);
    // 3000 draws of U(-b, b): the sample std is within 5% of b/√3 (a > 5σ event otherwise)
    const w = Array.from(l.weight.data);
    const sd = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(Math.abs(sd / (b / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
    expect(new nn.Linear(3, 2, { bias: false }).bias).toBeNull();
    expect(l.parameters().every((p) => p.requiresGrad)).toBe(true);
    l.dispose();
  });

  it("stateDict copies; loadStateDict round-trips through JSON-like objects", () => {
    const a = mlp(), b = mlp();
    const x = x8();
    a.forward(x);
    const sd = a.stateDict();
    const plain = Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, { shape: [...t.shape], data: Array.from(t.data) }]));
    b.loadStateDict(plain);
    a.eval();
    b.eval();
    expect(Array.from(b.forward(x).data)).toEqual(Array.from(a.forward(x).data));
    expect(() => b.loadStateDict({ ...plain, extra: plain["0.bias"] })).toThrow(/unexpected keys \[extra\]/);
    for (const t of Object.values(sd)) t.dispose();
    a.dispose();
    b.dispose();
    x.dispose();
  });

  it("clone() copies parameters and buffers and gets its own scratch buffers", () => {
    const m = mlp();
    const x = x8();
    step(m, x);
    const c = m.clone();
    expect(c.parameters().every((p, i) => p !== m.parameters()[i])).toBe(true);
    expect(c.stateDict()["2.running_mean"].toArray()).toEqual(m.stateDict()["2.running_mean"].toArray());
    m.eval();
    c.eval();
    const a = m.forward(x);
    const b = c.forward(x);
    expect(b).not.toBe(a);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    c.train();
    c.zeroGrad();
    m.zeroGrad();
    step(c, x);
    expect(c.parameters().every((p) => p.grad !== null)).toBe(true);
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
    m.dispose();
    c.dispose();
    x.dispose();
  });

  it("nn.Parameter works with and without new", () => {
    const p = new nn.Parameter([1, 2, 3]);
    const q = nn.Parameter(zeros([2]));
    expect(p).toBeInstanceOf(Tensor);
    expect(p.requiresGrad && q.requiresGrad).toBe(true);
    p.dispose();
    q.dispose();
  });

  it("x instanceof nn.Parameter is PyTorch's isinstance(x, nn.Parameter)", () => {
    const lin = new nn.Linear(3, 2);
    const bn = new nn.BatchNorm1d(2);
    expect(parameter([1, 2]) instanceof nn.Parameter).toBe(true);
    expect(new nn.Parameter([1]) instanceof nn.Parameter).toBe(true);
    expect(nn.Parameter([1]) instanceof nn.Parameter).toBe(true);
    expect([...lin.parameters(), ...bn.parameters()].every((p) => p instanceof nn.Parameter)).toBe(true);
    // not parameters: plain tensors (even with requiresGrad), clones, buffers, outputs, non-tensors
    const t = zeros([2]);
    t.requiresGrad = true;
    expect(t instanceof nn.Parameter).toBe(false);
    expect(lin.weight.clone() instanceof nn.Parameter).toBe(false);
    expect([bn.runningMean, bn.runningVar, bn.numBatchesTracked].some((b) => b instanceof nn.Parameter)).toBe(false);
    expect(lin.forward(zeros([1, 3])) instanceof nn.Parameter).toBe(false);
    expect(([1, 2] as unknown) instanceof nn.Parameter).toBe(false);
    lin.dispose();
    bn.dispose();
  });
});

describe("autograd", () => {
  it("backward fills every parameter's grad; the input gets none", () => {
    const m = mlp();
    const x = x8();
    step(m, x);
    for (const [n, p] of m.namedParameters()) expect(p.grad, n).not.toBeNull();
    expect(x.grad).toBeNull();
    m.dispose();
    x.dispose();
  });

  it("gradients accumulate across backward calls until zeroGrad", () => {
    const m = new nn.Sequential(new nn.Linear(8, 5), new nn.Tanh(), new nn.Linear(5, 3));
    const x = x8();
    step(m, x);
    const first = m.parameters().map((p) => p.grad!.toArray());
    step(m, x);
    m.parameters().forEach((p, i) => p.grad!.data.forEach((v, j) => expect(v).toBeCloseTo(2 * first[i][j], 6)));
    m.zeroGrad();
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
    step(m, x);
    m.parameters().forEach((p, i) => p.grad!.data.forEach((v, j) => expect(v).toBeCloseTo(first[i][j], 6)));
    m.zeroGrad({ setToNone: false });
    expect(m.parameters().every((p) => p.grad!.data.every((v) => v === 0))).toBe(true);
    m.dispose();
    x.dispose();
  });

  it("an input with requiresGrad receives its gradient", () => {
    const l = new nn.Linear(8, 3);
    const x = x8();
    x.requiresGrad = true;
    const loss = new nn.MSELoss().forward(l.forward(x), zeros([4, 3]));
    loss.backward();
    expect(x.grad!.shape).toEqual([4, 8]);
    // dL/dx = (2/n)·(y)·W
    const y = l.forward(x).toArray();
    const W = l.weight.data;
    for (let i = 0; i < 4; i++) for (let k = 0; k < 8; k++) {
      let s = 0;
      for (let j = 0; j < 3; j++) s += (2 / 12) * y[i * 3 + j] * W[j * 8 + k];
      expect(x.grad!.data[i * 8 + k]).toBeCloseTo(s, 6);
    }
    l.dispose();
    x.dispose();
  });

  it("noGrad and eval mode record nothing", () => {
    const m = mlp();
    const x = x8();
    const out = noGrad(() => m.forward(x));
    expect(out.gradFn).toBeNull();
    expect(out.requiresGrad).toBe(false);
    m.eval();
    const loss = new nn.CrossEntropyLoss().forward(m.forward(x), [0, 1, 2, 0]);
    expect(loss.gradFn).toBeNull();
    expect(() => loss.backward()).toThrow("element 0 of tensors does not require grad and does not have a grad_fn");
    m.dispose();
    x.dispose();
  });

  it("an eval-mode module inside a training model passes gradients through (frozen BatchNorm, eval Dropout)", () => {
    const m = new nn.Sequential(new nn.Linear(8, 6), new nn.BatchNorm1d(6), new nn.Dropout(), new nn.Linear(6, 3));
    m.at(1)!.eval();
    m.at(2)!.eval();
    const bn = m.at(1) as nn.BatchNorm1d;
    const x = x8();
    step(m, x);
    for (const [n, p] of m.namedParameters()) expect(p.grad, n).not.toBeNull();
    expect(bn.numBatchesTracked!.data[0]).toBe(0);
    // with running statistics (mean 0, var 1) BatchNorm is y = x·w/√(1+eps) + b: dL/db1 = W_bn·Σ dL/dy / √(1+eps)
    const dBnBias = bn.bias!.grad!.toArray();
    const scale = bn.weight!.data.map((w) => w / Math.sqrt(1 + 1e-5));
    m.at(0)!.parameters()[1].grad!.data.forEach((v, j) => expect(v).toBeCloseTo(dBnBias[j] * scale[j], 5));
    m.dispose();
    x.dispose();
  });

  it("backward on a non-scalar is PyTorch's error; a graph runs backward once", () => {
    const l = new nn.Linear(8, 3);
    const x = x8();
    expect(() => l.forward(x).backward()).toThrow("grad can be implicitly created only for scalar outputs");
    const loss = new nn.CrossEntropyLoss().forward(l.forward(x), [0, 1, 2, 0]);
    loss.backward();
    const g = l.weight.grad!.toArray();
    expect(() => loss.backward()).toThrow(/backward through the graph a second time/);
    expect(Array.from(l.weight.grad!.data)).toEqual(Array.from(g));
    l.dispose();
    x.dispose();
  });

  it("Dropout: identity in eval; in training zero or 1/(1-p) times the input, and the same mask in backward", () => {
    const d = new nn.Dropout({ p: 0.25 });
    const x = parameter(Array.from({ length: 4000 }, (_, i) => 1 + (i % 7)), [40, 100]);
    d.eval();
    expect(d.forward(x)).toBe(x);
    d.train();
    const y = d.forward(x);
    let kept = 0;
    for (let i = 0; i < x.size; i++) {
      const v = y.data[i];
      if (v !== 0) {
        kept++;
        expect(v).toBeCloseTo(x.data[i] / 0.75, 5);
      }
    }
    // kept ~ Binomial(4000, 0.75): mean 3000, sd 27.4; ±6 sd
    expect(Math.abs(kept - 3000)).toBeLessThan(165);
    const loss = new nn.MSELoss({ reduction: "sum" }).forward(y, zeros([40, 100]));
    loss.backward();
    for (let i = 0; i < x.size; i++) expect(x.grad!.data[i]).toBeCloseTo(2 * y.data[i] * (y.data[i] === 0 ? 0 : 1 / 0.75), 4);
    x.dispose();
  });

  it("Linear's init and Dropout's masks are reproducible from the seed / generator", () => {
    manualSeed(42);
    const a = new nn.Linear(5, 4);
    manualSeed(42);
    const b = new nn.Linear(5, 4);
    expect(Array.from(a.weight.data)).toEqual(Array.from(b.weight.data));
    expect(Array.from(a.bias!.data)).toEqual(Array.from(b.bias!.data));
    const x = tensor(new Float32Array(64).fill(1), [8, 8]);
    const masks = [1, 2].map(() => new nn.Dropout({ p: 0.5, generator: new Generator(7) }).forward(x).toArray());
    expect(Array.from(masks[0])).toEqual(Array.from(masks[1]));
    a.dispose();
    b.dispose();
    x.dispose();
  });

  it("Flatten merges the trailing dimensions and passes gradients back", () => {
    const f = new nn.Flatten();
    const x = parameter(Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
    const y = f.forward(x);
    expect(y.shape).toEqual([2, 12]);
    expect(Array.from(y.data)).toEqual(Array.from(x.data));
    new nn.MSELoss({ reduction: "sum" }).forward(y, zeros([2, 12])).backward();
    expect(Array.from(x.grad!.data)).toEqual(Array.from(x.data, (v) => 2 * v));
    x.dispose();
  });

  it("CrossEntropyLoss takes labels as Int32Array, number[] or a Tensor of integral floats; reduction 'none' gives per-row losses", () => {
    const logits = tensor([[1, 2, 3], [3, 1, 0]]);
    const ce = new nn.CrossEntropyLoss();
    const a = ce.forward(logits, Int32Array.from([2, 0])).item();
    const lab = tensor([2, 0]);
    expect(ce.forward(logits, [2, 0]).item()).toBe(a);
    expect(ce.forward(logits, lab).item()).toBe(a);
    const per = new nn.CrossEntropyLoss({ reduction: "none" }).forward(logits, [2, 0]);
    const l0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
    const l1 = Math.log(Math.exp(3) + Math.exp(1) + 1) - 3;
    expect(per.data[0]).toBeCloseTo(l0, 6);
    expect(per.data[1]).toBeCloseTo(l1, 6);
    expect(a).toBeCloseTo((l0 + l1) / 2, 6);
    logits.dispose();
    lab.dispose();
  });
});

describe("bad input fails before any state changes", () => {
  it("feature size mismatch names the layer", () => {
    const l = new nn.Linear(784, 256);
    const x = zeros([2, 783]);
    expect(() => l.forward(x)).toThrow("Linear(784, 256): expected input with 784 features, got 783");
    const bn = new nn.BatchNorm1d(16);
    expect(() => bn.forward(x)).toThrow("BatchNorm1d(16): expected input with 16 features, got 783");
    expect(() => new nn.LayerNorm(10).forward(x)).toThrow(/LayerNorm\(10\): expected input with 10 features/);
    l.dispose();
    x.dispose();
    bn.dispose();
  });

  it("labels out of range or non-integer", () => {
    const logits = zeros([3, 4]);
    const ce = new nn.CrossEntropyLoss();
    expect(() => ce.forward(logits, [0, 4, 1])).toThrow("CrossEntropyLoss(): labels[1] = 4 is out of range for 4 classes (expected 0 <= label < 4)");
    expect(() => ce.forward(logits, [0, -1, 1])).toThrow(/labels\[1\] = -1 is out of range/);
    expect(() => ce.forward(logits, [0, 1.5, 1])).toThrow("CrossEntropyLoss(): labels[1] = 1.5 is not an integer class index");
    expect(() => ce.forward(logits, [0, 1])).toThrow(/expected 3 labels/);
    logits.dispose();
  });

  it("NaN in the input names the layer and the position; BatchNorm's running statistics stay untouched", () => {
    const x = x8();
    x.data[13] = NaN;
    expect(() => new nn.Linear(8, 2).forward(x)).toThrow("Linear(8, 2): input contains NaN at [1, 5]");
    const bn = new nn.BatchNorm1d(8);
    const before = bn.stateDict();
    expect(() => bn.forward(x)).toThrow("BatchNorm1d(8): input contains NaN at [1, 5]");
    const after = bn.stateDict();
    for (const k of Object.keys(before)) expect(Array.from(after[k].data), k).toEqual(Array.from(before[k].data));
    expect(() => new nn.LayerNorm(8).forward(x)).toThrow("LayerNorm(8): input contains NaN at [1, 5]");
    expect(() => new nn.CrossEntropyLoss().forward(x, [0, 1, 2, 3])).toThrow("CrossEntropyLoss(): input contains NaN at [1, 5]");
    expect(() => new nn.MSELoss().forward(x, zeros([4, 8]))).toThrow("MSELoss(): input contains NaN at [1, 5]");
    bn.eval();
    expect(() => bn.forward(x)).toThrow("BatchNorm1d(8): input contains NaN at [1, 5]");
    for (const t of [...Object.values(before), ...Object.values(after), x]) t.dispose();
  });

  it("disposed tensors are refused with the layer named", () => {
    const x = x8();
    x.dispose();
    expect(() => new nn.Linear(8, 2).forward(x)).toThrow(/Linear\(8, 2\) \(input\): Tensor\[4, 8\] has been disposed/);
    expect(() => new nn.ReLU().forward(x)).toThrow(/disposed/);
    const l = new nn.Linear(8, 2);
    l.weight.dispose();
    const y = x8();
    expect(() => l.forward(y)).toThrow(/Linear\(8, 2\) \(weight\): Tensor\[2, 8\] has been disposed/);
    y.dispose();
  });

  it("BatchNorm1d without running statistics normalises with batch statistics in eval too", () => {
    const bn = new nn.BatchNorm1d(2, { trackRunningStats: false, affine: false });
    expect(bn.stateDict()).toEqual({});
    bn.eval();
    const x = tensor([[1, 10], [3, 20], [5, 30]]);
    const y = bn.forward(x).toArray();
    const s = Math.sqrt(8 / 3 + 1e-5);
    expect(y[0]).toBeCloseTo(-2 / s, 5);
    expect(y[4]).toBeCloseTo(2 / s, 5);
    x.dispose();
    bn.dispose();
  });

  it("BatchNorm1d in training needs more than one row", () => {
    const bn = new nn.BatchNorm1d(3);
    const x = zeros([1, 3]);
    expect(() => bn.forward(x)).toThrow("BatchNorm1d(3): expected more than 1 value per channel when training, got input size [1, 3]");
    expect(bn.numBatchesTracked!.data[0]).toBe(0);
    x.dispose();
  });

  it("bad constructor arguments", () => {
    expect(() => new nn.Linear(0, 3)).toThrow(RangeError);
    expect(() => new nn.Dropout({ p: 1.5 })).toThrow(/p must be a probability/);
    expect(() => new nn.CrossEntropyLoss({ labelSmoothing: -0.1 })).toThrow(/labelSmoothing/);
    expect(() => new nn.MSELoss({ reduction: "avg" as "mean" })).toThrow(/reduction/);
  });
});
