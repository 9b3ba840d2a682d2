// The SiLU, Softplus and ELU kernels of the running build (WebAssembly or
// pure JS, through src/nn/new_kernels.ts) against their pure-JS twins
// (src/reference/activation.ts) in float64, over sizes that hit every SIMD
// tail; and each twin's backward against float64 central differences of its
// forward.
import { describe, it } from "vitest";
import { tensor, Tensor } from "../../src/index.js";
import * as k from "../../src/nn/new_kernels.js";
import * as act from "../../src/reference/activation.js";
import { expectClose } from "../helpers/close.js";
import { gradcheck, lcg } from "../helpers/twins.js";

const r = lcg(5);
const rand = (n: number, lo = -3, hi = 3) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
const t = (a: ArrayLike<number>) => tensor(Array.from(a), [a.length]);
const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
/** The weights R of the gradient checks' Σ R·f(x). */
const drawR = (n: number) => f64(rand(n, -1, 1));

describe("SiLU, Softplus and ELU", () => {
  const cases: [k.NewActivation, number, number][] = [["silu", 0, 0], ["softplus", 1, 20], ["softplus", 2, 3], ["elu", 1, 0], ["elu", 0.4, 0]];
  for (const [kind, p, q] of cases) {
    for (const n of [1, 3, 4, 9, 200]) {
      it(`${kind}(${p}, ${q}), n=${n}`, () => {
        const x = rand(n, -20, 20);
        const y = new Tensor([n]);
        k.activationForward(kind, t(x), y, p, q);
        const fwd = (v: Float64Array) => {
          const o = new Float64Array(n);
          if (kind === "silu") act.siluForward(v, o, n);
          else if (kind === "softplus") act.softplusForward(v, o, n, p, q);
          else act.eluForward(v, o, n, p);
          return o;
        };
        const bwd = (v: Float64Array, R: Float64Array, dx = new Float64Array(n), acc = 0) => {
          if (kind === "silu") act.siluBackward(v, R, dx, n, acc);
          else if (kind === "softplus") act.softplusBackward(v, R, dx, n, p, q, acc);
          else act.eluBackward(v, R, dx, n, p, acc);
          return dx;
        };
        expectClose(y.data, fwd(f64(x)), { atol: 1e-6, rtol: 1e-6, what: "y" });
        const dy = rand(n, -1, 1);
        const dx = t(rand(n));
        const wantDx = bwd(f64(x), f64(dy), f64(dx.toArray()), 1);
        k.activationBackward(kind, t(x), t(dy), dx, p, q, 1);
        expectClose(dx.data, wantDx, { atol: 1e-6, rtol: 1e-6, what: "dx" });
        const away = f64(x).map((v) => (Math.abs(v) < 0.01 || Math.abs(v * p - q) < 0.01 ? v + 0.05 : v));
        gradcheck(away, drawR, fwd, (v, R) => bwd(v, R), "twin gradient");
      });
    }
  }
});
