// The benchmark harness: runs suites with benchmark.js, one case at a time,
// and reports medians, rates, fractions of this machine's ceilings and the
// ratio of wasmtrain to every competitor.
//
// ## The suite contract
//
// A suite file `bench/suites/<name>.js` default-exports a function (sync or
// async) `suites(ctx)` with `ctx = { wt, quick }` that returns an array of
// suites:
//
//   {
//     name: "Adam step, 10M parameters",   // unique within the file
//     unit: "param",                         // what one item is (plural: +"s")
//     items: 10_000_000,                     // items per op -> items/s
//     bytes: 28 * 10_000_000,                // optional: bytes read+written per op
//                                            //   -> GB/s and fraction of the bandwidth ceiling
//     flops: undefined,                      // optional: flops per op
//                                            //   -> GFLOP/s and fraction of the SIMD ceiling
//     cases: {                               // case name -> async factory
//       wasmtrain: async ({ wt }) => ({ fn: () => opt.step(), teardown: () => ... }),
//       "pure-js": async () => () => adamStepJs(...),
//       "tfjs-cpu": async ({ tf }) => ...,
//       "tfjs-wasm": async ({ tf }) => ...,
//     },
//   }
//
// A factory runs once, before timing, and returns either the timed function
// (synchronous; one call = one op) or `{ fn, teardown }`; teardown runs after
// timing (also when timing failed). Cases run sequentially, in the order
// written. Every factory receives `{ wt, tf, quick }`: `wt` is the wasmtrain
// module (dist/index.js) after `await wt.ready()`; `tf` is @tensorflow/tfjs-core
// (null until a tfjs case has run). Before a case whose name starts with
// `tfjs-cpu` / `tfjs-wasm` the harness does `await tf.setBackend('cpu' | 'wasm')`
// and `await tf.ready()`; the wasm backend is single-threaded with its SIMD
// binary (see bench/tfjs.js).
//
// Ratios: the case named exactly `wasmtrain` is compared with every other
// case: "wasmtrain is 12.3× pure-js" means pure-js's median time is 12.3× the
// wasmtrain median. Any other case name is allowed (e.g. "naive",
// "tfjs-wasm (fused)"); names starting with "tfjs-cpu"/"tfjs-wasm" get that
// backend.
//
// Compatible extensions:
//   options:  { minSamples, maxTime, minTime, warmupTime }  per-suite
//             benchmark.js overrides (e.g. for a 5-second op; minTime = the
//             shortest sample, default 1 ms); --quick shortens maxTime,
//             minSamples and warmupTime.
//   ceiling:  "mulAdd" | "fma" | "copy" | "bulkCopy" | "triad" | "update"  marks a suite of
//             bench/suites/ceilings.js whose result defines a machine ceiling.
//   targets:  { caseName: r }  a goal "wasmtrain ≥ r× caseName": the run prints
//             the measured ratio and whether it met the goal.
//   A factory's `{ fn, teardown, samples }`: `samples` times that case call
//             by call, exactly that many calls after one warm-up call (a
//             step that takes seconds; --quick: at most 2).
//
// Medians are of benchmark.js's samples (`stats.sample`, seconds per op).
// An op that takes a second or more in warm-up is instead timed call by call
// (minSamples calls; see timeSlowFn).
// Each row also has the process CPU time per op (cpuTimePerCall), which a
// busy machine inflates far less than the wall-clock median of a long op.
// benchmark.js's function decompilation is switched off, so the timed function
// is always called as written (closures work).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const CEILING_KINDS = ["mulAdd", "fma", "copy", "bulkCopy", "triad", "update"];
const SUITE_KEYS = new Set(["name", "unit", "items", "bytes", "flops", "cases", "options", "ceiling", "targets"]);
const OPTION_KEYS = new Set(["minSamples", "maxTime", "minTime", "warmupTime"]);
const BUILDS = ["relaxed-simd", "simd", "js"];

export const USAGE = `Usage: node bench/index.js [options]

  --filter <regex>   run only cases whose id "<file>/<suite name>/<case>" matches
                     (case-insensitive), e.g. --filter ceilings, --filter 'gemm/.*512',
                     --filter tfjs-wasm
  --quick            fewer samples and shorter runs (smoke runs; noisy figures)
  --json <file>      write every number (machine info, build, ceilings, cases) as JSON
  --build <name>     wasmtrain build: relaxed-simd | simd | js (default: the best the
                     engine has; on Node 20 the harness re-runs node with
                     --experimental-wasm-relaxed-simd to get relaxed-simd)
  --threads <n>      threads for every suite but threads.js (default 1: per-core figures,
                     comparable with TensorFlow.js's single-threaded backends; threads.js
                     always compares every logical core with one thread)
  --no-reexec        never re-run node with extra flags
  --no-ceilings      skip measuring the machine ceilings (no fractions)
  --list             print the ids of the selected cases and exit (runs nothing)
  --help             this text`;

