// Audit round 2: optimizers replayed against PyTorch 1.13 — parameters after
// every step with paramGroups edits between steps (lr, betas, momentum,
// weightDecay, eps, amsgrad, centered, ...), addParamGroup taking the
// constructor's options, SGD's first momentum step with dampening, maximize
// with weight decay, RAdam's rectification switch, Adamax/Adagrad at tiny
// gradients, gradients null mid-run (lazily created state), zeroGrad({
// setToNone: false }), zero-element parameters, JSON state-dict round trips
// (with groups added mid-run), PyTorch's implementation switches (foreach,
// differentiable, capturable/fused false) and the constructors' errors.
// Fixture: test/fixtures/audit2.json (make_audit2_fixtures.py). Tolerance:
// relative 1e-5 + absolute 1e-6 (float32 state).
import { describe, expect, it } from "vitest";
import { optim, parameter, tensor, type Tensor } from "../../src/index.js";
import { compareRecords, errorRecord, expectClose, fixture, type Rec } from "./round2_fixture.js";

type Nested = number | Nested[];
type Case = {
  name: string;
  opt: string;
  options: Record<string, unknown>;
  params: Nested[];
  groups?: ({ idx: number[] } & Record<string, unknown>)[];
  actions: unknown[][];
  torch: Rec[];
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOpt = any;

function shapeOf(v: Nested): number[] {
  const s: number[] = [];
  while (Array.isArray(v)) {
    s.push(v.length);
    v = v[0] as Nested;
    if (v === undefined) break;
  }
  return s;
}
const flat = (v: Nested): number[] => (Array.isArray(v) ? (v.flat(Infinity) as number[]) : [v]);
const mkParam = (v: Nested): Tensor => parameter(flat(v), shapeOf(v));

/** The same replay as make_audit2_fixtures.py's optim_run. */
class Run {
  params: Tensor[];
  opt: AnyOpt;
  constructor(readonly c: Case) {
    this.params = c.params.map(mkParam);
    this.opt = this.make(this.params);
  }
  make(params: Tensor[]): AnyOpt {
    const c = this.c;
    const groups = c.groups ? c.groups.map(({ idx, ...o }) => ({ ...o, params: idx.map((i) => params[i]) })) : params;
    return new (optim as unknown as Record<string, new (p: unknown, o: unknown) => AnyOpt>)[c.opt](groups, { ...c.options });
  }
  snap(): Rec {
    return { params: this.params.map((p) => Array.from(p.toArray())) };
  }
  act(a: unknown[]): Rec {
    const k = a[0];
    if (k === "grads") {
      this.params.forEach((p, i) => {
        const g = (a[1] as (Nested | null)[])[i];
        p.grad = g === null ? null : tensor(flat(g), p.shape);
      });
    } else if (k === "step") this.opt.step();
    else if (k === "set") this.opt.paramGroups[a[1] as number][a[2] as string] = a[3];
    else if (k === "zeroGrad") this.opt.zeroGrad({ setToNone: a[1] });
    else if (k === "roundtrip") {
      const sd = JSON.parse(JSON.stringify(this.opt.stateDict()));
      const fresh = this.params.map((p) => {
        const f = parameter(Array.from(p.toArray()), p.shape);
        f.grad = p.grad ? tensor(Array.from(p.grad.toArray()), p.shape) : null;
        return f;
      });
      const nInit = this.c.groups ? this.c.groups.length : 1;
      const opt2 = this.make(fresh.slice(0, this.c.params.length));
      for (const g of this.opt.paramGroups.slice(nInit)) {
        const { params, ...o } = g;
        opt2.addParamGroup({ ...o, params: (params as Tensor[]).map((p) => fresh[this.params.indexOf(p)]) });
      }
      opt2.loadStateDict(sd);
      [this.params, this.opt] = [fresh, opt2];
    } else if (k === "addGroup") {
      const ps = (a[2] as Nested[]).map(mkParam);
      this.params.push(...ps);
      this.opt.addParamGroup({ ...(a[1] as object), params: ps });
    }
    return this.snap();
  }
}

function replay(c: Case): Rec[] {
  let r: Run;
  try {
    r = new Run(c);
  } catch (e) {
    return [errorRecord(e)];
  }
  const out = [r.snap()];
  for (const a of c.actions) {
    try {
      out.push(r.act(a));
    } catch (e) {
      out.push(errorRecord(e));
      break;
    }
  }
  return out;
}

describe("audit round 2: optimizers against PyTorch 1.13", () => {
  for (const c of fixture.optimizers as Case[]) {
    it(c.name, () => {
      compareRecords(c, replay(c), (got, want, where) => {
        const w = want.params as number[][];
        const g = got.params as number[][];
        expect(g.length, `${where}: parameters`).toBe(w.length);
        w.forEach((wp, i) => expectClose(g[i], wp, `${where} param ${i}`, 1e-5, 1e-6));
      });
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

describe("audit round 2: optimizer error texts contain PyTorch 1.13's", () => {
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
  for (const [what, text] of Object.entries(fixture.optimErrors as Record<string, string>)) {
    it(what, () => {
      expect(calls[what], `no call for ${what}`).toBeTypeOf("function");
      expect(calls[what]).toThrow(text);
    });
  }
});
