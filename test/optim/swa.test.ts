// swa.AveragedModel and swa.SWALR against PyTorch 1.13's swa_utils
// (test/fixtures/swa.json). The averages are float32 tensors computed
// with the same float32 operations as PyTorch's tensor arithmetic, so they
// are compared exactly (tolerance 0); SWALR's lr sequences are in
// lr_scheduler.test.ts (relative tolerance 1e-12).
import { describe, expect, it } from "vitest";
import { memoryStats, nn, optim, tensor, Tensor, zeros, noGrad } from "../../src/index.js";
import { Module } from "../../src/nn/module.js";
import { swaEmaJs, swaEqualAverageJs } from "../../src/reference/swa.js";
import { loadFixture } from "../helpers/fixture.js";
import { expectClose } from "../helpers/close.js";

const { AveragedModel } = optim.swa;

type Nested = number | Nested[];
type State = Record<string, Nested>;
const fixtures = { swa: loadFixture("swa.json").averagedModel, updateBn: loadFixture("swa.json").updateBn } as {
  swa: { states: State[]; runs: Record<string, (State & { n_averaged: number })[]> };
  updateBn: {
    before: Record<string, { shape: number[]; data: number[] }>;
    batches: number[][][];
    after: Record<string, number[]>;
    training: boolean;
    momenta: number[];
  };
};

