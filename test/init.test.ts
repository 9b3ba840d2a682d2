// init: PyTorch 1.13's conventions (fixture test/fixtures/init.json from
// test/fixtures/generate.py), sample moments of large draws, exact eye/dirac,
// orthogonal and sparse structure, and errors that leave the tensor unchanged.
import { describe, expect, it, vi } from "vitest";
import { readFileSync } from "node:fs";
import { Generator, init, tensor, empty, memoryStats, type Tensor } from "../src/index.js";
import { fillNormal, fillTruncNormal, fillUniform } from "../src/random.js";
import { loadFixture } from "./helpers/fixture.js";
import { expectClose } from "./helpers/close.js";

const fx = JSON.parse(readFileSync(new URL("./fixtures/init.json", import.meta.url), "utf8"));

const REL = 1e-12; // fixture numbers are float64 results of the same formulas

function moments(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const d = t.data;
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < d.length; i++) {
    s += d[i];
    if (d[i] < min) min = d[i];
    if (d[i] > max) max = d[i];
  }
  const mean = s / d.length;
  let v = 0;
  for (let i = 0; i < d.length; i++) v += (d[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / (d.length - 1)), min, max };
}

/** Same values as `fill` on a fresh tensor from a generator at the same state: the initializer's draw. */
function sameDraw(t: Tensor, fill: (u: Tensor, g: Generator) => void, seed: number): void {
  const ref = empty(t.shape);
  fill(ref, new Generator(seed));
  expect(Array.from(t.data)).toEqual(Array.from(ref.data));
  ref.dispose();
}

describe("calculateGain", () => {
  it.each(fx.gains as { nonlinearity: string; param: number | null; gain: number }[])(
    "matches PyTorch for %o",
    ({ nonlinearity, param, gain }) => {
      expect(init.calculateGain(nonlinearity, param ?? undefined)).toBeCloseTo(gain, 14);
    },
  );
  it("rejects an unknown nonlinearity and a non-numeric slope, as PyTorch", () => {
    expect(() => init.calculateGain("softplus")).toThrow(/Unsupported nonlinearity softplus/);
    expect(() => init.calculateGain("leaky_relu", "x" as unknown as number)).toThrow(/negative_slope x not a valid number/);
    expect(() => init.calculateGain("leaky_relu", NaN)).toThrow(/negative_slope NaN/);
  });
});

describe("calculateFanInAndFanOut", () => {
  it.each(fx.fans as { shape: number[]; fans: [number, number] }[])("shape $shape", ({ shape, fans }) => {
    const t = empty(shape);
    expect(init.calculateFanInAndFanOut(t)).toEqual(fans);
    t.dispose();
  });
  it("throws PyTorch's message for fewer than 2 dimensions", () => {
    const t = empty([5]);
    expect(() => init.calculateFanInAndFanOut(t)).toThrow(fx.fanError.message);
    t.dispose();
  });
});

type Case = { fn: string; shape: number[]; options: Record<string, unknown>; kind: string; params: number[] };

