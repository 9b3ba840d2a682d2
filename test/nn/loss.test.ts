// CrossEntropyLoss options against PyTorch 1.13 (test/fixtures/generate.py
// "crossEntropyIgnore"): ignoreIndex with every reduction, with and without
// label smoothing, a batch that is all ignored (mean → NaN, zero gradient) and
// an ignoreIndex inside the class range, each with and without class weights. Loss within 1e-5 relative, gradient
// within 1e-4 relative + 2e-6 absolute.
import { describe, expect, it, vi } from "vitest";
import { F, nn, parameter, tensor, zeros, type Tensor } from "../../src/index.js";
import fixtures from "../fixtures/nn.json" with { type: "json" };
import { expectClose } from "../helpers/close.js";
import { loadFixture } from "../helpers/fixture.js";

const f = fixtures.crossEntropyIgnore;

describe("CrossEntropyLoss ignoreIndex and class weights match PyTorch", () => {
  for (const c of f.cases) {
    const name = `labels ${JSON.stringify(c.labels)}, ignoreIndex ${c.ignoreIndex}, weight ${JSON.stringify(c.weight)}, smoothing ${c.labelSmoothing}, ${c.reduction}`;
    it(name, () => {
      const logits = parameter(f.logits, f.shape);
      const ce = new nn.CrossEntropyLoss({
        ignoreIndex: c.ignoreIndex, labelSmoothing: c.labelSmoothing, reduction: c.reduction as nn.Reduction, weight: c.weight,
      });
      const loss = ce.forward(logits, c.labels);
      expectClose(loss.data, c.loss.map((v) => v ?? NaN), { atol: 1e-6, rtol: 1e-5, what: "loss" });
      if (c.reduction !== "none") {
        loss.backward();
        expectClose(logits.grad!.data, c.grad.map((v) => v ?? NaN), { atol: 2e-6, rtol: 1e-4, what: "grad" });
      }
      logits.dispose();
    });
  }

  it("the default ignoreIndex is -100; other negative labels are still errors", () => {
    const logits = parameter(f.logits, f.shape);
    const ce = new nn.CrossEntropyLoss();
    expect(ce.ignoreIndex).toBe(-100);
    expect(() => ce.forward(logits, [0, -1, 2, 1, 3])).toThrow("CrossEntropyLoss(): labels[1] = -1 is out of range for 4 classes (expected 0 <= label < 4)");
    expect(() => new nn.CrossEntropyLoss({ ignoreIndex: 0.5 })).toThrow("CrossEntropyLoss: ignoreIndex must be an integer, got 0.5");
    logits.dispose();
  });

  it("weight is a buffer named 'weight' (as PyTorch's state dict) and must have one entry per class", () => {
    const ce = new nn.CrossEntropyLoss({ weight: tensor([1, 2, 3]) });
    expect(Object.keys(ce.stateDict())).toEqual(["weight"]);
    expect(Object.keys(new nn.CrossEntropyLoss().stateDict())).toEqual([]);
    const logits = parameter(f.logits, f.shape);
    expect(() => ce.forward(logits, [0, 1, 2, 1, 0])).toThrow("CrossEntropyLoss(): weight has 3 entries but the input has 4 classes");
    expect(() => new nn.CrossEntropyLoss({ weight: [1, NaN] })).toThrow("CrossEntropyLoss: weight[1] must be a finite number, got NaN");
    logits.dispose();
    ce.dispose();
  });
});

describe("CrossEntropyLoss on an unbatched [C] input", () => {
  it("equals the one-row batch (loss and gradient), with a number, [label] or 0-D tensor label", () => {
    const row = [0.3, -1.2, 2.5, 0.7];
    const x = parameter(row);
    const xb = parameter([row]);
    const ce = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
    const batched = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(xb, [2]);
    batched.backward();
    const label0d = tensor([2], []);
    for (const label of [2, [2], label0d]) {
      x.grad = null;
      const loss = ce.forward(x, label as nn.Labels);
      expect(loss.shape).toEqual([]);
      expect(loss.item()).toBe(batched.item());
      loss.backward();
      expect(x.grad!.shape).toEqual([4]);
      expect(Array.from(x.grad!.data)).toEqual(Array.from(xb.grad!.data));
    }
    // closed form without smoothing: lse − x_y
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    const none = new nn.CrossEntropyLoss({ reduction: "none" }).forward(x, 2);
    expect(none.shape).toEqual([]);
    expect(none.item()).toBeCloseTo(lse - 2.5, 6);
    expect(() => ce.forward(x, [1, 2])).toThrow("CrossEntropyLoss(): expected 1 labels (one per row of the input), got 2");
    for (const t of [x, xb, label0d]) t.dispose();
  });
});

