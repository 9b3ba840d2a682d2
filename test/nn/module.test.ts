// The module API (names, traversal, modes, state dicts), bad input, output
// lifetimes and buffer pools, and steady-state memory.
import { describe, expect, it } from "vitest";
import { Generator, manualSeed, nn, noGrad, parameter, tensor, Tensor, zeros, memoryStats, optim, ones } from "../../src/index.js";
import { loadFixture } from "../helpers/fixture.js";
import { expectClose } from "../helpers/close.js";
import fixtures from "../fixtures/nn.json" with { type: "json" };
import { readFileSync } from "node:fs";

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

// Against PyTorch 1.13 (test/fixtures/generate.py).
// Tolerance: relative 1e-5 + absolute 2e-6 (float32 kernels).
const f = loadFixture("nn.json").modules;
const TOL = { rtol: 1e-5, atol: 2e-6 }; // float32 kernels against PyTorch
const arange = (n: number) => Array.from({ length: n }, (_, i) => i);

/** backward() of Σ y·coef: MSELoss(sum) of y against y − coef/2 has gradient coef with respect to y. */
function backwardWeighted(y: Tensor, coef: number[]): void {
  const target = tensor(Array.from(y.toArray()).map((v, i) => v - coef[i] / 2), y.shape);
  new nn.MSELoss({ reduction: "sum" }).forward(y, target).backward();
}

describe("module structure and loadStateDict as PyTorch 1.13", () => {
  const build = () =>
    new nn.Sequential(
      new nn.Linear(3, 4), new nn.ReLU(), new nn.Sequential(new nn.Linear(4, 4, { bias: false }), new nn.BatchNorm1d(4)), new nn.LayerNorm(4), new nn.Linear(4, 2),
    );
  it("state-dict keys, parameter, buffer and module names in PyTorch's order", () => {
    const seq = build();
    expect(Object.keys(seq.stateDict())).toEqual(f.seq.sd_keys);
    expect(seq.namedParameters().map(([n]) => n)).toEqual(f.seq.param_names);
    expect(seq.namedBuffers().map(([n]) => n)).toEqual(f.seq.buffer_names);
    expect(seq.namedModules().map(([n]) => n)).toEqual(f.seq.module_names);
  });
  it("loadStateDict returns the missing and unexpected keys (PyTorch's missing_keys / unexpected_keys)", () => {
    const seq = build();
    const sd: Record<string, Tensor> = seq.stateDict();
    expect(seq.loadStateDict(sd)).toEqual({ missingKeys: f.seq.load_ok.missing, unexpectedKeys: f.seq.load_ok.unexpected });
    const partial: Record<string, Tensor> = { ...sd, "extra.w": zeros([1]) };
    delete partial["0.weight"];
    const before = Array.from(seq.namedParameters()[0][1].toArray());
    expect(() => seq.loadStateDict(partial)).toThrow(/\(missing keys \[0\.weight\], unexpected keys \[extra\.w\]\)/);
    const r = seq.loadStateDict(partial, { strict: false });
    expect(r).toEqual({ missingKeys: f.seq.load_nonstrict.missing, unexpectedKeys: f.seq.load_nonstrict.unexpected });
    expect(Array.from(seq.namedParameters()[0][1].toArray())).toEqual(before);
    expect(() => seq.loadStateDict(partial)).toThrow(String(f.seq.load_strict_err).replace(/^RuntimeError: /, ""));
    // A size mismatch is an error with or without strict, as in PyTorch.
    expect(f.seq.load_shape_err_nonstrict).toMatch(/size mismatch for 0\.weight/);
    const wrong = { ...sd, "0.weight": zeros([3, 3]) };
    expect(() => seq.loadStateDict(wrong, { strict: false })).toThrow(/0\.weight has shape \[3, 3\]/);
    // PyTorch's text, with its torch.Size([3, 3]) written [3, 3].
    const sizeText = String(f.seq.load_shape_err).replace(/^[^]*\n\t/, "").replace(/torch\.Size\((\[[^\]]*\])\)/g, "$1");
    expect(sizeText).toMatch(/^size mismatch for 0\.weight/);
    expect(() => seq.loadStateDict(wrong)).toThrow(sizeText);
  });
  it("Linear without bias on a 3-D input", () => {
    const lin = new nn.Linear(3, 2, { bias: false });
    lin.weight.data.set([1.0, -2.0, 0.5, 0.3, 0.2, -1.0]);
    const x = parameter(f.linear.x, [2, 2, 3]);
    const y = lin.forward(x);
    expectClose(y.toArray(), f.linear.y, { ...TOL, what: "output" });
    backwardWeighted(y, arange(8));
    expectClose(x.grad!.toArray(), f.linear.gx, { ...TOL, what: "input gradient" });
    expectClose(lin.weight.grad!.toArray(), f.linear.gw, { ...TOL, what: "weight gradient" });
    expect(Object.keys(lin.stateDict())).toEqual(f.linear.keys);
  });
});

