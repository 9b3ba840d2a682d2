// Audit round 2: nn against PyTorch 1.13 — CrossEntropyLoss over reduction ×
// labelSmoothing × weight × ignoreIndex (1.13's mean semantics, every row
// ignored, unbatched), MSELoss reductions (input and target gradients),
// BatchNorm1d variants (momentum null, affine false, trackRunningStats false,
// eps; outputs, gradients, running statistics after three batches, eval,
// [N, C, L] input, state-dict keys, one-row training batches), LayerNorm
// variants, activations, Flatten shapes (0-d included), nested Sequential
// names and loadStateDict's missing/unexpected keys, Linear without bias on
// 3-D input. Gradients of Σ y·c are taken through MSELoss(sum) against
// y − c/2 (whose gradient with respect to y is c).
// Fixture: test/fixtures/audit2.json (make_audit2_fixtures.py). Tolerance:
// relative 1e-5 + absolute 2e-6 (float32 kernels).
import { describe, expect, it } from "vitest";
import { nn, parameter, tensor, zeros, type Tensor } from "../../src/index.js";
import { expectClose, fixture } from "./round2_fixture.js";

const f = fixture.nn;
const close = (got: ArrayLike<number>, want: number[], what: string) => expectClose(got, want, what, 1e-5, 2e-6);
const arange = (n: number) => Array.from({ length: n }, (_, i) => i);

/** backward() of Σ y·coef: MSELoss(sum) of y against y − coef/2 has gradient coef with respect to y. */
function backwardWeighted(y: Tensor, coef: number[]): void {
  const target = tensor(Array.from(y.toArray()).map((v, i) => v - coef[i] / 2), y.shape);
  new nn.MSELoss({ reduction: "sum" }).forward(y, target).backward();
}

describe("audit round 2: CrossEntropyLoss against PyTorch 1.13", () => {
  for (const c of f.ce.cases) {
    it(`${c.reduction}, labelSmoothing ${c.labelSmoothing}, weight ${c.weight ? "yes" : "no"}, ignoreIndex ${c.ignoreIndex}, labels ${JSON.stringify(c.labels)}`, () => {
      const x = parameter(f.ce.x, f.ce.shape);
      const loss = new nn.CrossEntropyLoss({ reduction: c.reduction, labelSmoothing: c.labelSmoothing, weight: c.weight ?? undefined, ignoreIndex: c.ignoreIndex }).forward(x, c.labels);
      close(loss.toArray(), c.loss, "loss");
      if (c.grad) {
        loss.backward();
        close(x.grad!.toArray(), c.grad, "input gradient");
      }
    });
  }
  it("an out-of-range label: the error contains PyTorch's text", () => {
    const text = String(f.ce_errors.label_oob).replace(/^IndexError: /, "");
    expect(() => new nn.CrossEntropyLoss().forward(parameter(f.ce.x, f.ce.shape), [0, 4, 1, 1, 1, 1])).toThrow(text);
  });
  it("unbatched [C] input with one label and label smoothing", () => {
    const x = parameter(f.ce.x.slice(0, 4), [4]);
    const loss = new nn.CrossEntropyLoss({ labelSmoothing: 0.2 }).forward(x, 2);
    close(loss.toArray(), f.ce_unbatched.loss, "loss");
    loss.backward();
    close(x.grad!.toArray(), f.ce_unbatched.grad, "input gradient");
  });
});

describe("audit round 2: MSELoss against PyTorch 1.13", () => {
  for (const c of f.mse.cases) {
    it(`reduction ${c.reduction}`, () => {
      const a = parameter(f.mse.a, [3, 4]);
      const b = parameter(f.mse.b, [3, 4]);
      const loss = new nn.MSELoss({ reduction: c.reduction }).forward(a, b);
      close(loss.toArray(), c.loss, "loss");
      if (c.reduction !== "none") {
        loss.backward();
        close(a.grad!.toArray(), c.ga, "input gradient");
        close(b.grad!.toArray(), c.gb, "target gradient");
      }
    });
  }
});

const BN_OPTIONS: Record<string, string> = { momentum: "momentum", affine: "affine", track_running_stats: "trackRunningStats", eps: "eps" };