/** Parses the command line (process.argv.slice(2)). Throws a TypeError naming a bad flag. */
export function parseArgs(argv) {
  const opts = { filter: null, quick: false, json: null, build: null, threads: 1, reexec: true, ceilings: true, list: false, help: false };
  const value = (i, flag) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new TypeError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline = null;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const take = () => {
      if (inline !== null) return inline;
      const v = value(i, arg);
      i++;
      return v;
    };
    switch (arg) {
      case "--filter": {
        const source = take();
        try {
          opts.filter = new RegExp(source, "i");
        } catch (e) {
          throw new TypeError(`--filter: invalid regular expression ${JSON.stringify(source)}: ${e.message}`);
        }
        break;
      }
      case "--quick":
        opts.quick = true;
        break;
      case "--json":
        opts.json = take();
        break;
      case "--build": {
        const b = take();
        if (!BUILDS.includes(b)) throw new TypeError(`--build: unknown build ${JSON.stringify(b)}; expected relaxed-simd, simd or js`);
        opts.build = b;
        break;
      }
      case "--threads": {
        const v = take();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new RangeError(`--threads: expected a thread count (an integer from 1), got ${JSON.stringify(v)}`);
        opts.threads = n;
        break;
      }
      case "--no-reexec":
        opts.reexec = false;
        break;
      case "--no-ceilings":
        opts.ceilings = false;
        break;
      case "--list":
        opts.list = true;
        break;
      case "--help":
      case "-h":
        opts.help = true;
        break;
      default:
        throw new TypeError(`unknown option ${JSON.stringify(argv[i])} (see --help)`);
    }
  }
  return opts;
}

