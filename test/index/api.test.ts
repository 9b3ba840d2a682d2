// The public API contract (/work/shared/API.md): every name it lists exists
// with that exact spelling and kind, and every default it lists is the one the
// library uses. Defaults are checked exactly: stored options (optimizer param
// groups, scheduler state dicts, module fields) with toEqual/toBe, and
// random initializers by bit-identical output of the default call and the
// call with API.md's defaults spelled out, from the same seed.
import { describe, expect, it, vi } from "vitest";
import * as wt from "../../src/index.js";
import {
  backendInfo, empty, full, Generator, init, manualSeed, matmul, memoryStats, nn, ones, optim,
  parameter, rand, randn, ready, Tensor, tensor, zeros,
} from "../../src/index.js";

const S = optim.lrScheduler;

function params(n = 2): Tensor[] {
  const ps: Tensor[] = [];
  for (let i = 0; i < n; i++) ps.push(parameter([1, -2, 3, -4, 5, -6], [2, 3]));
  return ps;
}

function expectFunction(owner: Record<string, unknown>, names: readonly string[], where: string): void {
  for (const name of names) {
    expect(typeof owner[name], `${where}.${name}`).toBe("function");
  }
}

function isClass(f: unknown): boolean {
  return typeof f === "function" && /^class[\s{]/.test(Function.prototype.toString.call(f));
}

describe("API.md: the package entry", () => {
  const functions = [
    "ready", "tensor", "zeros", "ones", "empty", "full", "rand", "randn", "parameter",
    "manualSeed", "matmul", "backendInfo", "memoryStats",
  ] as const;

  it("exports every listed function", () => {
    expectFunction(wt as unknown as Record<string, unknown>, functions, "wasmtrain");
  });

  it("exports the classes Tensor and Generator, and the namespaces init, optim, nn", () => {
    expect(isClass(wt.Tensor)).toBe(true);
    expect(isClass(wt.Generator)).toBe(true);
    for (const ns of ["init", "optim", "nn"] as const) {
      expect(typeof wt[ns], ns).toBe("object");
      expect(wt[ns], ns).not.toBeNull();
    }
  });

  it("before ready() has resolved, kernel-backed functions throw a clear Error (a fresh module instance)", async () => {
    vi.resetModules();
    const fresh = (await import("../../src/index.js")) as typeof wt;
    expect(fresh.zeros).not.toBe(wt.zeros); // really a second instance, never readied
    for (const f of [() => fresh.zeros([2]), () => fresh.tensor([1, 2]), () => fresh.rand([2]), () => new fresh.nn.Linear(2, 2)]) {
      expect(f).toThrow(/ready\(\)/);
    }
    await fresh.ready({ build: (process.env.WASMTRAIN_BUILD ?? "simd") as wt.BuildName });
    expect(Array.from(fresh.ones([2]).data)).toEqual([1, 1]);
    vi.resetModules();
  });

  it("ready() is idempotent and resolves; backendInfo() and memoryStats() have the listed fields", async () => {
    await expect(ready()).resolves.toBeUndefined();
    const info = backendInfo();
    expect(["relaxed-simd", "simd", "js"]).toContain(info.build);
    expect(info.build).toBe(process.env.WASMTRAIN_BUILD ?? "simd");
    expect(typeof info.threads).toBe("number");
    expect(typeof info.memoryBytes).toBe("number");
    const stats = memoryStats();
    for (const key of ["allocatedBytes", "peakBytes", "liveTensors"] as const) expect(typeof stats[key], key).toBe("number");
  });
});

describe("API.md: tensors", () => {
  it("constructors give tensors of the requested shape", () => {
    const made = [tensor([[1, 2], [3, 4]]), zeros([2, 2]), ones([2, 2]), empty([2, 2]), full([2, 2], 7), rand([2, 2]), randn([2, 2])];
    for (const t of made) {
      expect(t).toBeInstanceOf(Tensor);
      expect(t.shape).toEqual([2, 2]);
    }
    expect(Array.from(made[4].data)).toEqual([7, 7, 7, 7]);
    expect(tensor([1, 2, 3, 4], [2, 2]).shape).toEqual([2, 2]);
    expect(tensor(new Float32Array([1, 2, 3])).shape).toEqual([3]); // any ArrayLike
    for (const t of made) t.dispose();
  });

  it("rand/randn take { generator }", () => {
    const a = rand([5], { generator: new Generator(3) }).toArray();
    const b = rand([5], { generator: new Generator(3) }).toArray();
    expect(Array.from(a)).toEqual(Array.from(b));
    const c = randn([5], { generator: new Generator(3) }).toArray();
    const d = randn([5], { generator: new Generator(3) }).toArray();
    expect(Array.from(c)).toEqual(Array.from(d));
  });

  it("has every listed member with its kind", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.size).toBe(6);
    expect(t.ndim).toBe(2);
    expect(t.data).toBeInstanceOf(Float32Array);
    const copy = t.toArray();
    expect(copy).toBeInstanceOf(Float32Array);
    copy[0] = 99;
    expect(t.data[0]).toBe(1); // a copy, not the live view
    expect(tensor([2.5]).item()).toBe(2.5);
    expect(t.grad).toBeNull();
    expect(t.requiresGrad).toBe(false);
    t.requiresGrad = true; // writable
    expect(t.requiresGrad).toBe(true);
    t.grad = tensor([1, 1, 1, 1, 1, 1], t.shape); // assignable
    expect(t.grad!.shape).toEqual([2, 3]);
    expect(() => { t.grad = tensor([1, 2, 3]); }).toThrow(/shape/); // shape-checked
    expect(typeof t.dispose).toBe("function");
    t.dispose();
    expect(() => t.data).toThrow(Error);
  });

  it("nn.Parameter (constructible, with or without new) and parameter() give tensors with requiresGrad = true", () => {
    expect(typeof nn.Parameter).toBe("function");
    const p = parameter([1, 2, 3, 4], [2, 2]);
    expect(p).toBeInstanceOf(Tensor);
    expect(p.requiresGrad).toBe(true);
    expect(p.shape).toEqual([2, 2]);
    const q = new nn.Parameter(zeros([3]));
    expect(q).toBeInstanceOf(Tensor);
    expect(q.requiresGrad).toBe(true);
    expect(q.shape).toEqual([3]);
    expect(nn.parameter).toBe(wt.parameter);
  });
});

