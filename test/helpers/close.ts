// The one closeness check of the test suite.
import { expect } from "vitest";

export interface Tolerance {
  /** relative to |expected| (default 0) */
  rtol?: number;
  /** absolute; a function gives a bound per element (default 0) */
  atol?: number | ((i: number) => number);
  /** names the compared values in failure messages */
  what?: string;
}

/**
 * Elementwise |actual − expected| ≤ atol + rtol·|expected|, with equal
 * lengths. Equal values always match (so do infinities of the same sign and
 * `null`s, which stand for "no value" and match nothing else); NaN matches
 * NaN. `expected === null` means "no values at all": `actual` must be null or
 * undefined too. A number compares as a one-element array.
 */
export function expectClose(
  actual: ArrayLike<number | null> | number | null | undefined,
  expected: ArrayLike<number | null> | number | null,
  { rtol = 0, atol = 0, what = "value" }: Tolerance = {},
): void {
  if (expected === null) {
    expect(actual ?? null, what).toBe(null);
    return;
  }
  expect(actual, `${what}: missing`).not.toBeNull();
  expect(actual, `${what}: missing`).not.toBeUndefined();
  const got = typeof actual === "number" ? [actual] : actual!;
  const want = typeof expected === "number" ? [expected] : expected;
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (g === w || (Number.isNaN(w) && Number.isNaN(g))) continue;
    if (g === null || w === null) expect.fail(`${what}[${i}]: got ${g}, expected ${w}`);
    const bound = (typeof atol === "number" ? atol : atol(i)) + rtol * Math.abs(w);
    const err = Math.abs(g - w);
    if (!(err <= bound)) expect.fail(`${what}[${i}]: got ${g}, expected ${w} (error ${err}, allowed ${bound})`);
  }
}