const flat = (x: Nested): number[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

/** A small model: two parameters and a buffer, registered as nn.Linear will. */
class Small extends Module {
  weight: Tensor;
  bias: Tensor;
  running: Tensor;
  constructor() {
    super();
    this.weight = zeros([3, 2]);
    this.bias = zeros([4]);
    this.running = zeros([2]);
    this.registerParameter("weight", this.weight);
    this.registerParameter("bias", this.bias);
    this.registerBuffer("running", this.running);
  }
}

/** Frees every parameter and buffer of a module tree (the averaged copy and n_averaged included). */
function free(m: Module): void {
  for (const t of [...m.parameters(), ...m.buffers()]) t.dispose();
}

function load(model: Small, state: State): void {
  model.weight.data.set(flat(state.weight));
  model.bias.data.set(flat(state.bias));
  model.running.data.set(flat(state.running));
}

/** PyTorch's `lambda a, p, n: a + (p - a) * (2.0 / (n + 2))` on float32 tensors. */
function custom(a: Tensor, p: Tensor, n: number): void {
  const s = Math.fround(2 / (n + 2));
  const ad = a.data;
  const pd = p.data;
  for (let i = 0; i < ad.length; i++) ad[i] = ad[i] + Math.fround(Math.fround(pd[i] - ad[i]) * s);
}

const variants: Record<string, optim.swa.AveragedModelOptions> = {
  equal: {},
  ema: { decay: 0.9 },
  custom: { avgFn: custom },
};

describe("AveragedModel reproduces PyTorch 1.13 exactly", () => {
  for (const [name, options] of Object.entries(variants)) {
    for (const useBuffers of [false, true]) {
      const key = `${name}${useBuffers ? "+buffers" : ""}`;
      it(`${key}: averages after each of ${fixtures.swa.states.length} updates`, () => {
        const model = new Small();
        const avg = new AveragedModel(model, { ...options, useBuffers });
        expect(avg.nAveraged).toBe(0);
        fixtures.swa.runs[key].forEach((expected, k) => {
          load(model, fixtures.swa.states[k]);
          avg.updateParameters(model);
          expect(avg.nAveraged).toBe(expected.n_averaged);
          const m = avg.module as Small;
          expect(Array.from(m.weight.data)).toEqual(flat(expected.weight));
          expect(Array.from(m.bias.data)).toEqual(flat(expected.bias));
          expect(Array.from(m.running.data)).toEqual(flat(expected.running));
        });
        free(avg);
        free(model);
      });
    }
  }
});

describe("AveragedModel", () => {
  it("holds a deep copy whose parameters are in the model's order, distinct from the model's", () => {
    const model = new Small();
    model.weight.data.fill(2);
    const avg = new AveragedModel(model);
    const ps = avg.module.parameters();
    expect(ps.map((p) => p.shape)).toEqual(model.parameters().map((p) => p.shape));
    expect(ps[0]).not.toBe(model.weight);
    expect(Array.from(ps[0].data)).toEqual(new Array(6).fill(2));
    expect(avg.parameters()).toEqual(ps);
    model.weight.data.fill(5);
    expect(ps[0].data[0]).toBe(2);
    free(avg);
    free(model);
  });

  it("state dict carries the averaged module and n_averaged", () => {
    const model = new Small();
    const avg = new AveragedModel(model);
    avg.updateParameters(model);
    avg.updateParameters(model);
    const sd = avg.stateDict();
    expect(Object.keys(sd).sort()).toEqual(["module.bias", "module.running", "module.weight", "n_averaged"]);
    expect(sd.n_averaged.item()).toBe(2);
    for (const t of Object.values(sd)) t.dispose();
    free(avg);
    free(model);
  });

  it("rejects a model of another architecture before changing anything", () => {
    const model = new Small();
    const avg = new AveragedModel(model);
    avg.updateParameters(model);
    class Other extends Module {
      constructor() {
        super();
        this.registerParameter("weight", zeros([2, 3]));
        this.registerParameter("bias", zeros([4]));
      }
    }
    const other = new Other();
    expect(() => avg.updateParameters(other)).toThrow(/shape \[2, 3\] in the model but \[3, 2\] in the average/);
    expect(avg.nAveraged).toBe(1);
    for (const p of other.parameters()) p.dispose();
    free(avg);
    free(model);
  });

  it("validates its options", () => {
    const model = new Small();
    expect(() => new AveragedModel(model, { decay: 1.5 })).toThrow(RangeError);
    expect(() => new AveragedModel(model, { decay: 1.5 })).toThrow(/decay.*got 1.5/);
    expect(() => new AveragedModel(model, { avgFn: 3 as never })).toThrow(/avgFn must be a function/);
    expect(() => new AveragedModel(model, { avgFn: custom, decay: 0.9 })).toThrow(/not both/);
    expect(() => new AveragedModel({} as never)).toThrow(/must be an nn.Module/);
    free(model);
  });

  it("updates allocate nothing, and freeing its parameters and buffers frees the copy", () => {
    const before = memoryStats().liveTensors;
    const model = new Small();
    const avg = new AveragedModel(model, { decay: 0.99 });
    avg.updateParameters(model);
    const during = memoryStats();
    for (let i = 0; i < 5; i++) avg.updateParameters(model);
    expect(memoryStats().liveTensors).toBe(during.liveTensors);
    expect(memoryStats().allocatedBytes).toBe(during.allocatedBytes);
    free(avg);
    free(model);
    expect(memoryStats().liveTensors).toBe(before);
  });
});

/** One parameter of `size` elements. */
class Vec extends Module {
  w: Tensor;
  constructor(size: number) {
    super();
    this.w = zeros([size]);
    this.registerParameter("w", this.w);
  }
}

describe("averaging kernels", () => {
  // In the WebAssembly builds AveragedModel runs the SIMD kernels (assembly/swa.ts);
  // they must agree bit for bit with the pure-JS twins, tails included.
  for (const size of [1, 3, 4, 7, 8, 9, 15, 16, 17, 33, 1000]) {
    it(`equal average and EMA match the pure-JS twins exactly on ${size} elements`, () => {
      let seed = size;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 8 - 4;
      for (const options of [{}, { decay: 0.97 }]) {
        const model = new Vec(size);
        const avg = new AveragedModel(model, options);
        const twin = new Float32Array(size);
        for (let step = 0; step < 5; step++) {
          const values = Float32Array.from({ length: size }, rnd);
          model.w.data.set(values);
          if (step === 0) twin.set(values);
          else if ("decay" in options) swaEmaJs(twin, values, 0.97, 1 - 0.97);
          else swaEqualAverageJs(twin, values, step + 1);
          avg.updateParameters(model);
          expect(Array.from((avg.module as Vec).w.data)).toEqual(Array.from(twin));
        }
        free(avg);
        free(model);
      }
    });
  }
});

describe("updateBn", () => {
  it("recomputes batch-norm running statistics as PyTorch's update_bn (relative 1e-5), restoring momenta and mode", () => {
    const f = fixtures.updateBn;
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.BatchNorm1d(3), new nn.ReLU(), new nn.Linear(3, 2), new nn.BatchNorm1d(2, { momentum: 0.3 }));
    model.loadStateDict(f.before);
    model.eval();
    const batches = f.batches.map((b) => tensor(b));
    optim.swa.updateBn(batches, model);
    const sd = model.stateDict();
    for (const [key, expected] of Object.entries(f.after)) {
      Array.from(sd[key].data).forEach((v, i) => {
        if (Math.abs(v - expected[i]) > 1e-5 * Math.abs(expected[i]) + 1e-6) expect.fail(`${key}[${i}]: got ${v}, PyTorch ${expected[i]}`);
      });
    }
    expect(model.training).toBe(f.training);
    const bns = model.modules().filter((m) => m instanceof nn.BatchNorm1d) as InstanceType<typeof nn.BatchNorm1d>[];
    expect(bns.map((m) => m.momentum)).toEqual(f.momenta);
    for (const t of [...Object.values(sd), ...batches]) t.dispose();
    free(model);
  });

  it("accepts [input, label] batches and rejects a non-tensor batch, restoring the momenta", () => {
    const model = new nn.Sequential(new nn.Linear(2, 2), new nn.BatchNorm1d(2));
    const x = tensor([[1, 2], [3, 5]]);
    optim.swa.updateBn([[x, x]], model);
    expect(Array.from((model.modules()[2] as InstanceType<typeof nn.BatchNorm1d>).numBatchesTracked!.data)).toEqual([1]);
    expect(() => optim.swa.updateBn([3 as never], model)).toThrow(/batch 0 is not a Tensor/);
    expect((model.modules()[2] as InstanceType<typeof nn.BatchNorm1d>).momentum).toBe(0.1);
    expect(model.training).toBe(true);
    x.dispose();
    free(model);
  });
});