describe("API.md: kernels and random numbers", () => {
  it("matmul's defaults are transposeA=false, transposeB=false, alpha=1, beta=0", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[1, 0], [0, 1], [2, -1]]);
    const byDefault = matmul(a, b).toArray();
    const spelled = matmul(a, b, { transposeA: false, transposeB: false, alpha: 1, beta: 0 }).toArray();
    expect(Array.from(byDefault)).toEqual(Array.from(spelled));
    expect(Array.from(byDefault)).toEqual([7, -1, 16, -1]); // exact small integers
  });

  it("Generator: constructor with optional seed, manualSeed, getState/setState; manualSeed takes number or bigint", () => {
    expect(typeof new Generator().manualSeed).toBe("function");
    const g = new Generator(5n);
    expect(typeof g.getState).toBe("function");
    expect(typeof g.setState).toBe("function");
    g.manualSeed(7);
    const state = g.getState();
    const x = rand([4], { generator: g }).toArray();
    g.setState(state);
    expect(Array.from(rand([4], { generator: g }).toArray())).toEqual(Array.from(x));
    manualSeed(11);
    const y = rand([4]).toArray();
    manualSeed(11n);
    expect(Array.from(rand([4]).toArray())).toEqual(Array.from(y));
  });
});

describe("API.md: init", () => {
  const names = [
    "calculateFanInAndFanOut", "calculateGain", "uniform", "normal", "truncNormal", "constant", "ones", "zeros",
    "eye", "dirac", "xavierUniform", "xavierNormal", "kaimingUniform", "kaimingNormal", "orthogonal", "sparse",
    "lecunUniform", "lecunNormal", "varianceScaling", "glorotUniform", "glorotNormal", "heUniform", "heNormal",
  ] as const;

  it("exports every listed function", () => {
    expectFunction(init as unknown as Record<string, unknown>, names, "init");
  });

  it("calculateFanInAndFanOut follows PyTorch's [out, in, ...kernel]; every function returns its tensor", () => {
    expect(init.calculateFanInAndFanOut(empty([4, 3, 5]))).toEqual([15, 20]);
    const t = empty([3, 3]);
    expect(init.eye(t)).toBe(t);
    expect(init.constant(t, 2)).toBe(t);
    expect(init.ones(t)).toBe(t);
    expect(init.zeros(t)).toBe(t);
    expect(init.calculateGain("relu")).toBe(Math.SQRT2);
    // PyTorch's calculate_gain table
    expect(init.calculateGain("linear")).toBe(1);
    expect(init.calculateGain("conv2d")).toBe(1);
    expect(init.calculateGain("sigmoid")).toBe(1);
    expect(init.calculateGain("tanh")).toBeCloseTo(5 / 3, 15);
    expect(init.calculateGain("leaky_relu")).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(init.calculateGain("leaky_relu", 0.2)).toBeCloseTo(Math.sqrt(2 / (1 + 0.2 ** 2)), 15);
    expect(init.calculateGain("selu")).toBe(3 / 4);
  });

  // Default call vs API.md's defaults spelled out, from the same seed: bit-identical.
  const shape = [16, 12];
  const same: [string, (t: Tensor, g: Generator) => Tensor, (t: Tensor, g: Generator) => Tensor][] = [
    ["uniform {a=0, b=1}", (t, g) => init.uniform(t, { generator: g }), (t, g) => init.uniform(t, { a: 0, b: 1, generator: g })],
    ["normal {mean=0, std=1}", (t, g) => init.normal(t, { generator: g }), (t, g) => init.normal(t, { mean: 0, std: 1, generator: g })],
    ["truncNormal {mean=0, std=1, a=-2, b=2}", (t, g) => init.truncNormal(t, { generator: g }),
      (t, g) => init.truncNormal(t, { mean: 0, std: 1, a: -2, b: 2, generator: g })],
    ["xavierUniform {gain=1}", (t, g) => init.xavierUniform(t, { generator: g }), (t, g) => init.xavierUniform(t, { gain: 1, generator: g })],
    ["xavierNormal {gain=1}", (t, g) => init.xavierNormal(t, { generator: g }), (t, g) => init.xavierNormal(t, { gain: 1, generator: g })],
    ["kaimingUniform {a=0, mode='fan_in', nonlinearity='leaky_relu'}", (t, g) => init.kaimingUniform(t, { generator: g }),
      (t, g) => init.kaimingUniform(t, { a: 0, mode: "fan_in", nonlinearity: "leaky_relu", generator: g })],
    ["kaimingNormal {a=0, mode='fan_in', nonlinearity='leaky_relu'}", (t, g) => init.kaimingNormal(t, { generator: g }),
      (t, g) => init.kaimingNormal(t, { a: 0, mode: "fan_in", nonlinearity: "leaky_relu", generator: g })],
    ["orthogonal {gain=1}", (t, g) => init.orthogonal(t, { generator: g }), (t, g) => init.orthogonal(t, { gain: 1, generator: g })],
    ["sparse {std=0.01}", (t, g) => init.sparse(t, 0.25, { generator: g }), (t, g) => init.sparse(t, 0.25, { std: 0.01, generator: g })],
    ["varianceScaling {scale=1, mode='fan_in', distribution='truncated_normal'}", (t, g) => init.varianceScaling(t, { generator: g }),
      (t, g) => init.varianceScaling(t, { scale: 1, mode: "fan_in", distribution: "truncated_normal", generator: g })],
    ["lecunUniform = varianceScaling uniform, fan_in", (t, g) => init.lecunUniform(t, { generator: g }),
      (t, g) => init.varianceScaling(t, { scale: 1, mode: "fan_in", distribution: "uniform", generator: g })],
    ["lecunNormal = varianceScaling truncated_normal, fan_in (Keras)", (t, g) => init.lecunNormal(t, { generator: g }),
      (t, g) => init.varianceScaling(t, { scale: 1, mode: "fan_in", distribution: "truncated_normal", generator: g })],
    ["glorotUniform = xavierUniform", (t, g) => init.glorotUniform(t, { generator: g }), (t, g) => init.xavierUniform(t, { generator: g })],
    ["glorotNormal = xavierNormal", (t, g) => init.glorotNormal(t, { generator: g }), (t, g) => init.xavierNormal(t, { generator: g })],
    ["heUniform = kaimingUniform {nonlinearity='relu'}", (t, g) => init.heUniform(t, { generator: g }),
      (t, g) => init.kaimingUniform(t, { nonlinearity: "relu", generator: g })],
    ["heNormal = kaimingNormal {nonlinearity='relu'}", (t, g) => init.heNormal(t, { generator: g }),
      (t, g) => init.kaimingNormal(t, { nonlinearity: "relu", generator: g })],
  ];
  for (const [what, byDefault, spelled] of same) {
    it(`${what}: the default call equals the spelled-out defaults, bit for bit`, () => {
      const a = byDefault(empty(shape), new Generator(1234));
      const b = spelled(empty(shape), new Generator(1234));
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
      expect(a.data.some((v) => v !== 0)).toBe(true);
      a.dispose();
      b.dispose();
    });
  }

  it("dirac {groups=1}", () => {
    const a = init.dirac(empty([4, 4, 3]));
    const b = init.dirac(empty([4, 4, 3]), { groups: 1 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });
});

// API.md's optimizer table, exactly (lr, betas, eps, ... per class).
const betas = [0.9, 0.999];
const optimizerDefaults: Record<string, Record<string, unknown>> = {
  SGD: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  Adagrad: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  RMSprop: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
  Adam: { lr: 1e-3, betas, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false },
  AdamW: { lr: 1e-3, betas, eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false },
  Adamax: { lr: 2e-3, betas, eps: 1e-8, weightDecay: 0, maximize: false },
  NAdam: { lr: 2e-3, betas, eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 },
  RAdam: { lr: 1e-3, betas, eps: 1e-8, weightDecay: 0 },
  Adadelta: { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
  LAMB: { lr: 1e-3, betas, eps: 1e-6, weightDecay: 0 },
  Ranger: { lr: 1e-3, betas, eps: 1e-8, weightDecay: 0 }, // RAdam's
};

describe("API.md: optim", () => {
  const members = ["step", "zeroGrad", "addParamGroup", "stateDict", "loadStateDict"] as const;

  for (const [name, defaults] of Object.entries(optimizerDefaults)) {
    it(`optim.${name}: a class with every member; constructed with params only, paramGroups[0] holds API.md's defaults`, () => {
      const Ctor = (optim as unknown as Record<string, new (ps: Tensor[]) => optim.Optimizer>)[name];
      expect(isClass(Ctor), name).toBe(true);
      const ps = params();
      const opt = new Ctor(ps);
      expectFunction(opt as unknown as Record<string, unknown>, members, name);
      expect(Array.isArray(opt.paramGroups)).toBe(true);
      const group = opt.paramGroups[0] as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(defaults)) expect(group[key], `${name} ${key}`).toEqual(value);
      expect(group.params).toEqual(ps);
      // gradCentralization is accepted by every optimizer and off by default
      expect(group.gradCentralization).toBe(false);
      expect(() => new (Ctor as unknown as new (ps: Tensor[], o: object) => unknown)(params(), { gradCentralization: true })).not.toThrow();
    });
  }

  it("Lookahead(inner, {k=5, alpha=0.5}) and Ranger's k/alpha; both have every optimizer member", () => {
    const la = new optim.Lookahead(new optim.Adam(params()));
    const ranger = new optim.Ranger(params());
    for (const opt of [la, ranger]) {
      expectFunction(opt as unknown as Record<string, unknown>, members, "Lookahead");
      expect(opt.stateDict().lookahead).toMatchObject({ k: 5, alpha: 0.5 });
      expect(Array.isArray(opt.paramGroups)).toBe(true);
    }
    expect(isClass(optim.Lookahead)).toBe(true);
  });

  it("params may be any iterable of parameters (array, Set, generator) or an array of param groups", () => {
    const ps = params(2);
    expect(new optim.SGD(new Set(ps)).paramGroups[0].params).toEqual(ps);
    expect(new optim.SGD((function* () { yield* ps; })()).paramGroups[0].params).toEqual(ps);
    const grouped = new optim.Adam([{ params: [ps[0]], lr: 0.1 }, { params: [ps[1]] }], { lr: 0.01 });
    expect(grouped.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.01]);
  });

  it("zeroGrad() defaults to setToNone=true; paramGroups[i].lr takes effect at the next step; addParamGroup", () => {
    const [p, q] = params();
    const opt = new optim.SGD([p]);
    p.grad = ones(p.shape);
    opt.paramGroups[0].lr = 0.5;
    opt.step();
    expect(p.data[0]).toBe(0.5);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    p.grad = ones(p.shape);
    opt.zeroGrad({ setToNone: false });
    expect(Array.from(p.grad!.data)).toEqual([0, 0, 0, 0, 0, 0]);
    opt.addParamGroup({ params: [q], lr: 0.25 });
    expect(opt.paramGroups.length).toBe(2);
    expect(opt.paramGroups[1].lr).toBe(0.25);
  });

  it("a state dict is plain JSON data that a fresh optimizer continues from exactly", () => {
    const run = (opt: optim.Optimizer, ps: Tensor[], steps: number) => {
      for (let i = 0; i < steps; i++) {
        for (const p of ps) p.grad = tensor(Array.from(p.data, (v) => Math.sin(v + i)), p.shape);
        opt.step();
      }
    };
    const a = params();
    const optA = new optim.Adam(a);
    run(optA, a, 3);
    const b = a.map((p) => parameter(p.toArray(), p.shape));
    const optB = new optim.Adam(b);
    optB.loadStateDict(JSON.parse(JSON.stringify(optA.stateDict())));
    run(optA, a, 2);
    run(optB, b, 2);
    for (let i = 0; i < a.length; i++) expect(Array.from(b[i].data)).toEqual(Array.from(a[i].data));
  });

  it("clipGradNorm(params, maxNorm, {normType=2, errorIfNonfinite=false}) returns a number; clipGradValue exists", () => {
    expectFunction(optim as unknown as Record<string, unknown>, ["clipGradNorm", "clipGradValue"], "optim");
    const [p] = params(1);
    p.grad = tensor([3, 4, 0, 0, 0, 0], p.shape);
    expect(optim.clipGradNorm([p], 100)).toBeCloseTo(5, 6); // L2 by default
    p.grad = tensor([3, -4, 0, 0, 0, 0], p.shape);
    expect(optim.clipGradNorm([p], 100, { normType: "inf" })).toBe(4);
    expect(optim.clipGradNorm([p], 100, { normType: Infinity })).toBe(4);
    p.grad = tensor([NaN, 0, 0, 0, 0, 0], p.shape);
    expect(() => optim.clipGradNorm([p], 1)).not.toThrow(); // errorIfNonfinite=false
    expect(() => optim.clipGradNorm([p], 1, { errorIfNonfinite: true })).toThrow();
  });
});

describe("API.md: optim.lrScheduler", () => {
  const sgd = () => new optim.SGD(params(1), { lr: 0.1, momentum: 0.9 });
  const group0 = (o: optim.Optimizer) => o.paramGroups[0] as unknown as Record<string, unknown>;

  // [name, required options, API.md/PyTorch defaults as recorded in the state dict]
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ["StepLR", { stepSize: 3 }, { gamma: 0.1 }],
    ["MultiStepLR", { milestones: [2, 4] }, { gamma: 0.1 }],
    ["ExponentialLR", { gamma: 0.9 }, {}],
    ["CosineAnnealingLR", { tMax: 10 }, { etaMin: 0 }],
    ["CosineAnnealingWarmRestarts", { t0: 5 }, { tMult: 1, etaMin: 0 }],
    // stepSizeUp=2000 and stepSizeDown=stepSizeUp: a cycle of 4000, half of it rising
    ["CyclicLR", { baseLr: 0.01, maxLr: 0.1 }, { totalSize: 4000, stepRatio: 0.5, mode: "triangular", gamma: 1, scaleMode: "cycle", cycleMomentum: true }],
    ["OneCycleLR", { maxLr: 0.1, totalSteps: 100 }, { annealStrategy: "cos", cycleMomentum: true }],
    ["LinearLR", {}, { startFactor: 1 / 3, endFactor: 1, totalIters: 5 }],
    ["ConstantLR", {}, { factor: 1 / 3, totalIters: 5 }],
    ["PolynomialLR", {}, { totalIters: 5, power: 1 }],
    ["LambdaLR", { lrLambda: (e: number) => 1 / (e + 1) }, {}],
    ["ReduceLROnPlateau", {}, { mode: "min", factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: "rel", cooldown: 0, minLrs: [0], eps: 1e-8 }],
  ];

  for (const [name, required, defaults] of cases) {
    it(`${name}(optimizer, {…}): step, getLastLr, stateDict, loadStateDict; defaults ${JSON.stringify(defaults)}`, () => {
      const Ctor = (S as unknown as Record<string, new (o: optim.Optimizer, opts: object) => { stateDict(): Record<string, unknown> }>)[name];
      expect(isClass(Ctor), name).toBe(true);
      const opt = sgd();
      const s = new Ctor(opt, required) as unknown as Record<string, unknown> & {
        stateDict(): Record<string, unknown>; getLastLr(): number[]; loadStateDict(sd: unknown): void; step(m?: number): void;
      };
      expectFunction(s, ["step", "getLastLr", "stateDict", "loadStateDict"], name);
      const sd = s.stateDict();
      for (const [key, value] of Object.entries(defaults)) expect(sd[key], `${name} ${key}`).toEqual(value);
      if (name === "ReduceLROnPlateau") s.step(1);
      else s.step();
      const last = s.getLastLr();
      expect(Array.isArray(last)).toBe(true);
      expect(last.length).toBe(1);
      expect(typeof last[0]).toBe("number");
      // round-trips through JSON into a fresh scheduler on a fresh optimizer
      const opt2 = sgd();
      const s2 = new Ctor(opt2, required) as unknown as typeof s;
      s2.loadStateDict(JSON.parse(JSON.stringify(sd)));
    });
  }

  it("the defaults act as PyTorch's: StepLR gamma 0.1, LinearLR/ConstantLR 1/3 for 5 epochs, PolynomialLR linear over 5", () => {
    const close = (o: optim.Optimizer, v: number) => expect(o.paramGroups[0].lr).toBeCloseTo(v, 12);
    let o = sgd();
    const step = new S.StepLR(o, { stepSize: 1 });
    step.step();
    close(o, 0.01);
    o = sgd();
    const lin = new S.LinearLR(o, {});
    close(o, 0.1 / 3);
    for (let i = 0; i < 5; i++) lin.step();
    close(o, 0.1);
    o = sgd();
    const cst = new S.ConstantLR(o, {});
    close(o, 0.1 / 3);
    for (let i = 0; i < 5; i++) cst.step();
    close(o, 0.1);
    o = sgd();
    const poly = new S.PolynomialLR(o, {});
    poly.step();
    close(o, 0.08);
    for (let i = 0; i < 4; i++) poly.step();
    close(o, 0);
  });

  it("OneCycleLR's defaults: pctStart=0.3, divFactor=25, finalDivFactor=1e4, baseMomentum=0.85, maxMomentum=0.95, threePhase=false", () => {
    const o = sgd();
    const s = new S.OneCycleLR(o, { maxLr: 0.1, totalSteps: 100 });
    const g = group0(o);
    expect(g.lr).toBeCloseTo(0.1 / 25, 15);
    expect(g.initial_lr).toBeCloseTo(0.1 / 25, 15);
    expect(g.min_lr).toBeCloseTo(0.1 / 25 / 1e4, 18);
    expect(g.max_momentum).toBe(0.95);
    expect(g.base_momentum).toBe(0.85);
    expect(g.momentum).toBe(0.95);
    const phases = s.stateDict().phases as { endStep: number }[];
    expect(phases.map((p) => p.endStep)).toEqual([29, 99]); // two phases, the first ends at 0.3·100 − 1
  });

  it("CyclicLR's default momenta are baseMomentum=0.8, maxMomentum=0.9", () => {
    const s = new S.CyclicLR(sgd(), { baseLr: 0.01, maxLr: 0.1 });
    const sd = s.stateDict();
    expect(sd.baseMomentums).toEqual([0.8]);
    expect(sd.maxMomentums).toEqual([0.9]);
  });

  it("SequentialLR and ChainedScheduler take { schedulers, milestones? }; MultiplicativeLR exists", () => {
    const o = sgd();
    const seq = new S.SequentialLR(o, { schedulers: [new S.ConstantLR(o, { factor: 0.5, totalIters: 2 }), new S.ExponentialLR(o, { gamma: 0.9 })], milestones: [2] });
    expectFunction(seq as unknown as Record<string, unknown>, ["step", "getLastLr", "stateDict", "loadStateDict"], "SequentialLR");
    seq.step();
    expect(seq.getLastLr().length).toBe(1);
    const o2 = sgd();
    const chain = new S.ChainedScheduler(o2, { schedulers: [new S.ExponentialLR(o2, { gamma: 0.9 }), new S.StepLR(o2, { stepSize: 1, gamma: 0.5 })] });
    chain.step();
    expect(o2.paramGroups[0].lr).toBeCloseTo(0.1 * 0.9 * 0.5, 12);
    expectFunction(chain as unknown as Record<string, unknown>, ["step", "getLastLr", "stateDict", "loadStateDict"], "ChainedScheduler");
    expect(isClass(S.MultiplicativeLR)).toBe(true);
  });
});