/** Median of a non-empty array of numbers (mean of the middle two for even lengths). */
export function median(values) {
  if (!values || values.length === 0) throw new RangeError("median: no values");
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// Two-tailed 95% critical values of Student's t by degrees of freedom (as
// benchmark.js uses), 1.96 beyond 30.
const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** benchmark.js's relative margin of error (percent): t(95%, n-1) · sem / mean · 100; 0 for one value. */
export function relativeMarginOfError(values) {
  const n = values.length;
  if (n < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  const t = T95[n - 1] ?? 1.96;
  return ((t * Math.sqrt(variance / n)) / mean) * 100;
}

/** How many times faster `base` is than `other`, from their median times (seconds per op). */
export function speedup(baseSeconds, otherSeconds) {
  if (!(baseSeconds > 0) || !(otherSeconds > 0)) return null;
  return otherSeconds / baseSeconds;
}

/**
 * Rates for one case from its median time per op: ops/s, items/s, and, when
 * the suite gives bytes / flops, GB/s (1e9 bytes) and GFLOP/s with their
 * fractions of the ceilings (`ceilings.bandwidth` in GB/s, `ceilings.compute`
 * in GFLOP/s; null when not measured).
 */
export function caseMetrics(suite, medianSeconds, ceilings = {}) {
  const opsPerSec = 1 / medianSeconds;
  const m = {
    medianMs: medianSeconds * 1e3,
    opsPerSec,
    itemsPerSec: suite.items * opsPerSec,
    gbPerSec: null,
    bandwidthFraction: null,
    gflops: null,
    computeFraction: null,
  };
  if (suite.bytes !== undefined) {
    m.gbPerSec = (suite.bytes * opsPerSec) / 1e9;
    if (ceilings.bandwidth) m.bandwidthFraction = m.gbPerSec / ceilings.bandwidth;
  }
  if (suite.flops !== undefined) {
    m.gflops = (suite.flops * opsPerSec) / 1e9;
    if (ceilings.compute) m.computeFraction = m.gflops / ceilings.compute;
  }
  return m;
}

/**
 * The ceilings used for fractions, from the ceiling suites' GFLOP/s and GB/s
 * (bench/index.js passes the fastest sample's rates):
 * compute = relaxed FMA when the running build is relaxed-simd (what its GEMM
 * uses), else mul+add; bandwidth = the best of the v128 copy, the triad and
 * the seven-stream update (memory.copy is reported but not a ceiling: kernels
 * cannot use it).
 */
export function deriveCeilings(measured, build) {
  const c = { ...measured };
  c.compute = (build === "relaxed-simd" ? measured.fma : measured.mulAdd) ?? measured.mulAdd ?? null;
  const bw = [measured.copy, measured.triad, measured.update].filter((x) => x > 0);
  c.bandwidth = bw.length ? Math.max(...bw) : null;
  return c;
}

/** Which tf backend a case needs, from its name: "cpu", "wasm" or null. */
export function tfBackendOf(caseName) {
  if (caseName.startsWith("tfjs-cpu")) return "cpu";
  if (caseName.startsWith("tfjs-wasm")) return "wasm";
  return null;
}

/** The id --filter matches: "<file>/<suite name>/<case>". */
export function caseId(file, suiteName, caseName) {
  return `${file}/${suiteName}/${caseName}`;
}

const isPositive = (x) => typeof x === "number" && Number.isFinite(x) && x > 0;

/** Checks a suite against the contract; throws a TypeError saying what is wrong and where. */
export function validateSuite(suite, where = "suite") {
  if (suite === null || typeof suite !== "object") throw new TypeError(`${where}: a suite must be an object, got ${suite}`);
  const label = typeof suite.name === "string" ? `${where} "${suite.name}"` : where;
  if (typeof suite.name !== "string" || suite.name.length === 0) throw new TypeError(`${where}: name must be a non-empty string, got ${JSON.stringify(suite.name)}`);
  for (const k of Object.keys(suite)) if (!SUITE_KEYS.has(k)) throw new TypeError(`${label}: unknown key "${k}" (allowed: ${[...SUITE_KEYS].join(", ")})`);
  if (typeof suite.unit !== "string" || suite.unit.length === 0) throw new TypeError(`${label}: unit must be a non-empty string, got ${JSON.stringify(suite.unit)}`);
  if (!isPositive(suite.items)) throw new TypeError(`${label}: items must be a positive number, got ${suite.items}`);
  for (const k of ["bytes", "flops"]) {
    if (suite[k] !== undefined && !isPositive(suite[k])) throw new TypeError(`${label}: ${k} must be a positive number or undefined, got ${suite[k]}`);
  }
  if (suite.ceiling !== undefined && !CEILING_KINDS.includes(suite.ceiling)) {
    throw new TypeError(`${label}: ceiling must be one of ${CEILING_KINDS.join(", ")}, got ${JSON.stringify(suite.ceiling)}`);
  }
  if (suite.options !== undefined) {
    if (suite.options === null || typeof suite.options !== "object") throw new TypeError(`${label}: options must be an object`);
    for (const [k, v] of Object.entries(suite.options)) {
      if (!OPTION_KEYS.has(k)) throw new TypeError(`${label}: unknown option "${k}" (allowed: ${[...OPTION_KEYS].join(", ")})`);
      if (typeof v !== "number" || !(v >= 0)) throw new TypeError(`${label}: options.${k} must be a number >= 0, got ${v}`);
    }
  }
  if (suite.cases === null || typeof suite.cases !== "object" || Array.isArray(suite.cases)) throw new TypeError(`${label}: cases must be an object of name -> factory`);
  const names = Object.keys(suite.cases);
  if (suite.targets !== undefined) {
    if (suite.targets === null || typeof suite.targets !== "object") throw new TypeError(`${label}: targets must be an object of case name -> ratio`);
    for (const [k, v] of Object.entries(suite.targets)) {
      if (!names.includes(k) || k === "wasmtrain") throw new TypeError(`${label}: targets names "${k}", which is not a competitor case`);
      if (!isPositive(v)) throw new TypeError(`${label}: targets.${k} must be a positive number, got ${v}`);
    }
  }
  if (names.length === 0) throw new TypeError(`${label}: cases is empty`);
  for (const n of names) {
    if (typeof suite.cases[n] !== "function") throw new TypeError(`${label}: case "${n}" must be a factory function, got ${typeof suite.cases[n]}`);
  }
}

/** Validates a suite file's list; also that names are unique within the file. */
export function validateSuites(list, file) {
  if (!Array.isArray(list)) throw new TypeError(`${file}: the default export must return an array of suites, got ${typeof list}`);
  const seen = new Set();
  list.forEach((s, i) => {
    validateSuite(s, `${file}[${i}]`);
    if (seen.has(s.name)) throw new TypeError(`${file}: two suites are named "${s.name}"`);
    seen.add(s.name);
  });
}

/**
 * benchmark.js options for a suite: defaults, the suite's overrides, then
 * --quick. Samples are short (minTime 1 ms rather than benchmark.js's 50 ms;
 * process.hrtime makes that precise enough): on a shared machine a long
 * sample always contains a preemption, while the median of many short ones
 * does not.
 */
export function benchOptions(suite, quick) {
  const o = { minSamples: 10, maxTime: 2, minTime: 0.001, warmupTime: 0.25, ...(suite.options ?? {}) };
  if (quick) {
    o.minSamples = Math.min(o.minSamples, 3);
    o.maxTime = Math.min(o.maxTime, 0.3);
    o.warmupTime = Math.min(o.warmupTime, 0.05);
  }
  return o;
}

// ---------------------------------------------------------------- formatting

/** A time in seconds with a unit that keeps 3–4 significant digits. */
export function formatTime(seconds) {
  if (!(seconds >= 0) || !Number.isFinite(seconds)) return "-";
  if (seconds >= 1) return `${seconds.toFixed(3)} s`;
  if (seconds >= 1e-3) return `${(seconds * 1e3).toPrecision(4)} ms`;
  if (seconds >= 1e-6) return `${(seconds * 1e6).toPrecision(4)} µs`;
  return `${(seconds * 1e9).toPrecision(4)} ns`;
}

/** A rate with an SI prefix: formatRate(3.2e8, "sample") -> "320.0 M samples/s". */
export function formatRate(perSecond, unit) {
  if (!(perSecond >= 0) || !Number.isFinite(perSecond)) return "-";
  const plural = unit.endsWith("s") ? unit : `${unit}s`;
  for (const [f, p] of [[1e9, "G"], [1e6, "M"], [1e3, "k"]]) {
    if (perSecond >= f) return `${(perSecond / f).toFixed(1)} ${p} ${plural}/s`;
  }
  return `${perSecond.toFixed(1)} ${plural}/s`;
}

/** "12.3×" (two significant decimals below 10). */
export function formatRatio(r) {
  if (r === null || r === undefined || !Number.isFinite(r)) return "-";
  return r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
}

export function formatPercent(f) {
  return f === null || f === undefined || !Number.isFinite(f) ? "-" : `${(f * 100).toFixed(0)}%`;
}

/** Plain padded columns: first column left-aligned, the rest right-aligned. */
export function renderTable(headers, rows) {
  const all = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, j) => Math.max(...all.map((r) => [...(r[j] ?? "")].length)));
  const line = (r) =>
    r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join("  ").trimEnd();
  return [line(all[0]), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n");
}

/** The per-suite summary: "wasmtrain is 12.3× pure-js, 3.10× tfjs-cpu; fastest competitor: ...". */
export function ratioLine(results) {
  const base = results.find((r) => r.case === "wasmtrain" && r.medianMs);
  const others = results.filter((r) => r.case !== "wasmtrain" && r.medianMs);
  if (!base || others.length === 0) return null;
  const parts = others.map((r) => `${formatRatio(speedup(base.medianMs, r.medianMs))} ${r.case}`);
  const fastest = others.reduce((a, b) => (b.medianMs < a.medianMs ? b : a));
  return `wasmtrain is ${parts.join(", ")} (fastest competitor: ${fastest.case}, ${formatRatio(speedup(base.medianMs, fastest.medianMs))})`;
}

/** For each of the suite's targets: "target wasmtrain ≥ 10× tfjs-cpu: 23.4×, met" (or why it is not measured). */
export function targetLines(suite, results) {
  const base = results.find((r) => r.case === "wasmtrain" && r.medianMs);
  return Object.entries(suite.targets ?? {}).map(([name, goal]) => {
    const other = results.find((r) => r.case === name);
    const head = `target wasmtrain ≥ ${goal}× ${name}:`;
    if (!other) return `${head} not run (filtered out)`;
    if (!base || !other.medianMs) return `${head} not measured (${other.error ?? "wasmtrain failed"})`;
    const r = speedup(base.medianMs, other.medianMs);
    return `${head} ${formatRatio(r)}, ${r >= goal ? "met" : "NOT met"}`;
  });
}

/** The table for one suite's results (rows in case order). */
export function suiteTable(suite, results) {
  const hasBytes = suite.bytes !== undefined;
  const hasFlops = suite.flops !== undefined;
  const base = results.find((r) => r.case === "wasmtrain" && r.medianMs);
  const headers = ["case", "median", "cpu/op", "ops/s", `${suite.unit}s/s`];
  if (hasBytes) headers.push("GB/s", "of BW");
  if (hasFlops) headers.push("GFLOP/s", "of peak");
  headers.push("±rme", "n");
  if (base) headers.push("wasmtrain is");
  const rows = results.map((r) => {
    if (r.error) {
      const row = [r.case, "error"];
      while (row.length < headers.length) row.push("");
      return row;
    }
    const row = [r.case, formatTime(r.medianMs / 1e3), r.cpuMsPerOp === null ? "-" : formatTime(r.cpuMsPerOp / 1e3), r.opsPerSec.toPrecision(4), formatRate(r.itemsPerSec, suite.unit).replace(/ \S+\/s$/, "")];
    if (hasBytes) row.push(r.gbPerSec.toFixed(2), formatPercent(r.bandwidthFraction));
    if (hasFlops) row.push(r.gflops.toFixed(2), formatPercent(r.computeFraction));
    row.push(`${r.rme.toFixed(1)}%`, String(r.samples));
    if (base) row.push(r.case === "wasmtrain" ? "" : `${formatRatio(speedup(base.medianMs, r.medianMs))} ${r.case}`);
    return row;
  });
  return renderTable(headers, rows);
}

// ---------------------------------------------------------------- running

/**
 * The process's CPU time (user + system) per call of fn, over calls made for
 * at least `seconds` (at least one call): what an op costs when it is not
 * preempted, for comparison with the wall-clock median on a busy machine.
 * It counts every thread of the process (e.g. V8's background GC), so it is
 * an estimate.
 */
export function cpuTimePerCall(fn, seconds) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let calls = 0;
  while (calls < 1 || (performance.now() - t0) / 1e3 < seconds) {
    fn();
    calls++;
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6 / calls;
}

let BenchmarkClass = null;
function Benchmark() {
  if (!BenchmarkClass) {
    BenchmarkClass = require("benchmark");
    // Call the timed function as written: decompiling it would break closures.
    BenchmarkClass.support.decompilation = false;
  }
  return BenchmarkClass;
}

/**
 * Calls fn for at least `seconds` (and at least once) before timing, so that
 * V8 has tiered the JS and the WebAssembly up (benchmark.js's own calibration
 * cycles would otherwise be sampled in the baseline tiers).
 */
function warmUp(fn, seconds) {
  const t0 = performance.now();
  let calls = 0;
  let last = 0;
  while (calls < 1 || (performance.now() - t0) / 1e3 < seconds) {
    const t = performance.now();
    const r = fn();
    last = (performance.now() - t) / 1e3;
    if (calls === 0 && r && typeof r.then === "function") {
      throw new TypeError("the timed function returned a Promise: it must be synchronous (do async work in the factory)");
    }
    calls++;
  }
  return last;
}

/** Ops at least this long (seconds) are timed call by call instead of by benchmark.js. */
export const SLOW_OP_SECONDS = 1;

/**
 * Times a slow op call by call: `minSamples` calls (at least 2), each one a
 * sample, with its process CPU time. benchmark.js would also make an untimed
 * pretest call in every cycle, doubling the run time of a multi-second op
 * without adding information.
 */
export function timeSlowFn(fn, options) {
  const n = Math.max(2, options.minSamples);
  const sample = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    sample.push((performance.now() - t) / 1e3);
  }
  const c = process.cpuUsage(c0);
  return {
    sample,
    rme: relativeMarginOfError(sample),
    mean: sample.reduce((a, b) => a + b, 0) / n,
    cpuPerOp: (c.user + c.system) / 1e6 / n,
  };
}

