// The benchmark harness's logic, without timing anything: medians, rate and
// ratio arithmetic, ceilings, flag parsing and the suite contract.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error -- plain ESM JavaScript without declarations
import * as h from "../../bench/harness.js";

const suite = (over: Record<string, unknown> = {}) => ({
  name: "Adam step, 10M parameters",
  unit: "param",
  items: 10_000_000,
  bytes: 28 * 10_000_000,
  cases: { wasmtrain: async () => () => {}, "pure-js": async () => () => {} },
  ...over,
});

describe("median", () => {
  it("is the middle value for odd lengths, whatever the order", () => {
    expect(h.median([5, 1, 3])).toBe(3);
    expect(h.median([0.002, 0.001, 0.003, 0.010, 0.0015])).toBe(0.002);
  });
  it("is the mean of the middle two for even lengths", () => {
    expect(h.median([4, 1, 3, 2])).toBe(2.5);
  });
  it("sorts numerically, not as strings", () => {
    expect(h.median([10, 9, 100])).toBe(10);
  });
  it("does not reorder the caller's array", () => {
    const xs = [3, 1, 2];
    h.median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
  it("rejects an empty sample", () => {
    expect(() => h.median([])).toThrow(RangeError);
  });
});

describe("relativeMarginOfError", () => {
  it("is t(95%, n-1) · sem / mean in percent, as benchmark.js computes it", () => {
    // n = 4, mean 2: t(3) = 3.182; n = 40: beyond the table, 1.96
    const xs = [1, 1.5, 2.5, 3];
    const sd = Math.sqrt(((1 - 2) ** 2 + 0.5 ** 2 + 0.5 ** 2 + 1) / 3);
    expect(h.relativeMarginOfError(xs)).toBeCloseTo(((3.182 * sd) / 2 / 2) * 100, 10);
    expect(h.relativeMarginOfError(Array.from({ length: 40 }, (_, i) => 1 + (i % 2)))).toBeCloseTo(((1.96 * Math.sqrt(0.25 * 40 / 39)) / Math.sqrt(40) / 1.5) * 100, 10);
  });
  it("is 0 for a single value or no spread", () => {
    expect(h.relativeMarginOfError([5])).toBe(0);
    expect(h.relativeMarginOfError([2, 2, 2])).toBe(0);
  });
});

describe("caseMetrics", () => {
  it("derives ops/s, items/s, GB/s and the bandwidth fraction from the median", () => {
    const m = h.caseMetrics(suite(), 0.02, { bandwidth: 20, compute: 40 });
    expect(m.medianMs).toBeCloseTo(20, 12);
    expect(m.opsPerSec).toBeCloseTo(50, 12);
    expect(m.itemsPerSec).toBeCloseTo(5e8, 3);
    expect(m.gbPerSec).toBeCloseTo(14, 12); // 280 MB per op × 50 ops/s
    expect(m.bandwidthFraction).toBeCloseTo(0.7, 12);
    expect(m.gflops).toBeNull();
    expect(m.computeFraction).toBeNull();
  });
  it("derives GFLOP/s and the compute fraction when flops are given", () => {
    const n = 512;
    const m = h.caseMetrics(suite({ bytes: undefined, flops: 2 * n ** 3, unit: "flop", items: 2 * n ** 3 }), 0.01, { compute: 26.8435456 });
    expect(m.gflops).toBeCloseTo(26.8435456, 9);
    expect(m.computeFraction).toBeCloseTo(1, 12);
    expect(m.gbPerSec).toBeNull();
  });
  it("leaves fractions null when no ceiling was measured", () => {
    const m = h.caseMetrics(suite({ flops: 1e9 }), 1, {});
    expect(m.gbPerSec).toBeCloseTo(0.28, 12);
    expect(m.bandwidthFraction).toBeNull();
    expect(m.computeFraction).toBeNull();
  });
});

describe("ratios", () => {
  it("speedup is the competitor's time over wasmtrain's", () => {
    expect(h.speedup(0.001, 0.0123)).toBeCloseTo(12.3, 12);
    expect(h.speedup(0.002, 0.001)).toBeCloseTo(0.5, 12);
    expect(h.speedup(0, 1)).toBeNull();
  });
  it("the summary line names each competitor and the fastest one", () => {
    const line = h.ratioLine([
      { case: "wasmtrain", medianMs: 2 },
      { case: "pure-js", medianMs: 24.6 },
      { case: "tfjs-wasm", medianMs: 5 },
      { case: "tfjs-cpu", error: "boom" },
    ]);
    expect(line).toBe("wasmtrain is 12.3× pure-js, 2.50× tfjs-wasm (fastest competitor: tfjs-wasm, 2.50×)");
  });
  it("a suite's targets print the measured ratio against the goal, or why there is none", () => {
    const t = { targets: { "pure-js": 10, "tfjs-cpu": 10, "tfjs-wasm": 2 } };
    expect(h.targetLines(t, [
      { case: "wasmtrain", medianMs: 2 },
      { case: "pure-js", medianMs: 24.6 },
      { case: "tfjs-cpu", medianMs: 10 },
      { case: "tfjs-wasm", error: "no Conv2DBackpropFilter kernel" },
    ])).toEqual([
      "target wasmtrain ≥ 10× pure-js: 12.3×, met",
      "target wasmtrain ≥ 10× tfjs-cpu: 5.00×, NOT met",
      "target wasmtrain ≥ 2× tfjs-wasm: not measured (no Conv2DBackpropFilter kernel)",
    ]);
    expect(h.targetLines({ targets: { "tfjs-cpu": 10 } }, [{ case: "wasmtrain", medianMs: 2 }])).toEqual(["target wasmtrain ≥ 10× tfjs-cpu: not run (filtered out)"]);
    expect(h.targetLines({}, [{ case: "wasmtrain", medianMs: 2 }])).toEqual([]);
  });
  it("a case's samples time it call by call, that many calls after one warm-up call", async () => {
    let calls = 0;
    const s = suite({ cases: { wasmtrain: async () => ({ fn: () => void calls++, samples: 3 }) } });
    const r = await h.runCase("optim", s, "wasmtrain", { ctx: {}, quick: false, ceilings: {} });
    expect(r.error).toBeUndefined();
    expect(r.timer).toBe("call by call");
    expect(r.samples).toBe(3);
    expect(calls).toBe(4);
    const bad = suite({ cases: { wasmtrain: async () => ({ fn: () => {}, samples: 1 }) } });
    expect((await h.runCase("optim", bad, "wasmtrain", { ctx: {}, quick: false, ceilings: {} })).error).toMatch(/samples must be an integer >= 2, got 1/);
  });
  it("there is no summary without a wasmtrain case or competitors", () => {
    expect(h.ratioLine([{ case: "pure-js", medianMs: 1 }])).toBeNull();
    expect(h.ratioLine([{ case: "wasmtrain", medianMs: 1 }])).toBeNull();
  });
});

describe("deriveCeilings", () => {
  const measured = { mulAdd: 40, fma: 50, copy: 12, triad: 14, bulkCopy: 20 };
  it("uses relaxed FMA for the relaxed-simd build and mul+add otherwise", () => {
    expect(h.deriveCeilings(measured, "relaxed-simd").compute).toBe(50);
    expect(h.deriveCeilings(measured, "simd").compute).toBe(40);
    expect(h.deriveCeilings(measured, "js").compute).toBe(40);
    expect(h.deriveCeilings({ mulAdd: 40 }, "relaxed-simd").compute).toBe(40);
  });
  it("takes the best of copy, triad and the seven-stream update as bandwidth, never memory.copy", () => {
    expect(h.deriveCeilings(measured, "simd").bandwidth).toBe(14);
    expect(h.deriveCeilings({ ...measured, update: 19 }, "simd").bandwidth).toBe(19);
    expect(h.deriveCeilings({ ...measured, bulkCopy: 99 }, "simd").bandwidth).toBe(14);
    expect(h.deriveCeilings({}, "simd").bandwidth).toBeNull();
  });
});

describe("formatting", () => {
  it("formats times, rates, ratios and percentages", () => {
    expect(h.formatTime(0.0123456)).toBe("12.35 ms");
    expect(h.formatTime(2.5e-6)).toBe("2.500 µs");
    expect(h.formatTime(1.5)).toBe("1.500 s");
    expect(h.formatRate(3.2e8, "sample")).toBe("320.0 M samples/s");
    expect(h.formatRate(4.5e9, "flops")).toBe("4.5 G flops/s");
    expect(h.formatRatio(12.34)).toBe("12.3×");
    expect(h.formatRatio(1.234)).toBe("1.23×");
    expect(h.formatRatio(null)).toBe("-");
    expect(h.formatPercent(0.734)).toBe("73%");
  });
  it("renders padded columns", () => {
    expect(h.renderTable(["case", "ms"], [["wasmtrain", "1.5"], ["js", "12.25"]])).toBe(
      ["case          ms", "---------  -----", "wasmtrain    1.5", "js         12.25"].join("\n"),
    );
  });
});

describe("parseArgs", () => {
  it("has defaults", () => {
    expect(h.parseArgs([])).toEqual({ filter: null, quick: false, json: null, build: null, threads: 1, reexec: true, ceilings: true, list: false, help: false });
  });
  it("reads every flag, with a separate or an inline value", () => {
    const o = h.parseArgs(["--quick", "--filter", "gemm/.*512", "--json=out.json", "--build", "simd", "--no-reexec", "--no-ceilings", "--list"]);
    expect(o.quick).toBe(true);
    expect(o.filter.test("GEMM/square 512/wasmtrain")).toBe(true);
    expect(o.filter.test("rng/normal/wasmtrain")).toBe(false);
    expect(o.json).toBe("out.json");
    expect(o.build).toBe("simd");
    expect(o.reexec).toBe(false);
    expect(o.ceilings).toBe(false);
    expect(o.list).toBe(true);
    expect(h.parseArgs(["-h"]).help).toBe(true);
    expect(h.parseArgs(["--threads", "2"]).threads).toBe(2);
    expect(h.parseArgs(["--threads=4"]).threads).toBe(4);
  });
  it("rejects unknown flags, missing values, bad builds and bad regexes with a message naming them", () => {
    expect(() => h.parseArgs(["--fast"])).toThrow(/unknown option "--fast"/);
    expect(() => h.parseArgs(["--json"])).toThrow(/--json needs a value/);
    expect(() => h.parseArgs(["--filter", "--quick"])).toThrow(/--filter needs a value/);
    expect(() => h.parseArgs(["--build", "wasm"])).toThrow(/unknown build "wasm"/);
    expect(() => h.parseArgs(["--filter", "("])).toThrow(/--filter: invalid regular expression/);
    expect(() => h.parseArgs(["--threads", "0"])).toThrow(/--threads: expected a thread count .*got "0"/);
    expect(() => h.parseArgs(["--threads", "1.5"])).toThrow(/--threads: expected a thread count .*got "1.5"/);
  });
});

describe("suite contract", () => {
  it("accepts the contract's example and the extensions", () => {
    expect(() => h.validateSuite(suite())).not.toThrow();
    expect(() => h.validateSuite(suite({ flops: 1e6, options: { minSamples: 3, maxTime: 10 } }))).not.toThrow();
    expect(() => h.validateSuite(suite({ ceiling: "triad" }))).not.toThrow();
    expect(() => h.validateSuite(suite({ targets: { "pure-js": 10 } }))).not.toThrow();
  });
  it("rejects each broken field with a message naming it", () => {
    expect(() => h.validateSuite(null, "x[0]")).toThrow(/x\[0\]: a suite must be an object/);
    expect(() => h.validateSuite(suite({ name: "" }))).toThrow(/name must be a non-empty string/);
    expect(() => h.validateSuite(suite({ unit: 3 }))).toThrow(/unit must be a non-empty string/);
    expect(() => h.validateSuite(suite({ items: 0 }))).toThrow(/items must be a positive number, got 0/);
    expect(() => h.validateSuite(suite({ bytes: -1 }))).toThrow(/bytes must be a positive number/);
    expect(() => h.validateSuite(suite({ flops: NaN }))).toThrow(/flops must be a positive number/);
    expect(() => h.validateSuite(suite({ cases: {} }))).toThrow(/cases is empty/);
    expect(() => h.validateSuite(suite({ cases: { wasmtrain: 3 } }))).toThrow(/case "wasmtrain" must be a factory function/);
    expect(() => h.validateSuite(suite({ itmes: 3 }))).toThrow(/unknown key "itmes"/);
    expect(() => h.validateSuite(suite({ ceiling: "l3" }))).toThrow(/ceiling must be one of/);
    expect(() => h.validateSuite(suite({ options: { samples: 3 } }))).toThrow(/unknown option "samples"/);
    expect(() => h.validateSuite(suite({ targets: { "tfjs-cpu": 10 } }))).toThrow(/targets names "tfjs-cpu", which is not a competitor case/);
    expect(() => h.validateSuite(suite({ targets: { "pure-js": 0 } }))).toThrow(/targets.pure-js must be a positive number, got 0/);
  });
  it("a suite file returns an array of uniquely named suites", () => {
    expect(() => h.validateSuites(suite(), "optim")).toThrow(/optim: the default export must return an array/);
    expect(() => h.validateSuites([suite(), suite()], "optim")).toThrow(/two suites are named "Adam step, 10M parameters"/);
    expect(() => h.validateSuites([suite(), suite({ name: "other" })], "optim")).not.toThrow();
  });
  it("maps case names to tf backends and builds the filter id", () => {
    expect(h.tfBackendOf("tfjs-cpu")).toBe("cpu");
    expect(h.tfBackendOf("tfjs-wasm (fused)")).toBe("wasm");
    expect(h.tfBackendOf("wasmtrain")).toBeNull();
    expect(h.tfBackendOf("pure-js")).toBeNull();
    expect(h.caseId("optim", "Adam step", "tfjs-wasm")).toBe("optim/Adam step/tfjs-wasm");
  });
  it("benchmark options: defaults, suite overrides, and --quick shortening both", () => {
    expect(h.benchOptions(suite(), false)).toEqual({ minSamples: 10, maxTime: 2, minTime: 0.001, warmupTime: 0.25 });
    expect(h.benchOptions(suite({ options: { maxTime: 20, minSamples: 4, minTime: 0.002 } }), false)).toEqual({ minSamples: 4, maxTime: 20, minTime: 0.002, warmupTime: 0.25 });
    expect(h.benchOptions(suite({ options: { maxTime: 20 } }), true)).toEqual({ minSamples: 3, maxTime: 0.3, minTime: 0.001, warmupTime: 0.05 });
  });
});

describe("bench/suites", () => {
  // bench/index.js skips a suite whose module fails to load (and says so), so
  // a suite left behind by a refactor would drop out of `npm run bench`
  // quietly: every suite must load in Node (not through vitest's transform,
  // which turns a missing named import into undefined) and default-export its
  // builder.
  it("every suite module loads in Node and default-exports a suites(ctx) function", () => {
    const dir = join(__dirname, "../../bench/suites");
    const files = readdirSync(dir).filter((f) => f.endsWith(".js"));
    expect(files.length).toBeGreaterThan(5);
    const script = `const out = {};
for (const f of ${JSON.stringify(files)}) {
  try { out[f] = typeof (await import(${JSON.stringify(pathToFileURL(dir).href)} + "/" + f)).default; }
  catch (e) { out[f] = e.message; }
}
process.stdout.write(JSON.stringify(out));`;
    const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }));
    expect(out).toEqual(Object.fromEntries(files.map((f) => [f, "function"])));
  });
});