describe("API.md: optim.swa", () => {
  it("AveragedModel(model, {avgFn?, decay?}): updateParameters, module, nAveraged; the first update copies, then the equal average", () => {
    expect(isClass(optim.swa.AveragedModel)).toBe(true);
    const model = new nn.Linear(3, 2);
    const avg = new optim.swa.AveragedModel(model);
    expect(typeof avg.updateParameters).toBe("function");
    expect(avg.nAveraged).toBe(0);
    const w0 = model.weight.toArray();
    avg.updateParameters(model);
    expect(avg.nAveraged).toBe(1);
    expect(Array.from(avg.module.parameters()[0].data)).toEqual(Array.from(w0));
    init.constant(model.weight, 1);
    avg.updateParameters(model);
    const mean = Array.from(w0, (v) => Math.fround((v + 1) / 2));
    const got = Array.from(avg.module.parameters()[0].data);
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(mean[i], 6);
    const ema = new optim.swa.AveragedModel(model, { decay: 0.9 });
    ema.updateParameters(model);
    // EMA: avg = decay·avg + (1 − decay)·p (the first update copies); float32 storage, so 1e-6
    init.constant(model.weight, 3);
    ema.updateParameters(model);
    const emaW = Array.from(ema.module.parameters()[0].data);
    for (let i = 0; i < emaW.length; i++) expect(emaW[i]).toBeCloseTo(0.9 * 1 + 0.1 * 3, 6);
    // avgFn(averaged, current, numAveraged) is called per parameter with the count so far, and writes into averaged
    const calls: number[] = [];
    const custom = new optim.swa.AveragedModel(model, {
      avgFn: (a, c, n) => { calls.push(n); a.data.set(c.data); a.data[0] = -n; },
    });
    custom.updateParameters(model);
    custom.updateParameters(model);
    custom.updateParameters(model);
    expect(calls).toEqual([1, 1, 2, 2]); // weight, bias; not called by the first (copying) update
    expect(custom.nAveraged).toBe(3);
    expect(custom.module.parameters()[0].data[0]).toBe(-2);
    // avg.module's parameters() in the model's order
    expect(custom.module.parameters().map((p) => p.shape)).toEqual(model.parameters().map((p) => p.shape));
  });

  it("SWALR(optimizer, {swaLr, annealEpochs=10, annealStrategy='cos'})", () => {
    expect(isClass(optim.swa.SWALR)).toBe(true);
    const s = new optim.swa.SWALR(new optim.SGD(params(1), { lr: 0.1 }), { swaLr: 0.05 });
    const sd = s.stateDict() as unknown as Record<string, unknown>;
    expect(sd.annealEpochs).toBe(10);
    expect(sd.annealStrategy).toBe("cos");
    expectFunction(s as unknown as Record<string, unknown>, ["step", "getLastLr", "stateDict", "loadStateDict"], "SWALR");
  });
});

