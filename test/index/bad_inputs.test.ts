// Bad input across the public API, table-driven: every entry point gets many
// bad values of each kind (non-finite numbers, numbers out of range, wrong
// types — numeric strings, null, booleans, arrays, objects, bigints —,
// non-objects for options, non-tensors where tensors belong, disposed
// tensors and objects). Each case must throw
//   - the right error type: TypeError for a value of the wrong type,
//     RangeError for a value of the right type but out of range or not
//     finite, Error for use after dispose();
//   - a message naming the argument and showing the value as describe()
//     prints it (strings quoted, so "5" is never mistaken for 5);
// and leave everything as it was: memoryStats() (all three figures),
// parameters, gradients, optimizer state and groups, scheduler state,
// generator states.
import { describe as suite, expect, it } from "vitest";
import {
  Generator, Tensor, init, manualSeed, matmul, memoryStats, nn, optim, parameter, rand, randn, randperm, bernoulli,
  tensor, zeros, ones, empty, full,
} from "../../src/index.js";
import { defaultGenerator } from "../../src/random.js";
import { describe } from "../../src/validate.js";

type ErrorType = typeof Error | typeof TypeError | typeof RangeError;

interface Fixture {
  /** Tensors whose values, grads and liveness must not change. */
  tensors: Tensor[];
  optimizers: optim.Optimizer[];
  schedulers: { stateDict(): unknown; optimizer: { paramGroups: readonly object[] } }[];
  generators: Generator[];
  dispose(): void;
}

interface Case {
  name: string;
  /** Builds what the bad call needs (not part of the measured window). */
  setup?: () => Fixture & Record<string, unknown>;
  run: (fx: Fixture & Record<string, unknown>) => unknown;
  type: ErrorType;
  /** The argument's name as the message must say it. */
  arg: RegExp;
  /** The bad value, which the message must show as describe() prints it (skipped when undefined is the point). */
  value?: unknown;
  /** The message does not show the value (e.g. a disposed object is named, not printed). */
  noValue?: boolean;
}

const cases: Case[] = [];
/** A parameter the constructor cases pass (made here, outside every measured window). */
const P = parameter([1]);
const add = (c: Case) => cases.push(c);

// ---------------------------------------------------------------------------
// Bad values by kind.

/** Wrong types for a number: all TypeErrors. */
const NOT_NUMBERS: unknown[] = ["0.5", "1", "", null, true, [1], { value: 1 }, 1n];
/** Non-finite numbers: RangeErrors. */
const NON_FINITE: number[] = [Infinity, -Infinity, Number.NaN];
const NOT_BOOLEANS: unknown[] = ["true", "false", 1, 0, null, [true], { value: true }];
const NOT_OPTIONS: unknown[] = ["fast", 5, true, [1, 2], 3n];
const NOT_TENSORS: unknown[] = ["x", 5, null, [1, 2], { shape: [2], data: [1, 2] }];

function numberCases(prefix: string, arg: RegExp, run: (v: unknown) => unknown, opts: { finite?: boolean; extraRange?: number[]; setup?: Case["setup"] } = {}) {
  for (const v of NOT_NUMBERS) add({ name: `${prefix} = ${describe(v)}`, arg, value: v, type: TypeError, run: () => run(v), setup: opts.setup });
  if (opts.finite !== false) for (const v of NON_FINITE) add({ name: `${prefix} = ${describe(v)}`, arg, value: v, type: RangeError, run: () => run(v), setup: opts.setup });
  for (const v of opts.extraRange ?? []) add({ name: `${prefix} = ${describe(v)}`, arg, value: v, type: RangeError, run: () => run(v), setup: opts.setup });
}

function booleanCases(prefix: string, arg: RegExp, run: (v: unknown) => unknown, setup?: Case["setup"]) {
  for (const v of NOT_BOOLEANS) add({ name: `${prefix} = ${describe(v)}`, arg, value: v, type: TypeError, run: () => run(v), setup });
}

function optionsCases(prefix: string, run: (v: unknown) => unknown, setup?: Case["setup"]) {
  for (const v of NOT_OPTIONS) add({ name: `${prefix} options = ${describe(v)}`, arg: /options/, value: v, type: TypeError, run: () => run(v), setup });
}

// ---------------------------------------------------------------------------
// Fixtures.

function disposedParam(): Tensor {
  const d = parameter([1, 2]);
  d.dispose();
  return d;
}

function noFixture(): Fixture {
  return { tensors: [], optimizers: [], schedulers: [], generators: [], dispose() {} };
}

/** Two parameters with gradients, stepped once by `make` (so state exists). */
function optimizerFixture(make: (ps: Tensor[]) => optim.Optimizer) {
  return (): Fixture & { opt: optim.Optimizer; ps: Tensor[] } => {
    const ps = [parameter([[0.5, -1], [2, 0.25]]), parameter([0.1, -0.2])];
    ps[0].grad = tensor([[0.1, 0.2], [-0.3, 0.4]]);
    ps[1].grad = tensor([0.5, -0.5]);
    const opt = make(ps);
    opt.step();
    return {
      opt, ps,
      tensors: [...ps, ps[0].grad, ps[1].grad],
      optimizers: [opt],
      schedulers: [],
      generators: [],
      dispose() {
        opt.dispose();
        for (const p of ps) {
          p.grad?.dispose();
          p.dispose();
        }
      },
    };
  };
}

function modelFixture() {
  const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
  const x = tensor(Array.from({ length: 8 }, (_, i) => i / 8 - 0.5), [2, 4]);
  return {
    model, x,
    tensors: [...model.parameters(), x],
    optimizers: [], schedulers: [], generators: [],
    dispose() {
      model.dispose();
      x.dispose();
    },
  };
}

// ---------------------------------------------------------------------------
// Optimizers: every option of every optimizer, in the constructor, in
// addParamGroup and at step() after editing paramGroups.

type OptimizerClass = new (params: never, options?: never) => optim.Optimizer;
const OPTIMIZERS: [string, OptimizerClass][] = [
  ["SGD", optim.SGD], ["Adam", optim.Adam], ["AdamW", optim.AdamW], ["Adagrad", optim.Adagrad], ["RMSprop", optim.RMSprop],
  ["Adamax", optim.Adamax], ["NAdam", optim.NAdam], ["RAdam", optim.RAdam], ["Adadelta", optim.Adadelta], ["LAMB", optim.LAMB],
];

/** PyTorch's name of an option in its message ("Invalid weight_decay value"), or the camelCase one. */
function optionArg(key: string): RegExp {
  if (key === "lr") return /learning rate|lr/;
  if (key === "eps") return /epsilon|eps/;
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return new RegExp(`${key}|${snake}`);
}

