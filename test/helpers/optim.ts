// The optimizer fixture (test/fixtures/optim.json, written by
// test/fixtures/generate.py with PyTorch 1.13) and its replay through the
// public API: the same actions, in the same order, as the generator's Replay.
import { optim, parameter, tensor, type Tensor } from "../../src/index.js";
import { errorRecord, loadFixture, type Rec } from "./fixture.js";

export type Nested = number | Nested[];

/** One case: see the format notes above optimizer_section() in test/fixtures/generators/core.py. */
export interface OptimCase {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  groups?: ({ idx: number[] } & Record<string, unknown>)[];
  lookahead?: { k: number; alpha: number };
  params: Nested[];
  actions: unknown[][];
  /** PyTorch's record after construction, then one per action (null: nothing to compare). */
  torch: (Rec | null)[];
  rtol: number;
  atol: number;
  /** PyTorch's defaults (snake_case names), for cases constructed with no options. */
  defaults?: Record<string, unknown>;
  /** The parameter indices holding state after the last action. */
  stateKeys?: number[];
  pytorchBug?: string;
  oursEarlier?: string;
}

export const optimFixture = loadFixture("optim.json") as {
  c1: number;
  c2: number;
  noise: number[][];
  cases: OptimCase[];
  errors: Record<string, string>;
};

export function shapeOf(v: Nested): number[] {
  const s: number[] = [];
  while (Array.isArray(v)) {
    s.push(v.length);
    v = v[0] as Nested;
    if (v === undefined) break;
  }
  return s;
}
const flat = (v: Nested): number[] => (Array.isArray(v) ? (v.flat(Infinity) as number[]) : [v]);

/** A fresh copy of a case's parameters. */
export function paramsOf(c: OptimCase): Tensor[] {
  return c.params.map((v) => parameter(flat(v), shapeOf(v)));
}

const f = Math.fround;

/** g = p·(s·C1) + p·p·p·(s·C2) + noise, operation by operation in float32, as the generator computes it. */
function polyGrad(p: Float32Array, noise: number[], offset: number, sign: number): Float32Array {
  const g = new Float32Array(p.length);
  const c1 = sign * optimFixture.c1, c2 = sign * optimFixture.c2;
  for (let i = 0; i < p.length; i++) {
    const x = p[i];
    g[i] = f(f(f(x * c1) + f(f(f(x * x) * x) * c2)) + noise[offset + i]);
  }
  return g;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOpt = any;

export class Replay {
  params: Tensor[];
  opt: AnyOpt;
  /** Replaced by round trips, disposed with the replay. */
  private retired: AnyOpt[] = [];

  constructor(readonly c: OptimCase) {
    this.params = paramsOf(c);
    try {
      this.opt = this.make(this.params);
    } catch (e) {
      for (const p of this.params) p.dispose();
      throw e;
    }
  }

  make(params: Tensor[]): AnyOpt {
    const c = this.c;
    const groups = c.groups ? c.groups.map(({ idx, ...o }) => ({ ...o, params: idx.map((i) => params[i]) })) : params;
    const inner = new (optim as unknown as Record<string, new (p: unknown, o: unknown) => AnyOpt>)[c.optimizer](groups, { ...c.options });
    return c.lookahead ? new optim.Lookahead(inner, c.lookahead) : inner;
  }

  snap(): Rec {
    return { params: this.params.map((p) => Array.from(p.toArray())) };
  }

  act(a: unknown[]): Rec | null {
    const k = a[0];
    if (k === "grads") {
      this.params.forEach((p, i) => {
        const g = (a[1] as (Nested | null)[])[i];
        p.grad?.dispose();
        p.grad = g === null ? null : tensor(flat(g), p.shape);
      });
    } else if (k === "polyGrads") {
      const [, sign, t, skip] = a as [string, number, number, number[]];
      let offset = 0;
      this.params.forEach((p, i) => {
        p.grad?.dispose();
        p.grad = skip.includes(i) ? null : tensor(polyGrad(p.data, optimFixture.noise[t], offset, sign), p.shape);
        offset += p.size;
      });
      return null;
    } else if (k === "step") this.opt.step();
    else if (k === "set") this.opt.paramGroups[a[1] as number][a[2] as string] = a[3];
    else if (k === "scaleLr") {
      for (const g of this.opt.paramGroups) g.lr = g.lr * (a[1] as number);
      return null;
    } else if (k === "zeroGrad") {
      const before = this.params.map((p) => p.grad);
      this.opt.zeroGrad({ setToNone: a[1] });
      // gradients set to null are ours to free (no backward() will reuse them here)
      this.params.forEach((p, i) => {
        if (before[i] && p.grad !== before[i]) before[i]!.dispose();
      });
    }
    else if (k === "roundtrip") {
      const sd = JSON.parse(JSON.stringify(this.opt.stateDict()));
      const fresh = this.params.map((p) => {
        const q = parameter(Array.from(p.toArray()), p.shape);
        q.grad = p.grad ? tensor(Array.from(p.grad.toArray()), p.shape) : null;
        return q;
      });
      const nInit = this.c.groups ? this.c.groups.length : 1;
      const opt2 = this.make(fresh.slice(0, this.c.params.length));
      for (const g of this.opt.paramGroups.slice(nInit)) {
        const { params, ...o } = g;
        opt2.addParamGroup({ ...o, params: (params as Tensor[]).map((p) => fresh[this.params.indexOf(p)]) });
      }
      opt2.loadStateDict(sd);
      this.retired.push(this.opt, ...this.params);
      [this.params, this.opt] = [fresh, opt2];
    } else if (k === "addGroup") {
      const ps = (a[2] as Nested[]).map((v) => parameter(flat(v), shapeOf(v)));
      this.params.push(...ps);
      this.opt.addParamGroup({ ...(a[1] as object), params: ps });
    } else throw new Error(`unknown action ${String(k)}`);
    return this.snap();
  }

  /** Frees every tensor and optimizer the replay made. */
  dispose(): void {
    for (const x of [this.opt, ...this.params, ...this.retired]) {
      if (x instanceof Object && "grad" in x) (x as Tensor).grad?.dispose();
      x.dispose();
    }
  }
}

/**
 * Replays a case: its records (the first after construction, then one per
 * action; an error record ends them) and the replay, for further checks.
 */
export function replay(c: OptimCase): { records: (Rec | null)[]; run: Replay | null } {
  let run: Replay;
  try {
    run = new Replay(c);
  } catch (e) {
    return { records: [errorRecord(e)], run: null };
  }
  const records: (Rec | null)[] = [run.snap()];
  for (const a of c.actions) {
    try {
      records.push(run.act(a));
    } catch (e) {
      records.push(errorRecord(e));
      break;
    }
  }
  return { records, run };
}