// CrossEntropyLoss at extreme logits (±1e4, a row of ties, large
// finite values) for every reduction, with and without label smoothing:
// loss and input gradient against PyTorch 1.13 (test/fixtures/generate.py).
// Tolerance: relative 1e-5 with an absolute floor 1e-6 (float32 log-softmax).
const fx = loadFixture("nn.json").extremeCrossEntropy as {
  logits: number[][];
  labels: number[];
  cases: { reduction: "mean" | "sum" | "none"; labelSmoothing: number; loss: number[]; grad: number[] }[];
};

describe("CrossEntropyLoss at extreme logits", () => {
  for (const c of fx.cases) {
    it(`reduction ${c.reduction}, labelSmoothing ${c.labelSmoothing}`, () => {
      const x = parameter(fx.logits);
      const loss = new nn.CrossEntropyLoss({ reduction: c.reduction, labelSmoothing: c.labelSmoothing }).forward(x, fx.labels);
      expectClose(loss.toArray(), c.loss, { rtol: 1e-5, atol: 1e-6, what: "loss" });
      if (c.reduction !== "none") {
        loss.backward();
        expectClose(x.grad!.toArray(), c.grad, { rtol: 1e-5, atol: 1e-6, what: "grad" });
      }
    });
  }
});

// Against PyTorch 1.13 (test/fixtures/generate.py).
// Tolerance: relative 1e-5 + absolute 2e-6 (float32 kernels).
const nnFx = loadFixture("nn.json").modules;
const TOL = { rtol: 1e-5, atol: 2e-6 }; // float32 kernels against PyTorch

describe("CrossEntropyLoss against PyTorch 1.13", () => {
  for (const c of nnFx.ce.cases) {
    it(`${c.reduction}, labelSmoothing ${c.labelSmoothing}, weight ${c.weight ? "yes" : "no"}, ignoreIndex ${c.ignoreIndex}, labels ${JSON.stringify(c.labels)}`, () => {
      const x = parameter(nnFx.ce.x, nnFx.ce.shape);
      const loss = new nn.CrossEntropyLoss({ reduction: c.reduction, labelSmoothing: c.labelSmoothing, weight: c.weight ?? undefined, ignoreIndex: c.ignoreIndex }).forward(x, c.labels);
      expectClose(loss.toArray(), c.loss, { ...TOL, what: "loss" });
      if (c.grad) {
        loss.backward();
        expectClose(x.grad!.toArray(), c.grad, { ...TOL, what: "input gradient" });
      }
    });
  }
  it("an out-of-range label: the error contains PyTorch's text", () => {
    const text = String(nnFx.ce_errors.label_oob).replace(/^IndexError: /, "");
    expect(() => new nn.CrossEntropyLoss().forward(parameter(nnFx.ce.x, nnFx.ce.shape), [0, 4, 1, 1, 1, 1])).toThrow(text);
  });
  it("unbatched [C] input with one label and label smoothing", () => {
    const x = parameter(nnFx.ce.x.slice(0, 4), [4]);
    const loss = new nn.CrossEntropyLoss({ labelSmoothing: 0.2 }).forward(x, 2);
    expectClose(loss.toArray(), nnFx.ce_unbatched.loss, { ...TOL, what: "loss" });
    loss.backward();
    expectClose(x.grad!.toArray(), nnFx.ce_unbatched.grad, { ...TOL, what: "input gradient" });
  });
});

describe("MSELoss against PyTorch 1.13", () => {
  for (const c of nnFx.mse.cases) {
    it(`reduction ${c.reduction}`, () => {
      const a = parameter(nnFx.mse.a, [3, 4]);
      const b = parameter(nnFx.mse.b, [3, 4]);
      const loss = new nn.MSELoss({ reduction: c.reduction }).forward(a, b);
      expectClose(loss.toArray(), c.loss, { ...TOL, what: "loss" });
      if (c.reduction !== "none") {
        loss.backward();
        expectClose(a.grad!.toArray(), c.ga, { ...TOL, what: "input gradient" });
        expectClose(b.grad!.toArray(), c.gb, { ...TOL, what: "target gradient" });
      }
    });
  }
});

