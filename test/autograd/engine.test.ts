// The autograd engine: backward with a gradient and retainGraph, PyTorch's
// messages for a second backward and for in-place changes to saved tensors,
// autograd.grad, grad mode, detach and requiresGrad_.
import { describe, expect, it } from "vitest";
import { autograd, enableGrad, init, isGradEnabled, nn, noGrad, ones, optim, parameter, randn, tensor, zeros, type Tensor } from "../../src/index.js";
import { expectClose } from "../helpers/close.js";
import { loadFixture } from "../helpers/fixture.js";

describe("backward", () => {
  it("a non-scalar output takes a gradient of its shape; without one it is PyTorch's error", () => {
    const x = tensor([1, 2, 3]).requiresGrad_();
    const y = x.mul(x);
    expect(() => y.backward()).toThrow(/grad can be implicitly created only for scalar outputs/);
    expect(x.grad).toBeNull();
    expect(() => y.backward(tensor([1, 1]))).toThrow(/Mismatch in shape: grad_output\[0\] has a shape of \[2\] and output\[0\] has a shape of \[3\]/);
    y.backward(tensor([1, 0.5, -1]));
    expectClose(x.grad!.data, [2, 2, -6], { what: "dy/dx · g" });
  });

  it("a second backward through a consumed graph is PyTorch's error and changes no gradient", () => {
    const x = tensor([1, 2]).requiresGrad_();
    const loss = x.exp().sum();
    loss.backward();
    const g = x.grad!.toArray();
    expect(() => loss.backward()).toThrow(/Trying to backward through the graph a second time .*retainGraph: true/);
    expect(Array.from(x.grad!.data)).toEqual(Array.from(g));
  });

  it("retainGraph keeps the graph: a second backward accumulates the same gradient", () => {
    const x = tensor([0.5, -1]).requiresGrad_();
    const loss = x.exp().sum();
    loss.backward(null, { retainGraph: true });
    const once = x.grad!.toArray();
    loss.backward();
    expectClose(x.grad!.data, Array.from(once, (v) => 2 * v), { rtol: 1e-7, what: "accumulated" });
    expect(() => loss.backward()).toThrow(/second time/);
  });

  it("a saved tensor changed in place is PyTorch's version-counter error, before any gradient is written", () => {
    const w = parameter([1, 2, 3]);
    const x = tensor([4, 5, 6]);
    const loss = x.mul(w).sum(); // saves x and w
    x.add_(1);
    expect(x.version).toBe(1);
    expect(() => loss.backward()).toThrow(
      /one of the variables needed for gradient computation has been modified by an inplace operation: \[torch\.FloatTensor \[3\]\], which is saved by MulBackward0, is at version 1; expected version 0 instead/,
    );
    expect(w.grad).toBeNull();
  });

  it("an in-place operation on a leaf that requires grad is refused (outside noGrad)", () => {
    const w = parameter([1, 2]);
    expect(() => w.add_(1)).toThrow(/a leaf Variable that requires grad is being used in an in-place operation/);
    expect(Array.from(w.data)).toEqual([1, 2]);
    noGrad(() => w.add_(1));
    expect(Array.from(w.data)).toEqual([2, 3]);
  });

  it("a tensor used twice sums both contributions; requiresGrad on a leaf root fills its own grad", () => {
    const x = tensor([3]).requiresGrad_();
    x.mul(x).add(x).sum().backward();
    expectClose(x.grad!.data, [7], { what: "d(x² + x)/dx" });
    const y = tensor([2]).requiresGrad_();
    y.backward();
    expect(Array.from(y.grad!.data)).toEqual([1]);
    expect(() => tensor([1]).backward()).toThrow("element 0 of tensors does not require grad and does not have a grad_fn");
  });
});

describe("autograd.grad", () => {
  it("returns d(outputs)/d(inputs) as new tensors and leaves .grad alone", () => {
    const x = tensor([1, 2, 3]).requiresGrad_();
    const w = parameter([0.5, -1, 2]);
    const y = x.mul(w).sum();
    const [gx, gw] = autograd.grad([y], [x, w]);
    expectClose(gx!.data, [0.5, -1, 2], { what: "dy/dx" });
    expectClose(gw!.data, [1, 2, 3], { what: "dy/dw" });
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
  });

  it("takes gradOutputs, works for an intermediate tensor, and says when an input is unused", () => {
    const x = tensor([1, 2]).requiresGrad_();
    const h = x.mul(3);
    const y = h.square();
    const [gh] = autograd.grad(y, h, { gradOutputs: [tensor([1, 1])], retainGraph: true });
    expectClose(gh!.data, [6, 12], { what: "dy/dh = 2h" });
    const z = tensor([5]).requiresGrad_();
    expect(() => autograd.grad(y, [x, z], { gradOutputs: tensor([1, 1]), retainGraph: true })).toThrow(/appears to not have been used in the graph/);
    const [gx, gz] = autograd.grad(y, [x, z], { gradOutputs: tensor([1, 1]), allowUnused: true });
    expectClose(gx!.data, [18, 36], { what: "dy/dx = 18x" });
    expect(gz).toBeNull();
  });
});

