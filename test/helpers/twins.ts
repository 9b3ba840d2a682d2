// Shared by the kernel-vs-twin suites (test/reference/): seeded sample data,
// and the central-difference checks of a float64 twin's backward pass.
import { expect } from "vitest";
import { expectClose } from "./close.js";

/** A linear congruential generator (Numerical Recipes' constants): numbers in [0, 1), the same on every run. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Central differences (h = 1e-6) of Σ R·forward(x) at every input, against
 * backward(x, R): |analytic − numeric| ≤ 1e-6 + 1e-5·|numeric|. R is drawn
 * by `weights`, one value per output.
 */
export function gradcheck(
  x: Float64Array,
  weights: (n: number) => Float64Array,
  forward: (x: Float64Array) => Float64Array,
  backward: (x: Float64Array, R: Float64Array) => Float64Array,
  what: string,
): void {
  const n = x.length;
  const R = weights(forward(x).length);
  const g = backward(x, R);
  const h = 1e-6;
  const num = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const xp = x.slice();
    const xm = x.slice();
    xp[i] += h;
    xm[i] -= h;
    const fp = forward(xp);
    const fm = forward(xm);
    let d = 0;
    for (let j = 0; j < fp.length; j++) d += R[j] * (fp[j] - fm[j]);
    num[i] = d / (2 * h);
  }
  expectClose(g, num, { atol: 1e-6, rtol: 1e-5, what });
}

/**
 * Central differences (h = 1e-6) of Σ dy·forward(x) at every 7th input,
 * against backward(x, dy): |numeric − analytic| ≤ 1e-6·(1 + |analytic|).
 * x = 2u + 0.3 and dy = u for draws u of `draw`.
 */
export function checkByDifferences(
  draw: (n: number) => Float32Array,
  n: number,
  outN: number,
  forward: (x: Float64Array) => Float64Array,
  backward: (x: Float64Array, dy: Float64Array) => Float64Array,
  what: string,
): void {
  const x = Float64Array.from(draw(n).map((v) => v * 2 + 0.3));
  const dy = Float64Array.from(draw(outN));
  const loss = () => forward(x).reduce((s, v, i) => s + v * dy[i], 0);
  const grad = backward(x, dy);
  for (let i = 0; i < n; i += 7) {
    const h = 1e-6, v = x[i];
    x[i] = v + h;
    const up = loss();
    x[i] = v - h;
    const down = loss();
    x[i] = v;
    const fd = (up - down) / (2 * h);
    expect(Math.abs(fd - grad[i]), `${what}[${i}]: finite difference ${fd}, backward ${grad[i]}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(grad[i])));
  }
}