describe("bounds and stds equal PyTorch's for every initializer × option set", () => {
  // The initializer must draw exactly what fillUniform/fillNormal with PyTorch's
  // (a, b) or (mean, std) draw (compared bit for bit, so bound/std agree to
  // float32 rounding of the kernel's scale), for 470 cases.
  it.each((fx.distributions as Case[]).map((c) => [`${c.fn} ${JSON.stringify(c.shape)} ${JSON.stringify(c.options)}`, c]))(
    "%s",
    (_name, c) => {
      const fn = (init as unknown as Record<string, (t: Tensor, o: object) => Tensor>)[c.fn];
      const t = empty(c.shape);
      const ret = fn(t, { ...c.options, generator: new Generator(7) });
      expect(ret).toBe(t);
      if (c.kind === "uniform") sameDraw(t, (u, g) => fillUniform(u, c.params[0], c.params[1], { generator: g }), 7);
      else sameDraw(t, (u, g) => fillNormal(u, c.params[0], c.params[1], { generator: g }), 7);
      t.dispose();
    },
  );

  it.each(
    (fx.varianceScaling as (Case & { options: { distribution: string } })[]).map((c) => [
      `${JSON.stringify(c.shape)} ${JSON.stringify(c.options)}`,
      c,
    ]),
  )("varianceScaling %s (Keras formulas, PyTorch fans)", (_name, c) => {
    const t = empty(c.shape);
    init.varianceScaling(t, { ...(c.options as object), generator: new Generator(3) });
    const p = c.params;
    if (c.kind === "uniform") sameDraw(t, (u, g) => fillUniform(u, p[0], p[1], { generator: g }), 3);
    else if (c.kind === "normal") sameDraw(t, (u, g) => fillNormal(u, p[0], p[1], { generator: g }), 3);
    else sameDraw(t, (u, g) => fillTruncNormal(u, p[0], p[1], p[2], p[3], { generator: g }), 3);
    t.dispose();
  });

  it("uses Keras's truncated-normal correction, the std of N(0,1) on [-2, 2] as PyTorch computes it", () => {
    // lecunNormal on [1, 1] (fan_in 1) draws N(0, σ²) truncated to ±2σ with σ = 1 / truncatedStd2
    const t = init.lecunNormal(empty([1, 1]), { generator: new Generator(5) });
    const sigma = 1 / fx.truncatedStd2;
    sameDraw(t, (u, g) => fillTruncNormal(u, 0, sigma, -2 * sigma, 2 * sigma, { generator: g }), 5);
    t.dispose();
  });

  it("lecun* are varianceScaling(scale 1, fan_in) uniform / truncated normal; glorot* and he* are aliases", () => {
    const shape = [30, 20, 3];
    const pairs: [(t: Tensor, o: { generator: Generator }) => Tensor, (t: Tensor, o: { generator: Generator }) => Tensor][] = [
      [init.lecunUniform, (t, o) => init.varianceScaling(t, { ...o, distribution: "uniform" })],
      [init.lecunNormal, (t, o) => init.varianceScaling(t, { ...o, distribution: "truncated_normal" })],
      [init.glorotUniform, init.xavierUniform],
      [init.glorotNormal, init.xavierNormal],
      [init.heUniform, (t, o) => init.kaimingUniform(t, { ...o, nonlinearity: "relu" })],
      [init.heNormal, (t, o) => init.kaimingNormal(t, { ...o, nonlinearity: "relu" })],
    ];
    for (const [f, g] of pairs) {
      const a = f(empty(shape), { generator: new Generator(11) });
      const b = g(empty(shape), { generator: new Generator(11) });
      expect(Array.from(a.data)).toEqual(Array.from(b.data));
      a.dispose();
      b.dispose();
    }
  });
});