describe("grad mode, detach, requiresGrad_", () => {
  it("noGrad records nothing; enableGrad records inside it; both restore the mode", () => {
    const x = tensor([1, 2]).requiresGrad_();
    const y = noGrad(() => x.mul(2));
    expect(y.gradFn).toBeNull();
    expect(y.requiresGrad).toBe(false);
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    expect(z.gradFn).not.toBeNull();
    expect(isGradEnabled()).toBe(true);
    expect(() => noGrad(() => {
      throw new Error("inside");
    })).toThrow("inside");
    expect(isGradEnabled()).toBe(true);
  });

  it("detach shares storage and cuts the graph; requiresGrad_ returns the tensor and only changes leaves", () => {
    const x = tensor([1, 2]).requiresGrad_();
    const y = x.mul(2);
    const d = y.detach();
    expect(d.gradFn).toBeNull();
    expect(d.requiresGrad).toBe(false);
    expect(d.sharesStorage(y)).toBe(true);
    expect(x.requiresGrad_(false)).toBe(x);
    expect(x.requiresGrad).toBe(false);
    expect(() => y.requiresGrad_(false)).toThrow(/only change requires_grad flags of leaf variables/);
  });
});

describe("autograd.Function", () => {
  class Cube extends autograd.Function {
    static override forward(ctx: autograd.FunctionCtx, x: unknown) {
      const t = x as ReturnType<typeof tensor>;
      ctx.saveForBackward(t);
      return t.pow(3);
    }
    static override backward(ctx: autograd.FunctionCtx, g: ReturnType<typeof tensor>) {
      const [x] = ctx.savedTensors;
      return g.mul(x.square()).mul(3);
    }
  }

  it("MyOp.apply records one node whose backward is the static backward", () => {
    const x = tensor([1, -2, 0.5]).requiresGrad_();
    const y = Cube.apply(x);
    expectClose(y.data, [1, -8, 0.125], { what: "x³" });
    y.sum().backward();
    expectClose(x.grad!.data, [3, 12, 0.75], { rtol: 1e-6, what: "3x²" });
  });

  it("a wrong number or shape of gradients is an error naming the function; savedTensors after backward is PyTorch's error", () => {
    class Bad extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, x: unknown) {
        return (x as ReturnType<typeof tensor>).mul(2);
      }
      static override backward(_ctx: autograd.FunctionCtx, g: ReturnType<typeof tensor>) {
        return [g, g];
      }
    }
    const x = tensor([1, 2]).requiresGrad_();
    expect(() => Bad.apply(x).sum().backward()).toThrow(/function BadBackward returned an incorrect number of gradients \(expected 1, got 2\)/);
    let saved: autograd.FunctionCtx | null = null;
    class Keep extends autograd.Function {
      static override forward(ctx: autograd.FunctionCtx, v: unknown) {
        saved = ctx;
        ctx.saveForBackward(v as ReturnType<typeof tensor>);
        return (v as ReturnType<typeof tensor>).mul(1);
      }
      static override backward(_ctx: autograd.FunctionCtx, g: ReturnType<typeof tensor>) {
        return g;
      }
    }
    Keep.apply(x).sum().backward();
    expect(() => saved!.savedTensors).toThrow(/Trying to backward through the graph a second time/);
  });
});