describe("nn error texts contain PyTorch 1.13's", () => {
  const calls: Record<string, () => unknown> = {
    "LayerNorm(4) on [2, 3, 5]": () => new nn.LayerNorm(4).forward(zeros([2, 3, 5])),
    "LayerNorm([3, 4]) on [2, 4, 4]": () => new nn.LayerNorm([3, 4]).forward(zeros([2, 4, 4])),
    "Linear(4, 3) on [2, 5]": () => new nn.Linear(4, 3).forward(zeros([2, 5])),
    "Linear(4, 3) on [2, 3, 5]": () => new nn.Linear(4, 3).forward(zeros([2, 3, 5])),
    "BatchNorm1d(3) on [2, 4]": () => new nn.BatchNorm1d(3).forward(zeros([2, 4])),
    "BatchNorm1d(3, track false) on [2, 4]": () => new nn.BatchNorm1d(3, { trackRunningStats: false }).forward(zeros([2, 4])),
    "BatchNorm1d(3) on [2, 3, 4, 5]": () => new nn.BatchNorm1d(3).forward(zeros([2, 3, 4, 5])),
    "Dropout(1.5)": () => new nn.Dropout({ p: 1.5 }),
    "CrossEntropyLoss labelSmoothing 1.5": () => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 }),
    "GELU approximate x": () => new nn.GELU({ approximate: "x" as never }),
    "Flatten() on [5]": () => new nn.Flatten().forward(zeros([5])),
    "Flatten(0, 5) on [2, 3]": () => new nn.Flatten({ startDim: 0, endDim: 5 }).forward(zeros([2, 3])),
    "Flatten(-5, -1) on [2, 3]": () => new nn.Flatten({ startDim: -5, endDim: -1 }).forward(zeros([2, 3])),
    "Flatten(1, 0) on [2, 3]": () => new nn.Flatten({ startDim: 1, endDim: 0 }).forward(zeros([2, 3])),
    "CrossEntropyLoss 3 labels for 2 rows": () => new nn.CrossEntropyLoss().forward(zeros([2, 3]), [0, 1, 2]),
    "CrossEntropyLoss weight [4] for 3 classes": () => new nn.CrossEntropyLoss({ weight: [1, 1, 1, 1] }).forward(zeros([2, 3]), [0, 1]),
  };
  for (const [what, text] of Object.entries(f.errors as Record<string, string>)) {
    it(what, () => {
      expect(calls[what], `no call for ${what}`).toBeTypeOf("function");
      expect(calls[what]).toThrow(text);
    });
  }
});

// Output lifetimes (PyTorch's semantics for what users keep): a tensor that
// forward() returned keeps its values until a backward() has consumed the graph
// that used it or it is disposed; a module reuses a buffer only then. A module
// used twice in one forward pass (weight tying) backpropagates through both
// uses, as PyTorch does (fixture: test/fixtures/generate.py "shared").
const batch = (seed: number, n = 4, k = 8) => tensor(Array.from({ length: n * k }, (_, i) => Math.sin(i * 1.3 + seed)), [n, k]);