/** Times a synchronous function with benchmark.js; resolves to { sample, rme, mean }. */
export function timeFn(fn, options) {
  const B = Benchmark();
  return new Promise((resolve, reject) => {
    const bench = new B({
      fn,
      minSamples: options.minSamples,
      maxTime: options.maxTime,
      minTime: options.minTime,
      async: false,
      defer: false,
      onComplete() {
        if (this.error) reject(this.error);
        else resolve({ sample: this.stats.sample.slice(), rme: this.stats.rme, mean: this.stats.mean });
      },
      onError(e) {
        reject(e.target?.error ?? e);
      },
    });
    bench.run();
  });
}

/**
 * Runs one case: backend switch (tfjs), factory, warm-up, timing, teardown.
 * Returns a result row (with `error` set instead of numbers when it failed).
 */
export async function runCase(file, suite, caseName, env) {
  const result = { case: caseName, id: caseId(file, suite.name, caseName) };
  const backend = tfBackendOf(caseName);
  let teardown = null;
  try {
    if (backend) {
      const tfjs = await env.loadTf();
      await tfjs.useBackend(tfjs.tf, backend);
      env.ctx.tf = tfjs.tf;
    }
    const made = await suite.cases[caseName]({ ...env.ctx });
    let fn = made;
    let samples = null;
    if (made && typeof made === "object") {
      fn = made.fn;
      teardown = typeof made.teardown === "function" ? made.teardown : null;
      if (made.samples !== undefined) {
        if (!Number.isInteger(made.samples) || made.samples < 2) throw new TypeError(`samples must be an integer >= 2, got ${made.samples}`);
        samples = env.quick ? Math.min(made.samples, 2) : made.samples;
      }
    }
    if (typeof fn !== "function") throw new TypeError(`the factory must return a function or { fn, teardown }, got ${typeof fn}`);
    const options = benchOptions(suite, env.quick);
    const lastCall = warmUp(fn, samples ? 0 : options.warmupTime);
    // A timed function that leaves tf tensors behind measures a growing heap.
    const tensorsBefore = backend ? env.ctx.tf.memory().numTensors : 0;
    const slow = samples !== null || lastCall >= SLOW_OP_SECONDS;
    // Slow ops default to 5 samples (benchmark.js's own minimum) unless the suite or the case says otherwise.
    const slowOptions = samples ? { ...options, minSamples: samples }
      : suite.options?.minSamples === undefined ? { ...options, minSamples: Math.min(options.minSamples, 5) } : options;
    const timed = slow ? timeSlowFn(fn, slowOptions) : await timeFn(fn, options);
    result.timer = slow ? "call by call" : "benchmark.js";
    if (backend && env.ctx.tf.memory().numTensors > tensorsBefore) result.tfLeakedTensors = env.ctx.tf.memory().numTensors - tensorsBefore;
    const cpuPerOp = slow ? timed.cpuPerOp : cpuTimePerCall(fn, env.quick ? 0.05 : 0.2);
    const med = median(timed.sample);
    Object.assign(result, caseMetrics(suite, med, env.ceilings), {
      meanMs: timed.mean * 1e3,
      bestMs: Math.min(...timed.sample) * 1e3,
      cpuMsPerOp: cpuPerOp === null ? null : cpuPerOp * 1e3,
      rme: timed.rme,
      samples: timed.sample.length,
      sampleMs: timed.sample.map((s) => s * 1e3),
    });
  } catch (e) {
    result.error = (e && e.message) || String(e);
  } finally {
    if (teardown) {
      try {
        await teardown();
      } catch (e) {
        result.error ??= `teardown: ${(e && e.message) || e}`;
      }
    }
  }
  return result;
}