describe("API.md: errors", () => {
  // [what, thunk, class, text the message must contain (argument and value)]
  const cases: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    ["a negative learning rate", () => new optim.Adam(params(1), { lr: -1 }), RangeError, /learning rate: -1/],
    ["a NaN learning rate", () => new optim.SGD(params(1), { lr: NaN }), RangeError, /learning rate: NaN/],
    ["beta1 outside [0, 1)", () => new optim.Adam(params(1), { betas: [-0.1, 0.9] }), RangeError, /beta parameter at index 0: -0.1/],
    ["beta2 = 1", () => new optim.AdamW(params(1), { betas: [0.9, 1] }), RangeError, /beta parameter at index 1: 1/],
    ["a mismatched grad shape", () => { params(1)[0].grad = tensor([1, 2, 3]); }, RangeError, /\[3\].*\[2, 3\]/],
    ["an unknown nonlinearity", () => init.calculateGain("softplus"), RangeError, /softplus/],
    ["an unknown nonlinearity in kaimingNormal", () => init.kaimingNormal(empty([2, 2]), { nonlinearity: "foo" as never }), RangeError, /foo/],
    ["a tensor too large for WASM memory", () => empty([2 ** 29]), RangeError, /2147483648 bytes/],
  ];
  for (const [what, f, cls, text] of cases) {
    it(`${what} throws ${cls.name} naming the value`, () => {
      expect(f).toThrow(cls);
      expect(f).toThrow(text);
    });
  }

  it("use after dispose() throws an Error naming the tensor; a bad option changes no state", () => {
    const t = zeros([4, 8]);
    t.dispose();
    expect(() => t.item()).toThrow(/Tensor\[4, 8\]/);
    const [p] = params(1);
    const opt = new optim.Adam([p]);
    p.grad = ones(p.shape);
    opt.step();
    const sd = JSON.stringify(opt.stateDict());
    const w = Array.from(p.data);
    opt.paramGroups[0].betas = [1, 0.999];
    expect(() => opt.step()).toThrow(RangeError);
    opt.paramGroups[0].betas = [0.9, 0.999];
    expect(JSON.stringify(opt.stateDict())).toBe(sd);
    expect(Array.from(p.data)).toEqual(w);
  });
});

