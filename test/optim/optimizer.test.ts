// The Optimizer contract: state dicts (bit-for-bit resumption, validation
// that changes nothing on error), hyper-parameter validation with PyTorch's
// messages, errors before any change, null gradients, zeroGrad, the
// multi-tensor path against one tensor at a time, and steady-state memory.
import { describe, expect, it } from "vitest";
import { memoryStats, optim, parameter, tensor, type Tensor } from "../../src/index.js";
import { freshParams, fx, makeOptimizer, runSteps } from "./helpers.js";

const byName = (name: string) => fx.cases.find((c) => c.name === name)!;
const RESUME_CASES = [
  "SGD nesterov + weight decay + maximize", "Adam amsgrad + weight decay + maximize", "AdamW groups", "Adagrad groups",
  "RMSprop centered + momentum", "Adamax plain", "NAdam momentum decay", "RAdam plain", "Adadelta plain", "LAMB groups",
  "Lookahead(Adam)", "Ranger options", "Adam gradient centralization",
];

function bitsOf(...ts: Tensor[]): number[] {
  return ts.flatMap((t) => Array.from(new Uint32Array(t.toArray().buffer)));
}

describe("stateDict / loadStateDict", () => {
  for (const name of RESUME_CASES) {
    it(`${name}: saved at step 7, restored through JSON into a fresh model and optimizer, continues bit for bit`, () => {
      const c = byName(name);
      const [W1, b1] = freshParams();
      const straight = makeOptimizer(c, W1, b1);
      runSteps(straight, W1, b1, 0, fx.steps, c.sign);

      const [W2, b2] = freshParams();
      const first = makeOptimizer(c, W2, b2);
      runSteps(first, W2, b2, 0, 7, c.sign);
      const saved = JSON.stringify(first.stateDict());
      const weights = [W2.toArray(), b2.toArray()];

      const [W3, b3] = freshParams();
      W3.data.set(weights[0]);
      b3.data.set(weights[1]);
      const resumed = makeOptimizer(c, W3, b3);
      resumed.loadStateDict(JSON.parse(saved));
      expect(JSON.stringify(resumed.stateDict())).toBe(saved);
      runSteps(resumed, W3, b3, 7, fx.steps, c.sign);
      expect(bitsOf(W3, b3)).toEqual(bitsOf(W1, b1));
      for (const o of [straight, first, resumed]) o.dispose();
      for (const t of [W1, b1, W2, b2, W3, b3]) {
        t.grad?.dispose();
        t.dispose();
      }
    });
  }

  it("is plain versioned JSON in PyTorch's layout", () => {
    const [W, b] = freshParams();
    const opt = new optim.Adam([{ params: [W] }, { params: [b], lr: 0.1 }], { amsgrad: true });
    W.grad = tensor(new Float32Array(12).fill(0.5), [3, 4]);
    opt.step();
    const sd = opt.stateDict();
    expect(sd.version).toBe(1);
    expect(sd.optimizer).toBe("Adam");
    expect(sd.paramGroups.map((g) => g.params)).toEqual([[0], [1]]);
    expect(sd.paramGroups[1].lr).toBe(0.1);
    expect(sd.paramGroups[0].betas).toEqual([0.9, 0.999]);
    expect(Object.keys(sd.state)).toEqual(["0"]); // b had no gradient: no state
    expect(Object.keys(sd.state["0"]).sort()).toEqual(["exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"]);
    expect(sd.state["0"].step).toBe(1);
    expect(JSON.parse(JSON.stringify(sd))).toEqual(sd);
    opt.dispose();
    for (const t of [W.grad!, W, b]) t.dispose();
  });

  it("rejects mismatches, says which, and changes nothing", () => {
    const [W, b] = freshParams();
    const opt = new optim.Adam([{ params: [W] }, { params: [b] }], { lr: 0.01 });
    W.grad = tensor(new Float32Array(12).fill(0.5), [3, 4]);
    b.grad = tensor(new Float32Array(5).fill(-0.5), [5]);
    opt.step();
    const good = opt.stateDict();
    const before = JSON.stringify(good);
    const mutate = (fn: (sd: ReturnType<typeof opt.stateDict>) => void) => {
      const sd = JSON.parse(before);
      fn(sd);
      return sd;
    };
    expect(() => opt.loadStateDict(mutate((sd) => sd.paramGroups.pop()))).toThrow(/1 parameter groups, the optimizer 2/);
    expect(() => opt.loadStateDict(mutate((sd) => sd.paramGroups[1].params.push(7)))).toThrow(/paramGroups\[1\] has 2 parameters in the state dict, 1 in the optimizer/);
    expect(() => opt.loadStateDict(mutate((sd) => { sd.state["1"].exp_avg.shape = [6]; }))).toThrow(/state\[1\]\.exp_avg has shape \[6\] but parameter 1 has shape \[5\]/);
    expect(() => opt.loadStateDict(mutate((sd) => { sd.state["0"].exp_avg_sq.data.pop(); }))).toThrow(/state\[0\]\.exp_avg_sq has 11 values/);
    expect(() => opt.loadStateDict(mutate((sd) => { sd.version = 99; }))).toThrow(/version 99/);
    expect(() => opt.loadStateDict(mutate((sd) => { sd.paramGroups[0].lr = -1; }))).toThrow(/paramGroups\[0\]: Invalid learning rate: -1/);
    expect(() => opt.loadStateDict(mutate((sd) => { sd.state["0"].step = { shape: [1], data: [1] }; }))).toThrow();
    expect(JSON.stringify(opt.stateDict())).toBe(before);
    opt.dispose();
    for (const t of [W.grad!, b.grad!, W, b]) t.dispose();
  });
});

