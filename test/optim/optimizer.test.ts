// The Optimizer contract: state dicts (bit-for-bit resumption, validation
// that changes nothing on error), hyper-parameter validation with PyTorch's
// messages, errors before any change, null gradients, zeroGrad, the
// multi-tensor path against one tensor at a time, and steady-state memory.
import { describe, expect, it } from "vitest";
import { memoryStats, optim, parameter, tensor, type Tensor, zeros, empty } from "../../src/index.js";
import { optimFixture, paramsOf, Replay, replay, type OptimCase } from "../helpers/optim.js";
import { compareRecords } from "../helpers/fixture.js";
import { expectClose } from "../helpers/close.js";

const byName = (name: string): OptimCase => optimFixture.cases.find((c) => c.name === name)!;
/** W [3, 4] and b [5], the trajectory cases' parameters. */
const freshParams = () => paramsOf(byName("Adam plain"));
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
      // the actions up to and including the 7th step
      let seventh = 0;
      for (let steps = 0; steps < 7; seventh++) if (c.actions[seventh][0] === "step") steps++;
      const straight = new Replay(c);
      for (const a of c.actions) straight.act(a);

      const first = new Replay(c);
      for (const a of c.actions.slice(0, seventh)) first.act(a);
      const saved = JSON.stringify(first.opt.stateDict());

      const resumed = new Replay(c);
      resumed.params.forEach((p, i) => p.data.set(first.params[i].toArray()));
      resumed.opt.loadStateDict(JSON.parse(saved));
      expect(JSON.stringify(resumed.opt.stateDict())).toBe(saved);
      for (const a of c.actions.slice(seventh)) resumed.act(a);
      expect(bitsOf(...resumed.params)).toEqual(bitsOf(...straight.params));
      for (const r of [straight, first, resumed]) r.dispose();
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

// How optimizers read their options: `undefined` means the default, unknown
// keys are errors (PyTorch: "unexpected keyword argument"), options edited in
// paramGroups are re-validated at step(), and step(closure) as in PyTorch.
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

// State that cannot be trusted is refused before it can reach a kernel:
// foreign or incomplete state dicts, invalid steps, Lookahead parameters
// added after construction, and Lookahead's k/alpha edited between steps.
function adamWithState() {
  const p = parameter([1, -2, 3]);
  const opt = new optim.Adam([p], { lr: 0.1 });
  p.grad = tensor([0.5, 0.5, 0.5]);
  opt.step();
  return { p, opt };
}

describe("loadStateDict refuses state it cannot use, changing nothing", () => {
  it("a state dict saved from another optimizer", () => {
    const q = parameter([1, -2, 3]);
    const sgd = new optim.SGD([q], { lr: 0.1, momentum: 0.9 });
    q.grad = tensor([1, 1, 1]);
    sgd.step();
    const { p, opt } = adamWithState();
    const before = JSON.stringify(opt.stateDict());
    expect(() => opt.loadStateDict(sgd.stateDict())).toThrow(/saved from SGD, not Adam/);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
    expect(Array.from(p.data)).toEqual(Array.from(p.toArray()));
  });

  it("an entry that lacks one of the optimizer's buffers, or has a number where a buffer belongs", () => {
    const { opt } = adamWithState();
    const sd = opt.stateDict();
    const before = JSON.stringify(sd);
    const missing = JSON.parse(before);
    delete missing.state["0"].exp_avg_sq;
    expect(() => opt.loadStateDict(missing)).toThrow(/state\[0\] lacks exp_avg_sq/);
    const wrongType = JSON.parse(before);
    wrongType.state["0"].exp_avg = 0;
    expect(() => opt.loadStateDict(wrongType)).toThrow(/state\[0\]\.exp_avg/);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });

  it.each([[-1], [1.5], [Number.NaN]])("step = %s is a RangeError", (step) => {
    const { opt } = adamWithState();
    const sd = JSON.parse(JSON.stringify(opt.stateDict()));
    sd.state["0"].step = step;
    expect(() => opt.loadStateDict(sd)).toThrow(/step must be a non-negative integer/);
    expect(opt.stateDict().state["0"].step).toBe(1);
  });

  it("a valid round trip still loads (SGD's lazily created momentum buffer included)", () => {
    const q = parameter([1, 2]);
    const sgd = new optim.SGD([q], { lr: 0.1, momentum: 0.9 });
    q.grad = tensor([1, -1]);
    sgd.step();
    const fresh = new optim.SGD([q], { lr: 0.1, momentum: 0.9 });
    fresh.loadStateDict(JSON.parse(JSON.stringify(sgd.stateDict())));
    expect(fresh.stateDict()).toEqual(sgd.stateDict());
  });
});