describe("audit round 2: BatchNorm1d against PyTorch 1.13", () => {
  for (const c of f.bn.cases) {
    const options = Object.fromEntries(Object.entries(c.opts as Record<string, unknown>).map(([k, v]) => [BN_OPTIONS[k], v]));
    it(JSON.stringify(options), () => {
      const m = new nn.BatchNorm1d(3, options);
      if (m.weight) {
        m.weight.data.set([0.5, 1.5, -1.0]);
        m.bias!.data.set([0.1, -0.2, 0.3]);
      }
      c.steps.forEach((s: { y: number[]; gx: number[]; gw: number[] | null; gb: number[] | null }, i: number) => {
        const x = parameter(f.bn.xs[i], [5, 3]);
        const y = m.forward(x);
        close(y.toArray(), s.y, `batch ${i} output`);
        backwardWeighted(y, arange(15));
        close(x.grad!.toArray(), s.gx, `batch ${i} input gradient`);
        if (m.weight) {
          close(m.weight.grad!.toArray(), s.gw!, `batch ${i} weight gradient`);
          close(m.bias!.grad!.toArray(), s.gb!, `batch ${i} bias gradient`);
          m.weight.grad = null;
          m.bias!.grad = null;
        }
      });
      m.eval();
      const one = () => m.forward(tensor(f.bn.xs[0].slice(0, 3), [1, 3]));
      if (c.evalBatch1Err) expect(one).toThrow(/more than 1 value per channel/);
      else expect(one).not.toThrow();
      close(m.forward(tensor(f.bn.xs[0].slice(0, 6), [2, 3])).toArray(), c.evalBatch1, "eval output");
      m.train();
      const x3 = parameter(f.bn.x3, [4, 3, 2]);
      const y3 = m.forward(x3);
      close(y3.toArray(), c.y3, "[N, C, L] output");
      backwardWeighted(y3, arange(24));
      close(x3.grad!.toArray(), c.gx3, "[N, C, L] input gradient");
      const sd = m.stateDict();
      expect(Object.keys(sd)).toEqual(c.keys);
      for (const k of c.keys) close(sd[k].toArray(), c.sd[k], `state ${k}`);
      expect(() => m.forward(tensor(f.bn.xs[0].slice(0, 3), [1, 3]))).toThrow(/Expected more than 1 value per channel when training/i);
      expect(() => m.forward(tensor([1, 2, 3], [1, 3, 1]))).toThrow(/Expected more than 1 value per channel when training/i);
    });
  }
});

describe("audit round 2: LayerNorm against PyTorch 1.13", () => {
  const linspace = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1)));
  for (const c of f.ln.cases) {
    const options: Record<string, unknown> = {};
    if ("elementwise_affine" in c.opts) options.elementwiseAffine = c.opts.elementwise_affine;
    if ("eps" in c.opts) options.eps = c.opts.eps;
    it(`${JSON.stringify(c.shape)} ${JSON.stringify(options)}`, () => {
      const m = new nn.LayerNorm(c.shape, options);
      if (m.weight) {
        m.weight.data.set(linspace(-1, 2, m.weight.size));
        m.bias!.data.set(linspace(0.5, -0.5, m.bias!.size));
      }
      const x = parameter(f.ln.x, [2, 3, 4]);
      const y = m.forward(x);
      close(y.toArray(), c.y, "output");
      backwardWeighted(y, arange(24));
      close(x.grad!.toArray(), c.gx, "input gradient");
      if (m.weight) {
        close(m.weight.grad!.toArray(), c.gw, "weight gradient");
        close(m.bias!.grad!.toArray(), c.gb, "bias gradient");
      }
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
    });
  }
});

describe("audit round 2: activations against PyTorch 1.13", () => {
  const make: Record<string, () => nn.Module> = {
    gelu: () => new nn.GELU(), gelu_tanh: () => new nn.GELU({ approximate: "tanh" }), lrelu: () => new nn.LeakyReLU(),
    lrelu02: () => new nn.LeakyReLU({ negativeSlope: 0.2 }), relu: () => new nn.ReLU(), tanh: () => new nn.Tanh(), sigmoid: () => new nn.Sigmoid(),
  };
  for (const [name, c] of Object.entries(f.act.cases as Record<string, { y: number[]; g: number[] }>)) {
    it(name, () => {
      const x = parameter(f.act.x, [8]);
      const y = make[name]().forward(x);
      close(y.toArray(), c.y, "output");
      backwardWeighted(y, new Array(8).fill(1));
      close(x.grad!.toArray(), c.g, "gradient");
    });
  }
});

describe("audit round 2: Flatten shapes as torch.flatten", () => {
  for (const [key, want] of Object.entries(f.flatten as Record<string, number[] | string>)) {
    it(key, () => {
      if (key === "err_1d") expect(() => new nn.Flatten().forward(zeros([5]))).toThrow(/out of range/);
      else if (key === "0d") {
        const x = parameter([3], []);
        const y = new nn.Flatten({ startDim: 0, endDim: -1 }).forward(x);
        expect(y.shape).toEqual(want);
        expect(Array.from(y.toArray())).toEqual([3]);
        backwardWeighted(y, [2]);
        expect(x.grad!.shape).toEqual([]);
        expect(Array.from(x.grad!.toArray())).toEqual([2]);
      } else {
        const [s, e] = key.split(",").map(Number);
        expect(new nn.Flatten({ startDim: s, endDim: e }).forward(zeros([2, 3, 4, 5])).shape).toEqual(want);
      }
    });
  }
});

describe("audit round 2: module structure and loadStateDict as PyTorch 1.13", () => {
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
    close(y.toArray(), f.linear.y, "output");
    backwardWeighted(y, arange(8));
    close(x.grad!.toArray(), f.linear.gx, "input gradient");
    close(lin.weight.grad!.toArray(), f.linear.gw, "weight gradient");
    expect(Object.keys(lin.stateDict())).toEqual(f.linear.keys);
  });
});

describe("audit round 2: nn error texts contain PyTorch 1.13's", () => {
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
