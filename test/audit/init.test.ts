// Audit: init values PyTorch 1.13 fixes exactly (test/fixtures/audit.json):
// every calculateGain nonlinearity, leaky_relu slopes (0 included), fans of
// 2-D..5-D and zero-size shapes, eye on non-square shapes, dirac with groups
// on 3-, 4- and 5-D, and sparse's zero count per column. Exact comparisons
// (gains to 1e-15 relative: both sides evaluate the same float64 formula).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { empty, init } from "../../src/index.js";

const fx = JSON.parse(readFileSync(new URL("../fixtures/audit.json", import.meta.url), "utf8")).init as {
  gains: Record<string, number>;
  leaky: [number, number][];
  fans: [number[], [number, number]][];
  eye: [number[], number[]][];
  dirac: [number[], number, number[]][];
  sparseZeros: [number, number, number][];
};

const closeTo = (a: number, b: number) => Math.abs(a - b) <= 1e-15 * Math.abs(b);

describe("audit: init values fixed by PyTorch 1.13", () => {
  it("calculateGain of every nonlinearity", () => {
    for (const [nl, g] of Object.entries(fx.gains)) expect(closeTo(init.calculateGain(nl as never), g), nl).toBe(true);
  });

  it("calculateGain('leaky_relu', slope) for 0, 0.2, 1, −0.5, 3, and the default slope 0.01", () => {
    for (const [slope, g] of fx.leaky) expect(closeTo(init.calculateGain("leaky_relu", slope), g), String(slope)).toBe(true);
    expect(closeTo(init.calculateGain("leaky_relu"), fx.gains.leaky_relu)).toBe(true);
  });

  it("calculateFanInAndFanOut on 2-D..5-D and zero-size shapes", () => {
    for (const [shape, fans] of fx.fans) expect(init.calculateFanInAndFanOut(empty(shape)), JSON.stringify(shape)).toEqual(fans);
  });

  it("eye on non-square matrices", () => {
    for (const [shape, values] of fx.eye) expect(Array.from(init.eye(empty(shape)).toArray())).toEqual(values);
  });

  it("dirac with groups on 3-, 4- and 5-D weights", () => {
    for (const [shape, groups, values] of fx.dirac) {
      expect(Array.from(init.dirac(empty(shape), { groups }).toArray()), `${JSON.stringify(shape)} groups ${groups}`).toEqual(values);
    }
  });

  it("sparse zeroes ceil(sparsity·rows) entries in every column", () => {
    for (const [rows, sparsity, zeros] of fx.sparseZeros) {
      const cols = 6;
      const w = init.sparse(empty([rows, cols]), sparsity).toArray();
      for (let j = 0; j < cols; j++) {
        let n = 0;
        for (let i = 0; i < rows; i++) n += w[i * cols + j] === 0 ? 1 : 0;
        expect(n, `rows ${rows}, sparsity ${sparsity}, column ${j}`).toBe(zeros);
      }
    }
  });
});