describe("API.md: nn", () => {
  const moduleMethods = [
    "forward", "parameters", "namedParameters", "children", "modules", "apply", "train", "eval", "zeroGrad",
    "stateDict", "loadStateDict",
  ] as const;
  const make: [string, () => nn.Module][] = [
    ["Linear", () => new nn.Linear(4, 3)],
    ["ReLU", () => new nn.ReLU()],
    ["LeakyReLU", () => new nn.LeakyReLU({ negativeSlope: 0.2 })],
    ["Tanh", () => new nn.Tanh()],
    ["Sigmoid", () => new nn.Sigmoid()],
    ["GELU", () => new nn.GELU()],
    ["Dropout", () => new nn.Dropout({ p: 0.1 })],
    ["BatchNorm1d", () => new nn.BatchNorm1d(4)],
    ["LayerNorm", () => new nn.LayerNorm(4)],
    ["Flatten", () => new nn.Flatten()],
    ["Sequential", () => new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU())],
    ["MSELoss", () => new nn.MSELoss()],
    ["CrossEntropyLoss", () => new nn.CrossEntropyLoss()],
  ];
  for (const [name, ctor] of make) {
    it(`nn.${name}: a Module class with every listed method`, () => {
      expect(isClass((nn as unknown as Record<string, unknown>)[name])).toBe(true);
      const m = ctor();
      expect(m).toBeInstanceOf(nn.Module);
      expectFunction(m as unknown as Record<string, unknown>, moduleMethods, name);
    });
  }

  it("module defaults: Linear bias=true with weight [out, in]; LeakyReLU negativeSlope=0.01; Dropout p=0.5", () => {
    const lin = new nn.Linear(5, 3);
    expect(lin.weight.shape).toEqual([3, 5]);
    expect(lin.bias).not.toBeNull();
    expect(lin.bias!.shape).toEqual([3]);
    expect(new nn.Linear(5, 3, { bias: false }).bias).toBeNull();
    // PyTorch's default init: weight and bias in U(−1/√in, 1/√in)
    manualSeed(0); // the default generator: a fixed draw
    const big = new nn.Linear(100, 50);
    for (const t of [big.weight, big.bias!]) {
      const m = t.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      expect(m).toBeLessThanOrEqual(0.1);
      expect(m).toBeGreaterThan(0.09); // 5000 (or 50) draws reach near the bound; P(miss) = 0.9^50 < 1e-2 for the bias, at seed 0
    }
    const x = tensor([-1, 2], [1, 2]);
    expect(Array.from(new nn.LeakyReLU().eval().forward(x).data)).toEqual([Math.fround(-0.01), 2]);
    const drop = new nn.Dropout() as unknown as { p: number };
    expect(drop.p).toBe(0.5);
  });

  it("the other modules' PyTorch defaults (README's list): BatchNorm1d, LayerNorm, GELU, Flatten, the losses", () => {
    const fields = (m: object, keys: string[]) => Object.fromEntries(keys.map((k) => [k, (m as Record<string, unknown>)[k]]));
    expect(fields(new nn.BatchNorm1d(3), ["eps", "momentum", "affine", "trackRunningStats"])).toEqual({ eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true });
    expect(fields(new nn.LayerNorm(3), ["eps", "elementwiseAffine"])).toEqual({ eps: 1e-5, elementwiseAffine: true });
    expect(fields(new nn.GELU(), ["approximate"])).toEqual({ approximate: "none" });
    expect(fields(new nn.Flatten(), ["startDim", "endDim"])).toEqual({ startDim: 1, endDim: -1 });
    expect(fields(new nn.CrossEntropyLoss(), ["reduction", "labelSmoothing", "ignoreIndex", "weight"])).toEqual({ reduction: "mean", labelSmoothing: 0, ignoreIndex: -100, weight: null });
    expect(fields(new nn.MSELoss(), ["reduction"])).toEqual({ reduction: "mean" });
  });

  it("apply is recursive, modules/children as in PyTorch; loss.backward() fills every parameter's grad", () => {
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
    const seen: nn.Module[] = [];
    model.apply((m) => { seen.push(m); });
    expect(seen.length).toBe(4);
    expect(model.children().length).toBe(3);
    expect(model.modules().length).toBe(4);
    expect(model.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    const loss = new nn.CrossEntropyLoss().forward(model.forward(tensor([[1, 2, 3, 4], [-1, 0, 1, 2]])), new Int32Array([0, 1]));
    loss.backward();
    for (const p of model.parameters()) expect(p.grad, "grad").not.toBeNull();
    model.zeroGrad();
    for (const p of model.parameters()) expect(p.grad).toBeNull();
    expect(model.eval()).toBe(model);
    expect(model.train()).toBe(model);
  });
});