describe("sample moments of large draws", () => {
  // 784 000 samples: the sample mean's sd is σ/885, the sample std's σ/1252;
  // tolerances of 6 standard errors (false-alarm rate < 1e-8 at any seed) and
  // PyTorch's own big draws (fixture) meet the same bounds.
  const n = 784_000;
  const cases: [string, (t: Tensor, g: Generator) => Tensor, number, number, number, number][] = [
    // name, init, theoretical std, support lo, hi (±Infinity for unbounded), mean
    ["kaimingNormal relu", (t, g) => init.kaimingNormal(t, { nonlinearity: "relu", generator: g }), Math.sqrt(2 / 784), -Infinity, Infinity, 0],
    ["kaimingUniform default", (t, g) => init.kaimingUniform(t, { generator: g }), Math.sqrt(2 / (1 + 0)) / Math.sqrt(784), -Math.sqrt(3 * 2 / 784), Math.sqrt(3 * 2 / 784), 0],
    ["xavierUniform", (t, g) => init.xavierUniform(t, { generator: g }), Math.sqrt(2 / 1784), -Math.sqrt(6 / 1784), Math.sqrt(6 / 1784), 0],
    ["xavierNormal", (t, g) => init.xavierNormal(t, { generator: g }), Math.sqrt(2 / 1784), -Infinity, Infinity, 0],
    ["truncNormal [-2,2]", (t, g) => init.truncNormal(t, { generator: g }), fx.truncatedStd2, -2, 2, 0],
    ["lecunNormal (variance 1/fanIn)", (t, g) => init.lecunNormal(t, { generator: g }), Math.sqrt(1 / 784), -2 * Math.sqrt(1 / 784) / 0.87962566103423978, 2 * Math.sqrt(1 / 784) / 0.87962566103423978, 0],
    ["lecunUniform", (t, g) => init.lecunUniform(t, { generator: g }), Math.sqrt(1 / 784), -Math.sqrt(3 / 784), Math.sqrt(3 / 784), 0],
    ["normal mean 0.5 std 2", (t, g) => init.normal(t, { mean: 0.5, std: 2, generator: g }), 2, -Infinity, Infinity, 0.5],
    ["uniform [-0.3, 0.7)", (t, g) => init.uniform(t, { a: -0.3, b: 0.7, generator: g }), 1 / Math.sqrt(12), -0.3, 0.7, 0.2],
  ];
  it.each(cases)("%s", (_name, f, std, lo, hi, mean) => {
    const t = f(empty([1000, 784]), new Generator(2024));
    const m = moments(t);
    expect(Math.abs(m.mean - mean)).toBeLessThan((6 * std) / Math.sqrt(n));
    expect(Math.abs(m.std / std - 1)).toBeLessThan(6 * Math.sqrt(0.5 / n) * 2); // kurtosis ≤ 3 for all of these
    expect(m.min).toBeGreaterThanOrEqual(Math.fround(lo));
    expect(m.max).toBeLessThanOrEqual(Math.fround(hi));
    if (Number.isFinite(hi)) expect(m.max).toBeGreaterThan(hi - 0.01 * (hi - lo)); // reaches its bounds
    t.dispose();
  });
  it("PyTorch's own large draws agree with the same theory (sanity check of the fixture)", () => {
    for (const b of fx.bigDraws as { fn: string; std: number; mean: number }[]) {
      const theory: Record<string, number> = {
        kaimingNormal: Math.sqrt(2 / 784), kaimingUniform: Math.sqrt(2 / 784),
        xavierUniform: Math.sqrt(2 / 1784), xavierNormal: Math.sqrt(2 / 1784), truncNormal: fx.truncatedStd2,
      };
      expect(Math.abs(b.std / theory[b.fn] - 1)).toBeLessThan(0.01);
    }
  });
});

describe("eye and dirac", () => {
  it.each(fx.eye as { shape: number[]; values: number[] }[])("eye $shape equals torch.eye", ({ shape, values }) => {
    const t = empty(shape);
    expect(init.eye(t)).toBe(t);
    expect(Array.from(t.data)).toEqual(values);
    t.dispose();
  });
  it.each(fx.dirac as { shape: number[]; groups: number; values: number[] }[])(
    "dirac $shape groups $groups equals torch dirac_",
    ({ shape, groups, values }) => {
      const t = empty(shape);
      expect(init.dirac(t, { groups })).toBe(t);
      expect(Array.from(t.data)).toEqual(values);
      t.dispose();
    },
  );
  it("constant, ones, zeros", () => {
    const t = empty([3, 4]);
    expect(Array.from(init.constant(t, 2.5).data)).toEqual(new Array(12).fill(2.5));
    expect(Array.from(init.ones(t).data)).toEqual(new Array(12).fill(1));
    expect(Array.from(init.zeros(t).data)).toEqual(new Array(12).fill(0));
    t.dispose();
  });
});

describe("orthogonal", () => {
  // Householder QR in float64, rounded to float32: the Gram matrix is gain²·I to 1e-6·gain².
  it.each(fx.orthogonal as { shape: number[]; gain: number; orthonormal: string }[])(
    "shape $shape gain $gain: $orthonormal orthonormal, like PyTorch",
    ({ shape, gain, orthonormal }) => {
      const t = empty(shape);
      expect(init.orthogonal(t, { gain, generator: new Generator(5) })).toBe(t);
      const rows = shape[0];
      const cols = t.size / rows;
      const d = t.data;
      const byRows = orthonormal === "rows";
      const k = byRows ? rows : cols;
      const len = byRows ? cols : rows;
      const at = (v: number, i: number) => (byRows ? d[v * cols + i] : d[i * cols + v]);
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          let s = 0;
          for (let i = 0; i < len; i++) s += at(a, i) * at(b, i);
          expect(Math.abs(s - (a === b ? gain * gain : 0))).toBeLessThan(1e-6 * gain * gain);
        }
      }
      t.dispose();
    },
  );
  it("applies PyTorch's sign correction: Q·sign(diag(R)) makes R's diagonal positive", () => {
    // the normal draw G (rows ≥ cols) and the result Q satisfy QᵀG = R upper triangular with R_ii > 0
    const shape = [7, 4];
    const q = init.orthogonal(empty(shape), { generator: new Generator(9) });
    const g = fillNormal(empty(shape), 0, 1, { generator: new Generator(9) });
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let r = 0;
        for (let k = 0; k < 7; k++) r += q.data[k * 4 + i] * g.data[k * 4 + j];
        if (i === j) expect(r).toBeGreaterThan(0);
        if (i > j) expect(Math.abs(r)).toBeLessThan(1e-5);
      }
    }
    q.dispose();
    g.dispose();
  });
});

