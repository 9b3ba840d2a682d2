// The study (examples/mnist/study.js) on small sizes: the report it produces
// validates, the zeros initializer shows the symmetry failure exactly, and the
// per-layer standard deviations match a float64 forward/backward in plain JS.
import { describe, expect, it } from "vitest";
import { loadMnist, splitMnist, subset, pixelStats, normalize, BatchLoader } from "../../examples/mnist/data.js";
import { Mlp, buildMlp, initialize, makeOptimizer, trainModel, countCorrect, evaluate, tensorDataset } from "../../examples/mnist/train.js";
import { runStudy, depthStats, std, trainRun, runCnnStudy, CNN_STUDY_INITIALIZERS, ConvStack, initializeConvStack } from "../../examples/mnist/study.js";
import { buildReport } from "../../examples/mnist/commands.js";
import { toJsonSafe, validateReport } from "../../examples/mnist/report.js";
import { ready, Generator, nn, memoryStats, data, tensor } from "../../dist/index.js";
import type { BuildName } from "../../dist/index.js";

await ready({ build: (process.env.WASMTRAIN_BUILD ?? "simd") as BuildName });

const split = splitMnist(loadMnist(), { generator: new Generator(0) });
const stats = pixelStats(split.train);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const train = normalize(subset(split.train, range(512)), stats);
const heldOut = normalize(subset(split.heldOut, range(256)), stats);

describe("runStudy", () => {
  it("trains every initializer and optimizer, measures both deep networks, and the report validates", () => {
    const before = memoryStats().allocatedBytes;
    const study = runStudy({ train, heldOut, epochs: 2, batchSize: 64, seed: 0, sizes: [784, 32, 10], depthLayers: 10, depthWidth: 24, depthBatch: 64 });
    expect(study.initializers.map((r: { name: string }) => r.name)).toEqual(["zeros", "uniform", "normal", "xavier", "kaiming", "orthogonal"]);
    expect(study.optimizers.map((r: { name: string }) => r.name)).toEqual(["sgd", "sgd-momentum", "adagrad", "rmsprop", "adam"]);
    expect(study.depth.map((d: { activation: string }) => d.activation)).toEqual(["tanh", "relu"]);
    for (const r of [...study.initializers, ...study.optimizers]) {
      expect(r.epochs.length).toBe(2);
      expect(r.lossCurve.values.length).toBe(Math.ceil(16 / r.lossCurve.stepsPerPoint));
    }
    // Runs that share the initializer and the seed start from the same weights and batches:
    // Kaiming + Adam appears in both sections with identical numbers.
    const a = study.initializers.find((r: { name: string }) => r.name === "kaiming");
    const b = study.optimizers.find((r: { name: string }) => r.name === "adam");
    expect(b.lossCurve.values).toEqual(a.lossCurve.values);
    expect(b.heldOutAccuracy).toBe(a.heldOutAccuracy);

    const data = { train, heldOut, stats, background: 0 };
    const report = toJsonSafe(buildReport({ main: null, study, data, seed: 0, batchSize: 64, studyEpochs: 2, mode: "compact", build: "simd", startedAt: 0 }));
    expect(validateReport(report)).toBe(report);
    expect(report.meta).toMatchObject({ trainSize: 512, heldOutSize: 256, batchSize: 64, studyEpochs: 2, seed: 0 });
    // Every network and gradient the study made has been freed.
    expect(memoryStats().allocatedBytes).toBeLessThanOrEqual(before);
  });
});