describe("validation (PyTorch's messages)", () => {
  const p = () => parameter([1, 2, 3]);
  const cases: [string, () => unknown, RegExp][] = [
    ["negative lr", () => new optim.Adam([p()], { lr: -1 }), /^Invalid learning rate: -1$/],
    ["NaN lr", () => new optim.SGD([p()], { lr: NaN }), /Invalid learning rate: NaN/],
    ["beta1 = 1", () => new optim.Adam([p()], { betas: [1, 0.9] }), /Invalid beta parameter at index 0: 1/],
    ["beta2 < 0", () => new optim.AdamW([p()], { betas: [0.9, -0.1] }), /Invalid beta parameter at index 1: -0.1/],
    ["negative eps", () => new optim.RMSprop([p()], { eps: -1 }), /Invalid epsilon value: -1/],
    ["negative weight decay", () => new optim.NAdam([p()], { weightDecay: -0.5 }), /Invalid weight_decay value: -0.5/],
    ["negative momentum", () => new optim.SGD([p()], { momentum: -0.9 }), /Invalid momentum value: -0.9/],
    ["nesterov without momentum", () => new optim.SGD([p()], { nesterov: true }), /Nesterov momentum requires a momentum and zero dampening/],
    ["nesterov with dampening", () => new optim.SGD([p()], { momentum: 0.9, dampening: 0.1, nesterov: true }), /Nesterov momentum requires/],
    ["negative lr decay", () => new optim.Adagrad([p()], { lrDecay: -1 }), /Invalid lr_decay value: -1/],
    ["negative initial accumulator", () => new optim.Adagrad([p()], { initialAccumulatorValue: -1 }), /Invalid initial_accumulator_value value: -1/],
    ["rho > 1", () => new optim.Adadelta([p()], { rho: 1.5 }), /Invalid rho value: 1.5/],
    ["negative alpha", () => new optim.RMSprop([p()], { alpha: -1 }), /Invalid alpha value: -1/],
    ["negative momentum decay", () => new optim.NAdam([p()], { momentumDecay: -1 }), /Invalid momentum_decay value: -1/],
    ["empty parameter list", () => new optim.Adam([]), /empty parameter list/],
    ["lookahead k = 0", () => new optim.Lookahead(new optim.SGD([p()]), { k: 0 }), /Invalid lookahead steps k: 0/],
    ["lookahead alpha = 2", () => new optim.Ranger([p()], { alpha: 2 }), /Invalid slow update rate alpha: 2/],
  ];
  for (const [name, fn, message] of cases) it(name, () => expect(fn).toThrow(message));

  it("addParamGroup validates, fills defaults, and refuses a parameter already in a group", () => {
    const a = p(), b = p(), c = p();
    const opt = new optim.SGD([a], { lr: 0.1, momentum: 0.9 });
    expect(() => opt.addParamGroup({ params: [b], lr: -2 })).toThrow(/Invalid learning rate: -2/);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/more than one parameter group/);
    expect(() => opt.addParamGroup({ params: [b], momentum: 0, nesterov: true })).toThrow(/Nesterov/);
    expect(opt.paramGroups.length).toBe(1);
    opt.addParamGroup({ params: [b, c], lr: 0.5 });
    expect(opt.paramGroups[1].lr).toBe(0.5);
    expect(opt.paramGroups[1].momentum).toBe(0.9);
    expect(() => new optim.Adam([{ params: [a] }, { params: [a] }])).toThrow(/more than one parameter group/);
    for (const t of [a, b, c]) t.dispose();
  });
});

