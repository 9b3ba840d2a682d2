// Autograd semantics as PyTorch's: accumulation into .grad, noGrad, eval
// mode, graphs backpropagated once, and the errors PyTorch raises.
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