describe("autograd.Function with several outputs", () => {
  type T = ReturnType<typeof tensor>;
  let seen: number[][] = [];
  class ProdSum extends autograd.Function {
    static override forward(ctx: autograd.FunctionCtx, x: unknown, y: unknown): T[] {
      ctx.saveForBackward(x as T, y as T);
      return [(x as T).mul(y as T), (x as T).add(y as T)];
    }
    static override backward(ctx: autograd.FunctionCtx, gProd: T, gSum: T) {
      const [x, y] = ctx.savedTensors;
      seen = [Array.from(gProd.data), Array.from(gSum.data)];
      return [gProd.mul(y).add(gSum), gProd.mul(x).add(gSum)];
    }
  }

  it("forward returns an array; backward gets one gradient per output, once, with the outputs' gradients summed", () => {
    const x = tensor([1, 2, 3]).requiresGrad_();
    const y = tensor([4, 5, 6]).requiresGrad_();
    const [p, s] = ProdSum.apply(x, y);
    expectClose(p.data, [4, 10, 18], { what: "x·y" });
    expectClose(s.data, [5, 7, 9], { what: "x + y" });
    p.sum().add(s.mul(2).sum()).backward();
    expect(seen).toEqual([[1, 1, 1], [2, 2, 2]]);
    // d/dx = y + 2, d/dy = x + 2
    expectClose(x.grad!.data, [6, 7, 8], { what: "dx" });
    expectClose(y.grad!.data, [3, 4, 5], { what: "dy" });
  });

  it("an output the loss does not use gets a zero gradient (PyTorch's materialized grads)", () => {
    const x = tensor([1, 2]).requiresGrad_();
    const y = tensor([3, 4]);
    const [p] = ProdSum.apply(x, y);
    p.sum().backward();
    expect(seen).toEqual([[1, 1], [0, 0]]);
    expectClose(x.grad!.data, [3, 4], { what: "dx = y" });
    expect(y.grad).toBeNull();
    // without grad, plain tensors and no graph
    const [q, r] = ProdSum.apply(tensor([1]), tensor([2]));
    expect(q.gradFn).toBeNull();
    expect(r.gradFn).toBeNull();
    class NotTensors extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, v: unknown) {
        return [v as T, 3 as unknown as T];
      }
    }
    expect(() => NotTensors.apply(x)).toThrow(/NotTensors\.forward must return a Tensor or an array of Tensors, got 3 at index 1/);
  });

  it("createGraph through a single-output Function differentiates its backward (written with operations)", () => {
    class Cube extends autograd.Function {
      static override forward(ctx: autograd.FunctionCtx, v: unknown): T {
        ctx.saveForBackward(v as T);
        return (v as T).pow(3);
      }
      static override backward(ctx: autograd.FunctionCtx, g: T) {
        const [v] = ctx.savedTensors;
        return g.mul(v.square()).mul(3);
      }
    }
    const x = tensor([1, -2]).requiresGrad_();
    const [g] = autograd.grad(Cube.apply(x).sum(), x, { createGraph: true });
    expectClose(g!.data, [3, 12], { what: "3x²" });
    const [h] = autograd.grad(g!.sum(), x);
    expectClose(h!.data, [6, -12], { what: "6x" });
  });
});