describe("step()", () => {
  it("a disposed gradient anywhere is an error before any parameter or state changes", () => {
    const a = parameter([1, 2, 3, 4]), b = parameter([5, 6]);
    const opt = new optim.Adam([{ params: [a] }, { params: [b] }]);
    a.grad = tensor([1, 1, 1, 1]);
    b.grad = tensor([1, 1]);
    b.grad.dispose();
    expect(() => opt.step()).toThrow(/gradient of paramGroups\[1\]\.params\[0\].*disposed/);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4]);
    expect(opt.state.size).toBe(0);
    b.dispose();
    expect(() => opt.step()).toThrow(/paramGroups\[1\]\.params\[0\].*disposed/);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4]);
    a.grad.dispose();
    a.dispose();
  });

  it("a parameter whose grad is null is skipped: no state, no step counted", () => {
    const a = parameter([1, 2]), b = parameter([3, 4]);
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.grad = tensor([1, 1]);
    opt.step();
    opt.step();
    expect(opt.state.get(a)!.step).toBe(2);
    expect(opt.state.has(b)).toBe(false);
    expect(Array.from(b.data)).toEqual([3, 4]);
    b.grad = tensor([1, 1]);
    opt.step();
    expect(opt.state.get(b)!.step).toBe(1);
    opt.dispose();
    for (const t of [a.grad, b.grad, a, b]) t.dispose();
  });

  it("zeroGrad sets gradients to null by default, or to zeros", () => {
    const a = parameter([1, 2]);
    const opt = new optim.SGD([a]);
    const g = tensor([3, 4]);
    a.grad = g;
    opt.zeroGrad({ setToNone: false });
    expect(Array.from(a.grad!.data)).toEqual([0, 0]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    g.dispose();
    a.dispose();
  });

  it("paramGroups[i].lr changes take effect at the next step", () => {
    const a = parameter([1]);
    const opt = new optim.SGD([a], { lr: 0.5 });
    a.grad = tensor([1]);
    opt.step();
    opt.paramGroups[0].lr = 0.25;
    opt.step();
    expect(a.data[0]).toBe(1 - 0.5 - 0.25);
    a.grad.dispose();
    a.dispose();
  });

  it("LAMB's trust ratio is 1 when the weights are zero", () => {
    const a = parameter([0, 0, 0]);
    const opt = new optim.LAMB([a], { lr: 0.1 });
    a.grad = tensor([1, -1, 2]);
    opt.step();
    // m̂ = g, v̂ = g², u = g/(|g| + eps) ≈ sign(g), r = 1: w = −0.1·u
    expect(Array.from(a.data).map((x) => Math.round(x * 1e5) / 1e5)).toEqual([-0.1, 0.1, -0.1]);
    opt.dispose();
    a.grad.dispose();
    a.dispose();
  });
});