// Out of memory while creating optimizer state: the step fails with the
// allocator's RangeError and changes nothing, even when an earlier group could
// have been updated. Own file: it grows WebAssembly memory to about 3 GiB.
it("AMSGrad Adam's first step, whose state for a second, large group does not fit in 4 GiB, throws before updating the first group", () => {
  const small = parameter([1, 2, 3]);
  small.grad = tensor([1, 1, 1]);
  const n = 250_000_000; // 1 GB each: parameter, gradient and two of AMSGrad's three state buffers fit; the third does not
  const big = empty([n]);
  big.requiresGrad = true;
  big.grad = empty([n]);
  const opt = new optim.Adam([{ params: [small] }, { params: [big] }], { lr: 0.1, amsgrad: true });
  expect(() => opt.step()).toThrow(RangeError);
  expect(Array.from(small.data)).toEqual([1, 2, 3]);
  expect(opt.stateDict().state).toEqual({});
  big.grad!.dispose();
  big.dispose();
});

// Every optimizer against PyTorch 1.13, from one fixture (test/fixtures/optim.json,
// written by test/fixtures/generate.py) replayed action by action through the
// public API (test/helpers/optim.ts): every optimizer × option set over 20 steps
// whose gradient is a function of the parameters (g = p·(s·C1) + p·p·p·(s·C2) +
// noise, so each step feeds back the optimizer's own result; a parameter without
// gradient at some steps; every lr halved before step 12); every optimizer with
// its defaults only (SGD: lr 1e-3, API.md's default) over 12 steps of fixed
// gradients, with a parameter that never gets one; and replays of paramGroups
// edits between steps (lr, betas, momentum, weightDecay, eps, amsgrad, centered,
// ...), addParamGroup taking the constructor's options, SGD's first momentum step
// with dampening, maximize with weight decay, RAdam's rectification switch,
// Adamax/Adagrad at tiny gradients, gradients null mid-run (lazily created
// state), zeroGrad({ setToNone: false }), zero-element parameters, JSON
// state-dict round trips (with groups added mid-run), PyTorch's implementation
// switches (foreach, differentiable, capturable/fused false) and the
// constructors' errors. Each case carries its tolerance: relative 1e-5 +
// absolute 1e-6 (float32 state), or 2e-6 + 1e-7 for the defaults.
const camel = (k: string) => k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

