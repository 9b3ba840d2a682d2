// Output lifetimes (PyTorch's semantics for what users keep): a tensor that
// forward() returned keeps its values until a backward() has consumed the graph
// that used it or it is disposed; a module reuses a buffer only then. A module
// used twice in one forward pass (weight tying) backpropagates through both
// uses, as PyTorch does (fixture: test/fixtures/make_nn_fixtures.py "shared").
import { describe, expect, it } from "vitest";
import { memoryStats, nn, noGrad, tensor, Tensor, zeros } from "../../src/index.js";
import fixtures from "../fixtures/nn.json" with { type: "json" };

const batch = (seed: number, n = 4, k = 8) => tensor(Array.from({ length: n * k }, (_, i) => Math.sin(i * 1.3 + seed)), [n, k]);

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, abs: number, rel: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= abs + rel * Math.abs(want[i]))) throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]} (error ${err})`);
  }
}

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
    ref.parameters().forEach((p, i) => expectClose(m.parameters()[i].grad!.data, p.grad!.data, 0, 0, `grad ${i}`));
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
      expectClose(out.data, f.output, 1e-6, 1e-5, "output");
      expectClose([loss.item()], [f.loss], 1e-6, 1e-5, "loss");
      loss.backward();
      for (const [name, p] of model.namedParameters()) {
        expectClose(p.grad!.data, f.grads[name as keyof typeof f.grads], 2e-6, 1e-4, `grad ${name}`);
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