for (const [name, Opt] of OPTIMIZERS) {
  const defaults = new Opt([P] as never).defaults as Record<string, unknown>;
  const fx = optimizerFixture((ps) => new Opt([ps[0]] as never));
  for (const [key, def] of Object.entries(defaults)) {
    if (typeof def === "number") {
      // SGD's dampening may be negative (PyTorch does not check it); every other number must be >= 0
      const extraRange = key === "dampening" ? [] : [-1];
      const where = `${name} ${key}`;
      numberCases(`new ${where}`, optionArg(key), (v) => new Opt([P] as never, { [key]: v } as never), { extraRange });
      for (const v of [...NOT_NUMBERS, ...NON_FINITE, ...extraRange]) {
        const type = typeof v === "number" ? RangeError : TypeError;
        add({
          name: `${where}: addParamGroup({ ${key}: ${describe(v)} })`, arg: optionArg(key), value: v, type, setup: fx,
          run: (f) => (f.opt as optim.Optimizer).addParamGroup({ params: [(f.ps as Tensor[])[1]], [key]: v }),
        });
        add({
          name: `${where}: paramGroups[0].${key} = ${describe(v)}, then step()`, arg: optionArg(key), value: v, type, setup: fx,
          run: (f) => {
            const opt = f.opt as optim.Optimizer;
            const before = opt.paramGroups[0][key];
            opt.paramGroups[0][key] = v;
            try {
              opt.step();
            } finally {
              opt.paramGroups[0][key] = before;
            }
          },
        });
      }
    } else if (typeof def === "boolean") {
      booleanCases(`new ${name} ${key}`, new RegExp(key), (v) => new Opt([P] as never, { [key]: v } as never));
    } else if (key === "betas") {
      for (const v of [[Infinity, 0.999], [0.9, Number.NaN], [1, 0.9], [-0.1, 0.9], [0.9, 1]]) {
        add({ name: `new ${name} betas = ${describe(v)}`, arg: /beta/, value: (v as number[]).find((b) => !(b >= 0 && b < 1)), type: RangeError, run: () => new Opt([P] as never, { betas: v } as never) });
      }
      for (const v of [["0.9", 0.999], [0.9, null]]) {
        add({ name: `new ${name} betas = ${describe(v)}`, arg: /beta/, value: (v as unknown[]).find((b) => typeof b !== "number"), type: TypeError, run: () => new Opt([P] as never, { betas: v } as never) });
      }
      for (const v of ["0.9", 0.9, [0.9], null]) {
        add({ name: `new ${name} betas = ${describe(v)}`, arg: /betas/, value: v, type: TypeError, run: () => new Opt([P] as never, { betas: v } as never) });
      }
    }
  }
  // params that are not what they should be (PyTorch: TypeError)
  for (const v of [null, 5, "abc", true, { params: [] }]) {
    add({ name: `new ${name}(${describe(v)})`, arg: /params/, value: v, type: TypeError, run: () => new Opt(v as never) });
  }
  add({ name: `new ${name}(a single tensor)`, arg: /params/, noValue: true, type: TypeError, run: () => new Opt(P as never) });
  add({ name: `new ${name}([tensor, 5])`, arg: /params\[1\]/, value: 5, type: TypeError, run: () => new Opt([P, 5] as never) });
  add({ name: `new ${name}([{ params: ["x"] }])`, arg: /params\[0\]/, value: "x", type: TypeError, run: () => new Opt([{ params: ["x"] }] as never) });
  add({ name: `new ${name}([{ params: null }])`, arg: /params/, value: null, type: TypeError, run: () => new Opt([{ params: null }] as never) });
  for (const v of NOT_OPTIONS) {
    add({ name: `new ${name}([p], ${describe(v)})`, arg: /options/, value: v, type: TypeError, run: () => new Opt([P] as never, v as never) });
  }
  add({
    name: `${name}: a string pushed into paramGroups[0].params, then step()`, arg: /params\[2\]/, value: "x", type: TypeError,
    setup: optimizerFixture((ps) => new Opt(ps as never)),
    run: (f) => {
      const g = (f.opt as optim.Optimizer).paramGroups[0];
      g.params.push("x" as never);
      try {
        (f.opt as optim.Optimizer).step();
      } finally {
        g.params.pop();
      }
    },
  });
  add({
    name: `${name}: addParamGroup({ params: [5] })`, arg: /params\[0\]/, value: 5, type: TypeError, setup: fx,
    run: (f) => (f.opt as optim.Optimizer).addParamGroup({ params: [5 as never] }),
  });
  add({
    name: `${name}: addParamGroup("x")`, arg: /group/, value: "x", type: TypeError, setup: fx,
    run: (f) => (f.opt as optim.Optimizer).addParamGroup("x" as never),
  });
  add({
    name: `${name}.step("closure")`, arg: /closure/, value: "closure", type: TypeError, setup: fx,
    run: (f) => (f.opt as optim.Optimizer).step("closure" as never),
  });
  for (const v of ["x", 1, [true]]) {
    add({ name: `${name}.zeroGrad(${describe(v)})`, arg: /options/, value: v, type: TypeError, setup: fx, run: (f) => (f.opt as optim.Optimizer).zeroGrad(v as never) });
  }
  for (const v of NOT_BOOLEANS) {
    add({ name: `${name}.zeroGrad({ setToNone: ${describe(v)} })`, arg: /setToNone/, value: v, type: TypeError, setup: fx, run: (f) => (f.opt as optim.Optimizer).zeroGrad({ setToNone: v as never }) });
  }
  add({
    name: `${name}.zeroGrad({ setToNone: false }) with the second gradient disposed`, arg: /gradient/, noValue: true, type: Error,
    setup: () => {
      const f = optimizerFixture((ps) => new Opt(ps as never))();
      f.ps[1].grad!.dispose();
      f.tensors = f.tensors.filter((t) => !t.disposed);
      return f;
    },
    run: (f) => (f.opt as optim.Optimizer).zeroGrad({ setToNone: false }),
  });
  add({
    name: `${name}: step() after dispose()`, arg: /disposed/, noValue: true, type: Error,
    setup: () => {
      const f = optimizerFixture((ps) => new Opt(ps as never))();
      f.opt.dispose();
      f.optimizers = [];
      return f;
    },
    run: (f) => (f.opt as optim.Optimizer).step(),
  });
  add({
    name: `${name}: the gradient of a parameter swapped into paramGroups is disposed, then step()`, arg: /gradient/, noValue: true, type: Error,
    setup: () => {
      const f = optimizerFixture((ps) => new Opt(ps as never))();
      const other = parameter([1, 2]);
      other.grad = tensor([1, 2]);
      other.grad.dispose();
      return { ...f, other, dispose: () => { f.dispose(); other.dispose(); } };
    },
    run: (f) => {
      const group = (f.opt as optim.Optimizer).paramGroups[0];
      const saved = group.params[1];
      group.params[1] = f.other as Tensor;
      try {
        (f.opt as optim.Optimizer).step();
      } finally {
        group.params[1] = saved;
      }
    },
  });
}

// Lookahead and Ranger
{
  const la = optimizerFixture((ps) => new optim.Lookahead(new optim.SGD(ps, { lr: 0.1 }), { k: 2 }));
  for (const [key, extra] of [["k", [0, -1, 2.5]], ["alpha", [-0.1, 1.5]]] as const) {
    for (const v of [...NOT_NUMBERS, ...NON_FINITE, ...extra]) {
      const type = typeof v === "number" ? RangeError : TypeError;
      add({ name: `new Lookahead(sgd, { ${key}: ${describe(v)} })`, arg: new RegExp(key), value: v, type, run: () => new optim.Lookahead(new optim.SGD([P]), { [key]: v } as never) });
      add({ name: `new Ranger(params, { ${key}: ${describe(v)} })`, arg: new RegExp(key), value: v, type, run: () => new optim.Ranger([P], { [key]: v } as never) });
      add({
        name: `Lookahead.${key} = ${describe(v)}, then step()`, arg: new RegExp(key), value: v, type, setup: la,
        run: (f) => {
          const o = f.opt as optim.Lookahead;
          const before = o[key];
          (o as unknown as Record<string, unknown>)[key] = v;
          try {
            o.step();
          } finally {
            o[key] = before;
          }
        },
      });
    }
  }
  for (const v of NOT_OPTIONS) {
    add({ name: `new Lookahead(sgd, ${describe(v)})`, arg: /options/, value: v, type: TypeError, run: () => new optim.Lookahead(new optim.SGD([P]), v as never) });
    add({ name: `new Ranger([p], ${describe(v)})`, arg: /options/, value: v, type: TypeError, run: () => new optim.Ranger([P], v as never) });
  }
  for (const v of [null, "sgd", 5, {}]) add({ name: `new Lookahead(${describe(v)})`, arg: /inner/, value: v, type: TypeError, run: () => new optim.Lookahead(v as never) });
  add({
    name: "Lookahead: a string pushed into the inner group's params, then step()", arg: /params/, value: "x", type: TypeError, setup: la,
    run: (f) => {
      const g = (f.opt as optim.Optimizer).paramGroups[0];
      g.params.push("x" as never);
      try {
        (f.opt as optim.Optimizer).step();
      } finally {
        g.params.pop();
      }
    },
  });
  add({
    name: "Lookahead: a disposed tensor pushed into a group, then step()", arg: /disposed/, noValue: true, type: Error,
    setup: () => ({ ...la(), d: disposedParam() }),
    run: (f) => {
      const g = (f.opt as optim.Optimizer).paramGroups[0];
      g.params.push(f.d as Tensor);
      try {
        (f.opt as optim.Optimizer).step();
      } finally {
        g.params.pop();
      }
    },
  });
  add({
    name: "Ranger: addParamGroup with a disposed tensor", arg: /disposed/, noValue: true, type: Error,
    setup: () => ({ ...optimizerFixture((ps) => new optim.Ranger([ps[0]]))(), d: disposedParam() }),
    run: (f) => (f.opt as optim.Optimizer).addParamGroup({ params: [f.d as Tensor] }),
  });
  add({
    name: "Lookahead: step() after dispose()", arg: /disposed/, noValue: true, type: Error,
    setup: () => {
      const f = la();
      f.opt.dispose();
      f.optimizers = [];
      return f;
    },
    run: (f) => (f.opt as optim.Optimizer).step(),
  });
}

// ---------------------------------------------------------------------------
// Clipping

