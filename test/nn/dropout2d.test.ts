// nn.Dropout2d / F.dropout2d: whole channels are zeroed or scaled by 1/(1 − p)
// in training (the same mask for the gradient), identity in eval; the share
// of kept channels is within binomial bounds.
import { describe, expect, it } from "vitest";
import { Generator, nn, tensor } from "../../src/index.js";
import { dropout2d } from "../../src/nn/conv_functional.js";
import { dot } from "../helpers/conv.js";

describe("Dropout2d", () => {
  it("zeroes whole planes or scales them by 1/(1 - p); backward uses the same mask", () => {
    const N = 8, C = 50, HW = 6;
    const xs = Float32Array.from({ length: N * C * HW }, (_, i) => 1 + (i % 7));
    const x = tensor(xs, [N, C, 2, 3]);
    x.requiresGrad = true;
    const y = dropout2d(x, { p: 0.3, generator: new Generator(5) });
    let kept = 0;
    for (let p = 0; p < N * C; p++) {
      const s = y.data[p * HW] / xs[p * HW];
      expect(s === 0 || Math.abs(s - 1 / 0.7) < 1e-6).toBe(true);
      for (let k = 1; k < HW; k++) expect(y.data[p * HW + k]).toBeCloseTo(xs[p * HW + k] * s, 5);
      if (s !== 0) kept++;
    }
    // 400 planes kept with probability 0.7: mean 280, sd 9.2; 5 sd bounds.
    expect(kept).toBeGreaterThan(280 - 46);
    expect(kept).toBeLessThan(280 + 46);
    dot(y, new Float32Array(y.size).fill(1)).backward();
    for (let i = 0; i < y.size; i++) expect(x.grad!.data[i]).toBeCloseTo(y.data[i] / xs[i], 5);
  });
  it("is the identity in eval mode and for p = 0; p = 1 zeroes everything; p outside [0, 1] is PyTorch's error", () => {
    const x = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    const m = new nn.Dropout2d({ p: 0.5 });
    m.eval();
    expect(m.forward(x)).toBe(x);
    expect(dropout2d(x, { p: 0 })).toBe(x);
    expect([...dropout2d(x, { p: 1 }).data]).toEqual([0, 0, 0, 0]);
    expect(() => new nn.Dropout2d({ p: 1.5 })).toThrow("dropout probability has to be between 0 and 1, but got 1.5");
    expect(m.toString()).toBe("Dropout2d(p=0.5, inplace=False)");
  });
});
