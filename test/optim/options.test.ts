// How optimizers read their options: `undefined` means the default, unknown
// keys are errors (PyTorch: "unexpected keyword argument"), options edited in
// paramGroups are re-validated at step(), and step(closure) as in PyTorch.
import { describe, expect, it } from "vitest";
import { optim, parameter, tensor, type Tensor } from "../../src/index.js";
import clipNormFixture from "../fixtures/clip_norm.json";

function quadraticStep(opt: optim.Optimizer, p: Tensor, steps = 3): Float32Array {
  for (let i = 0; i < steps; i++) {
    p.grad = tensor(Array.from(p.data, (x) => 2 * x - 1), p.shape);
    opt.step();
  }
  return p.toArray();
}

describe("undefined options take the defaults", () => {
  it("Adam({ lr: undefined, betas: undefined }) follows exactly the trajectory of Adam()", () => {
    const a = parameter([0.5, -1, 2]);
    const b = parameter([0.5, -1, 2]);
    const viaUndefined = quadraticStep(new optim.Adam([a], { lr: undefined, betas: undefined, eps: undefined }), a);
    const viaDefaults = quadraticStep(new optim.Adam([b]), b);
    expect(Array.from(viaUndefined)).toEqual(Array.from(viaDefaults));
  });

  it("AdamW({ weightDecay: undefined }) keeps AdamW's default 1e-2, and group dicts skip undefined too", () => {
    const p = parameter([1, 2]);
    const q = parameter([3]);
    const opt = new optim.AdamW([{ params: [p], lr: undefined }, { params: [q], lr: 0.5 }], { weightDecay: undefined, lr: 0.01 });
    expect(opt.paramGroups[0].weightDecay).toBe(1e-2);
    expect(opt.paramGroups[0].lr).toBe(0.01);
    expect(opt.paramGroups[1].lr).toBe(0.5);
  });
});

describe("unknown options are errors", () => {
  it("PyTorch's snake_case spelling is a TypeError that suggests the camelCase name", () => {
    const p = parameter([1, 2]);
    expect(() => new optim.SGD([p], { lr: 0.1, weight_decay: 0.5 } as never)).toThrow(TypeError);
    expect(() => new optim.SGD([p], { lr: 0.1, weight_decay: 0.5 } as never)).toThrow(/"weight_decay"; options are camelCase: did you mean weightDecay\?/);
    expect(() => new optim.AdamW([p], { amsgrad: false, momentum: 0.9 } as never)).toThrow(/AdamW: unexpected option "momentum"/);
  });

  it("a snake_case option in a parameter group is a TypeError; other extra group keys are kept, as PyTorch keeps them", () => {
    const p = parameter([1, 2]);
    expect(() => new optim.Adagrad([{ params: [p], lr_decay: 0.1 }])).toThrow(/"lr_decay": options are camelCase: did you mean lrDecay\?/);
    const opt = new optim.SGD([{ params: [p], tag: "encoder" }], { lr: 0.1 });
    expect(opt.paramGroups[0].tag).toBe("encoder");
  });
});

describe("options edited in paramGroups are validated at step()", () => {
  it.each([
    ["lr", Number.NaN, /paramGroups\[0\]: Invalid learning rate: NaN/],
    ["lr", -0.1, /Invalid learning rate: -0.1/],
    ["betas", [1.5, 0.9], /Invalid beta parameter at index 0: 1.5/],
    ["eps", -1, /Invalid epsilon value: -1/],
  ])("%s = %s throws before any parameter or state changes", (key, value, message) => {
    const p = parameter([0.5, -1]);
    const opt = new optim.Adam([p], { lr: 0.1 });
    quadraticStep(opt, p, 1);
    const before = p.toArray();
    const stateBefore = JSON.stringify(opt.stateDict().state);
    opt.paramGroups[0][key] = value;
    p.grad = tensor([1, 1]);
    expect(() => opt.step()).toThrow(message);
    expect(Array.from(p.data)).toEqual(Array.from(before));
    expect(JSON.stringify(opt.stateDict().state)).toBe(stateBefore);
  });
});

describe("step(closure)", () => {
  it("calls the closure once before the update, uses the gradients it computed, and returns its result", () => {
    const p = parameter([2]);
    const opt = new optim.SGD([p], { lr: 0.25 });
    let calls = 0;
    const loss = opt.step(() => {
      calls++;
      p.grad = tensor([2 * p.data[0]]); // d/dp p² at p = 2
      return p.data[0] ** 2;
    });
    expect(calls).toBe(1);
    expect(loss).toBe(4);
    expect(p.data[0]).toBe(2 - 0.25 * 4);
    expect(opt.step()).toBeUndefined();
  });

  it("Lookahead and Ranger pass the closure's result through", () => {
    const p = parameter([1]);
    const la = new optim.Lookahead(new optim.SGD([p], { lr: 0.1 }));
    expect(la.step(() => ((p.grad = tensor([1])), 7))).toBe(7);
    const q = parameter([1]);
    const ranger = new optim.Ranger([q]);
    expect(ranger.step(() => ((q.grad = tensor([1])), "loss"))).toBe("loss");
  });

  it("a closure that is not a function is a TypeError and nothing changes", () => {
    const p = parameter([1]);
    p.grad = tensor([1]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    expect(() => opt.step(42 as never)).toThrow(/SGD.step: closure must be a function, got 42/);
    expect(p.data[0]).toBe(1);
  });
});

describe("clipGradNorm for norm orders outside the fused kernels (PyTorch 1.13 fixture)", () => {
  // Relative tolerance 1e-6: float32 inputs, sums in float64 here and in float32 in PyTorch.
  const cases = (clipNormFixture as { cases: { normType: number | "-inf"; maxNorm: number; grads: { shape: number[]; data: number[] }[]; norm: number; clipped: number[][] }[] }).cases;
  it.each(cases.map((c) => [String(c.normType), c] as const))("normType %s: total norm and clipped gradients", (_, c) => {
    const params = c.grads.map((g) => {
      const p = parameter(new Array(g.data.length).fill(0), g.shape);
      p.grad = tensor(g.data, g.shape);
      return p;
    });
    const total = optim.clipGradNorm(params, c.maxNorm, { normType: c.normType });
    expect(Math.abs(total - c.norm)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(c.norm)));
    params.forEach((p, i) => {
      const got = p.grad!.data;
      c.clipped[i].forEach((v, j) => expect(Math.abs(got[j] - v)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(v))));
    });
  });

  it("NaN or a string other than 'inf' / '-inf' is a RangeError and changes nothing", () => {
    const p = parameter([0, 0]);
    p.grad = tensor([3, 4]);
    expect(() => optim.clipGradNorm([p], 1, { normType: Number.NaN })).toThrow(/normType must be a number, 'inf' or '-inf', got NaN/);
    expect(() => optim.clipGradNorm([p], 1, { normType: "two" as never })).toThrow(RangeError);
    expect(Array.from(p.grad!.data)).toEqual([3, 4]);
  });
});