{
  const fx = optimizerFixture((ps) => new optim.SGD(ps));
  for (const v of [...NOT_NUMBERS, Number.NaN]) {
    add({ name: `clipGradNorm(ps, ${describe(v)})`, arg: /maxNorm/, value: v, type: typeof v === "number" ? RangeError : TypeError, setup: fx, run: (f) => optim.clipGradNorm(f.ps as Tensor[], v as never) });
    add({ name: `clipGradValue(ps, ${describe(v)})`, arg: /clipValue/, value: v, type: typeof v === "number" ? RangeError : TypeError, setup: fx, run: (f) => optim.clipGradValue(f.ps as Tensor[], v as never) });
  }
  for (const v of ["two", "", Number.NaN]) add({ name: `clipGradNorm normType ${describe(v)}`, arg: /normType/, value: v, type: RangeError, setup: fx, run: (f) => optim.clipGradNorm(f.ps as Tensor[], 1, { normType: v as never }) });
  for (const v of [true, [2]]) add({ name: `clipGradNorm normType ${describe(v)}`, arg: /normType/, value: v, type: TypeError, setup: fx, run: (f) => optim.clipGradNorm(f.ps as Tensor[], 1, { normType: v as never }) });
  for (const v of NOT_BOOLEANS) add({ name: `clipGradNorm errorIfNonfinite ${describe(v)}`, arg: /errorIfNonfinite/, value: v, type: TypeError, setup: fx, run: (f) => optim.clipGradNorm(f.ps as Tensor[], 1, { errorIfNonfinite: v as never }) });
  for (const v of NOT_OPTIONS) add({ name: `clipGradNorm(ps, 1, ${describe(v)})`, arg: /options/, value: v, type: TypeError, setup: fx, run: (f) => optim.clipGradNorm(f.ps as Tensor[], 1, v as never) });
  for (const v of [null, 5, "x"]) {
    add({ name: `clipGradNorm(${describe(v)}, 1)`, arg: /params/, value: v, type: TypeError, run: () => optim.clipGradNorm(v as never, 1) });
    add({ name: `clipGradValue(${describe(v)}, 1)`, arg: /params/, value: v, type: TypeError, run: () => optim.clipGradValue(v as never, 1) });
  }
  add({ name: "clipGradNorm([p, 'x'], 1)", arg: /params\[1\]/, value: "x", type: TypeError, setup: fx, run: (f) => optim.clipGradNorm([(f.ps as Tensor[])[0], "x"] as never, 1) });
  add({
    name: "clipGradNorm with the second gradient disposed", arg: /gradient/, noValue: true, type: Error,
    setup: () => {
      const f = fx();
      f.ps[1].grad!.dispose();
      f.tensors = f.tensors.filter((t) => !t.disposed);
      return f;
    },
    run: (f) => optim.clipGradNorm(f.ps as Tensor[], 0.01),
  });
}

// ---------------------------------------------------------------------------
// Schedulers

type SchedulerMaker = (opt: optim.Optimizer, options: Record<string, unknown>) => unknown;
const S = optim.lrScheduler;
const SCHEDULERS: [string, SchedulerMaker, Record<string, unknown>, [string, "number" | "integer" | "positive", number[]][]][] = [
  ["StepLR", (o, x) => new S.StepLR(o, x as never), { stepSize: 2 }, [["stepSize", "integer", [0, -1, 1.5]], ["gamma", "number", []]]],
  ["MultiStepLR", (o, x) => new S.MultiStepLR(o, x as never), { milestones: [2, 4] }, [["gamma", "number", []]]],
  ["ExponentialLR", (o, x) => new S.ExponentialLR(o, x as never), { gamma: 0.9 }, [["gamma", "number", []]]],
  ["CosineAnnealingLR", (o, x) => new S.CosineAnnealingLR(o, x as never), { tMax: 4 }, [["tMax", "number", []], ["etaMin", "number", []]]],
  ["CosineAnnealingWarmRestarts", (o, x) => new S.CosineAnnealingWarmRestarts(o, x as never), { t0: 3 }, [["t0", "integer", [0, 1.5]], ["tMult", "integer", [0, 1.5]], ["etaMin", "number", []]]],
  ["CyclicLR", (o, x) => new S.CyclicLR(o, x as never), { baseLr: 0.01, maxLr: 0.1, cycleMomentum: false }, [["baseLr", "number", []], ["maxLr", "number", []], ["stepSizeUp", "positive", [0, -1]], ["gamma", "number", []]]],
  ["OneCycleLR", (o, x) => new S.OneCycleLR(o, x as never), { maxLr: 0.1, totalSteps: 10, cycleMomentum: false }, [["maxLr", "number", []], ["totalSteps", "integer", [0, -1, 1.5]], ["pctStart", "number", [-0.1, 1.5]], ["divFactor", "number", []], ["finalDivFactor", "number", []]]],
  ["LinearLR", (o, x) => new S.LinearLR(o, x as never), {}, [["startFactor", "number", [0, 1.5]], ["endFactor", "number", [-0.1, 1.5]], ["totalIters", "integer", [-1, 1.5]]]],
  ["ConstantLR", (o, x) => new S.ConstantLR(o, x as never), {}, [["factor", "number", [-0.1, 1.5]], ["totalIters", "integer", [-1, 1.5]]]],
  ["PolynomialLR", (o, x) => new S.PolynomialLR(o, x as never), {}, [["totalIters", "integer", [-1, 1.5]], ["power", "number", []]]],
  ["ReduceLROnPlateau", (o, x) => new S.ReduceLROnPlateau(o, x as never), {}, [["factor", "number", [1, 1.5]], ["patience", "integer", [-1, 1.5]], ["threshold", "number", []], ["cooldown", "integer", [-1, 1.5]], ["minLr", "number", [-1]], ["eps", "number", []]]],
  ["SWALR", (o, x) => new optim.swa.SWALR(o, x as never), { swaLr: 0.05 }, [["swaLr", "number", []], ["annealEpochs", "integer", [-1, 1.5]]]],
];

function schedulerFixture() {
  const f = optimizerFixture((ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 }))();
  return f;
}

for (const [name, make, base, numeric] of SCHEDULERS) {
  for (const [key, , extra] of numeric) {
    // an array is a valid value of a per-group option (one number per group)
    const perGroup = ["baseLr", "maxLr", "minLr", "swaLr"].includes(key);
    for (const v of [...NOT_NUMBERS.filter((x) => !(perGroup && Array.isArray(x))), ...NON_FINITE, ...extra]) {
      // -Infinity for the lower-bounded ones, Infinity for all: all RangeError
      add({
        name: `new ${name}(opt, { ${key}: ${describe(v)} })`, arg: new RegExp(key), value: v, type: typeof v === "number" ? RangeError : TypeError,
        setup: schedulerFixture, run: (f) => make(f.opt as optim.Optimizer, { ...base, [key]: v }),
      });
    }
  }
  for (const v of NOT_OPTIONS) {
    if (name === "ChainedScheduler") continue;
    add({ name: `new ${name}(opt, ${describe(v)})`, arg: /options/, value: v, type: TypeError, setup: schedulerFixture, run: (f) => make(f.opt as optim.Optimizer, v as never) });
  }
  for (const v of [null, "opt", 5, {}]) {
    add({ name: `new ${name}(${describe(v)})`, arg: /optimizer/, value: v, type: TypeError, run: () => make(v as never, base) });
  }
  for (const v of NOT_BOOLEANS) {
    add({ name: `new ${name}(opt, { verbose: ${describe(v)} })`, arg: /verbose/, value: v, type: TypeError, setup: schedulerFixture, run: (f) => make(f.opt as optim.Optimizer, { ...base, verbose: v }) });
  }
  if (name !== "ReduceLROnPlateau") {
    for (const v of ["1", null, Number.NaN, Infinity]) {
      add({
        name: `${name}.step(${describe(v)})`, arg: /epoch/, value: v, type: typeof v === "number" ? RangeError : TypeError,
        setup: () => {
          const f = schedulerFixture();
          const s = make(f.opt, base) as { stateDict(): unknown; optimizer: optim.Optimizer };
          return { ...f, s, schedulers: [s] };
        },
        run: (f) => (f.s as { step(e: unknown): void }).step(v),
      });
    }
  }
}
{
  const fx = () => {
    const f = schedulerFixture();
    const s = new S.ReduceLROnPlateau(f.opt);
    return { ...f, s, schedulers: [s] };
  };
  // (a NaN metric is accepted, as in PyTorch: it counts as an epoch without improvement)
  for (const v of ["1", null, [1]]) {
    add({ name: `ReduceLROnPlateau.step(${describe(v)})`, arg: /metric/, value: v, type: typeof v === "number" ? RangeError : TypeError, setup: fx, run: (f) => (f.s as { step(m: unknown): void }).step(v) });
  }
  for (const [key, choices] of [["mode", ["minimum", "", 1]], ["thresholdMode", ["relative", 0]]] as const) {
    for (const v of choices) {
      add({ name: `new ReduceLROnPlateau(opt, { ${key}: ${describe(v)} })`, arg: new RegExp(key), value: v, type: typeof v === "string" ? RangeError : TypeError, setup: schedulerFixture, run: (f) => new S.ReduceLROnPlateau(f.opt as optim.Optimizer, { [key]: v } as never) });
    }
  }
  for (const [name, Make] of [["LambdaLR", S.LambdaLR], ["MultiplicativeLR", S.MultiplicativeLR]] as const) {
    for (const v of ["0.5", null, undefined, [0.5], true]) {
      add({
        name: `${name} whose lambda returns ${describe(v)}`, arg: /lrLambda/, value: v, type: TypeError,
        setup: () => {
          const f = schedulerFixture();
          const s = new Make(f.opt, { lrLambda: () => 1 });
          (s as unknown as { lrLambdas: unknown[] }).lrLambdas[0] = () => v;
          return { ...f, s, schedulers: [s] };
        },
        run: (f) => (f.s as { step(): void }).step(),
      });
    }
    // (MultiplicativeLR calls its lambda only from the second epoch on, as PyTorch)
    if (name === "LambdaLR") add({ name: "new LambdaLR whose lambda returns \"1\" at construction", arg: /lrLambda/, value: "1", type: TypeError, setup: schedulerFixture, run: (f) => new Make(f.opt as optim.Optimizer, { lrLambda: () => "1" as never }) });
    for (const v of ["x", 5, null, ["x"]]) {
      add({ name: `new ${name}(opt, { lrLambda: ${describe(v)} })`, arg: /lrLambda/, value: Array.isArray(v) ? "x" : v, type: TypeError, setup: schedulerFixture, run: (f) => new Make(f.opt as optim.Optimizer, { lrLambda: v as never }) });
    }
  }
  for (const v of [["x"], [5], [null], "x", [{}]]) {
    add({ name: `new ChainedScheduler({ schedulers: ${describe(v)} })`, arg: /schedulers/, value: Array.isArray(v) ? v[0] : v, type: TypeError, run: () => new S.ChainedScheduler({ schedulers: v as never }) });
    add({ name: `new SequentialLR(opt, { schedulers: ${describe(v)} })`, arg: /schedulers/, value: Array.isArray(v) ? v[0] : v, type: TypeError, setup: schedulerFixture, run: (f) => new S.SequentialLR(f.opt as optim.Optimizer, { schedulers: v as never, milestones: [] }) });
  }
  for (const v of ["2", [2.5], ["2"], [-1]]) {
    add({ name: `new MultiStepLR(opt, { milestones: ${describe(v)} })`, arg: /milestones/, value: Array.isArray(v) ? v[0] : v, type: typeof (Array.isArray(v) ? v[0] : v) === "number" ? RangeError : TypeError, setup: schedulerFixture, run: (f) => new S.MultiStepLR(f.opt as optim.Optimizer, { milestones: v as never }) });
  }
}