describe("forward outputs persist until consumed", () => {
  it("two forwards of a Linear (training, graph recorded) return two tensors; the first keeps its values", () => {
    const l = new nn.Linear(8, 3);
    const x1 = batch(1), x2 = batch(2);
    const a = l.forward(x1);
    const a0 = a.toArray();
    const b = l.forward(x2);
    expect(b).not.toBe(a);
    expect(Array.from(a.data)).toEqual(Array.from(a0));
    expect(Array.from(b.data)).not.toEqual(Array.from(a0));
    for (const t of [a, b, x1, x2]) t.dispose();
    l.dispose();
  });

  it("noGrad, eval and every activation and loss: earlier results keep their values", () => {
    const x1 = batch(1), x2 = batch(2);
    const modules: nn.Module[] = [new nn.ReLU(), new nn.Tanh(), new nn.GELU(), new nn.Dropout({ p: 0.5 }), new nn.LayerNorm(8), new nn.BatchNorm1d(8), new nn.Flatten({ startDim: 0 })];
    for (const m of modules) {
      for (const mode of ["train", "noGrad", "eval"] as const) {
        m.train(mode !== "eval");
        const run = (x: Tensor) => (mode === "noGrad" ? noGrad(() => m.forward(x)) : m.forward(x));
        const a = run(x1);
        const a0 = a.toArray();
        const b = run(x2);
        if (a === x1) continue; // eval Dropout is the identity
        expect(b, `${m.describe()} ${mode}`).not.toBe(a);
        expect(Array.from(a.data), `${m.describe()} ${mode}`).toEqual(Array.from(a0));
      }
    }
    const ce = new nn.CrossEntropyLoss();
    const logits1 = tensor([[1, 2, 3]]), logits2 = tensor([[3, 2, 1]]);
    const l1 = ce.forward(logits1, [0]);
    const v1 = l1.item();
    const l2 = ce.forward(logits2, [0]);
    expect(l1.item()).toBe(v1);
    expect(l2.item()).not.toBe(v1);
    const mse = new nn.MSELoss();
    const m1 = mse.forward(x1, zeros([4, 8]));
    const mv = m1.item();
    mse.forward(x2, zeros([4, 8]));
    expect(m1.item()).toBe(mv);
    for (const t of [x1, x2, logits1, logits2]) t.dispose();
  });

  it("a graph stays valid when its modules run forward again before backward (same gradients as alone)", () => {
    const make = () => new nn.Sequential(new nn.Linear(8, 6), new nn.Tanh(), new nn.BatchNorm1d(6), new nn.Linear(6, 3));
    const m = make();
    const ref = make();
    ref.loadStateDict(m.stateDict());
    const x1 = batch(1), x2 = batch(2);
    const lossFn = new nn.CrossEntropyLoss();
    const loss1 = lossFn.forward(m.forward(x1), [0, 1, 2, 1]);
    const v1 = loss1.item();
    const loss2 = lossFn.forward(m.forward(x2), [2, 2, 0, 1]);
    loss1.backward();
    expect(loss1.item()).toBe(v1);
    const refLoss = new nn.CrossEntropyLoss().forward(ref.forward(x1), [0, 1, 2, 1]);
    refLoss.backward();
    expect(v1).toBe(refLoss.item());
    ref.parameters().forEach((p, i) => expectClose(m.parameters()[i].grad!.data, p.grad!.data, { atol: 0, rtol: 0, what: `grad ${i}` }));
    loss2.backward(); // the second graph is intact too
    m.dispose();
    ref.dispose();
    x1.dispose();
    x2.dispose();
  });

  it("after warm-up a step allocates nothing; each forward returns a new tensor, and an old one throws 'released' (never a reused value)", () => {
    const l = new nn.Linear(8, 3);
    const x = batch(1);
    const mse = new nn.MSELoss();
    const target = zeros([4, 3]);
    for (let i = 0; i < 2; i++) mse.forward(l.forward(x), target).backward();
    const before = memoryStats();
    const y = l.forward(x);
    const y0 = y.toArray();
    const loss = mse.forward(y, target);
    loss.backward();
    expect(memoryStats().allocatedBytes).toBe(before.allocatedBytes);
    const y2 = l.forward(x);
    expect(y2).not.toBe(y);
    expect(Array.from(y.data)).toEqual(Array.from(y0)); // valid through the next call
    l.forward(x); // the second call after y's reuses its memory: y is released
    expect(() => y.data).toThrow(/was released: the library reused its memory when Linear\(8, 3\)\.forward\(\) ran for the second time/);
    expect(() => y.toArray()).toThrow(/clone\(\)/);
    l.dispose();
    x.dispose();
    target.dispose();
  });

  it("inference loops: Sequential reuses its intermediate buffers; disposing the outputs keeps memory flat", () => {
    const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.BatchNorm1d(16), new nn.Dropout(), new nn.Linear(16, 3));
    const x = batch(3);
    model.eval();
    model.forward(x).dispose();
    const mark = memoryStats();
    for (let i = 0; i < 50; i++) {
      const out = noGrad(() => model.forward(x));
      expect(out.shape).toEqual([4, 3]);
      out.dispose();
      expect(memoryStats().allocatedBytes).toBe(mark.allocatedBytes);
      expect(memoryStats().liveTensors).toBe(mark.liveTensors);
    }
    // kept outputs stay valid
    const a = model.forward(x);
    const a0 = a.toArray();
    const b = model.forward(batch(4));
    expect(Array.from(a.data)).toEqual(Array.from(a0));
    a.dispose();
    b.dispose();
    model.dispose();
    x.dispose();
  });

  it("backward refuses a graph whose saved tensor was disposed or handed back and reused (no gradient changes)", () => {
    const l1 = new nn.Linear(8, 5), l2 = new nn.Linear(5, 2);
    const x = batch(1);
    const target = zeros([4, 2]);
    const mse = new nn.MSELoss();
    const h = l1.forward(x);
    const loss = mse.forward(l2.forward(h), target);
    h.dispose();
    expect(() => loss.backward()).toThrow(/Linear\(5, 2\) saved for this graph \(Tensor\[4, 5\]\) has been disposed/);
    expect([...l1.parameters(), ...l2.parameters()].every((p) => p.grad === null)).toBe(true);
    // a frozen first layer records no graph; handing its output back while l2's graph saved it
    for (const p of l1.parameters()) p.requiresGrad = false;
    const h2 = l1.forward(x);
    expect(h2.gradFn).toBeNull();
    const loss2 = mse.forward(l2.forward(h2), target);
    expect(l1.releaseOutput(h2)).toBe(true);
    l1.forward(batch(2));
    expect(() => loss2.backward()).toThrow(/overwritten by a later forward/);
    expect(l2.parameters().every((p) => p.grad === null)).toBe(true);
    expect(() => h2.data).toThrow(/released: it was handed back with Linear\(8, 5\)\.releaseOutput\(\)/);
    // an output still in an unconsumed graph cannot be handed back
    const y = l2.forward(l1.forward(x));
    expect(() => l2.releaseOutput(y)).toThrow(/not consumed/);
    l1.dispose();
    l2.dispose();
    x.dispose();
    target.dispose();
  });
});

