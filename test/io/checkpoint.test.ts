// Checkpoints in PyTorch 1.13's layout, against real PyTorch
// (test/fixtures/generators/checkpoint.py): for every optimizer x a
// scheduler, a run PyTorch started and saved with python/wasmtrain_checkpoint.py
// continues here to PyTorch's uninterrupted numbers; re-saving gives PyTorch's
// own param_groups and scheduler state_dict and the same tensors, byte for byte.
// With PyTorch installed, the generator also runs live (the PyTorch side of the
// round trip is verified there).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as lib from "../../src/index.js";
import { io, memoryStats, nn, optim, tensor } from "../../src/index.js";
import { parseSafetensorsHeader } from "../../src/io/safetensors.js";
import { buildCase, trainStep } from "../fixtures/checkpoint_cases.mjs";

const dir = new URL("../fixtures/checkpoint/", import.meta.url);
interface Case {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  scheduler: { type: string; options?: Record<string, unknown> };
  pytorchMetadata: Record<string, unknown>;
  losses: number[];
  lrs: number[][];
  final: Record<string, number[]>;
}
const spec = JSON.parse(readFileSync(new URL("cases.json", dir), "utf8")) as {
  N1: number; N2: number; data: { x: number[][]; labels: number[] }; cases: Case[];
};
const ptFile = (c: Case) => readFileSync(new URL(`${c.name}.pt.safetensors`, dir));

/** Float32 rounding over a few steps: |a − b| ≤ RTOL·(|b| + 1e-3), the generator's measure. */
const RTOL = 2e-4;