// ---------------------------------------------------------------------------
// SWA

{
  const fx = () => modelFixture();
  for (const v of [...NOT_NUMBERS, ...NON_FINITE, -0.1, 1.5]) {
    add({ name: `new AveragedModel(model, { decay: ${describe(v)} })`, arg: /decay/, value: v, type: typeof v === "number" ? RangeError : TypeError, setup: fx, run: (f) => new optim.swa.AveragedModel(f.model as nn.Module, { decay: v as never }) });
  }
  for (const v of ["mean", 5, {}]) add({ name: `new AveragedModel(model, { avgFn: ${describe(v)} })`, arg: /avgFn/, value: v, type: TypeError, setup: fx, run: (f) => new optim.swa.AveragedModel(f.model as nn.Module, { avgFn: v as never }) });
  for (const v of NOT_BOOLEANS) add({ name: `new AveragedModel(model, { useBuffers: ${describe(v)} })`, arg: /useBuffers/, value: v, type: TypeError, setup: fx, run: (f) => new optim.swa.AveragedModel(f.model as nn.Module, { useBuffers: v as never }) });
  for (const v of NOT_OPTIONS) add({ name: `new AveragedModel(model, ${describe(v)})`, arg: /options/, value: v, type: TypeError, setup: fx, run: (f) => new optim.swa.AveragedModel(f.model as nn.Module, v as never) });
  for (const v of [null, "model", 5, {}]) add({ name: `new AveragedModel(${describe(v)})`, arg: /model/, value: v, type: TypeError, run: () => new optim.swa.AveragedModel(v as never) });
  add({
    name: "new AveragedModel(model with a disposed weight)", arg: /disposed/, noValue: true, type: Error,
    setup: () => {
      const f = fx();
      (f.model.at(2) as nn.Linear).weight.dispose();
      f.tensors = f.tensors.filter((t) => !t.disposed);
      return f;
    },
    run: (f) => new optim.swa.AveragedModel(f.model as nn.Module),
  });
  add({
    name: "AveragedModel.updateParameters(model with a disposed weight)", arg: /disposed/, noValue: true, type: Error,
    setup: () => {
      const f = fx();
      const avg = new optim.swa.AveragedModel(f.model);
      avg.updateParameters(f.model);
      (f.model.at(2) as nn.Linear).weight.dispose();
      const d = f.dispose;
      return { ...f, avg, tensors: [...f.tensors.filter((t) => !t.disposed), ...avg.parameters()], dispose: () => { d(); avg.dispose(); } };
    },
    run: (f) => (f.avg as optim.swa.AveragedModel).updateParameters(f.model as nn.Module),
  });
  for (const v of [null, "m", 5]) {
    add({
      name: `AveragedModel.updateParameters(${describe(v)})`, arg: /model/, value: v, type: TypeError,
      setup: () => {
        const f = fx();
        const avg = new optim.swa.AveragedModel(f.model);
        const d = f.dispose;
        return { ...f, avg, tensors: [...f.tensors, ...avg.parameters()], dispose: () => { d(); avg.dispose(); } };
      },
      run: (f) => (f.avg as optim.swa.AveragedModel).updateParameters(v as never),
    });
  }
  for (const v of ["cosine", 1, null]) add({ name: `new SWALR(opt, { annealStrategy: ${describe(v)} })`, arg: /annealStrategy/, value: v, type: typeof v === "string" ? RangeError : TypeError, setup: schedulerFixture, run: (f) => new optim.swa.SWALR(f.opt as optim.Optimizer, { swaLr: 0.05, annealStrategy: v as never }) });
}

// ---------------------------------------------------------------------------
// init

{
  const fx = () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    const g = new Generator(7);
    return { t, g, tensors: [t], optimizers: [], schedulers: [], generators: [g, defaultGenerator], dispose: () => t.dispose() };
  };
  const INIT: [string, (t: unknown, o?: unknown) => unknown, [string, number[]][]][] = [
    ["uniform", (t, o) => init.uniform(t as never, o as never), [["a", []], ["b", []]]],
    ["normal", (t, o) => init.normal(t as never, o as never), [["mean", []], ["std", [-1]]]],
    ["truncNormal", (t, o) => init.truncNormal(t as never, o as never), [["mean", []], ["std", [-1]]]],
    ["xavierUniform", (t, o) => init.xavierUniform(t as never, o as never), [["gain", []]]],
    ["xavierNormal", (t, o) => init.xavierNormal(t as never, o as never), [["gain", []]]],
    ["kaimingUniform", (t, o) => init.kaimingUniform(t as never, o as never), [["a", []]]],
    ["kaimingNormal", (t, o) => init.kaimingNormal(t as never, o as never), [["a", []]]],
    ["orthogonal", (t, o) => init.orthogonal(t as never, o as never), [["gain", []]]],
    ["varianceScaling", (t, o) => init.varianceScaling(t as never, o as never), [["scale", [-1, 0]]]],
    ["lecunUniform", (t, o) => init.lecunUniform(t as never, o as never), []],
    ["heNormal", (t, o) => init.heNormal(t as never, o as never), [["a", []]]],
  ];
  for (const [name, fn, numeric] of INIT) {
    for (const [key, extra] of numeric) {
      for (const v of [...NOT_NUMBERS, ...NON_FINITE, ...extra]) {
        if (name === "truncNormal" && (key === "a" || key === "b") && typeof v === "number" && !Number.isNaN(v)) continue;
        add({ name: `init.${name}(t, { ${key}: ${describe(v)} })`, arg: new RegExp(key), value: v, type: typeof v === "number" ? RangeError : TypeError, setup: fx, run: (f) => fn(f.t, { [key]: v, generator: f.g }) });
      }
    }
    for (const v of NOT_OPTIONS) add({ name: `init.${name}(t, ${describe(v)})`, arg: /options/, value: v, type: TypeError, setup: fx, run: (f) => fn(f.t, v) });
    for (const v of NOT_TENSORS) add({ name: `init.${name}(${describe(v)})`, arg: /tensor|Tensor/, value: v, type: TypeError, setup: fx, run: () => fn(v, {}) });
    for (const v of [5, "g", {}]) add({ name: `init.${name}(t, { generator: ${describe(v)} })`, arg: /generator/, value: v, type: TypeError, setup: fx, run: (f) => fn(f.t, { generator: v }) });
    add({
      name: `init.${name}(disposed)`, arg: /disposed/, noValue: true, type: Error,
      setup: () => {
        const f = fx();
        f.t.dispose();
        f.tensors = [];
        return f;
      },
      run: (f) => fn(f.t, {}),
    });
  }
  for (const [name, fn] of [["kaimingUniform", init.kaimingUniform], ["kaimingNormal", init.kaimingNormal]] as const) {
    for (const v of ["fan_avg", "fanin", ""]) add({ name: `init.${name}(t, { mode: ${describe(v)} })`, arg: /[Mm]ode/, value: v, type: RangeError, setup: fx, run: (f) => fn(f.t as Tensor, { mode: v as never }) });
    for (const v of [1, null, ["fan_in"]]) add({ name: `init.${name}(t, { mode: ${describe(v)} })`, arg: /[Mm]ode/, value: v, type: TypeError, setup: fx, run: (f) => fn(f.t as Tensor, { mode: v as never }) });
    for (const v of ["gelu", "Relu"]) add({ name: `init.${name}(t, { nonlinearity: ${describe(v)} })`, arg: /nonlinearity/, value: v, type: RangeError, setup: fx, run: (f) => fn(f.t as Tensor, { nonlinearity: v as never }) });
    for (const v of [1, null]) add({ name: `init.${name}(t, { nonlinearity: ${describe(v)} })`, arg: /nonlinearity/, value: v, type: TypeError, setup: fx, run: (f) => fn(f.t as Tensor, { nonlinearity: v as never }) });
  }
  for (const v of ["softplus", "RELU", ""]) add({ name: `init.calculateGain(${describe(v)})`, arg: /nonlinearity/, value: v, type: RangeError, run: () => init.calculateGain(v) });
  for (const v of [1, null, ["relu"]]) add({ name: `init.calculateGain(${describe(v)})`, arg: /nonlinearity/, value: v, type: TypeError, run: () => init.calculateGain(v as never) });
  for (const v of ["0.2", true]) add({ name: `init.calculateGain("leaky_relu", ${describe(v)})`, arg: /negative_slope|param/, value: v, type: TypeError, run: () => init.calculateGain("leaky_relu", v as never) });
  for (const v of [...NOT_NUMBERS, ...NON_FINITE]) add({ name: `init.constant(t, ${describe(v)})`, arg: /value|val/, value: v, type: typeof v === "number" ? RangeError : TypeError, setup: fx, run: (f) => init.constant(f.t as Tensor, v as never) });
  for (const v of [...NOT_NUMBERS, ...NON_FINITE, -0.1, 1.5]) add({ name: `init.sparse(t, ${describe(v)})`, arg: /sparsity/, value: v, type: typeof v === "number" ? RangeError : TypeError, setup: fx, run: (f) => init.sparse(f.t as Tensor, v as never) });
  for (const v of ["uniforms", 1]) add({ name: `init.varianceScaling(t, { distribution: ${describe(v)} })`, arg: /distribution/, value: v, type: typeof v === "string" ? RangeError : TypeError, setup: fx, run: (f) => init.varianceScaling(f.t as Tensor, { distribution: v as never }) });
  for (const v of [...NOT_NUMBERS, 0, -1, 1.5]) add({ name: `init.dirac(t3, { groups: ${describe(v)} })`, arg: /groups/, value: v, type: typeof v === "number" ? RangeError : TypeError,
    setup: () => { const t = zeros([2, 2, 3]); return { t, tensors: [t], optimizers: [], schedulers: [], generators: [], dispose: () => t.dispose() }; },
    run: (f) => init.dirac(f.t as Tensor, { groups: v as never }) });
}