describe("the CNN rows (a conv stack with equal channel counts)", () => {
  it("one row per initializer and dirac; dirac's equal-channel convs are the identity at initialisation; the report validates", () => {
    // The convolutions' shared im2col workspace is grown once and kept: allocate it (this stack's size) before counting.
    const probe = new ConvStack({ channels: 4, depth: 3 });
    probe.forward(tensor(new Float32Array(784), [1, 784])).dispose();
    probe.dispose();
    const before = memoryStats().allocatedBytes;
    const rows = runCnnStudy({ train, heldOut, epochs: 1, batchSize: 64, seed: 0, channels: 4, depth: 3, depthBatch: 32 });
    expect(rows.map((r: { name: string }) => r.name)).toEqual([...CNN_STUDY_INITIALIZERS]);
    expect(CNN_STUDY_INITIALIZERS).toEqual(["zeros", "uniform", "normal", "xavier", "kaiming", "orthogonal", "dirac"]);
    const by = (n: string) => rows.find((r: { name: string }) => r.name === n);
    const dirac = by("dirac");
    // conv(h) = h exactly (zero bias), so relu(conv(h)) = h (h is already ≥ 0): every layer's output is the same.
    expect(dirac.relativeChange).toEqual([0, 0, 0]);
    expect(dirac.outputStd.every((v: number) => v === dirac.outputStd[0] && v > 0)).toBe(true);
    // Random initializers change what passes through; zeros leave nothing to measure (h = 0).
    for (const n of ["xavier", "kaiming", "orthogonal"]) expect(by(n).relativeChange.every((v: number) => v > 0.1)).toBe(true);
    expect(by("zeros").relativeChange).toEqual([null, null, null]);
    for (const r of rows) {
      expect(r.epochs.length).toBe(1);
      expect(r.heldOutAccuracy).toBeGreaterThanOrEqual(0);
    }
    // Small random weights shrink the signal layer by layer (each 3×3 conv of 4 channels sums 36 taps of ~0.01): dirac keeps it.
    for (const n of ["uniform", "normal"]) expect(by(n).outputStd[2]).toBeLessThan(by(n).outputStd[0] / 100);
    const study = { initializers: [], optimizers: [], depth: [], cnn: rows };
    const data = { train, heldOut, stats, background: 0 };
    const report = toJsonSafe(buildReport({ main: null, study, data, seed: 0, batchSize: 64, studyEpochs: 1, mode: "compact", build: "simd", startedAt: 0 }));
    expect(validateReport(report)).toBe(report);
    expect(report.cnn.length).toBe(7);
    expect(memoryStats().allocatedBytes).toBeLessThanOrEqual(before);
  });

  it("dirac sets each equal-channel conv weight to the identity kernel and its bias to zero", () => {
    const model = new ConvStack({ channels: 3, depth: 2 });
    initializeConvStack(model, "dirac", new Generator(1));
    for (const conv of model.body.children() as InstanceType<typeof nn.Conv2d>[]) {
      const w = conv.weight.data;
      for (let o = 0; o < 3; o++)
        for (let i = 0; i < 3; i++)
          for (let k = 0; k < 9; k++) expect(w[(o * 3 + i) * 9 + k]).toBe(o === i && k === 4 ? 1 : 0);
      expect(Array.from(conv.bias!.data)).toEqual([0, 0, 0]);
    }
    model.dispose();
  });
});

describe("evaluate", () => {
  it("gives the accuracy argmax gives, and repeated evaluations allocate nothing", () => {
    const model = new Mlp([784, 16, 10]);
    initialize(model, "kaiming", new Generator(2));
    const lossFn = new nn.CrossEntropyLoss();
    const dataset = tensorDataset(heldOut);
    const loader = new data.DataLoader(dataset, { batchSize: 100 });
    const first = evaluate(model, loader, lossFn);
    const before = memoryStats().allocatedBytes;
    for (let i = 0; i < 3; i++) expect(evaluate(model, loader, lossFn)).toEqual(first);
    expect(memoryStats().allocatedBytes).toBe(before);
    // The reference: one forward of the whole held-out set, argmax per row.
    let correct = 0;
    for (const [x, y] of loader) {
      const logits = model.forward(x);
      correct += countCorrect(logits.toArray(), y.data, y.size);
      logits.dispose();
    }
    expect(first.accuracy).toBe(correct / heldOut.size);
    for (const t of dataset.tensors) t.dispose();
    lossFn.dispose();
    model.dispose();
  });
});