describe("a module used twice in one forward pass (weight tying) matches PyTorch", () => {
  const f = fixtures.shared;
  it("Sequential(l, tanh, l, tanh, head): loss, output and gradients summed over both uses", () => {
    const l = new nn.Linear(3, 3);
    const t = new nn.Tanh();
    const model = new nn.Sequential(l, t, l, t, new nn.Linear(3, 2));
    expect(model.namedParameters().map(([n]) => n)).toEqual(Object.keys(f.grads));
    // The fixture lists each parameter once (named_parameters); a state dict,
    // as PyTorch's, lists the shared layer under both of its paths.
    model.loadStateDict({ ...f.state, "2.weight": f.state["0.weight"], "2.bias": f.state["0.bias"] });
    const x = tensor(f.x, [4, 3]);
    const target = tensor(f.target, [4, 2]);
    const mse = new nn.MSELoss();
    const mark = { bytes: 0 };
    for (let stepIndex = 0; stepIndex < 4; stepIndex++) {
      model.zeroGrad();
      const out = model.forward(x);
      const loss = mse.forward(out, target);
      expectClose(out.data, f.output, { atol: 1e-6, rtol: 1e-5, what: "output" });
      expectClose([loss.item()], [f.loss], { atol: 1e-6, rtol: 1e-5, what: "loss" });
      loss.backward();
      for (const [name, p] of model.namedParameters()) {
        expectClose(p.grad!.data, f.grads[name as keyof typeof f.grads], { atol: 2e-6, rtol: 1e-4, what: `grad ${name}` });
      }
      // steady state: the second use's buffers come back too
      if (stepIndex === 1) mark.bytes = memoryStats().allocatedBytes;
      if (stepIndex > 1) expect(memoryStats().allocatedBytes).toBe(mark.bytes);
    }
    model.dispose();
    x.dispose();
    target.dispose();
  });
});

// A training step allocates no WebAssembly memory once warmed up: 200 steps of
// forward, backward, zeroGrad and a manual SGD update keep allocatedBytes and
// liveTensors exactly where they were after step 3.
describe("steady-state training allocates nothing", () => {
  // Step 4 rather than 3: two losses alternate, and each module's lifetime clock
  // holds its last two calls' results (src/lifetime.ts), so the loss called
  // every other step has warmed up by step 4.
  it("200 steps: allocatedBytes and liveTensors stay flat after step 4 (two alternating losses)", () => {
    const model = new nn.Sequential(
      new nn.Linear(20, 32), new nn.ReLU(), new nn.BatchNorm1d(32), new nn.Linear(32, 32), new nn.GELU(),
      new nn.LayerNorm(32), new nn.Dropout({ p: 0.2 }), new nn.Tanh(), new nn.Linear(32, 5),
    );
    const ce = new nn.CrossEntropyLoss({ labelSmoothing: 0.05 });
    const mse = new nn.MSELoss();
    const N = 16;
    const x = tensor(Array.from({ length: N * 20 }, (_, i) => Math.sin(i * 0.37)), [N, 20]);
    const labels = Int32Array.from({ length: N }, (_, i) => i % 5);
    const target = tensor(new Float32Array(N * 5), [N, 5]);
    const params = model.parameters();
    let mark: ReturnType<typeof memoryStats> | null = null;
    let first = 0;
    let last = 0;
    for (let stepIndex = 1; stepIndex <= 200; stepIndex++) {
      model.zeroGrad();
      const out = model.forward(x);
      const loss = stepIndex % 2 ? ce.forward(out, labels) : mse.forward(out, target);
      loss.backward();
      for (const p of params) {
        const w = p.data;
        const g = p.grad!.data;
        for (let i = 0; i < w.length; i++) w[i] -= 0.05 * g[i];
      }
      if (stepIndex === 1) first = loss.item();
      if (stepIndex === 199) last = loss.item();
      if (stepIndex === 4) mark = memoryStats();
      if (stepIndex > 4) {
        const now = memoryStats();
        expect(now.allocatedBytes, `step ${stepIndex}`).toBe(mark!.allocatedBytes);
        expect(now.liveTensors, `step ${stepIndex}`).toBe(mark!.liveTensors);
      }
    }
    expect(last).toBeLessThan(first); // it trains
    model.dispose();
    x.dispose();
    target.dispose();
  });

  it("200 steps of the 784-256-10 MLP with optim.Adam: flat after step 3", () => {
    const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const lossFn = new nn.CrossEntropyLoss();
    const N = 32;
    const x = tensor(Array.from({ length: N * 784 }, (_, i) => (i * 7919) % 256 / 255), [N, 784]);
    const labels = Array.from({ length: N }, (_, i) => (i * 3) % 10);
    let mark: ReturnType<typeof memoryStats> | null = null;
    let first = 0;
    let last = 0;
    for (let i = 1; i <= 200; i++) {
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(x), labels);
      loss.backward();
      opt.step();
      if (i === 1) first = loss.item();
      last = loss.item();
      if (i === 3) mark = memoryStats();
      if (i > 3) {
        expect(memoryStats().allocatedBytes, `step ${i}`).toBe(mark!.allocatedBytes);
        expect(memoryStats().liveTensors, `step ${i}`).toBe(mark!.liveTensors);
      }
    }
    expect(last).toBeLessThan(first / 2); // it trains
    model.dispose();
    x.dispose();
  });
});