// ---------------------------------------------------------------------------
// random numbers

{
  const fx = () => {
    const g = new Generator(11);
    g.reserve(5);
    return { g, tensors: [], optimizers: [], schedulers: [], generators: [g, defaultGenerator], dispose() {} };
  };
  const SEEDS: [unknown, ErrorType][] = [["1", TypeError], ["abc", TypeError], [null, TypeError], [true, TypeError], [[1], TypeError], [-1, RangeError], [1.5, RangeError], [Number.NaN, RangeError], [Infinity, RangeError], [-1n, RangeError], [2n ** 64n, RangeError]];
  for (const [v, type] of SEEDS) {
    add({ name: `new Generator(${describe(v)})`, arg: /seed/, value: v, type, run: () => new Generator(v as never) });
    add({ name: `g.manualSeed(${describe(v)})`, arg: /seed/, value: v, type, setup: fx, run: (f) => (f.g as Generator).manualSeed(v as never) });
    add({ name: `manualSeed(${describe(v)})`, arg: /seed/, value: v, type, setup: fx, run: () => manualSeed(v as never) });
    if (typeof v !== "string") add({ name: `g.setState({ seed: ${describe(v)}, offset: 0 })`, arg: /seed/, value: v, type, setup: fx, run: (f) => (f.g as Generator).setState({ seed: v as never, offset: 0 }) });
  }
  for (const v of ["5", null, true, [5]]) add({ name: `g.setState({ seed: "1", offset: ${describe(v)} })`, arg: /offset/, value: v, type: TypeError, setup: fx, run: (f) => (f.g as Generator).setState({ seed: "1", offset: v as never }) });
  for (const v of [-1, 1.5, Number.NaN, Infinity, 2 ** 60]) add({ name: `g.setState({ seed: "1", offset: ${describe(v)} })`, arg: /offset/, value: v, type: RangeError, setup: fx, run: (f) => (f.g as Generator).setState({ seed: "1", offset: v }) });
  for (const v of ["x", null, 5, [1, 2]]) add({ name: `g.setState(${describe(v)})`, arg: /state/, value: v, type: TypeError, setup: fx, run: (f) => (f.g as Generator).setState(v as never) });
  const SHAPES: [unknown, ErrorType][] = [["3", TypeError], [3, TypeError], [null, TypeError], [[2, -1], RangeError], [[2, 1.5], RangeError], [["2"], TypeError], [[Number.NaN], RangeError], [[Infinity], RangeError], [[2, null], TypeError]];
  for (const [name, fn] of [["rand", rand], ["randn", randn], ["zeros", zeros], ["ones", ones], ["empty", empty], ["full", (s: never) => full(s, 1)]] as const) {
    for (const [v, type] of SHAPES) {
      add({ name: `${name}(${describe(v)})`, arg: /shape|size/, value: Array.isArray(v) ? v.find((d) => !(typeof d === "number" && Number.isInteger(d) && d >= 0)) : v, type, setup: fx, run: () => (fn as (s: unknown) => unknown)(v) });
    }
  }
  for (const [name, fn] of [["rand", rand], ["randn", randn]] as const) {
    for (const v of NOT_OPTIONS) add({ name: `${name}([2], ${describe(v)})`, arg: /options/, value: v, type: TypeError, setup: fx, run: () => fn([2], v as never) });
    for (const v of [5, "g", {}]) add({ name: `${name}([2], { generator: ${describe(v)} })`, arg: /generator/, value: v, type: TypeError, setup: fx, run: () => fn([2], { generator: v as never }) });
    add({
      name: `${name}([4]) past offset 2^53`, arg: /offset/, noValue: true, type: RangeError,
      setup: () => {
        const f = fx();
        (f.g as Generator).setState({ seed: "3", offset: Number.MAX_SAFE_INTEGER - 2 });
        return f;
      },
      run: (f) => fn([4], { generator: f.g as Generator }),
    });
  }
  for (const v of [...NOT_NUMBERS, ...NON_FINITE, -1, 1.5, 2 ** 31]) add({ name: `randperm(${describe(v)})`, arg: /\bn\b/, value: v, type: typeof v === "number" ? RangeError : TypeError, setup: fx, run: () => randperm(v as never) });
  for (const v of [...NOT_NUMBERS, Number.NaN, -0.1, 1.5]) {
    add({
      name: `bernoulli(t, ${describe(v)})`, arg: /\bp\b/, value: v, type: typeof v === "number" ? RangeError : TypeError,
      setup: () => { const f = fx(); const t = tensor([1, 2]); return { ...f, t, tensors: [t], dispose: () => t.dispose() }; },
      run: (f) => bernoulli(f.t as Tensor, v as never, { generator: f.g as Generator }),
    });
  }
}

// ---------------------------------------------------------------------------
// Tensors

