// Shared by the optimizer tests: the PyTorch fixture (test/fixtures/optim.json,
// written by make_optim_fixtures.py) and the loop that replays it.
import { readFileSync } from "node:fs";
import { optim, parameter, tensor, type Tensor } from "../../src/index.js";

export interface Case {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  groups?: Record<string, unknown>[];
  lookahead?: { k: number; alpha: number };
  sign: number;
  trajectory: number[][];
}
const fx = JSON.parse(readFileSync(new URL("../fixtures/optim.json", import.meta.url), "utf8")) as {
  steps: number; c1: number; c2: number; noneSteps: number[]; lrChangeStep: number; lrFactor: number;
  shapes: { W: number[]; b: number[] }; init: { W: number[]; b: number[] }; noise: number[][]; cases: Case[];
};

const f = Math.fround;

/** The generator's gradient, operation by operation in float32. */
function gradOf(p: Float32Array, noise: number[], offset: number, sign: number): Float32Array {
  const g = new Float32Array(p.length);
  const c1 = sign * fx.c1, c2 = sign * fx.c2;
  for (let i = 0; i < p.length; i++) {
    const x = p[i];
    g[i] = f(f(f(x * c1) + f(f(f(x * x) * x) * c2)) + noise[offset + i]);
  }
  return g;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOptimizer = any;

export function makeOptimizer(c: Case, W: Tensor, b: Tensor): AnyOptimizer {
  const groups = c.groups ?? [{}, {}];
  const paramGroups = [{ params: [W], ...groups[0] }, { params: [b], ...groups[1] }];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ctor = (optim as any)[c.optimizer];
  const inner = new ctor(paramGroups, c.options);
  return c.lookahead ? new optim.Lookahead(inner, c.lookahead) : inner;
}

export function runSteps(
  opt: AnyOptimizer, W: Tensor, b: Tensor, from: number, to: number, sign: number, onStep?: (t: number) => void,
): void {
  for (let t = from; t < to; t++) {
    if (t === fx.lrChangeStep) for (const g of opt.paramGroups) g.lr = g.lr * fx.lrFactor;
    const noise = fx.noise[t];
    W.grad?.dispose();
    b.grad?.dispose();
    W.grad = tensor(gradOf(W.data, noise, 0, sign), W.shape);
    b.grad = fx.noneSteps.includes(t) ? null : tensor(gradOf(b.data, noise, W.size, sign), b.shape);
    opt.step();
    onStep?.(t);
  }
}

export function freshParams(): [Tensor, Tensor] {
  return [parameter(fx.init.W, fx.shapes.W), parameter(fx.init.b, fx.shapes.b)];
}

export { fx };