describe("the zeros initializer", () => {
  it("leaves every weight and the hidden bias at exactly 0 after training: only the output bias learns", () => {
    const model = buildMlp([784, 32, 10]);
    initialize(model, "zeros", new Generator(0));
    const opt = makeOptimizer("adam", model.parameters(), 1e-3);
    const before = memoryStats().allocatedBytes;
    const result = trainModel({ model, optimizer: opt, train, heldOut, epochs: 1, batchSize: 64, generator: new Generator(1) });
    const [w1, b1, w2, b2] = model.parameters();
    for (const p of [w1, b1, w2]) expect(Array.from(p.data).every((v) => v === 0)).toBe(true);
    expect(Array.from(b2.data).some((v) => v !== 0)).toBe(true);
    // It predicts one class for every digit: held-out accuracy is that class's frequency.
    const predicted = Array.from(b2.data).indexOf(Math.max(...b2.data));
    const frequency = heldOut.labels.filter((l: number) => l === predicted).length / heldOut.size;
    expect(result.epochs[0].heldOutAccuracy).toBe(frequency);
    opt.dispose();
    model.dispose();
    expect(memoryStats().allocatedBytes).toBeLessThan(before);
  });
});

/** float64 forward and backward of the same network: per-layer stds, the reference for depthStats. */
function referenceStats(model: InstanceType<typeof nn.Sequential>, x: Float32Array, labels: Int32Array, n: number, activation: "tanh" | "relu") {
  const linears = model.children().filter((m) => m instanceof nn.Linear) as InstanceType<typeof nn.Linear>[];
  const weights = linears.map((l) => ({ w: Float64Array.from(l.weight.data), b: Float64Array.from(l.bias!.data), out: l.weight.shape[0], inp: l.weight.shape[1] }));
  const f = activation === "tanh" ? Math.tanh : (v: number) => Math.max(v, 0);
  const df = activation === "tanh" ? (y: number) => 1 - y * y : (y: number) => (y > 0 ? 1 : 0);
  const acts: Float64Array[] = [Float64Array.from(x)];
  weights.forEach(({ w, b, out, inp }, li) => {
    const a = acts[acts.length - 1];
    const z = new Float64Array(n * out);
    for (let r = 0; r < n; r++)
      for (let o = 0; o < out; o++) {
        let s = b[o];
        for (let i = 0; i < inp; i++) s += a[r * inp + i] * w[o * inp + i];
        z[r * out + o] = li < weights.length - 1 ? f(s) : s;
      }
    acts.push(z);
  });
  const logits = acts[acts.length - 1];
  const C = weights[weights.length - 1].out;
  let delta = new Float64Array(n * C);
  for (let r = 0; r < n; r++) {
    const row = logits.subarray(r * C, (r + 1) * C);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((p, q) => p + q, 0);
    for (let c = 0; c < C; c++) delta[r * C + c] = (e[c] / s - (c === labels[r] ? 1 : 0)) / n;
  }
  const weightGradStd: number[] = [];
  const biasGradStd: number[] = [];
  for (let li = weights.length - 1; li >= 0; li--) {
    const { w, out, inp } = weights[li];
    const a = acts[li];
    const gw = new Float64Array(out * inp);
    const gb = new Float64Array(out);
    for (let r = 0; r < n; r++)
      for (let o = 0; o < out; o++) {
        gb[o] += delta[r * out + o];
        for (let i = 0; i < inp; i++) gw[o * inp + i] += delta[r * out + o] * a[r * inp + i];
      }
    weightGradStd[li] = std(gw);
    biasGradStd[li] = std(gb);
    if (li > 0) {
      const next = new Float64Array(n * inp);
      for (let r = 0; r < n; r++)
        for (let i = 0; i < inp; i++) {
          let s = 0;
          for (let o = 0; o < out; o++) s += delta[r * out + o] * w[o * inp + i];
          next[r * inp + i] = s * df(a[r * inp + i]);
        }
      delta = next;
    }
  }
  const hidden = weights.length - 1;
  return { activationStd: acts.slice(1, hidden + 1).map((a) => std(a)), gradientStd: weightGradStd.slice(0, hidden), biasGradientStd: biasGradStd.slice(0, hidden) };
}