// optim.swa.AveragedModel against PyTorch 1.13's
// swa_utils.AveragedModel — the equal average and an EMA, with and without
// useBuffers — on Linear-BatchNorm1d-ReLU-Linear: its whole state dict
// (n_averaged first, then module.*) after each of four updates (the model's
// parameters set and batch-norm statistics moved by training forwards between
// updates), then after updateBn. With useBuffers, num_batches_tracked is
// averaged as PyTorch's int64 buffer is (truncated toward zero).
// Fixture: test/fixtures/generate.py. Tolerance:
// relative 1e-5 + absolute 1e-6.
const f = loadFixture("swa.json").stateDicts as {
  rounds: { params: Record<string, number[]>; batches: number[][][] }[];
  bnBatches: number[][][];
  cases: { name: string; useBuffers: boolean; ema: boolean; keys: string[]; states: Record<string, number[]>[]; afterUpdateBn: Record<string, number[]> }[];
};

const batch = (b: number[][]) => tensor(b.flat(), [b.length, b[0].length]);

describe("AveragedModel and updateBn against PyTorch 1.13 (whole state dicts, useBuffers)", () => {
  for (const c of f.cases) {
    it(c.name, () => {
      const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Linear(4, 2));
      let avg: optim.swa.AveragedModel | null = null;
      f.rounds.forEach((r, k) => {
        for (const [name, p] of model.namedParameters()) p.data.set(r.params[name]);
        model.train();
        for (const b of r.batches) noGrad(() => model.forward(batch(b)));
        avg ??= new optim.swa.AveragedModel(model, { useBuffers: c.useBuffers, ...(c.ema ? { decay: 0.9 } : {}) });
        avg.updateParameters(model);
        const sd = avg.stateDict() as Record<string, Tensor>;
        expect(Object.keys(sd)).toEqual(c.keys);
        for (const key of c.keys) expectClose(sd[key].toArray(), c.states[k][key], { rtol: 1e-5, atol: 1e-6, what: `update ${k + 1}: ${key}` });
      });
      optim.swa.updateBn(f.bnBatches.map(batch), avg!.module);
      const sd = avg!.stateDict() as Record<string, Tensor>;
      for (const key of c.keys) expectClose(sd[key].toArray(), c.afterUpdateBn[key], { rtol: 1e-5, atol: 1e-6, what: `after updateBn: ${key}` });
    });
  }
});