describe("sparse", () => {
  it.each(fx.sparse as { shape: number[]; sparsity: number; zerosPerColumn: number[] }[])(
    "shape $shape sparsity $sparsity: exactly PyTorch's zero count per column",
    ({ shape, sparsity, zerosPerColumn }) => {
      const t = empty(shape);
      expect(init.sparse(t, sparsity, { std: 0.5, generator: new Generator(13) })).toBe(t);
      const [rows, cols] = shape;
      const counts = new Array(cols).fill(0);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (t.data[r * cols + c] === 0) counts[c]++;
      expect(counts).toEqual(zerosPerColumn);
      t.dispose();
    },
  );
  it("zeroes different rows in different columns (a permutation per column)", () => {
    const t = init.sparse(empty([50, 8]), 0.5, { generator: new Generator(1) });
    const patterns = new Set<string>();
    for (let c = 0; c < 8; c++) patterns.add(Array.from({ length: 50 }, (_, r) => +(t.data[r * 8 + c] === 0)).join(""));
    expect(patterns.size).toBe(8);
    t.dispose();
  });
});

describe("zero-element tensors", () => {
  it("kaiming warns 'Initializing zero-element tensors is a no-op' and returns the tensor", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const t = empty([0, 5]);
    expect(init.kaimingUniform(t)).toBe(t);
    expect(init.kaimingNormal(t)).toBe(t);
    expect(warn).toHaveBeenCalledWith("Initializing zero-element tensors is a no-op");
    warn.mockRestore();
    expect(init.xavierUniform(t)).toBe(t);
    expect(init.orthogonal(t)).toBe(t);
    t.dispose();
  });
});

