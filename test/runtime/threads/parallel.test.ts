// Results do not depend on the thread count: every kernel family the pool
// splits (GEMM by columns and by rows, random fills, elementwise forward and
// backward, Linear's bias rows, every optimizer rule's table, clipping,
// gradient centralization, SWA) and a 50-step training run give the same
// bits with 1, 2, 3 and 4 threads, and when the count changes between steps.
import { afterAll, describe, expect, it } from "vitest";
import {
  backendInfo, getNumThreads, init, matmul, nn, optim, parameter, ready, setNumThreads, tensor, Generator, randn, rand,
  bernoulli, F, type Tensor,
} from "../../../src/index.js";

const THREADS = [1, 2, 3, 4];
const threadsAvailable = () => backendInfo().build !== "js" && backendInfo().threadsUnavailable === undefined;

async function useThreads(n: number): Promise<void> {
  setNumThreads(n);
  await ready();
  if (threadsAvailable()) expect(getNumThreads()).toBe(n);
}

afterAll(async () => {
  setNumThreads(1);
  await ready();
});

/** The float32 bits of a tensor, as bytes. */
const bits = (t: Tensor) => Buffer.from(t.toArray().buffer);

/** Deterministic values in [-1, 1), as a tensor. */
function values(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return tensor(v, shape);
}

/** Runs `compute` at every thread count and expects the same bytes from each. */
async function sameForEveryThreadCount(compute: () => Buffer[]): Promise<void> {
  let reference: Buffer[] | null = null;
  for (const n of THREADS) {
    await useThreads(n);
    const out = compute();
    if (!reference) reference = out;
    else {
      expect(out.length).toBe(reference.length);
      out.forEach((b, i) => expect(b.equals(reference![i]), `output ${i} with ${n} threads`).toBe(true));
    }
  }
}

