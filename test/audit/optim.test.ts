// Audit: every optimizer constructed with its defaults only (SGD: lr 1e-3,
// API.md's default), 12 steps of fixed gradients, against PyTorch 1.13
// (test/fixtures/audit.json). A third parameter never gets a gradient: it is
// skipped and gets no state, except Adagrad's (PyTorch creates Adagrad's state
// for every parameter at construction). Tolerance: float32 trajectories that
// differ only in rounding order, relative 2e-6 (with an absolute floor 1e-7).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { optim, parameter, tensor, memoryStats } from "../../src/index.js";

interface OptimizerCase {
  name: string;
  params: number[][];
  stateKeys: number[];
  defaults: Record<string, unknown>;
}
const fixtures = JSON.parse(readFileSync(new URL("../fixtures/audit.json", import.meta.url), "utf8")) as { optimizers: OptimizerCase[] };

const SHAPES = [[3, 4], [5]];
const p0 = (n: number, s: number) => Array.from({ length: n }, (_, i) => Math.cos(0.37 * i + s));
const grad = (n: number, k: number, s: number) => Array.from({ length: n }, (_, i) => Math.sin(0.7 * i + 1.3 * k + s) * (1 + 0.1 * k));
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

type Ctor = new (params: unknown, options?: unknown) => optim.Optimizer;

describe("audit: optimizer defaults reproduce PyTorch 1.13 over 12 steps", () => {
  for (const c of fixtures.optimizers) {
    it(`${c.name} with no options`, () => {
      const before = memoryStats().liveTensors;
      const ps = SHAPES.map((sh, j) => parameter(p0(sh[0] * (sh[1] ?? 1), j), sh));
      const idle = parameter([1, 1]);
      const opt = new ((optim as unknown as Record<string, Ctor>)[c.name])([...ps, idle]);
      const group = opt.paramGroups[0] as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(c.defaults)) expect(group[camel(k)], `default ${k}`).toEqual(v);
      for (let k = 0; k < 12; k++) {
        ps.forEach((p, j) => {
          p.grad?.dispose();
          p.grad = tensor(grad(p.size, k, j), p.shape);
        });
        opt.step();
      }
      ps.forEach((p, j) => {
        const got = p.toArray();
        c.params[j].forEach((e, i) => {
          if (!(Math.abs(got[i] - e) <= 2e-6 * Math.abs(e) + 1e-7)) expect.fail(`param ${j}[${i}]: got ${got[i]}, PyTorch ${e}`);
        });
      });
      expect(Array.from(idle.toArray())).toEqual([1, 1]);
      const state = opt.stateDict().state as Record<string, unknown>;
      expect(Object.keys(state).map(Number).sort()).toEqual(c.stateKeys);
      for (const p of [...ps, idle]) {
        p.grad?.dispose();
        p.dispose();
      }
      opt.dispose();
      expect(memoryStats().liveTensors).toBe(before);
    });
  }
});