describe("every optimizer against PyTorch 1.13 (one fixture, one replay)", () => {
  it("holds every kind of case", () => {
    const kinds = new Set(optimFixture.cases.flatMap((c) => c.actions.map((a) => a[0] as string)));
    expect([...kinds].sort()).toEqual(["addGroup", "grads", "polyGrads", "roundtrip", "scaleLr", "set", "step", "zeroGrad"]);
    const optimizers = new Set(optimFixture.cases.map((c) => c.optimizer));
    for (const o of ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adadelta", "LAMB", "Ranger"]) expect(optimizers).toContain(o);
    expect(optimFixture.cases.some((c) => c.lookahead)).toBe(true);
  });

  for (const c of optimFixture.cases) {
    it(c.name, () => {
      const before = memoryStats().liveTensors;
      const { records, run } = replay(c);
      compareRecords(c, records, (got, want, where) => {
        const w = want.params as number[][];
        const g = got.params as number[][];
        expect(g.length, `${where}: parameters`).toBe(w.length);
        w.forEach((wp, i) => expectClose(g[i], wp, { rtol: c.rtol, atol: c.atol, what: `${where} param ${i}` }));
      });
      if (c.defaults) {
        const group = run!.opt.paramGroups[0] as Record<string, unknown>;
        for (const [k, v] of Object.entries(c.defaults)) expect(group[camel(k)], `default ${k}`).toEqual(v);
      }
      if (c.stateKeys) {
        expect(Object.keys(run!.opt.stateDict().state).map(Number).sort((x, y) => x - y)).toEqual(c.stateKeys);
        // a parameter that never gets a gradient is skipped: unchanged, bit for bit
        const idle = c.params.map((_, i) => i).filter((i) => c.actions.every((a) => a[0] !== "grads" || (a[1] as unknown[])[i] === null));
        expect(idle.length).toBeGreaterThan(0);
        for (const i of idle) expect(Array.from(run!.params[i].toArray())).toEqual((c.params[i] as number[]).flat());
      }
      run?.dispose();
      expect(memoryStats().liveTensors).toBe(before);
    });
  }

  it("rejects capturable/fused true (CUDA-only in PyTorch) and non-boolean switches, before any state exists", () => {
    const p = parameter([1, 2]);
    expect(() => new optim.Adam([p], { capturable: true } as never)).toThrow(/capturable: true needs CUDA/);
    expect(() => new optim.Adam([p], { fused: true } as never)).toThrow(/fused: true needs CUDA/);
    expect(() => new optim.SGD([p], { foreach: "yes" } as never)).toThrow(/foreach must be a boolean or null/);
    // Switches another optimizer has are still unexpected options (PyTorch: unexpected keyword argument).
    expect(() => new optim.NAdam([p], { differentiable: false } as never)).toThrow(/unexpected option "differentiable"/);
    expect(() => new optim.SGD([p], { fused: false } as never)).toThrow(/unexpected option "fused"/);
  });

  it("checks the same switches in parameter groups (constructor and addParamGroup) and drops them", () => {
    const q = () => parameter([1, 2]);
    expect(() => new optim.Adam([{ params: [q()], fused: true }] as never)).toThrow(/fused: true needs CUDA/);
    expect(() => new optim.AdamW([{ params: [q()], capturable: true }] as never)).toThrow(/capturable: true needs CUDA/);
    expect(() => new optim.SGD([{ params: [q()], foreach: "yes" }] as never)).toThrow(/foreach must be a boolean or null/);
    const opt = new optim.Adam([q()]);
    expect(() => opt.addParamGroup({ params: [q()], fused: true } as never)).toThrow(/fused: true needs CUDA/);
    expect(opt.paramGroups.length).toBe(1);
    opt.addParamGroup({ params: [q()], foreach: false, fused: false } as never);
    expect(opt.paramGroups.length).toBe(2);
    expect("fused" in opt.paramGroups[1]).toBe(false);
    expect("foreach" in opt.paramGroups[1]).toBe(false);
  });
});

describe("optimizer error texts contain PyTorch 1.13's", () => {
  const p = () => parameter([0, 0]);
  const sgdTwoGroups = () => new optim.SGD([{ params: [p()] }, { params: [p()] }], { lr: 0.1 });
  const calls: Record<string, () => unknown> = {
    "load: group count": () => new optim.SGD([p(), p()], { lr: 0.1 }).loadStateDict(sgdTwoGroups().stateDict()),
    "load: group size": () => new optim.SGD([{ params: [p()] }, { params: [p(), p()] }], { lr: 0.1 }).loadStateDict(sgdTwoGroups().stateDict()),
    "empty parameter list": () => new optim.Adam([]),
    "parameter in two groups": () => {
      const a = p();
      return new optim.Adam([{ params: [a] }, { params: [a] }]);
    },
    "SGD nesterov without momentum": () => new optim.SGD([p()], { lr: 0.1, nesterov: true }),
    "Adam lr -1": () => new optim.Adam([p()], { lr: -1 }),
    "Adam eps -1": () => new optim.Adam([p()], { eps: -1 }),
    "Adam beta2 1": () => new optim.Adam([p()], { betas: [0.9, 1] }),
  };
  for (const [what, text] of Object.entries(optimFixture.errors)) {
    it(what, () => {
      expect(calls[what], `no call for ${what}`).toBeTypeOf("function");
      expect(calls[what]).toThrow(text);
    });
  }
});
