// CrossEntropyLoss options against PyTorch 1.13 (test/fixtures/make_nn_fixtures.py
// "crossEntropyIgnore"): ignoreIndex with every reduction, with and without
// label smoothing, a batch that is all ignored (mean → NaN, zero gradient) and
// an ignoreIndex inside the class range, each with and without class weights. Loss within 1e-5 relative, gradient
// within 1e-4 relative + 2e-6 absolute.
import { describe, expect, it } from "vitest";
import { nn, parameter, tensor } from "../../src/index.js";
import fixtures from "../fixtures/nn.json" with { type: "json" };

function expectClose(got: ArrayLike<number>, want: ArrayLike<number | null>, abs: number, rel: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    if (w === null) {
      if (!Number.isNaN(got[i])) throw new Error(`${what}[${i}]: got ${got[i]}, want NaN`);
      continue;
    }
    const err = Math.abs(got[i] - w);
    if (!(err <= abs + rel * Math.abs(w))) throw new Error(`${what}[${i}]: got ${got[i]}, want ${w} (error ${err})`);
  }
}

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
      expectClose(loss.data, c.loss, 1e-6, 1e-5, "loss");
      if (c.reduction !== "none") {
        loss.backward();
        expectClose(logits.grad!.data, c.grad, 2e-6, 1e-4, "grad");
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

describe("GELU({ approximate: 'tanh' })", () => {
  it("PyTorch's values: gelu_tanh(1) = 0.8411920, its derivative 1.0829641; the exact form is the default", () => {
    const g = new nn.GELU({ approximate: "tanh" });
    expect(g.describe()).toBe("GELU(approximate='tanh')");
    expect(new nn.GELU().approximate).toBe("none");
    const x = parameter([1, -2, 0.5]);
    const y = g.forward(x);
    expect(y.data[0]).toBeCloseTo(0.841192, 6);
    const loss = new nn.MSELoss({ reduction: "sum" }).forward(y, tensor([0, 0, 0]));
    loss.backward();
    // d/dx Σ y² = 2·y·y′
    expect(x.grad!.data[0] / (2 * y.data[0])).toBeCloseTo(1.0829641, 5);
    expect(() => new nn.GELU({ approximate: "fast" as "tanh" })).toThrow(`GELU: approximate must be 'none' or 'tanh', got "fast"`);
    x.dispose();
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