// User-defined modules (PyTorch's __setattr__ registration), the register*
// methods and their errors, containers, PyTorch's repr, shared children in
// state dicts, and nn.utils — against PyTorch 1.13's behaviour recorded in
// test/fixtures/modules.json (test/fixtures/generators/modules.py).
interface Names {
  stateDict: string[];
  namedParameters: string[];
  namedBuffers: string[];
  namedModules: string[];
  namedChildren: string[];
  numParameters: number;
  repr: string;
}
const moduleFixtures = JSON.parse(readFileSync(new URL("../fixtures/modules.json", import.meta.url), "utf8")) as {
  reprs: Record<string, string>;
  net: Names;
  tower: Names;
  twice: Names;
  tied: Names;
  errors: Record<string, { type: string; message: string }>;
};

function names(m: nn.Module): Names {
  return {
    stateDict: Object.keys(m.stateDict()),
    namedParameters: m.namedParameters().map(([k]) => k),
    namedBuffers: m.namedBuffers().map(([k]) => k),
    namedModules: m.namedModules().map(([k]) => k),
    namedChildren: [...m.namedChildren()].map(([k]) => k),
    numParameters: nn.numParameters(m),
    repr: m.toString(),
  };
}

/** PyTorch's Net (test/fixtures/generators/modules.py), assigned in the constructor. */
class Net extends nn.Module {
  static override readonly moduleName = "Net";
  fc1: nn.Linear;
  scale: Tensor;
  act: nn.ReLU;
  fc2: nn.Linear;
  offset: Tensor;
  constructor() {
    super();
    this.fc1 = new nn.Linear(4, 8);
    this.scale = parameter(ones([8]));
    this.registerBuffer("steps", zeros([1]));
    this.act = new nn.ReLU();
    this.fc2 = new nn.Linear(8, 3);
    this.offset = parameter(zeros([3]));
    this.registerBuffer("cache", zeros([2]), { persistent: false });
  }
}

/** The same module written with class fields (defined, not assigned). */
class NetFields extends nn.Module {
  static override readonly moduleName = "Net";
  fc1 = new nn.Linear(4, 8);
  scale = parameter(ones([8]));
  steps = this.registerBuffer("steps", zeros([1]));
  act = new nn.ReLU();
  fc2 = new nn.Linear(8, 3);
  offset = parameter(zeros([3]));
  cache = this.registerBuffer("cache", zeros([2]), { persistent: false });
}

class Block extends nn.Module {
  static override readonly moduleName = "Block";
  norm: nn.LayerNorm;
  fc: nn.Linear;
  constructor(d: number) {
    super();
    this.norm = new nn.LayerNorm(d);
    this.fc = new nn.Linear(d, d);
  }
}

class Tower extends nn.Module {
  static override readonly moduleName = "Tower";
  blocks = new nn.ModuleList([new Block(4), new Block(4)]);
  head = new nn.ModuleDict({ out: new nn.Linear(4, 2) });
  bn = new nn.BatchNorm1d(2);
}

class Tied extends nn.Module {
  static override readonly moduleName = "Tied";
  enc = new nn.Linear(3, 3);
  dec = new nn.Linear(3, 3);
  constructor() {
    super();
    (this.dec as { weight: Tensor }).weight = this.enc.weight;
  }
}

