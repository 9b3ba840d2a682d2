// clipGradNorm / clipGradValue against torch.nn.utils (1.13) results in
// test/fixtures/optim.json. Tolerance: relative 1e-5 (+1e-7 absolute).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { optim, parameter, tensor, type Tensor } from "../../src/index.js";

interface ClipCase {
  kind: "norm" | "value";
  normType?: number | "inf";
  maxNorm?: number;
  clipValue?: number;
  total?: number;
  grads: number[][];
  clipped: number[][];
}
const fx = JSON.parse(readFileSync(new URL("../fixtures/optim.json", import.meta.url), "utf8")) as {
  clip: ClipCase[]; clipShapes: number[][];
};

function close(a: number, e: number): boolean {
  return Math.abs(a - e) <= 1e-5 * Math.abs(e) + 1e-7;
}

function setup(c: ClipCase): Tensor[] {
  return fx.clipShapes.map((shape, i) => {
    const p = parameter(new Float32Array(c.grads[i].length), shape);
    p.grad = tensor(c.grads[i], shape);
    return p;
  });
}

describe("gradient clipping follows PyTorch", () => {
  for (const c of fx.clip) {
    const label = c.kind === "norm" ? `clipGradNorm normType=${c.normType} maxNorm=${c.maxNorm}` : `clipGradValue ${c.clipValue}`;
    it(label, () => {
      const ps = setup(c);
      if (c.kind === "norm") {
        const total = optim.clipGradNorm(ps, c.maxNorm!, { normType: c.normType! });
        expect(close(total, c.total!), `total ${total} vs ${c.total}`).toBe(true);
      } else {
        optim.clipGradValue(ps, c.clipValue!);
      }
      ps.forEach((p, i) => {
        const got = Array.from(p.grad!.data);
        got.forEach((x, j) => expect(close(x, c.clipped[i][j]), `grad ${i}[${j}]: ${x} vs ${c.clipped[i][j]}`).toBe(true));
        p.grad!.dispose();
        p.dispose();
      });
    });
  }

  it("normType Infinity and 'inf' agree; errorIfNonfinite throws before scaling", () => {
    const c = fx.clip.find((x) => x.kind === "norm" && x.normType === "inf")!;
    const ps = setup(c);
    const total = optim.clipGradNorm(ps, 1e9, { normType: Infinity });
    expect(close(total, c.total!)).toBe(true);
    ps[0].grad!.data[0] = NaN;
    const before = ps.map((p) => p.grad!.toArray());
    expect(() => optim.clipGradNorm(ps, 1, { errorIfNonfinite: true })).toThrow(/non-finite/);
    ps.forEach((p, i) => expect(p.grad!.toArray()).toEqual(before[i]));
    expect(Number.isNaN(optim.clipGradNorm(ps, 1))).toBe(true);
    expect(() => optim.clipGradNorm(ps, 1, { normType: Number.NaN })).toThrow(/normType/);
    for (const p of ps) {
      p.grad!.dispose();
      p.dispose();
    }
  });

  it("parameters without gradients are ignored; none at all gives 0", () => {
    const p = parameter([1, 2]);
    expect(optim.clipGradNorm([p], 1)).toBe(0);
    p.dispose();
  });
});