describe("bad input throws before touching the tensor", () => {
  const cases: [string, (t: Tensor) => unknown, RegExp | string][] = [
    ["unknown nonlinearity", (t) => init.kaimingNormal(t, { nonlinearity: "softplus" as never }), /Unsupported nonlinearity softplus/],
    ["bad mode", (t) => init.kaimingUniform(t, { mode: "fan_avg" as never }), /Mode fan_avg not supported/],
    ["NaN kaiming a", (t) => init.kaimingUniform(t, { a: NaN }), /a must be a number/],
    ["NaN gain", (t) => init.xavierUniform(t, { gain: NaN }), /gain must be a number, got NaN/],
    ["NaN orthogonal gain", (t) => init.orthogonal(t, { gain: NaN }), /gain must be a number/],
    ["NaN std", (t) => init.normal(t, { std: NaN }), /std must be a finite number, got NaN/],
    ["negative std", (t) => init.normal(t, { std: -1 }), /std must be non-negative, got -1/],
    ["negative truncNormal std", (t) => init.truncNormal(t, { std: -1 }), /std must be non-negative/],
    ["a > b uniform", (t) => init.uniform(t, { a: 1, b: 0 }), /expects a <= b, got a=1, b=0/],
    ["a > b truncNormal", (t) => init.truncNormal(t, { a: 1, b: 0 }), /expects a <= b/],
    ["infinite uniform bound", (t) => init.uniform(t, { b: Infinity }), /b must be a finite number/],
    ["dirac on 2-D", (t) => init.dirac(t), /Only tensors with 3, 4, or 5 dimensions are supported/],
    ["eye on 3-D", (t) => init.eye(t.ndim === 2 ? empty([2, 2, 2]) : t), /Only tensors with 2 dimensions are supported/],
    ["sparsity > 1", (t) => init.sparse(t, 1.5), /sparsity must be in \[0, 1\], got 1.5/],
    ["sparsity < 0", (t) => init.sparse(t, -0.1), /sparsity must be in \[0, 1\]/],
    ["sparsity NaN", (t) => init.sparse(t, NaN), /sparsity must be in \[0, 1\], got NaN/],
    ["sparse std NaN", (t) => init.sparse(t, 0.5, { std: NaN }), /std must be a finite number/],
    ["bad generator", (t) => init.normal(t, { generator: {} as never }), /generator must be a Generator/],
    ["varianceScaling scale 0", (t) => init.varianceScaling(t, { scale: 0 }), /scale must be a positive/],
    ["varianceScaling mode", (t) => init.varianceScaling(t, { mode: "fan_sum" as never }), /mode must be/],
    ["varianceScaling distribution", (t) => init.varianceScaling(t, { distribution: "cauchy" as never }), /distribution must be/],
    ["dirac groups", (t) => init.dirac(t.ndim === 2 ? empty([5, 2, 3]) : t, { groups: 2 }), /dim 0 must be divisible by groups/],
  ];
  it.each(cases)("%s", (_name, f, message) => {
    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const g = new Generator(1);
    const state = g.getState();
    expect(() => f(t)).toThrow(message);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(g.getState()).toEqual(state);
    t.dispose();
  });
  it("1-D tensors for xavier/kaiming: PyTorch's message, tensor unchanged", () => {
    const t = tensor([1, 2, 3]);
    for (const f of [init.xavierUniform, init.xavierNormal, init.kaimingUniform, init.kaimingNormal, init.heNormal, init.glorotUniform]) {
      expect(() => f(t)).toThrow("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
    }
    expect(() => init.orthogonal(t)).toThrow(/Only tensors with 2 or more dimensions/);
    expect(() => init.sparse(t, 0.5)).toThrow(/Only tensors with 2 dimensions/);
    expect(Array.from(t.data)).toEqual([1, 2, 3]);
    t.dispose();
  });
  it("disposed tensors: an Error naming the tensor", () => {
    const t = empty([2, 3]);
    t.dispose();
    for (const f of [init.uniform, init.normal, init.truncNormal, init.xavierUniform, init.kaimingNormal, init.orthogonal, init.eye, init.ones, init.zeros, init.lecunNormal, init.varianceScaling]) {
      expect(() => f(t)).toThrow(/Tensor\[2, 3\] has been disposed/);
    }
    expect(() => init.dirac(t)).toThrow(/disposed/);
    expect(() => init.sparse(t, 0.1)).toThrow(/disposed/);
    expect(() => init.constant(t, 1)).toThrow(/disposed/);
  });
  it("a failed call does not advance the default generator or leak memory", () => {
    const before = memoryStats().allocatedBytes;
    const t = tensor([1, 2, 3]);
    expect(() => init.kaimingNormal(t)).toThrow();
    t.dispose();
    expect(memoryStats().allocatedBytes).toBe(before);
  });
});

describe("truncNormal's warning (PyTorch: mean more than 2 std from [a, b])", () => {
  it("warns once when the mean is outside [a - 2 std, b + 2 std] and still fills within [a, b]; not otherwise", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const t = empty([1000]);
      init.truncNormal(t, { mean: 5, generator: new Generator(3) });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/mean is more than 2 std from \[a, b\]/);
      for (const v of t.data) expect(v >= -2 && v <= 2).toBe(true);
      init.truncNormal(t, { mean: 3.9, generator: new Generator(3) }); // within b + 2 std: no warning
      init.truncNormal(t, { mean: -3.9, generator: new Generator(3) });
      expect(warn).toHaveBeenCalledTimes(1);
      t.dispose();
    } finally {
      warn.mockRestore();
    }
  });
});

// Init values PyTorch 1.13 fixes exactly (test/fixtures/generate.py):
// every calculateGain nonlinearity, leaky_relu slopes (0 included), fans of
// 2-D..5-D and zero-size shapes, eye on non-square shapes, dirac with groups
// on 3-, 4- and 5-D, and sparse's zero count per column. Exact comparisons
// (gains to 1e-15 relative: both sides evaluate the same float64 formula).
const pinned = loadFixture("init.json").pinned as {
  gains: Record<string, number>;
  leaky: [number, number][];
  fans: [number[], [number, number]][];
  eye: [number[], number[]][];
  dirac: [number[], number, number[]][];
  sparseZeros: [number, number, number][];
};