/** Deep equality with numbers equal to 1e-12 relative (JSON numbers PyTorch computed in float64). */
function expectSameJson(actual: unknown, expected: unknown, path = "$"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    if (!(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)))) throw new Error(`${path}: ${actual} vs PyTorch's ${expected}`);
    return;
  }
  if (expected !== null && typeof expected === "object") {
    expect(actual !== null && typeof actual === "object", `${path} is an object`).toBe(true);
    expect(Object.keys(actual as object).sort(), `${path} keys`).toEqual(Object.keys(expected).sort());
    for (const k of Object.keys(expected)) expectSameJson((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}

function stateValues(parts: ReturnType<typeof buildCase>): Record<string, Float32Array> {
  const { tensors } = io.loadSafetensors(io.saveCheckpoint(parts));
  const out: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(tensors)) {
    out[k] = t.toArray();
    t.dispose();
  }
  return out;
}

describe("a run PyTorch started continues in wasmtrain to PyTorch's uninterrupted numbers", () => {
  for (const c of spec.cases) {
    it(`${c.name}: ${c.optimizer} with ${c.scheduler.type}`, () => {
      const x = tensor(spec.data.x);
      const lossFn = new nn.CrossEntropyLoss();
      const parts = buildCase(lib, c);
      const { extra } = io.loadCheckpoint(ptFile(c), parts);
      expect(extra).toEqual({ case: c.name, step: spec.N1 });
      for (let i = 0; i < spec.N2; i++) {
        const loss = trainStep(lib, parts, x, spec.data.labels, lossFn);
        expect(Math.abs(loss - c.losses[i]), `loss at step ${i}`).toBeLessThanOrEqual(1e-5 * Math.abs(c.losses[i]));
        parts.optimizer.paramGroups.forEach((g, gi) => expect(g.lr).toBeCloseTo(c.lrs[i][gi], 12));
      }
      const got = stateValues(parts);
      expect(Object.keys(got).sort()).toEqual(Object.keys(c.final).sort());
      for (const [k, expected] of Object.entries(c.final)) {
        expected.forEach((v, i) => {
          if (!(Math.abs(got[k][i] - v) <= RTOL * (Math.abs(v) + 1e-3))) throw new Error(`${c.name}: ${k}[${i}] = ${got[k][i]}, PyTorch ${v}`);
        });
      }
    });
  }
});

describe("saveCheckpoint writes PyTorch 1.13's names and layout", () => {
  for (const c of spec.cases) {
    it(`${c.name}: re-saving PyTorch's checkpoint gives its param_groups, scheduler state_dict and tensors`, () => {
      const parts = buildCase(lib, c);
      const original = ptFile(c);
      io.loadCheckpoint(original, parts);
      const saved = io.saveCheckpoint({ ...parts, extra: { case: c.name, step: spec.N1 } });
      const ours = parseSafetensorsHeader(saved);
      const theirs = parseSafetensorsHeader(original);
      expect(ours.metadata.format).toBe("wasmtrain-checkpoint/1");
      expect(ours.metadata["optimizer.class"]).toBe(c.optimizer);
      for (const key of ["optimizer.param_groups", "scheduler"]) expectSameJson(JSON.parse(ours.metadata[key]), c.pytorchMetadata[key], key);
      const byName = new Map(theirs.entries.map((e) => [e.name, e]));
      expect(ours.entries.map((e) => e.name).sort()).toEqual([...byName.keys()].sort());
      for (const e of ours.entries) {
        const t = byName.get(e.name)!;
        expect([e.dtype, e.shape], e.name).toEqual([t.dtype, t.shape]);
        expect(Buffer.from(saved.subarray(e.begin, e.end)).equals(Buffer.from(original.subarray(t.begin, t.end))), `${e.name} bytes`).toBe(true);
      }
    });
  }
});

describe("checkpoint round trips within wasmtrain", () => {
  it("Lookahead and Ranger keep their inner state, slow weights and counter (optimizer.lookahead.*)", () => {
    for (const make of [
      (ps: lib.Tensor[]) => new optim.Lookahead(new optim.LAMB(ps, { lr: 0.01 }), { k: 2, alpha: 0.5 }),
      (ps: lib.Tensor[]) => new optim.Ranger(ps, { lr: 0.01, k: 3 }),
    ]) {
      const run = (model: nn.Module, opt: optim.Optimizer, steps: number) => {
        const x = tensor(spec.data.x);
        const lossFn = new nn.CrossEntropyLoss();
        for (let i = 0; i < steps; i++) {
          opt.zeroGrad();
          const l = lossFn.forward(model.forward(x), spec.data.labels);
          l.backward();
          opt.step();
        }
      };
      lib.manualSeed(3);
      const a = buildCase(lib, spec.cases[0]).model;
      const b = a.clone();
      const oa = make(a.parameters());
      const ob = make(b.parameters());
      run(a, oa, 5);
      run(b, ob, 3);
      const bytes = io.saveCheckpoint({ model: b, optimizer: ob });
      const header = parseSafetensorsHeader(bytes);
      expect(JSON.parse(header.metadata["optimizer.lookahead"])).toEqual({ k: ob.k, alpha: 0.5, step: 3 });
      expect(header.entries.filter((e) => e.name.startsWith("optimizer.lookahead.slow.")).length).toBe(b.parameters().length);
      const c = buildCase(lib, spec.cases[0]).model;
      const oc = make(c.parameters());
      io.loadCheckpoint(bytes, { model: c, optimizer: oc });
      run(c, oc, 2);
      expect(JSON.stringify(c.stateDict())).toBe(JSON.stringify(a.stateDict()));
      expect(JSON.stringify(oc.stateDict())).toBe(JSON.stringify(oa.stateDict()));
    }
  });

  it("extra data keeps NaN and ±Infinity; a model-only checkpoint loads with strict false reporting keys", () => {
    const model = new nn.Linear(2, 2);
    const bytes = io.saveCheckpoint({ model, extra: { best: Infinity, worst: -Infinity, nan: NaN, list: [1, "a"] } });
    const { extra } = io.loadCheckpoint(bytes, { model: new nn.Linear(2, 2) });
    expect(extra).toEqual({ best: Infinity, worst: -Infinity, nan: NaN, list: [1, "a"] });
    const bigger = new nn.Sequential(new nn.Linear(2, 2));
    const r = io.loadCheckpoint(bytes, { model: bigger }, { strict: false });
    expect(r).toMatchObject({ missingKeys: ["0.weight", "0.bias"], unexpectedKeys: ["weight", "bias"] });
  });

  it("the file is the header plus 4 bytes per float32 value (8 per I64 count), nothing else", () => {
    const c = spec.cases[5];
    const parts = buildCase(lib, c);
    io.loadCheckpoint(ptFile(c), parts);
    const bytes = io.saveCheckpoint(parts);
    const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const { entries } = parseSafetensorsHeader(bytes);
    const values = entries.reduce((n, e) => n + e.size * (e.dtype === "I64" ? 8 : 4), 0);
    const counted = parts.model.parameters().reduce((n, p) => n + p.size, 0) * 4; // weights + exp_avg, exp_avg_sq, max_exp_avg_sq
    expect(bytes.length).toBe(8 + headerLength + values);
    expect(values).toBe(4 * counted + 4 * (8 + 8) + 8 + 4 * parts.model.parameters().length); // + BatchNorm running stats, its count, one step per parameter
    expect((8 + headerLength) % 8).toBe(0);
  });

  it("saving and loading leave no tensor behind", () => {
    const c = spec.cases[4];
    const parts = buildCase(lib, c);
    io.loadCheckpoint(ptFile(c), parts);
    const before = memoryStats().liveTensors;
    for (let i = 0; i < 3; i++) io.loadCheckpoint(io.saveCheckpoint(parts), parts);
    expect(memoryStats().liveTensors).toBe(before);
  });
});

function torchAvailable(): string | null {
  const r = spawnSync("/usr/bin/python3", ["-c", "import torch"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return "PyTorch is not installed (/usr/bin/python3 -c 'import torch' failed; apt-get install python3-torch)";
  return null;
}
const noTorch = process.env.WASMTRAIN_BUILD === "simd" ? torchAvailable() : "runs in the simd project only (it drives dist/ and PyTorch, not this build)";

describe("live round trip with PyTorch", () => {
  it.skipIf(noTorch !== null)(`PyTorch -> wasmtrain -> PyTorch reaches the uninterrupted run${noTorch ? ` (skipped: ${noTorch})` : ""}`, () => {
    const out = mkdtempSync(join(tmpdir(), "wasmtrain-ckpt-"));
    try {
      const root = new URL("../../", import.meta.url).pathname;
      execFileSync("node", ["scripts/build.mjs", "--if-stale"], { cwd: root, stdio: "pipe" });
      const text = execFileSync("/usr/bin/python3", ["test/fixtures/generate.py", "checkpoint", "--out", out], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      expect(text).toMatch(/PyTorch continued every wasmtrain checkpoint to the uninterrupted run/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 240_000);
});
