// NaN and ±Infinity in gradients propagate as in PyTorch: an elementwise
// update rule spoils only the affected elements (and their state); LAMB's
// trust ratio, a norm over the whole tensor, spreads a NaN over that tensor;
// other tensors are untouched. clipGradNorm scales every gradient by
// maxNorm/(total + 1e-6): a NaN total makes every gradient NaN, an infinite
// total zeroes the finite ones (inf·0 = NaN where a gradient was infinite) —
// unless errorIfNonfinite, which throws and changes nothing. PyTorch 1.13
// values for the clipping cases were read off torch directly (see comments).
import { describe, expect, it } from "vitest";
import { optim, parameter, tensor, type Tensor } from "../../src/index.js";

const BAD = [1, 4]; // element 1: NaN, element 4: +Infinity

function runStep(make: (ps: Tensor[]) => optim.Optimizer, gradA: number[], steps = 2): [Float32Array, Float32Array] {
  const a = parameter([0.5, -1, 2, 0.25, 1.5, -0.75]);
  const b = parameter([0.1, -0.2, 0.3]);
  const opt = make([a, b]);
  for (let s = 0; s < steps; s++) {
    a.grad = tensor(gradA.map((g) => g * (s + 1)));
    b.grad = tensor([0.5, -0.25, 1].map((g) => g * (s + 1)));
    opt.step();
  }
  const out: [Float32Array, Float32Array] = [a.toArray(), b.toArray()];
  opt.dispose();
  for (const t of [a, b]) {
    t.grad?.dispose();
    t.dispose();
  }
  return out;
}

const GOOD = [0.3, -0.6, 0.9, -1.2, 0.45, 0.05];
const POISONED = GOOD.map((g, i) => (i === 1 ? Number.NaN : i === 4 ? Infinity : g));

const ELEMENTWISE: [string, (ps: Tensor[]) => optim.Optimizer][] = [
  ["SGD", (ps) => new optim.SGD(ps, { lr: 0.1 })],
  ["SGD momentum", (ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true })],
  ["Adam", (ps) => new optim.Adam(ps, { lr: 0.01 })],
  ["AdamW amsgrad", (ps) => new optim.AdamW(ps, { lr: 0.01, amsgrad: true })],
  ["Adagrad", (ps) => new optim.Adagrad(ps, { lr: 0.1 })],
  ["RMSprop centered", (ps) => new optim.RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.5 })],
  ["Adamax", (ps) => new optim.Adamax(ps)],
  ["NAdam", (ps) => new optim.NAdam(ps)],
  ["RAdam", (ps) => new optim.RAdam(ps)],
  ["Adadelta", (ps) => new optim.Adadelta(ps)],
];

describe("NaN and Infinity in a gradient spoil only the affected elements of an elementwise rule", () => {
  it.each(ELEMENTWISE)("%s: the other elements and the other tensor are exactly as with clean gradients", (_, make) => {
    const [cleanA, cleanB] = runStep(make, GOOD);
    const [a, b] = runStep(make, POISONED);
    for (let i = 0; i < a.length; i++) {
      if (BAD.includes(i)) expect(Number.isFinite(a[i]), `element ${i}`).toBe(false);
      else expect(a[i], `element ${i}`).toBe(cleanA[i]);
    }
    expect(Array.from(b)).toEqual(Array.from(cleanB));
  });
});

describe("LAMB: the trust ratio spreads a NaN over the whole tensor", () => {
  it("every element of the tensor with a NaN gradient is NaN; the other tensor is as with clean gradients", () => {
    const make = (ps: Tensor[]) => new optim.LAMB(ps, { lr: 0.01, weightDecay: 0.01 });
    const [, cleanB] = runStep(make, GOOD, 1);
    const [a, b] = runStep(make, GOOD.map((g, i) => (i === 1 ? Number.NaN : g)), 1);
    expect(Array.from(a).every(Number.isNaN)).toBe(true);
    expect(Array.from(b)).toEqual(Array.from(cleanB));
  });
});

describe("clipGradNorm with non-finite gradients (PyTorch 1.13's clip_grad_norm_)", () => {
  function grads(pg: number[]) {
    const p = parameter([1, 2, 3]);
    const q = parameter([1, -1]);
    p.grad = tensor(pg);
    q.grad = tensor([2, 3]);
    return { p, q, dispose: () => { for (const t of [p, q]) { t.grad?.dispose(); t.dispose(); } } };
  }

  it("a NaN makes the total NaN and, scaled by NaN, every gradient NaN", () => {
    // torch: clip_grad_norm_([p, q], 1.0) -> tensor(nan); p.grad [nan, nan, nan]; q.grad [nan, nan]
    const { p, q, dispose } = grads([0.5, Number.NaN, 1]);
    expect(optim.clipGradNorm([p, q], 1)).toBeNaN();
    expect(Array.from(p.grad!.data).every(Number.isNaN)).toBe(true);
    expect(Array.from(q.grad!.data).every(Number.isNaN)).toBe(true);
    dispose();
  });

  it.each([[2], ["inf"]] as const)("an Infinity makes the total Infinity (normType %s) and the scale 0: finite gradients become 0, the infinite one NaN", (normType) => {
    // torch: -> tensor(inf); p.grad [0., nan, 0.]; q.grad [0., 0.]
    const { p, q, dispose } = grads([0.5, Infinity, 1]);
    expect(optim.clipGradNorm([p, q], 1, { normType })).toBe(Infinity);
    expect(Array.from(p.grad!.data)).toEqual([0, Number.NaN, 0]);
    expect(Array.from(q.grad!.data)).toEqual([0, 0]);
    dispose();
  });

  it("errorIfNonfinite: true throws (an Error saying so, as PyTorch's RuntimeError) and leaves every gradient as it was", () => {
    const { p, q, dispose } = grads([0.5, Infinity, 1]);
    expect(() => optim.clipGradNorm([p, q], 1, { errorIfNonfinite: true })).toThrow(/non-finite.*errorIfNonfinite: false/);
    expect(Array.from(p.grad!.data)).toEqual([0.5, Infinity, 1]);
    expect(Array.from(q.grad!.data)).toEqual([2, 3]);
    dispose();
  });
});