describe("CrossEntropyLoss labels", () => {
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

describe("pointwise losses with a target of another shape (PyTorch 1.13 broadcasts, with a UserWarning)", () => {
  const fx = loadFixture("autograd.json").lossBroadcast;
  it("mse/l1/smoothL1/huber (functions and MSELoss): PyTorch's warning once, values and gradients into input and target", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const fns: Record<string, (x: Tensor, t: Tensor) => Tensor> = {
        mseLoss: (x, t) => F.mseLoss(x, t), l1Loss: (x, t) => F.l1Loss(x, t),
        smoothL1Loss: (x, t) => F.smoothL1Loss(x, t), huberLoss: (x, t) => F.huberLoss(x, t),
      };
      for (const [name, f] of Object.entries(fns)) {
        const c = fx.cases[name];
        const before = warn.mock.calls.length;
        for (let round = 0; round < 2; round++) {
          const x = tensor(fx.x, [2, 2]).requiresGrad_();
          const t = tensor(fx.t, [2]).requiresGrad_();
          const loss = f(x, t);
          loss.backward();
          expectClose([loss.item()], [c.loss], { rtol: 1e-6, what: `${name} value` });
          expectClose(x.grad!.data, c.gx, { rtol: 1e-6, atol: 1e-7, what: `${name} d/dinput` });
          expectClose(t.grad!.data, c.gt, { rtol: 1e-6, atol: 1e-7, what: `${name} d/dtarget (summed over the broadcast rows)` });
        }
        expect(warn.mock.calls.length - before, `${name}: warned once`).toBe(1);
        expect(String(warn.mock.calls[before][0])).toContain(c.warning);
      }
      const x = tensor(fx.x, [2, 2]).requiresGrad_();
      const t = tensor(fx.t, [2]);
      const loss = new nn.MSELoss().forward(x, t);
      expectClose([loss.item()], [fx.cases.mseLoss.loss], { rtol: 1e-6, what: "MSELoss module" });
      expect(() => F.l1Loss(x, tensor([0, 0, 0]))).toThrow(fx.error);
    } finally {
      warn.mockRestore();
    }
  });
});

describe("gradients into the BCE losses' targets (PyTorch 1.13)", () => {
  const fx = loadFixture("autograd.json").lossBroadcast.bce;
  it("binaryCrossEntropy (weight, mean) and binaryCrossEntropyWithLogits (weight, posWeight, sum)", () => {
    const run: Record<string, (x: Tensor, t: Tensor) => Tensor> = {
      binaryCrossEntropy: (x, t) => F.binaryCrossEntropy(x, t, { weight: tensor(fx.weight) }),
      binaryCrossEntropyWithLogits: (x, t) =>
        F.binaryCrossEntropyWithLogits(x, t, { weight: tensor(fx.weight), posWeight: tensor(fx.posWeight), reduction: "sum" }),
    };
    for (const [name, f] of Object.entries(run)) {
      const c = fx.cases[name];
      const x = tensor(fx.input, [2, 2]).requiresGrad_();
      const t = tensor(fx.target, [2, 2]).requiresGrad_();
      const loss = f(x, t);
      loss.backward();
      expectClose([loss.item()], [c.loss], { rtol: 1e-5, what: `${name} value` });
      expectClose(x.grad!.data, c.gx, { rtol: 1e-5, atol: 1e-6, what: `${name} d/dinput` });
      expectClose(t.grad!.data, c.gt, { rtol: 1e-5, atol: 1e-6, what: `${name} d/dtarget` });
    }
  });
});

describe("gradients into cross-entropy probability targets (PyTorch 1.13)", () => {
  const fx = loadFixture("autograd.json").lossBroadcast.crossEntropy;
  it("[N, C, d] input; mean with class weights and label smoothing, and 'none' with an upstream gradient", () => {
    for (const [reduction, options] of [["mean", { weight: tensor(fx.weight), labelSmoothing: 0.1 }], ["none", {}]] as const) {
      const c = fx.cases[reduction];
      const x = tensor(fx.input, [2, 3, 2]).requiresGrad_();
      const t = tensor(fx.target, [2, 3, 2]).requiresGrad_();
      const loss = F.crossEntropy(x, t, { reduction, ...options });
      expectClose(loss.data, c.loss, { rtol: 1e-5, atol: 1e-6, what: `${reduction} value` });
      loss.backward(tensor(c.upstream, [...loss.shape]));
      expectClose(x.grad!.data, c.gx, { rtol: 1e-5, atol: 1e-6, what: `${reduction} d/dinput` });
      expectClose(t.grad!.data, c.gt, { rtol: 1e-5, atol: 1e-6, what: `${reduction} d/dtarget` });
    }
  });
});