{
  const fx = () => {
    const t = tensor([[1, 2], [3, 4]]);
    t.requiresGrad = true;
    t.grad = tensor([[0.1, 0.2], [0.3, 0.4]]);
    return { t, tensors: [t, t.grad], optimizers: [], schedulers: [], generators: [], dispose: () => { t.grad?.dispose(); t.dispose(); } };
  };
  for (const v of ["abc", null, true, 5n, { length: 2 }]) {
    add({ name: `tensor(${describe(v)})`, arg: /values/, value: describe(v) === "{ length: 2 }" ? undefined : v, type: TypeError, run: () => tensor(v as never) });
  }
  for (const v of [["1", 2], [1, null], [[1], ["2"]], [1, [2]]]) {
    add({ name: `tensor(${describe(v)})`, arg: /values|depth|number/, value: (v as unknown[]).flat().find((x) => typeof x !== "number") ?? v[1], type: TypeError, run: () => tensor(v as never) });
  }
  add({ name: "tensor([[1], [1, 2]]) (ragged)", arg: /ragged|depth/, noValue: true, type: RangeError, run: () => tensor([[1], [1, 2]]) });
  add({ name: "tensor([1, 2, 3], [2, 2])", arg: /shape/, noValue: true, type: RangeError, run: () => tensor([1, 2, 3], [2, 2]) });
  for (const v of [...NOT_NUMBERS.filter((x) => typeof x !== "number")]) add({ name: `full([2], ${describe(v)})`, arg: /value/, value: v, type: TypeError, run: () => full([2], v as never) });
  for (const v of [...NOT_TENSORS.filter((x) => x !== null), "grad"]) {
    add({ name: `t.grad = ${describe(v)}`, arg: /grad/, value: v, type: TypeError, setup: fx, run: (f) => { (f.t as Tensor).grad = v as never; } });
  }
  add({ name: "p.grad = p", arg: /own grad/, noValue: true, type: RangeError, setup: fx, run: (f) => { (f.t as Tensor).grad = f.t as Tensor; } });
  add({ name: "p.grad = a tensor of another shape", arg: /grad/, noValue: true, type: RangeError, setup: () => { const f = fx(); const g3 = zeros([3]); return { ...f, g3, dispose: () => { f.dispose(); g3.dispose(); } }; }, run: (f) => { (f.t as Tensor).grad = f.g3 as Tensor; } });
  for (const v of ["true", 1, null]) add({ name: `t.requiresGrad = ${describe(v)}`, arg: /requiresGrad/, value: v, type: TypeError, setup: fx, run: (f) => { (f.t as Tensor).requiresGrad = v as never; } });
  add({ name: "t.item() of a 4-element tensor", arg: /item|one-element/, noValue: true, type: RangeError, setup: fx, run: (f) => (f.t as Tensor).item() });
  for (const v of NOT_TENSORS) add({ name: `t.copy(${describe(v)})`, arg: /source|copy/, value: v, type: TypeError, setup: fx, run: (f) => (f.t as Tensor).copy(v as never) });
  const disposed = () => {
    const f = fx();
    const d = tensor([1, 2, 3]);
    d.dispose();
    return { ...f, d };
  };
  add({ name: "clone() of a disposed tensor", arg: /disposed/, noValue: true, type: Error, setup: disposed, run: (f) => (f.d as Tensor).clone() });
  add({ name: "parameter(disposed)", arg: /disposed/, noValue: true, type: Error, setup: disposed, run: (f) => parameter(f.d as Tensor) });
  add({ name: "tensor(disposed)", arg: /disposed/, noValue: true, type: Error, setup: disposed, run: (f) => tensor(f.d as Tensor) });
  add({ name: "disposed.data", arg: /disposed/, noValue: true, type: Error, setup: disposed, run: (f) => (f.d as Tensor).data });
  add({ name: "t.grad = disposed", arg: /disposed/, noValue: true, type: Error, setup: () => { const f = disposed(); const p3 = parameter([1, 2, 3]); return { ...f, p3, tensors: [...f.tensors, p3], dispose: () => { f.dispose(); p3.dispose(); } }; }, run: (f) => { (f.p3 as Tensor).grad = f.d as Tensor; } });
  add({ name: "tensor(t, [3]) for a 4-element t", arg: /shape/, noValue: true, type: RangeError, setup: fx, run: (f) => tensor(f.t as Tensor, [3]) });
}

// ---------------------------------------------------------------------------
// matmul

{
  const fx = () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6], [7, 8]]);
    const out = full([2, 2], 9);
    return { a, b, out, tensors: [a, b, out], optimizers: [], schedulers: [], generators: [], dispose: () => { a.dispose(); b.dispose(); out.dispose(); } };
  };
  for (const v of NOT_OPTIONS) add({ name: `matmul(a, b, ${describe(v)})`, arg: /options/, value: v, type: TypeError, setup: fx, run: (f) => matmul(f.a as Tensor, f.b as Tensor, v as never) });
  for (const key of ["alpha", "beta"]) {
    for (const v of [...NOT_NUMBERS, ...NON_FINITE]) add({ name: `matmul(a, b, { ${key}: ${describe(v)} })`, arg: new RegExp(key), value: v, type: typeof v === "number" ? RangeError : TypeError, setup: fx, run: (f) => matmul(f.a as Tensor, f.b as Tensor, { [key]: v, out: f.out as Tensor }) });
  }
  for (const key of ["transposeA", "transposeB"]) {
    for (const v of NOT_BOOLEANS) add({ name: `matmul(a, b, { ${key}: ${describe(v)} })`, arg: new RegExp(key), value: v, type: TypeError, setup: fx, run: (f) => matmul(f.a as Tensor, f.b as Tensor, { [key]: v, out: f.out as Tensor }) });
  }
  for (const v of NOT_TENSORS) {
    add({ name: `matmul(${describe(v)}, b)`, arg: /\ba\b/, value: v, type: TypeError, setup: fx, run: (f) => matmul(v as never, f.b as Tensor) });
    add({ name: `matmul(a, ${describe(v)})`, arg: /\bb\b/, value: v, type: TypeError, setup: fx, run: (f) => matmul(f.a as Tensor, v as never) });
    if (v !== null) add({ name: `matmul(a, b, { out: ${describe(v)} })`, arg: /out/, value: v, type: TypeError, setup: fx, run: (f) => matmul(f.a as Tensor, f.b as Tensor, { out: v as never }) });
  }
  add({ name: "matmul(a, b, { fast: true })", arg: /fast/, noValue: true, type: TypeError, setup: fx, run: (f) => matmul(f.a as Tensor, f.b as Tensor, { fast: true } as never) });
}

// ---------------------------------------------------------------------------
// nn modules and losses