describe("the version counter of tensors the library writes into (PyTorch's)", () => {
  const fx = loadFixture("autograd.json").versions;

  it("every init function moves it as far as PyTorch's in-place writes do", () => {
    const shapes: Record<string, number[]> = { dirac: [4, 3, 3, 3], diracGroups2: [4, 3, 3, 3] };
    const call: Record<string, (t: Tensor) => unknown> = {
      uniform: (t) => init.uniform(t), normal: (t) => init.normal(t), truncNormal: (t) => init.truncNormal(t),
      constant: (t) => init.constant(t, 0.5), ones: (t) => init.ones(t), zeros: (t) => init.zeros(t), eye: (t) => init.eye(t),
      dirac: (t) => init.dirac(t), diracGroups2: (t) => init.dirac(t, { groups: 2 }),
      xavierUniform: (t) => init.xavierUniform(t), xavierNormal: (t) => init.xavierNormal(t),
      kaimingUniform: (t) => init.kaimingUniform(t), kaimingNormal: (t) => init.kaimingNormal(t),
      orthogonal: (t) => init.orthogonal(t), sparse: (t) => init.sparse(t, 0.5),
    };
    expect(Object.keys(call).sort()).toEqual(Object.keys(fx.inits).sort());
    for (const [name, f] of Object.entries(call)) {
      const t = zeros(shapes[name] ?? [4, 6]);
      expect(t.version, name).toBe(0);
      f(t);
      expect(t.version, name).toBe(fx.inits[name]);
    }
  });

  it("every optimizer step moves a stepped parameter's counter as torch.optim's does", () => {
    const make: Record<string, (p: Tensor[]) => optim.Optimizer> = {
      SGD: (p) => new optim.SGD(p, { lr: 0.1 }),
      "SGD momentum": (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.1 }),
      Adam: (p) => new optim.Adam(p),
      "Adam amsgrad": (p) => new optim.Adam(p, { amsgrad: true, weightDecay: 0.1 }),
      AdamW: (p) => new optim.AdamW(p),
      Adagrad: (p) => new optim.Adagrad(p),
      Adadelta: (p) => new optim.Adadelta(p),
      Adamax: (p) => new optim.Adamax(p),
      NAdam: (p) => new optim.NAdam(p),
      RAdam: (p) => new optim.RAdam(p),
      RMSprop: (p) => new optim.RMSprop(p),
      "RMSprop centered": (p) => new optim.RMSprop(p, { centered: true, momentum: 0.9 }),
    };
    expect(Object.keys(make).sort()).toEqual(Object.keys(fx.optimizers).sort());
    for (const [name, f] of Object.entries(make)) {
      const w = parameter([0.5, -1, 2]);
      const idle = parameter([1]); // no gradient: not stepped, not counted
      const opt = f([w, idle]);
      w.grad = ones([3]);
      opt.step();
      expect(w.version, name).toBe(fx.optimizers[name][0]);
      opt.step();
      expect(w.version, name).toBe(fx.optimizers[name][1]);
      expect(idle.version, name).toBe(0);
    }
  });

  it("nn.Linear's initialisation, loadStateDict and zeroGrad({ setToNone: false }) count as PyTorch's", () => {
    const lin = new nn.Linear(3, 2);
    expect([lin.weight.version, lin.bias!.version]).toEqual(fx.linearConstructed);
    lin.loadStateDict(lin.stateDict());
    expect([lin.weight.version, lin.bias!.version]).toEqual(fx.linearLoaded);
    lin.weight.grad = ones([2, 3]);
    const g = lin.weight.grad;
    new optim.SGD(lin.parameters(), { lr: 0.1 }).zeroGrad({ setToNone: false });
    expect(g.version).toBe(fx.zeroGradKeep);
    lin.weight.grad = ones([2, 3]);
    lin.zeroGrad({ setToNone: false });
    expect(lin.weight.grad!.version).toBe(fx.zeroGradKeep);
  });

  it("a parameter stepped between forward and backward: PyTorch's version error where it saved the weight, none where it did not", () => {
    const m = /is at version (\d+); expected version (\d+) instead/.exec(fx.twoLayerStepped)!;
    const net = new nn.Sequential(new nn.Linear(3, 5), new nn.ReLU(), new nn.Linear(5, 2));
    const sgd = new optim.SGD(net.parameters(), { lr: 0.1 });
    const x = randn([4, 3]);
    const loss = net.forward(x).pow(2).sum();
    loss.backward(null, { retainGraph: true });
    sgd.step();
    const before = (net.at(2) as nn.Linear).weight.grad!.toArray();
    expect(() => loss.backward()).toThrow(
      new RegExp(
        "one of the variables needed for gradient computation has been modified by an inplace operation: " +
          `\\[torch\\.FloatTensor \\[2, 5\\]\\], which is saved by Linear\\(5, 2\\), is at version ${m[1]}; expected version ${m[2]} instead`,
      ),
    );
    expect(Array.from((net.at(2) as nn.Linear).weight.grad!.data)).toEqual(Array.from(before));
    // the first layer's weight is read by no gradient (x needs none), so stepping it is no error, as in PyTorch
    const first = new nn.Linear(3, 2);
    const loss1 = first.forward(x).pow(2).sum();
    loss1.backward(null, { retainGraph: true });
    new optim.SGD(first.parameters(), { lr: 0.1 }).step();
    expect(() => loss1.backward()).not.toThrow();
    expect(fx.firstLayerSteppedOk).toBe(true);
  });

  it("vectorToParameters changes the values in place, so a graph that saved them refuses backward", () => {
    const w = parameter([1, 2]);
    const x = tensor([3, 4]).requiresGrad_();
    const y = x.mul(w).sum();
    nn.utils.vectorToParameters(tensor([5, 6]), [w]);
    expect(w.version).toBe(1);
    expect(() => y.backward()).toThrow(/is at version 1; expected version 0 instead/);
  });
});

// Through modules: accumulation into .grad, noGrad, eval mode, graphs
// backpropagated once, and the errors PyTorch raises.
const x8 = () => tensor(Array.from({ length: 4 * 8 }, (_, i) => Math.sin(i * 1.3)), [4, 8]);

function mlp(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.BatchNorm1d(16), new nn.Linear(16, 3));
}