describe("init values PyTorch 1.13 fixes exactly", () => {
  it("calculateGain of every nonlinearity", () => {
    for (const [nl, g] of Object.entries(pinned.gains)) expectClose(init.calculateGain(nl as never), g, { rtol: 1e-15, what: nl });
  });

  it("calculateGain('leaky_relu', slope) for 0, 0.2, 1, −0.5, 3, and the default slope 0.01", () => {
    for (const [slope, g] of pinned.leaky) expectClose(init.calculateGain("leaky_relu", slope), g, { rtol: 1e-15, what: String(slope) });
    expectClose(init.calculateGain("leaky_relu"), pinned.gains.leaky_relu, { rtol: 1e-15, what: "default slope" });
  });

  it("calculateFanInAndFanOut on 2-D..5-D and zero-size shapes", () => {
    for (const [shape, fans] of pinned.fans) expect(init.calculateFanInAndFanOut(empty(shape)), JSON.stringify(shape)).toEqual(fans);
  });

  it("eye on non-square matrices", () => {
    for (const [shape, values] of pinned.eye) expect(Array.from(init.eye(empty(shape)).toArray())).toEqual(values);
  });

  it("dirac with groups on 3-, 4- and 5-D weights", () => {
    for (const [shape, groups, values] of pinned.dirac) {
      expect(Array.from(init.dirac(empty(shape), { groups }).toArray()), `${JSON.stringify(shape)} groups ${groups}`).toEqual(values);
    }
  });

  it("sparse zeroes ceil(sparsity·rows) entries in every column", () => {
    for (const [rows, sparsity, zeros] of pinned.sparseZeros) {
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

// Init against PyTorch 1.13: calculateGain for every
// nonlinearity string and leaky_relu slopes (default, 0, 0.2, 1, −0.5), and
// the text of every init error: wasmtrain's message contains PyTorch's
// ValueError message verbatim (same words and capitalisation), after its own
// "init.<function>:" prefix. Fixture: test/fixtures/init.json
// (test/fixtures/generate.py); gains compared to 1e-15 relative.
const f = loadFixture("init.json").gainsAndErrors as { gains: [string, number | null, number][]; errors: Record<string, string> };

const calls: Record<string, () => unknown> = {
  "calculateGain softplus": () => init.calculateGain("softplus"),
  "eye [3, 2, 2]": () => init.eye(empty([3, 2, 2])),
  "eye [3]": () => init.eye(empty([3])),
  "sparse [3, 2, 2]": () => init.sparse(empty([3, 2, 2]), 0.5),
  "orthogonal [3]": () => init.orthogonal(empty([3])),
  "dirac [2, 2]": () => init.dirac(empty([2, 2])),
  "dirac [4, 2, 3] groups 3": () => init.dirac(empty([4, 2, 3]), { groups: 3 }),
  "kaimingUniform mode fan_avg": () => init.kaimingUniform(empty([2, 3]), { mode: "fan_avg" as never }),
  "kaimingNormal mode fan_avg": () => init.kaimingNormal(empty([2, 3]), { mode: "fan_avg" as never }),
  "xavierUniform [3]": () => init.xavierUniform(empty([3])),
  "kaimingNormal nonlinearity gelu": () => init.kaimingNormal(empty([2, 3]), { nonlinearity: "gelu" as never }),
  "calculateGain leaky_relu x": () => init.calculateGain("leaky_relu", "x" as never),
};

describe("gains and error texts against PyTorch 1.13", () => {
  for (const [name, param, gain] of f.gains) {
    it(`calculateGain(${JSON.stringify(name)}${param === null ? "" : `, ${param}`})`, () => {
      expectClose([init.calculateGain(name, param ?? undefined)], [gain], { rtol: 1e-15, atol: 0, what: "gain" });
    });
  }
  for (const [what, message] of Object.entries(f.errors)) {
    it(`error text: ${what}`, () => {
      expect(calls[what], `no call for ${what}`).toBeTypeOf("function");
      expect(calls[what]).toThrow(message);
    });
  }
});