{
  type Ctor = (...args: unknown[]) => unknown;
  const MODULES: [string, Ctor, unknown[], [number, string, "integer" | "number", number[]][]][] = [
    ["Linear", (...a) => new nn.Linear(...(a as [number, number])), [4, 3], [[0, "inFeatures", "integer", [-1, 1.5]], [1, "outFeatures", "integer", [-1, 1.5]]]],
    ["BatchNorm1d", (...a) => new nn.BatchNorm1d(...(a as [number])), [4], [[0, "numFeatures", "integer", [0, -1, 1.5]]]],
    ["LayerNorm", (...a) => new nn.LayerNorm(...(a as [number])), [4], [[0, "normalizedShape", "integer", [-1, 1.5]]]],
    ["Embedding", (...a) => new nn.Embedding(...(a as [number, number])), [5, 3], [[0, "numEmbeddings", "integer", [-1, 1.5]], [1, "embeddingDim", "integer", [-1, 1.5]]]],
    ["Conv2d", (...a) => new nn.Conv2d(...(a as [number, number, number])), [2, 3, 3], [[0, "inChannels", "integer", [0, -1, 1.5]], [1, "outChannels", "integer", [0, -1, 1.5]], [2, "kernelSize", "integer", [0, -1, 1.5]]]],
    ["GroupNorm", (...a) => new nn.GroupNorm(...(a as [number, number])), [2, 4], [[0, "numGroups", "integer", [0, -1, 1.5]], [1, "numChannels", "integer", [-1, 1.5]]]],
  ];
  for (const [name, make, args, positional] of MODULES) {
    for (const [i, argName, , extra] of positional) {
      for (const v of [...NOT_NUMBERS.filter((x) => !Array.isArray(x)), ...NON_FINITE, ...extra]) {
        const call = [...args];
        call[i] = v;
        add({ name: `new nn.${name}(${call.map((x) => describe(x)).join(", ")})`, arg: new RegExp(argName), value: v, type: typeof v === "number" ? RangeError : TypeError, run: () => make(...call) });
      }
    }
    for (const v of NOT_OPTIONS.filter((x) => !Array.isArray(x) || name !== "LayerNorm")) {
      add({ name: `new nn.${name}(${args.join(", ")}, ${describe(v)})`, arg: /options/, value: v, type: TypeError, run: () => make(...args, v) });
    }
  }
  const OPTION_MODULES: [string, (o: unknown) => unknown, string, "number" | "integer" | "boolean", number[]][] = [
    ["Dropout", (o) => new nn.Dropout(o as never), "p", "number", [-0.1, 1.5]],
    ["Dropout2d", (o) => new nn.Dropout2d(o as never), "p", "number", [-0.1, 1.5]],
    ["LeakyReLU", (o) => new nn.LeakyReLU(o as never), "negativeSlope", "number", []],
    ["ELU", (o) => new nn.ELU(o as never), "alpha", "number", []],
    ["Softplus", (o) => new nn.Softplus(o as never), "beta", "number", []],
    ["Softplus", (o) => new nn.Softplus(o as never), "threshold", "number", []],
    ["BatchNorm1d", (o) => new nn.BatchNorm1d(4, o as never), "eps", "number", [-1]],
    ["BatchNorm1d", (o) => new nn.BatchNorm1d(4, o as never), "momentum", "number", []],
    ["BatchNorm1d", (o) => new nn.BatchNorm1d(4, o as never), "affine", "boolean", []],
    ["LayerNorm", (o) => new nn.LayerNorm(4, o as never), "eps", "number", [-1]],
    ["LayerNorm", (o) => new nn.LayerNorm(4, o as never), "elementwiseAffine", "boolean", []],
    ["Linear", (o) => new nn.Linear(4, 3, o as never), "bias", "boolean", []],
    ["Flatten", (o) => new nn.Flatten(o as never), "startDim", "integer", [1.5]],
    ["Softmax", (o) => new nn.Softmax(o as never), "dim", "integer", [1.5]],
    ["SmoothL1Loss", (o) => new nn.SmoothL1Loss(o as never), "beta", "number", [-1]],
    ["HuberLoss", (o) => new nn.HuberLoss(o as never), "delta", "number", [-1, 0]],
    ["CrossEntropyLoss", (o) => new nn.CrossEntropyLoss(o as never), "labelSmoothing", "number", [-0.1, 1.5]],
    ["CrossEntropyLoss", (o) => new nn.CrossEntropyLoss(o as never), "ignoreIndex", "integer", [1.5]],
  ];
  for (const [name, make, key, kind, extra] of OPTION_MODULES) {
    // null is a value of its own for BatchNorm's momentum (cumulative average) and Softmax's dim (implicit);
    // an infinite SmoothL1 beta or Huber delta is a limit PyTorch accepts (L1, and half the squared error)
    const nullValid = key === "momentum" || key === "dim";
    const infValid = key === "beta" && name === "SmoothL1Loss" || key === "delta";
    const bad = kind === "boolean"
      ? NOT_BOOLEANS.map((v) => [v, TypeError] as const)
      : [...NOT_NUMBERS.filter((v) => !(nullValid && v === null)).map((v) => [v, TypeError] as const), ...[...NON_FINITE.filter((v) => !(infValid && v === Infinity)), ...extra].map((v) => [v, RangeError] as const)];
    for (const [v, type] of bad) add({ name: `new nn.${name}({ ${key}: ${describe(v)} })`, arg: new RegExp(key), value: v, type, run: () => make({ [key]: v }) });
  }
  for (const [name, make] of [["Dropout", (o: unknown) => new nn.Dropout(o as never)], ["LeakyReLU", (o: unknown) => new nn.LeakyReLU(o as never)], ["MSELoss", (o: unknown) => new nn.MSELoss(o as never)], ["CrossEntropyLoss", (o: unknown) => new nn.CrossEntropyLoss(o as never)], ["Flatten", (o: unknown) => new nn.Flatten(o as never)], ["GELU", (o: unknown) => new nn.GELU(o as never)], ["L1Loss", (o: unknown) => new nn.L1Loss(o as never)]] as const) {
    for (const v of NOT_OPTIONS) add({ name: `new nn.${name}(${describe(v)})`, arg: /options/, value: v, type: TypeError, run: () => make(v) });
  }
  for (const [name, make] of [["MSELoss", (o: unknown) => new nn.MSELoss(o as never)], ["CrossEntropyLoss", (o: unknown) => new nn.CrossEntropyLoss(o as never)], ["L1Loss", (o: unknown) => new nn.L1Loss(o as never)], ["NLLLoss", (o: unknown) => new nn.NLLLoss(o as never)]] as const) {
    for (const v of ["avg", "MEAN"]) add({ name: `new nn.${name}({ reduction: ${describe(v)} })`, arg: /reduction/, value: v, type: RangeError, run: () => make({ reduction: v }) });
    for (const v of [1, null, true]) add({ name: `new nn.${name}({ reduction: ${describe(v)} })`, arg: /reduction/, value: v, type: TypeError, run: () => make({ reduction: v }) });
  }
  for (const v of ["fast", 1]) add({ name: `new nn.GELU({ approximate: ${describe(v)} })`, arg: /approximate/, value: v, type: typeof v === "string" ? RangeError : TypeError, run: () => new nn.GELU({ approximate: v as never }) });
  for (const v of ["x", 5, null]) {
    add({
      name: `new nn.Sequential(linear, ${describe(v)})`, arg: /argument 1|Module/, value: v, type: TypeError,
      setup: () => { const lin = new nn.Linear(2, 2); return { ...noFixture(), lin, tensors: lin.parameters(), dispose: () => lin.dispose() }; },
      run: (f) => new nn.Sequential(f.lin as nn.Module, v as never),
    });
  }

  // forward with bad input
  for (const v of NOT_TENSORS) {
    add({ name: `model.forward(${describe(v)})`, arg: /input/, value: v, type: TypeError, setup: modelFixture, run: (f) => (f.model as nn.Module).forward(v) });
  }
  add({
    name: "a failing forward inside Sequential (third module gets the wrong width)", arg: /features|Linear/, noValue: true, type: RangeError,
    setup: () => {
      const f = modelFixture();
      const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Dropout({ p: 0.5 }), new nn.Linear(5, 2));
      return { ...f, bad: model, tensors: [...f.tensors, ...model.parameters()], dispose: () => { f.dispose(); model.dispose(); } };
    },
    run: (f) => (f.bad as nn.Module).forward(f.x),
  });
  add({
    name: "a failing forward inside a nested Sequential after a successful one (buffers pooled)", arg: /features|Linear/, noValue: true, type: RangeError,
    setup: () => {
      const f = modelFixture();
      const inner = new nn.Sequential(new nn.Linear(4, 3), new nn.Tanh());
      const model = new nn.Sequential(inner, new nn.Linear(3, 2), new nn.Linear(3, 2));
      const ok = new nn.Sequential(inner, new nn.Linear(3, 2));
      ok.forward(f.x);
      return { ...f, bad: model, tensors: [...f.tensors, ...model.parameters()], dispose: () => { f.dispose(); model.dispose(); ok.dispose(); } };
    },
    run: (f) => (f.bad as nn.Module).forward(f.x),
  });
  add({
    name: "stateDict() of a module with a disposed weight", arg: /disposed/, noValue: true, type: Error,
    setup: () => {
      const f = modelFixture();
      (f.model.at(2) as nn.Linear).weight.dispose();
      f.tensors = f.tensors.filter((t) => !t.disposed);
      return f;
    },
    run: (f) => (f.model as nn.Module).stateDict(),
  });
  add({
    name: "loss.backward() after the first layer was disposed names the module before writing any gradient", arg: /Linear/, noValue: true, type: Error,
    setup: () => {
      const f = modelFixture();
      const loss = new nn.MSELoss().forward(f.model.forward(f.x), zeros([2, 2]));
      (f.model.at(0) as nn.Linear).dispose();
      f.tensors = f.tensors.filter((t) => !t.disposed);
      return { ...f, loss };
    },
    run: (f) => (f.loss as Tensor).backward(),
  });
  for (const v of ["x", 1, [true]]) add({ name: `model.zeroGrad(${describe(v)})`, arg: /options/, value: v, type: TypeError, setup: modelFixture, run: (f) => (f.model as nn.Module).zeroGrad(v as never) });
  for (const v of ["yes", 1, null]) add({ name: `model.train(${describe(v)})`, arg: /mode/, value: v, type: TypeError, setup: modelFixture, run: (f) => (f.model as nn.Module).train(v as never) });

  // losses with bad targets
  const lossFx = () => {
    const logits = tensor([[1, 2, 3], [0.5, 0.1, -1]]);
    return { logits, tensors: [logits], optimizers: [], schedulers: [], generators: [], dispose: () => logits.dispose() };
  };
  for (const [labels, type, value] of [
    [["0", "1"], TypeError, "0"], [[0, "1"], TypeError, "1"], [[0, null], TypeError, null], [[0, 1.5], RangeError, 1.5], [[0, 3], RangeError, 3], [[0, -2], RangeError, -2], [[0, Number.NaN], RangeError, Number.NaN], [[0], RangeError, undefined], ["01", TypeError, "01"], [null, TypeError, null],
  ] as [unknown, ErrorType, unknown][]) {
    add({ name: `CrossEntropyLoss(logits, ${describe(labels)})`, arg: /labels|target/, value, noValue: value === undefined, type, setup: lossFx, run: (f) => new nn.CrossEntropyLoss().forward(f.logits as Tensor, labels as never) });
  }
  add({
    name: "MSELoss with a target of another shape", arg: /target|shape/, noValue: true, type: RangeError,
    setup: () => { const f = lossFx(); const target = zeros([3, 2]); return { ...f, target, dispose: () => { f.dispose(); target.dispose(); } }; },
    run: (f) => new nn.MSELoss().forward(f.logits as Tensor, f.target as Tensor),
  });
  for (const v of NOT_TENSORS) add({ name: `MSELoss(logits, ${describe(v)})`, arg: /target/, value: v, type: TypeError, setup: lossFx, run: (f) => new nn.MSELoss().forward(f.logits as Tensor, v as never) });
}

// ---------------------------------------------------------------------------
// Functional forms (F), pooling, embedding, and module forwards