describe("bit-identical results for 1, 2, 3 and 4 threads", () => {
  it("GEMM: output columns split (any transposes, alpha, beta, ragged edges) and rows split (narrow C)", async () => {
    const cases: [number, number, number, boolean, boolean, number][] = [
      [130, 524, 300, false, false, 0], // 66 panels, the last narrow
      [128, 256, 784, false, true, 0], // the MLP's forward x·Wᵀ
      [256, 784, 128, true, false, 0], // dW = dyᵀ·x
      [128, 784, 256, false, false, 0.5], // dx = dy·W, accumulated
      [333, 10, 700, false, false, 0], // 2 panels: rows split
      [301, 12, 900, true, true, 0], // rows split, both transposed
    ];
    await sameForEveryThreadCount(() =>
      cases.map(([M, N, K, ta, tb, beta], i) => {
        const a = values(ta ? [K, M] : [M, K], 2 * i + 1);
        const b = values(tb ? [N, K] : [K, N], 2 * i + 2);
        const out = values([M, N], 99 + i);
        matmul(a, b, { transposeA: ta, transposeB: tb, alpha: 0.75, beta, out });
        const r = bits(out);
        [a, b, out].forEach((t) => t.dispose());
        return r;
      }),
    );
  });

  it("random fills from an unaligned stream position: uniform, normal, truncated normal, bernoulli", async () => {
    await sameForEveryThreadCount(() => {
      const g = new Generator(1234);
      randn([5], { generator: g }).dispose(); // the next fill starts mid-group
      const ts = [
        rand([100_003], { generator: g }),
        randn([250_001], { generator: g }),
        init.truncNormal(values([70_001], 3), { std: 0.5, a: -1, b: 2, generator: g }),
        bernoulli(values([90_000], 4), 0.3, { generator: g }),
        init.normal(values([65_537], 5), { mean: 1, std: 3, generator: g }),
      ];
      const r = ts.map(bits);
      ts.forEach((t) => t.dispose());
      return r;
    });
  });

  it("activations forward and backward, and Linear's bias rows", async () => {
    const mods: nn.Module[] = [new nn.ReLU(), new nn.Tanh(), new nn.Sigmoid(), new nn.GELU(), new nn.GELU({ approximate: "tanh" }), new nn.LeakyReLU({ negativeSlope: 0.1 })];
    await sameForEveryThreadCount(() => {
      const out: Buffer[] = [];
      for (const [i, m] of mods.entries()) {
        const x = values([300, 257], 10 + i);
        x.requiresGrad = true;
        const y = m.forward(x);
        const loss = new nn.MSELoss().forward(y, values([300, 257], 20 + i));
        loss.backward();
        out.push(bits(y), bits(x.grad!));
      }
      const lin = new nn.Linear(300, 700);
      lin.weight.data.set(values([700, 300], 7).data);
      lin.bias!.data.set(values([700], 8).data);
      out.push(bits(lin.forward(values([200, 300], 9))));
      return out;
    });
  });

  const rules: [string, (ps: Tensor[]) => optim.Optimizer][] = [
    ["SGD (momentum, nesterov, weight decay)", (ps) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
    ["Adam (amsgrad)", (ps) => new optim.Adam(ps, { lr: 1e-3, amsgrad: true })],
    ["Adam", (ps) => new optim.Adam(ps, { lr: 1e-3 })],
    ["AdamW (gradient centralization)", (ps) => new optim.AdamW(ps, { lr: 1e-3, gradCentralization: true })],
    ["Adagrad", (ps) => new optim.Adagrad(ps, { lr: 0.1, weightDecay: 1e-2 })],
    ["RMSprop (centered, momentum)", (ps) => new optim.RMSprop(ps, { lr: 1e-3, centered: true, momentum: 0.5 })],
    ["Adamax", (ps) => new optim.Adamax(ps)],
    ["NAdam", (ps) => new optim.NAdam(ps)],
    ["RAdam", (ps) => new optim.RAdam(ps)],
    ["Adadelta", (ps) => new optim.Adadelta(ps, { weightDecay: 1e-2 })],
    ["LAMB", (ps) => new optim.LAMB(ps, { weightDecay: 1e-2 })],
    ["Lookahead(Adam)", (ps) => new optim.Lookahead(new optim.Adam(ps), { k: 2 })],
  ];
  for (const [name, make] of rules) {
    it(`optimizer step: ${name}`, async () => {
      await sameForEveryThreadCount(() => {
        const shapes = [[100_003], [300, 301], [7], [40_000]];
        const ps = shapes.map((s, i) => parameter(values(s, 30 + i).data, s));
        const opt = make(ps);
        for (let step = 0; step < 3; step++) {
          ps.forEach((p, i) => (p.grad = values(p.shape as number[], 100 * step + i)));
          opt.step();
        }
        return ps.map(bits);
      });
    });
  }

  it("clipping (by norm and by value) and SWA averages", async () => {
    await sameForEveryThreadCount(() => {
      const ps = [[150_001], [33]].map((s, i) => parameter(values(s, 40 + i).data, s));
      ps.forEach((p, i) => (p.grad = values(p.shape as number[], 50 + i)));
      const norm = optim.clipGradNorm(ps, 0.5);
      optim.clipGradValue(ps, 0.001);
      const model = new nn.Linear(400, 300);
      const avg = new optim.swa.AveragedModel(model);
      const ema = new optim.swa.AveragedModel(model, { decay: 0.9 });
      for (let i = 0; i < 3; i++) {
        model.weight.data.set(values([300, 400], 60 + i).data);
        model.bias!.data.set(values([300], 70 + i).data);
        avg.updateParameters(model);
        ema.updateParameters(model);
      }
      return [...ps.map((p) => bits(p.grad!)), Buffer.from(new Float64Array([norm]).buffer), ...avg.module.parameters().map(bits), ...ema.module.parameters().map(bits)];
    });
  });
});

describe("reductions and tensor operations: bit-identical for 1, 2, 3 and 4 threads", () => {
  const f64 = (x: number) => Buffer.from(new Float64Array([x]).buffer);

  it("sum, mean, var, std, norms, amax, amin over every element (chunks on every thread, combined in order)", async () => {
    await sameForEveryThreadCount(() => {
      const out: Buffer[] = [];
      for (const [n, seed] of [[300_001, 1], [65_536, 2], [1_000_000, 3]]) {
        const x = values([n], seed);
        const nan = values([n], seed);
        nan.data[n - 5] = NaN;
        const rs = [
          x.sum(), x.mean(), x.var(), x.std(), x.var({ correction: 0 }), x.norm(), x.norm({ p: 1 }), x.norm({ p: Infinity }),
          x.amax(), x.amin(), nan.amax(), nan.sum(),
        ];
        out.push(...rs.map(bits));
        [x, nan, ...rs].forEach((t) => t.dispose());
      }
      return out;
    });
  });

  it("over dims: long rows (few outputs: chunks), many rows (rows split), reduced leading dims", async () => {
    await sameForEveryThreadCount(() => {
      const cases: [number[], number | number[]][] = [
        [[3, 100_003], 1], [[40, 5000], 1], [[8, 2000, 30], 1], [[5000, 40], 0], [[7, 70_000], -1],
      ];
      const out: Buffer[] = [];
      for (const [i, [shape, dim]] of cases.entries()) {
        const x = values(shape, 10 + i);
        const rs = [x.sum({ dim }), x.mean({ dim }), x.amax({ dim }), x.amin({ dim }), x.norm({ dim }), x.var({ dim }), x.std({ dim })];
        out.push(...rs.map(bits));
        [x, ...rs].forEach((t) => t.dispose());
      }
      return out;
    });
  });

  it("losses: MSE, L1, smooth L1, Huber, BCE, BCE with logits (value and gradient)", async () => {
    await sameForEveryThreadCount(() => {
      const out: Buffer[] = [];
      const n = 100_003;
      const target01 = values([n], 2);
      target01.data.forEach((v, i) => (target01.data[i] = (v + 1) / 2));
      const losses: [string, (x: Tensor) => Tensor][] = [
        ["mse", (x) => F.mseLoss(x, values([n], 3))],
        ["mse sum", (x) => F.mseLoss(x, values([n], 3), { reduction: "sum" })],
        ["l1", (x) => F.l1Loss(x, values([n], 4))],
        ["smooth l1", (x) => F.smoothL1Loss(x, values([n], 5), { beta: 0.5 })],
        ["huber", (x) => F.huberLoss(x, values([n], 6), { delta: 0.3 })],
        ["bce", (x) => F.binaryCrossEntropy(x.sigmoid(), target01)],
        ["bce logits", (x) => F.binaryCrossEntropyWithLogits(x, target01)],
      ];
      for (const [i, [, loss]] of losses.entries()) {
        const x = values([n], 20 + i);
        x.requiresGrad = true;
        const l = loss(x);
        l.backward();
        out.push(bits(l), bits(x.grad!));
      }
      return out;
    });
  });

  it("clipGradNorm with norm types 2, 1 and ∞ over tensors of several pieces", async () => {
    await sameForEveryThreadCount(() => {
      const out: Buffer[] = [];
      for (const normType of [2, 1, Infinity]) {
        const ps = [[150_001], [33], [70_000]].map((s, i) => parameter(values(s, 80 + i).data, s));
        ps.forEach((p, i) => (p.grad = values(p.shape as number[], 90 + i)));
        const norm = optim.clipGradNorm(ps, 0.5, { normType });
        out.push(f64(norm), ...ps.map((p) => bits(p.grad!)));
      }
      return out;
    });
  });

  it("elementwise binary and unary operations, forward and backward", async () => {
    await sameForEveryThreadCount(() => {
      const out: Buffer[] = [];
      const a = values([300, 1001], 1), b = values([300, 1001], 2);
      const rs = [a.add(b), a.sub(b, { alpha: 0.5 }), a.mul(b), a.div(b), a.exp(), a.abs().sqrt(), a.clamp({ min: -0.2, max: 0.3 }), a.pow(3), a.pow(2.5), a.neg()];
      out.push(...rs.map(bits));
      const x = values([300, 1001], 3);
      x.requiresGrad = true;
      x.exp().mul(x.abs().sqrt()).sum().backward();
      out.push(bits(x.grad!));
      return out;
    });
  });

  it("softmax and logSoftmax over rows (and a middle dimension), forward and backward; embedding lookup", async () => {
    await sameForEveryThreadCount(() => {
      const out: Buffer[] = [];
      for (const [shape, dim] of [[[200, 1000], 1], [[20, 1000, 7], 1]] as [number[], number][]) {
        for (const log of [false, true]) {
          const x = values(shape, 5);
          x.requiresGrad = true;
          const y = log ? x.logSoftmax(dim) : x.softmax(dim);
          y.mul(values(shape, 6)).sum().backward();
          out.push(bits(y), bits(x.grad!));
        }
      }
      const emb = new nn.Embedding(1000, 64);
      emb.weight.data.set(values([1000, 64], 7).data);
      const idx = Array.from({ length: 2000 }, (_, i) => (i * 37) % 1000);
      out.push(bits(emb.forward(idx)));
      return out;
    });
  });
});

describe("training", () => {
  /** A 784-256-10 MLP trained 50 steps with Adam on fixed data; `threadsAt(step)` sets the count before each step. */
  function train(threadsAt: (step: number) => number | null): Buffer[] {
    const g = new Generator(7);
    const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
    for (const p of model.parameters()) init.normal(p, { std: 0.05, generator: g });
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = randn([128, 784], { generator: g });
    const labels = Array.from({ length: 128 }, (_, i) => (i * 7) % 10);
    const lossFn = new nn.CrossEntropyLoss();
    for (let step = 0; step < 50; step++) {
      const n = threadsAt(step);
      if (n !== null) setNumThreads(n);
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(x), labels);
      loss.backward();
      opt.step();
    }
    return model.parameters().map(bits);
  }

  it("50 Adam steps of a 784-256-10 MLP end in the same parameters with 1, 2, 3 and 4 threads", async () => {
    await sameForEveryThreadCount(() => train(() => null));
  });

  it("changing the thread count between steps keeps training exact", async () => {
    await useThreads(1);
    const reference = train(() => null);
    await useThreads(2);
    // Workers started by setNumThreads join when ready; until then the others take every chunk.
    const changed = train((step) => [1, 3, 2, 4, 1][Math.floor(step / 10)]);
    changed.forEach((b, i) => expect(b.equals(reference[i]), `parameter ${i}`).toBe(true));
  });
});