describe("user-defined modules register what they assign (PyTorch's names and order)", () => {
  it("constructor assignment: parameters and buffers first, then children, each in assignment order", () => {
    const net = new Net();
    expect(names(net)).toEqual(moduleFixtures.net);
    expect(net.scale).toBeInstanceOf(nn.Parameter);
    expect((net as unknown as { steps: Tensor }).steps).toBeInstanceOf(Tensor);
    expect(net.parameters()).toEqual([net.scale, net.offset, net.fc1.weight, net.fc1.bias, net.fc2.weight, net.fc2.bias]);
  });

  it("class fields register the same way", () => {
    expect(names(new NetFields())).toEqual(moduleFixtures.net);
  });

  it("ModuleList, ModuleDict and nested user modules", () => {
    expect(names(new Tower())).toEqual(moduleFixtures.tower);
  });

  it("tied weights: one parameter under two names, listed once by namedParameters, under both in stateDict", () => {
    const m = new Tied();
    expect(names(m)).toEqual(moduleFixtures.tied);
    expect(m.dec.weight).toBe(m.enc.weight);
  });

  it("a module holding the same child three times lists every path in stateDict (strict-loads PyTorch's dict both ways)", () => {
    const shared = new nn.Linear(2, 3);
    const twice = new nn.Sequential(shared, new nn.ReLU(), shared, new nn.ReLU(), shared);
    expect(names(twice)).toEqual(moduleFixtures.twice);
    const sd = twice.stateDict();
    // A dict keyed as PyTorch's loads strictly; every path writes the one tensor.
    const fresh = new nn.Linear(2, 3);
    const again = new nn.Sequential(fresh, new nn.ReLU(), fresh, new nn.ReLU(), fresh);
    expect(again.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(fresh.weight.toArray()).toEqual(shared.weight.toArray());
    expect(() => again.loadStateDict({ "0.weight": sd["0.weight"], "0.bias": sd["0.bias"] })).toThrow(/Missing key\(s\) in state_dict: "2.weight"/);
  });

  it("instanceof, typeName, subclasses' private fields and getters work through the registration proxy", () => {
    class Scaled extends nn.Module {
      static override readonly moduleName = "Scaled";
      #factor: number;
      inner = new nn.Identity();
      constructor(factor: number) {
        super();
        this.#factor = factor;
      }
      get factor(): number {
        return this.#factor;
      }
      bump(): number {
        return ++this.#factor;
      }
    }
    const s = new Scaled(2);
    expect(s).toBeInstanceOf(Scaled);
    expect(s).toBeInstanceOf(nn.Module);
    expect(s.factor).toBe(2);
    expect(s.bump()).toBe(3);
    expect(s.typeName).toBe("Scaled");
    expect(s.children()).toEqual([s.inner]);
    expect(Object.getPrototypeOf(s)).toBe(Scaled.prototype);
  });

  it("assignment follows PyTorch's __setattr__: plain values stay attributes; reassigning replaces; null clears", () => {
    const net = new Net() as Net & Record<string, unknown>;
    net.note = "hello";
    net.plain = tensor([1, 2]); // a plain tensor is not a parameter
    expect(Object.keys(net.stateDict())).toEqual(moduleFixtures.net.stateDict);
    const fc3 = new nn.Linear(8, 3);
    net.fc2 = fc3;
    expect(net.children()[2]).toBe(fc3);
    expect(net.namedParameters().map(([k]) => k)).toEqual(moduleFixtures.net.namedParameters);
    // A parameter's name takes only parameters or null (PyTorch's TypeError), a plain
    // attribute's name anything: a module there becomes a child.
    expect(() => {
      net.scale = new nn.Identity() as unknown as Tensor;
    }).toThrow("cannot assign 'Identity' as parameter 'scale' (nn.Parameter or null expected)");
    net.note = new nn.Identity();
    expect([...net.namedChildren()].map(([k]) => k)).toEqual(["fc1", "act", "fc2", "note"]);
    // Parameter names accept only parameters or null.
    expect(() => {
      net.offset = tensor([1, 2, 3]);
    }).toThrow("cannot assign 'Tensor' as parameter 'offset' (nn.Parameter or null expected)");
    net.offset = null as unknown as Tensor;
    expect(net.namedParameters().map(([k]) => k)).not.toContain("offset");
    expect(() => {
      net.act = 3 as unknown as nn.ReLU;
    }).toThrow("cannot assign 'number' as child module 'act' (nn.Module or null expected)");
    // A registered buffer takes tensors.
    net.steps = tensor([5]);
    expect(net.stateDict().steps.toArray()).toEqual(new Float32Array([5]));
    expect(() => {
      net.steps = "x";
    }).toThrow("cannot assign 'string' as buffer 'steps' (Tensor or null expected)");
    delete net.fc1;
    expect([...net.namedChildren()].map(([k]) => k)).toEqual(["act", "fc2", "note"]);
    expect(net.fc1).toBeUndefined();
  });

  it("register* check names as PyTorch does (same messages)", () => {
    const m = new nn.Module() as nn.Module & { x?: number };
    m.x = 1;
    const e = moduleFixtures.errors;
    const cases: [string, () => void][] = [
      ["bufferDot", () => m.registerBuffer("a.b", zeros([1]))],
      ["bufferEmpty", () => m.registerBuffer("", zeros([1]))],
      ["bufferExists", () => m.registerBuffer("x", zeros([1]))],
      ["bufferMethod", () => m.registerBuffer("forward", zeros([1]))],
      ["parameterDot", () => m.registerParameter("a.b", null)],
      ["parameterEmpty", () => m.registerParameter("", null)],
      ["parameterExists", () => m.registerParameter("x", null)],
      ["moduleDot", () => m.registerModule("a.b", new nn.ReLU())],
      ["moduleEmpty", () => m.registerModule("", new nn.ReLU())],
      ["moduleExists", () => m.registerModule("x", new nn.ReLU())],
    ];
    for (const [key, fn] of cases) {
      expect(e[key].type).toBe("KeyError");
      expect(fn, key).toThrow(e[key].message);
      expect(fn, key).toThrow(nn.KeyError);
    }
    // TypeErrors name our type words instead of Python's ('int', 'torch Tensor or None').
    expect(e.bufferNotTensor.message).toBe("cannot assign 'int' object to buffer 'y' (torch Tensor or None required)");
    expect(() => m.registerBuffer("y", 3 as unknown as Tensor)).toThrow("cannot assign 'number' object to buffer 'y' (Tensor or null required)");
    expect(() => m.registerModule("z", {} as nn.Module)).toThrow(TypeError);
    // Nothing was registered by the failed calls.
    expect(m.stateDict()).toEqual({});
    expect(m.children()).toEqual([]);
  });

  it("registerParameter makes a leaf a parameter; this[name] reads what was registered", () => {
    const m = new nn.Module() as nn.Module & { w?: Tensor; b?: Tensor | null; avg?: Tensor };
    const w = tensor([1, 2]);
    m.registerParameter("w", w);
    m.registerParameter("b", null);
    m.registerBuffer("avg", zeros([2]));
    expect(m.w).toBe(w);
    expect(m.b).toBe(null);
    expect(w.requiresGrad).toBe(true);
    expect(w).toBeInstanceOf(nn.Parameter);
    expect(m.namedParameters().map(([k]) => k)).toEqual(["w"]);
    expect(Object.keys(m.stateDict())).toEqual(["w", "avg"]);
  });

  it("a subclass's field declared without initializer (undefined) leaves what its base registered", () => {
    class Base extends nn.Module {
      static override readonly moduleName = "Base";
      constructor() {
        super();
        this.registerModule("fc", new nn.Linear(2, 2));
        this.registerBuffer("steps", zeros([1]));
      }
    }
    class Derived extends Base {
      static override readonly moduleName = "Derived";
      declare fc: nn.Linear;
      steps: Tensor = undefined as unknown as Tensor;
    }
    const d = new Derived();
    expect(Object.keys(d.stateDict())).toEqual(["steps", "fc.weight", "fc.bias"]);
    expect(d.steps).toBeInstanceOf(Tensor);
  });

  it("clone() of a user module is a registered, independent copy", () => {
    const net = new Net();
    const copy = net.clone();
    expect(copy).toBeInstanceOf(Net);
    expect(names(copy)).toEqual(moduleFixtures.net);
    expect(copy.fc1).not.toBe(net.fc1);
    expect(copy.parameters()[0]).toBe(copy.scale);
    copy.fc2 = new nn.Linear(8, 3);
    expect(copy.children()[2]).toBe(copy.fc2);
    expect(net.children()[2]).toBe(net.fc2);
  });
});

describe("dispose() frees what a module computed", () => {
  it("the outputs its lifetime clock still holds are released with it (memory back where it was; a held output says why)", () => {
    class Net2 extends nn.Module {
      static override readonly moduleName = "Net2";
      fc = new nn.Linear(4, 3);
      override forward(x: Tensor): Tensor {
        return this.fc.forward(x).relu().mul(2);
      }
    }
    const before = memoryStats().allocatedBytes;
    const net = new Net2();
    const x = tensor(Array.from({ length: 8 }, (_, i) => i / 8), [2, 4]);
    net.forward(x);
    const y = net.forward(x);
    net.dispose();
    x.dispose();
    expect(() => y.data).toThrow(/was released: Net2\(\)\.dispose\(\) freed what it computed.*clone\(\)/);
    expect(memoryStats().allocatedBytes).toBeLessThanOrEqual(before);
  });
});

describe("containers", () => {
  it("ModuleList: iterable, length, at, append, extend; indices as names", () => {
    const a = new nn.Linear(2, 2);
    const b = new nn.ReLU();
    const list = new nn.ModuleList([a]);
    expect(list.append(b)).toBe(list);
    expect(list.length).toBe(2);
    expect([...list]).toEqual([a, b]);
    expect(list.at(-1)).toBe(b);
    expect((list as unknown as Record<string, nn.Module>)["0"]).toBe(a);
    list.extend([new nn.Tanh()]);
    expect(list.namedModules().map(([k]) => k)).toEqual(["", "0", "1", "2"]);
    expect(() => list.append(3 as unknown as nn.Module)).toThrow(TypeError);
    expect(() => new nn.ModuleList([a, {} as nn.Module])).toThrow(/element 1 is not a Module/);
  });

  it("ModuleDict: get, keys, has, set, delete; iteration gives the keys in insertion order", () => {
    const relu = new nn.ReLU();
    const d = new nn.ModuleDict({ act: relu, fc: new nn.Linear(1, 1) });
    expect(d.get("act")).toBe(relu);
    expect(d.keys()).toEqual(["act", "fc"]);
    expect([...d]).toEqual(["act", "fc"]);
    expect(d.has("fc")).toBe(true);
    d.set("out", new nn.Sigmoid());
    expect(Object.keys(d.stateDict())).toEqual(["fc.weight", "fc.bias"]);
    expect(d.delete("fc")).toBeInstanceOf(nn.Linear);
    expect(d.keys()).toEqual(["act", "out"]);
    expect(d.size).toBe(2);
    expect(() => d.set("keys", new nn.ReLU())).toThrow("attribute 'keys' already exists");
  });

  it("Identity returns its input", () => {
    const x = tensor([1, 2, 3]);
    expect(new nn.Identity(54, { unused: true }).forward(x)).toBe(x);
  });
});

describe("toString() is PyTorch's repr", () => {
  const make: Record<string, () => nn.Module> = {
    linear: () => new nn.Linear(784, 256),
    linearNoBias: () => new nn.Linear(3, 2, { bias: false }),
    relu: () => new nn.ReLU(),
    leakyRelu: () => new nn.LeakyReLU(),
    "leakyRelu0.2": () => new nn.LeakyReLU({ negativeSlope: 0.2 }),
    tanh: () => new nn.Tanh(),
    sigmoid: () => new nn.Sigmoid(),
    gelu: () => new nn.GELU(),
    geluTanh: () => new nn.GELU({ approximate: "tanh" }),
    dropout: () => new nn.Dropout(),
    "dropout0.1": () => new nn.Dropout({ p: 0.1 }),
    batchnorm: () => new nn.BatchNorm1d(4),
    batchnormNoStats: () => new nn.BatchNorm1d(4, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: false }),
    layernorm: () => new nn.LayerNorm(4),
    layernorm2d: () => new nn.LayerNorm([2, 3], { eps: 1e-6, elementwiseAffine: false }),
    flatten: () => new nn.Flatten(),
    flatten02: () => new nn.Flatten({ startDim: 0, endDim: 2 }),
    identity: () => new nn.Identity(),
    softmax: () => new nn.Softmax({ dim: 1 }),
    logSoftmax: () => new nn.LogSoftmax({ dim: -1 }),
    silu: () => new nn.SiLU(),
    softplus: () => new nn.Softplus(),
    softplus2: () => new nn.Softplus({ beta: 2, threshold: 10 }),
    "softplus0.5": () => new nn.Softplus({ beta: 0.5, threshold: 15 }),
    elu: () => new nn.ELU(),
    "elu0.5": () => new nn.ELU({ alpha: 0.5 }),
    embedding: () => new nn.Embedding(10, 3),
    embeddingPad: () => new nn.Embedding(10, 3, { paddingIdx: 0 }),
    embeddingNegPad: () => new nn.Embedding(10, 3, { paddingIdx: -1 }),
    nll: () => new nn.NLLLoss(),
    bce: () => new nn.BCELoss(),
    bceLogits: () => new nn.BCEWithLogitsLoss(),
    l1: () => new nn.L1Loss(),
    smoothL1: () => new nn.SmoothL1Loss(),
    huber: () => new nn.HuberLoss(),
    mse: () => new nn.MSELoss(),
    crossEntropy: () => new nn.CrossEntropyLoss(),
    sequential: () => new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10)),
    nested: () =>
      new nn.Sequential(
        new nn.Sequential(new nn.Linear(2, 2), new nn.Tanh()),
        new nn.ModuleList([new nn.ReLU(), new nn.Identity()]),
        new nn.ModuleDict({ a: new nn.Linear(1, 1), b: new nn.Sigmoid() }),
      ),
    moduleList: () => new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.ReLU()]),
    moduleDict: () => new nn.ModuleDict({ act: new nn.ReLU(), fc: new nn.Linear(1, 1) }),
    emptySequential: () => new nn.Sequential(),
  };
  for (const [key, build] of Object.entries(make)) {
    it(key, () => {
      expect(build().toString()).toBe(moduleFixtures.reprs[key]);
    });
  }
  it("String(model) and template literals use it; a user module's extraRepr shows", () => {
    class Scale extends nn.Module {
      static override readonly moduleName = "Scale";
      override extraRepr(): string {
        return "factor=2.0";
      }
    }
    expect(`${new Scale()}`).toBe("Scale(factor=2.0)");
    expect(String(new nn.Sequential(new Scale()))).toBe("Sequential(\n  (0): Scale(factor=2.0)\n)");
  });
});