describe("depthStats", () => {
  const loader = new BatchLoader(train, 32);
  const batch = loader.batch(0);

  it.each([
    ["tanh", "xavier"],
    ["tanh", "normal"],
    ["relu", "kaiming"],
    ["relu", "orthogonal"],
  ] as const)("%s network, %s init: per-layer stds match a float64 forward/backward within 1e-3 relative", (activation, initName) => {
    const layers = 4;
    const width = 12;
    const got = depthStats({ activation, initName, batch, layers, width, seed: 5 });
    const model = buildMlp([784, ...Array(layers).fill(width), 10], { activation });
    initialize(model, initName, new Generator(5));
    const want = referenceStats(model, batch.x.toArray(), batch.y, batch.size, activation);
    model.dispose();
    for (const key of ["activationStd", "gradientStd", "biasGradientStd"] as const) {
      expect(got[key].length).toBe(layers);
      got[key].forEach((v: number, i: number) => expect(Math.abs(v - want[key][i])).toBeLessThanOrEqual(1e-3 * want[key][i] + 1e-30));
    }
  });

  it("zeros: every std is exactly 0", () => {
    const got = depthStats({ activation: "relu", initName: "zeros", batch, layers: 3, width: 8, seed: 0 });
    expect([...got.activationStd, ...got.gradientStd, ...got.biasGradientStd]).toEqual(Array(9).fill(0));
  });

  it("accuracy counting: argmax per row, ties to the lowest index", () => {
    const logits = Float32Array.from([0, 1, 1, 5, 2, 2, 3, 3, 0]);
    expect(countCorrect(logits, [1, 0, 1], 3, 3)).toBe(2);
  });
});

describe("trainRun checkpoints (wasmtrain train --save / --resume)", () => {
  const run = (o: Record<string, unknown>) =>
    trainRun({ train, heldOut, sizes: [784, 32, 10], initName: "kaiming", optimName: "adam", lr: 1e-3, batchSize: 64, seed: 0, maxShift: 1, background: 0, ...o });

  it("one epoch, saved and resumed for a second, gives the uninterrupted two-epoch run's numbers exactly", () => {
    const straight = run({ epochs: 2 });
    let bytes: Uint8Array | null = null;
    run({ epochs: 1, onTrained: ({ checkpoint }: { checkpoint: () => Uint8Array }) => void (bytes = checkpoint()) });
    const resumed = run({ epochs: 1, resume: bytes });
    expect(resumed.epochs.map((e: { epoch: number }) => e.epoch)).toEqual([2]);
    const { seconds: _a, cpuSeconds: _b, samplesPerSecond: _c, ...numbers } = straight.epochs[1];
    expect(resumed.epochs[0]).toMatchObject(numbers);
    expect(numbers.trainLoss).toBeGreaterThan(0);
  });

  it("a checkpoint from another network is refused naming the mismatch", () => {
    let bytes: Uint8Array | null = null;
    run({ epochs: 1, onTrained: ({ checkpoint }: { checkpoint: () => Uint8Array }) => void (bytes = checkpoint()) });
    expect(() => trainRun({ train, heldOut, sizes: [784, 16, 10], initName: "kaiming", optimName: "adam", lr: 1e-3, batchSize: 64, seed: 0, epochs: 1, resume: bytes })).toThrow(
      /size mismatch for layers\.0\.weight/,
    );
  });
});
