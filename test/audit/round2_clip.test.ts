// Audit round 2: clipGradNorm / clipGradValue against PyTorch 1.13's
// clip_grad_norm_ / clip_grad_value_ over norm types 2, 1, 3, 0.5, inf, -inf,
// 0 and -2 with maxNorm 1, 0, 100 and -1, on parameters whose gradients
// include a null one and an empty (0-element) one; a single Tensor; no
// gradients at all; NaN and Inf gradients; negative clip values.
// PyTorch's inf norm fails on an empty gradient (max() of nothing):
// wasmtrain gives it no weight, and matches PyTorch without that tensor.
// Fixture: test/fixtures/audit2.json (make_audit2_fixtures.py). Tolerance:
// relative 1e-5 + absolute 1e-6.
import { describe, expect, it } from "vitest";
import { optim, tensor, zeros, type Tensor } from "../../src/index.js";
import { expectClose, fixture } from "./round2_fixture.js";

type Nested = number | Nested[];
const { G, cases } = fixture.clip as {
  G: (Nested[] | null)[];
  cases: { kind: string; normType?: number | string; maxNorm?: number; clip?: number; ret?: number | null; retWithoutEmpty?: number; grads: (number[] | null)[]; error?: string }[];
};

function shapeOf(v: Nested): number[] {
  const s: number[] = [];
  while (Array.isArray(v)) {
    s.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return s;
}

function params(kind: string): Tensor[] {
  return G.map((g) => {
    const p = g === null ? zeros([2]) : zeros(shapeOf(g));
    p.requiresGrad = true;
    if (g !== null) p.grad = tensor((g as Nested[]).flat(Infinity) as number[], shapeOf(g));
    if (g !== null && kind === "nan" && p.ndim === 2 && p.shape[0] === 3) p.grad!.data[0] = NaN;
    if (g !== null && kind === "inf" && p.ndim === 2 && p.shape[0] === 3) p.grad!.data[0] = Infinity;
    return p;
  });
}

describe("audit round 2: gradient clipping against PyTorch 1.13", () => {
  for (const c of cases) {
    it(`${c.kind} ${c.normType ?? ""} ${c.maxNorm ?? c.clip}`, () => {
      const ps = params(c.kind);
      let ret: number | null;
      if (c.kind === "value") {
        optim.clipGradValue(ps, c.clip!);
        ret = null;
      } else if (c.kind === "single") ret = optim.clipGradNorm(ps[0], c.maxNorm!);
      else if (c.kind === "allnull") ret = optim.clipGradNorm([ps[1]], c.maxNorm!);
      else ret = optim.clipGradNorm(ps, c.maxNorm!, { normType: (c.normType ?? 2) as number });
      const want = c.error ? c.retWithoutEmpty! : c.ret!;
      if (want === null) expect(ret).toBe(null);
      else {
        expect(typeof ret).toBe("number");
        expectClose([ret!], [want], "returned norm", 1e-5, 1e-6);
      }
      c.grads.forEach((g, i) => expectClose(ps[i].grad ? ps[i].grad!.toArray() : null, g, `gradient ${i}`, 1e-5, 1e-6));
    });
  }
});