describe("multi-tensor path", () => {
  it("one group of 50 tensors gives the same bits as 50 single-tensor optimizers", () => {
    const sizes = Array.from({ length: 50 }, (_, i) => 1 + ((i * 37) % 23));
    const init = sizes.map((n, i) => Float32Array.from({ length: n }, (_, j) => Math.sin(i * 7 + j)));
    const grads = sizes.map((n, i) => Float32Array.from({ length: n }, (_, j) => Math.cos(i * 3 + j) * (j % 5 === 0 ? 1e-21 : 1)));
    for (const make of [
      (ps: Tensor[]) => new optim.Adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 0.01 }),
      (ps: Tensor[]) => new optim.RMSprop(ps, { centered: true, momentum: 0.9 }),
      (ps: Tensor[]) => new optim.LAMB(ps, { weightDecay: 0.1 }),
    ]) {
      const together = init.map((x) => parameter(x));
      const apart = init.map((x) => parameter(x));
      const one = make(together);
      const many = apart.map((p) => make([p]));
      for (let s = 0; s < 3; s++) {
        together.forEach((p, i) => { p.grad?.dispose(); p.grad = tensor(grads[i]); });
        apart.forEach((p, i) => { p.grad?.dispose(); p.grad = tensor(grads[i]); });
        one.step();
        for (const o of many) o.step();
      }
      expect(bitsOf(...together)).toEqual(bitsOf(...apart));
      one.dispose();
      for (const o of many) o.dispose();
      for (const p of [...together, ...apart]) {
        p.grad?.dispose();
        p.dispose();
      }
    }
  });

  it("a training step in steady state allocates nothing", () => {
    const ps = Array.from({ length: 20 }, (_, i) => parameter(new Float32Array(10 + i).fill(0.5)));
    for (const p of ps) p.grad = tensor(new Float32Array(p.size).fill(0.1));
    for (const opt of [new optim.Adam(ps, { gradCentralization: true }), new optim.Ranger(ps), new optim.LAMB(ps)]) {
      // Steady state: after the first steps (state, tables) and Ranger's first synchronisation.
      for (let i = 0; i < 5; i++) opt.step();
      optim.clipGradNorm(ps, 0.1);
      const before = memoryStats();
      for (let i = 0; i < 10; i++) opt.step();
      optim.clipGradNorm(ps, 0.1);
      expect(memoryStats().allocatedBytes).toBe(before.allocatedBytes);
      expect(memoryStats().liveTensors).toBe(before.liveTensors);
      opt.dispose();
    }
    for (const p of ps) {
      p.grad!.dispose();
      p.dispose();
    }
  });
});

describe("with lr schedulers", () => {
  it("a scheduler drives an optimizer, and a Lookahead through the inner optimizer's paramGroups", () => {
    const a = parameter([1, 2]), b = parameter([3, 4]);
    const adam = new optim.Adam([a], { lr: 0.1 });
    const ranger = new optim.Ranger([b], { lr: 0.1 });
    const s1 = new optim.lrScheduler.StepLR(adam, { stepSize: 1, gamma: 0.5 });
    const s2 = new optim.lrScheduler.StepLR(ranger, { stepSize: 1, gamma: 0.5 });
    a.grad = tensor([1, 1]);
    b.grad = tensor([1, 1]);
    for (let i = 0; i < 3; i++) {
      adam.step();
      ranger.step();
      s1.step();
      s2.step();
    }
    expect(adam.paramGroups[0].lr).toBe(0.1 / 8);
    expect(ranger.paramGroups[0].lr).toBe(0.1 / 8);
    expect((ranger as unknown as { inner: optim.Optimizer }).inner.paramGroups[0].lr).toBe(0.1 / 8);
    expect(s2.getLastLr()).toEqual([0.1 / 8]);
    adam.dispose();
    ranger.dispose();
    for (const t of [a.grad, b.grad, a, b]) t.dispose();
  });
});