function step(model: nn.Module, x: Tensor, labels = [0, 1, 2, 1]): Tensor {
  const loss = new nn.CrossEntropyLoss().forward(model.forward(x), labels);
  loss.backward();
  return loss;
}

describe("autograd through modules", () => {
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
});

describe("higher-order gradients (createGraph), against PyTorch 1.13 and float64 central differences", () => {
  const fx = loadFixture("autograd.json").doubleBackward;

  it("a gradient penalty (WGAN-GP) through Linear-Tanh-Linear: autograd.grad with createGraph, then backward", () => {
    const c = fx.gradientPenalty;
    const D = new nn.Sequential(new nn.Linear(3, 8), new nn.Tanh(), new nn.Linear(8, 1));
    const params = [...D.parameters()];
    noGrad(() => params.forEach((p, i) => p.copy_(tensor(c.params[i], c.shapes[i]))));
    const x = tensor(c.x, [4, 3]).requiresGrad_();
    const [gx] = autograd.grad(D.forward(x).sum(), x, { createGraph: true });
    expect(gx!.gradFn).not.toBeNull();
    expectClose(gx!.data, c.gx, { rtol: 1e-5, atol: 1e-6, what: "dD/dx" });
    const gp = gx!.square().sum({ dim: 1 }).sqrt().sub(1).square().mean();
    expectClose([gp.item()], [c.gp], { rtol: 1e-5, atol: 1e-6, what: "penalty" });
    gp.backward();
    params.forEach((p, i) => {
      if (c.grads[i] === null) {
        expect(p.grad, `param ${i} (the last bias: the penalty does not depend on it)`).toBeNull();
        return;
      }
      expectClose(p.grad!.data, c.grads[i], { rtol: 1e-4, atol: 1e-6, what: `d penalty / d param ${i} (PyTorch)` });
      expectClose(p.grad!.data, c.fd[i], { rtol: 1e-3, atol: 2e-5, what: `d penalty / d param ${i} (central differences)` });
    });
  });

  it("a Hessian-vector product: grad of (grad · v)", () => {
    const c = fx.hessianVector;
    const X = tensor(c.X, [6, 5]);
    const y = tensor(c.y, [6]);
    const w = tensor(c.w, [5]).requiresGrad_();
    const v = tensor(c.v, [5]);
    const loss = X.matmul(w.unsqueeze(1)).squeeze(1).sub(y).square().mean().add(w.tanh().mul(w).sum());
    const [gw] = autograd.grad(loss, w, { createGraph: true });
    expectClose(gw!.data, c.grad, { rtol: 1e-5, atol: 1e-6, what: "gradient" });
    const [hv] = autograd.grad(gw!.mul(v).sum(), w);
    expect(hv!.gradFn).toBeNull();
    expectClose(hv!.data, c.hv, { rtol: 1e-4, atol: 1e-6, what: "H·v (PyTorch)" });
    expectClose(hv!.data, c.fd, { rtol: 1e-3, atol: 1e-5, what: "H·v (central differences)" });
  });

  it("backward({ createGraph: true }) leaves a .grad with a graph (retainGraph defaults to true)", () => {
    const c = fx.gradOfGrad;
    const x = tensor(c.x, [4]).requiresGrad_();
    const y = x.pow(3).sum();
    y.backward(null, { createGraph: true });
    expectClose(x.grad!.data, c.grad, { rtol: 1e-6, what: "3x²" });
    expect(x.grad!.gradFn).not.toBeNull();
    const [second] = autograd.grad(x.grad!.sum(), x);
    expectClose(second!.data, c.second, { rtol: 1e-5, atol: 1e-6, what: "6x" });
    y.backward(null, { retainGraph: false }); // the graph was retained by createGraph
  });

  it("an operation without a double backward is PyTorch-style error naming it, before any gradient changes", () => {
    const x = tensor([0.5, -1]).requiresGrad_();
    const w = parameter([1, 2]);
    const loss = x.gelu().mul(w).sum();
    expect(() => loss.backward(null, { createGraph: true })).toThrow(/GeluBackward0 does not support double backward/);
    expect(x.grad).toBeNull();
    expect(w.grad).toBeNull();
    expect(() => autograd.grad(loss, x, { createGraph: true })).toThrow(/GeluBackward0 does not support double backward/);
    loss.backward(); // first order still works: the graph was not consumed
    expect(x.grad).not.toBeNull();
    expect(() => x.mul(2).sum().backward(null, { createGraph: 1 as unknown as boolean })).toThrow(/createGraph must be a boolean, got 1/);
  });
});