{
  const fx = () => {
    const x = tensor(Array.from({ length: 24 }, (_, i) => (i % 7) / 7 - 0.4), [2, 3, 2, 2]);
    const m = tensor([[0.2, -0.1, 0.5], [1, 0.3, -0.7]]);
    const y = tensor([[0, 1, 0], [1, 0, 0]]);
    return { x, m, y, tensors: [x, m, y], optimizers: [], schedulers: [], generators: [defaultGenerator], dispose: () => { x.dispose(); m.dispose(); y.dispose(); } };
  };
  const F = nn.functional;
  for (const [name, fn] of [["softmax", F.softmax], ["logSoftmax", F.logSoftmax]] as const) {
    for (const v of NOT_TENSORS) add({ name: `F.${name}(${describe(v)}, 1)`, arg: /input|x/, value: v, type: TypeError, setup: fx, run: () => (fn as (a: unknown, b: unknown) => unknown)(v, 1) });
    // (null is PyTorch's implicit dim)
    for (const v of ["1", [1], true]) add({ name: `F.${name}(m, ${describe(v)})`, arg: /dim/, value: v, type: TypeError, setup: fx, run: (f) => (fn as (a: unknown, b: unknown) => unknown)(f.m, v) });
    for (const v of [2, -3, 1.5, Number.NaN, Infinity]) add({ name: `F.${name}(m, ${describe(v)})`, arg: /dim|Dimension/, value: v, type: RangeError, setup: fx, run: (f) => (fn as (a: unknown, b: unknown) => unknown)(f.m, v) });
  }
  for (const [name, fn] of [["mseLoss", F.mseLoss], ["l1Loss", F.l1Loss], ["smoothL1Loss", F.smoothL1Loss], ["huberLoss", F.huberLoss], ["binaryCrossEntropyWithLogits", F.binaryCrossEntropyWithLogits]] as const) {
    const call = fn as (a: unknown, b: unknown, o?: unknown) => unknown;
    for (const v of NOT_TENSORS) {
      add({ name: `F.${name}(${describe(v)}, y)`, arg: /input/, value: v, type: TypeError, setup: fx, run: (f) => call(v, f.y) });
      add({ name: `F.${name}(m, ${describe(v)})`, arg: /target/, value: v, type: TypeError, setup: fx, run: (f) => call(f.m, v) });
    }
    for (const v of NOT_OPTIONS) add({ name: `F.${name}(m, y, ${describe(v)})`, arg: /options/, value: v, type: TypeError, setup: fx, run: (f) => call(f.m, f.y, v) });
    for (const v of ["avg", ""]) add({ name: `F.${name}(m, y, { reduction: ${describe(v)} })`, arg: /reduction/, value: v, type: RangeError, setup: fx, run: (f) => call(f.m, f.y, { reduction: v }) });
    for (const v of [1, null, true]) add({ name: `F.${name}(m, y, { reduction: ${describe(v)} })`, arg: /reduction/, value: v, type: TypeError, setup: fx, run: (f) => call(f.m, f.y, { reduction: v }) });
    add({ name: `F.${name}(m, x) (another shape)`, arg: /size|shape/, noValue: true, type: RangeError, setup: fx, run: (f) => call(f.m, f.x) });
  }
  for (const [labels, type, value] of [[["0", "1"], TypeError, "0"], [[0, 1.5], RangeError, 1.5], [[0, 3], RangeError, 3], [null, TypeError, null]] as [unknown, ErrorType, unknown][]) {
    add({ name: `F.crossEntropy(m, ${describe(labels)})`, arg: /target|labels|Target|[Cc]lass/, value, type, setup: fx, run: (f) => F.crossEntropy(f.m as Tensor, labels as never) });
    add({ name: `F.nllLoss(m, ${describe(labels)})`, arg: /target|labels|Target|[Cc]lass/, value, type, setup: fx, run: (f) => F.nllLoss(f.m as Tensor, labels as never) });
  }
  for (const [labels, type, value] of [[["0"], TypeError, "0"], [[1.5], RangeError, 1.5], [[-2], RangeError, -2]] as [unknown, ErrorType, unknown][]) {
    add({ name: `F.oneHot(${describe(labels)}, 3)`, arg: /labels|indices|[Cc]lass/, value, type, setup: fx, run: () => F.oneHot(labels as never, 3) });
  }
  for (const v of ["3", 1.5, Number.NaN, -2]) add({ name: `F.oneHot([0, 1], ${describe(v)})`, arg: /numClasses/, value: v, type: typeof v === "number" ? RangeError : TypeError, setup: fx, run: () => F.oneHot([0, 1], v as never) });
  const emb = () => {
    const f = fx();
    const e = new nn.Embedding(4, 2);
    return { ...f, e, tensors: [...f.tensors, e.weight], dispose: () => { f.dispose(); e.dispose(); } };
  };
  for (const [idx, type, value] of [[["1"], TypeError, "1"], [[1.5], RangeError, 1.5], [[4], RangeError, 4], [[-5], RangeError, -5], ["1", TypeError, "1"], [null, TypeError, null]] as [unknown, ErrorType, unknown][]) {
    add({ name: `Embedding(4, 2).forward(${describe(idx)})`, arg: /indices|index|input/, value, type, setup: emb, run: (f) => (f.e as nn.Embedding).forward(idx as never) });
  }
  for (const v of [...NOT_NUMBERS.filter((x) => !Array.isArray(x)), 0, -1, 1.5, Number.NaN]) {
    add({ name: `new nn.MaxPool2d(${describe(v)})`, arg: /kernelSize|kernel_size/, value: v, type: typeof v === "number" ? RangeError : TypeError, run: () => new nn.MaxPool2d(v as never) });
    add({ name: `new nn.AvgPool2d(${describe(v)})`, arg: /kernelSize|kernel_size/, value: v, type: typeof v === "number" ? RangeError : TypeError, run: () => new nn.AvgPool2d(v as never) });
  }
  for (const v of NOT_OPTIONS) add({ name: `new nn.MaxPool2d(2, ${describe(v)})`, arg: /options/, value: v, type: TypeError, run: () => new nn.MaxPool2d(2, v as never) });
  const mods = () => {
    const f = fx();
    const conv = new nn.Conv2d(3, 2, 1);
    const bn = new nn.BatchNorm2d(3);
    const pool = new nn.MaxPool2d(2);
    const ln = new nn.LayerNorm(3);
    return { ...f, conv, bn, pool, ln, tensors: [...f.tensors, ...conv.parameters(), ...bn.parameters(), ...bn.buffers(), ...ln.parameters()], dispose: () => { f.dispose(); conv.dispose(); bn.dispose(); ln.dispose(); } };
  };
  for (const key of ["conv", "bn", "pool", "ln"]) {
    for (const v of NOT_TENSORS) add({ name: `${key}.forward(${describe(v)})`, arg: /input/, value: v, type: TypeError, setup: mods, run: (f) => (f[key] as nn.Module).forward(v) });
  }
  add({ name: "conv.forward(a 2-channel... 3-D input of the wrong channels)", arg: /channels|input/, noValue: true, type: RangeError, setup: mods, run: (f) => (f.conv as nn.Module).forward(f.m) });
  add({ name: "bn.forward(an input with 2 channels)", arg: /features|channels|input/, noValue: true, type: RangeError, setup: mods, run: (f) => (f.bn as nn.Module).forward(f.m) });
  add({ name: "ln.forward(an input whose last dimension is 2)", arg: /normalized_shape|shape|input/, noValue: true, type: RangeError, setup: mods, run: (f) => (f.ln as nn.Module).forward(f.x) });
}

// ---------------------------------------------------------------------------

interface Snapshot {
  memory: ReturnType<typeof memoryStats>;
  tensors: { disposed: boolean; requiresGrad: boolean; data: number[] | null; grad: number[] | null | "disposed" }[];
  optimizers: string[];
  schedulers: string[];
  generators: string[];
}

function snapshot(f: Fixture): Snapshot {
  return {
    memory: memoryStats(),
    tensors: f.tensors.map((t) => ({
      disposed: t.disposed,
      requiresGrad: t.requiresGrad,
      data: t.disposed ? null : Array.from(t.data),
      grad: t.grad === null ? null : t.grad.disposed ? "disposed" : Array.from(t.grad.data),
    })),
    optimizers: f.optimizers.map((o) => JSON.stringify([o.stateDict(), o.paramGroups.map((g) => ({ ...g, params: g.params.length }))])),
    schedulers: f.schedulers.map((s) => JSON.stringify([s.stateDict(), s.optimizer.paramGroups.map((g) => ({ ...g, params: undefined }))])),
    generators: [...f.generators, defaultGenerator].map((g) => JSON.stringify(g.getState())),
  };
}

suite("bad input: the right error, a message naming the argument and showing the value, nothing changed", () => {
  it("covers many cases", () => {
    expect(cases.length).toBeGreaterThan(1500);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const f = (c.setup ?? noFixture)() as Fixture & Record<string, unknown>;
    try {
      const before = snapshot(f);
      let error: unknown = null;
      try {
        c.run(f);
      } catch (e) {
        error = e;
      }
      expect(error, "throws").not.toBeNull();
      const err = error as Error;
      expect(err.constructor.name, `error type (message: ${err.message})`).toBe(c.type.name);
      expect(err.message).toMatch(c.arg);
      if (!c.noValue) expect(err.message).toContain(describe(c.value));
      expect(snapshot(f)).toEqual(before);
    } finally {
      f.dispose();
    }
  });
});