/**
 * Runs every selected case of one suite and prints its table. `env` =
 * { ctx, quick, filter, ceilings, loadTf, log }. Returns the suite's record.
 */
export async function runSuite(file, suite, env) {
  const selected = Object.keys(suite.cases).filter((c) => !env.filter || env.filter.test(caseId(file, suite.name, c)));
  const record = { file, name: suite.name, unit: suite.unit, items: suite.items, bytes: suite.bytes ?? null, flops: suite.flops ?? null, ceiling: suite.ceiling ?? null, cases: [] };
  if (selected.length === 0) return null;
  env.log(`\n${suite.name}  [${file}]`);
  for (const c of selected) record.cases.push(await runCase(file, suite, c, env));
  env.log(suiteTable(suite, record.cases));
  for (const r of record.cases) if (r.error) env.log(`${r.case}: error: ${r.error}`);
  const line = ratioLine(record.cases);
  if (line) env.log(line);
  for (const t of targetLines(suite, record.cases)) env.log(t);
  for (const r of record.cases) {
    if (r.tfLeakedTensors && !r.error) env.log(`warning: ${r.case} left ${r.tfLeakedTensors} more tf tensors allocated after timing (the timed function must dispose what it creates)`);
  }
  const base = record.cases.find((r) => r.case === "wasmtrain" && r.medianMs);
  if (base) {
    record.wasmtrainIs = {};
    for (const r of record.cases) if (r !== base && r.medianMs) record.wasmtrainIs[r.case] = speedup(base.medianMs, r.medianMs);
  }
  return record;
}