describe("nn.utils", () => {
  it("parametersToVector concatenates in order; vectorToParameters writes back", () => {
    const m = new nn.Linear(3, 2);
    const v = nn.utils.parametersToVector(m.parameters());
    expect(v.shape).toEqual([8]);
    expect(v.toArray()).toEqual(new Float32Array([...m.weight.toArray(), ...m.bias!.toArray()]));
    const values = tensor([1, 2, 3, 4, 5, 6, 7, 8]);
    nn.utils.vectorToParameters(values, m.parameters());
    expect(m.weight.toArray()).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
    expect(m.bias!.toArray()).toEqual(new Float32Array([7, 8]));
    expect(() => nn.utils.vectorToParameters(tensor([1, 2]), m.parameters())).toThrow(/hold 8 values but vec has 2/);
    expect(() => nn.utils.vectorToParameters([1] as unknown as Tensor, m.parameters())).toThrow(TypeError);
    expect(m.weight.toArray()).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
  });

  it("parametersToVector is differentiable: gradients reach every parameter", () => {
    const m = new nn.Linear(3, 2);
    const v = nn.utils.parametersToVector(m.parameters());
    const loss = new nn.MSELoss({ reduction: "sum" }).forward(v, zeros([8]));
    loss.backward();
    // d/dv Σ v² = 2v.
    expect(m.weight.grad!.toArray()).toEqual(m.weight.toArray().map((x) => 2 * x));
    expect(m.bias!.grad!.toArray()).toEqual(m.bias!.toArray().map((x) => 2 * x));
  });

  it("numParameters counts each parameter once; trainableOnly skips frozen ones", () => {
    const m = new Net();
    expect(nn.numParameters(m)).toBe(moduleFixtures.net.numParameters);
    m.fc1.weight.requiresGrad = false;
    expect(nn.numParameters(m, { trainableOnly: true })).toBe(moduleFixtures.net.numParameters - 32);
    expect(nn.utils.numParameters(m)).toBe(moduleFixtures.net.numParameters);
  });
});
