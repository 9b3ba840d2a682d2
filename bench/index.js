#!/usr/bin/env node
// `npm run bench`: measures this machine's ceilings, then runs every suite in
// bench/suites/*.js (wasmtrain vs pure JS vs TensorFlow.js) and prints one
// table per suite. See bench/README.md and `node bench/index.js --help`.
//
// Node 20 runs WebAssembly relaxed SIMD only behind
// --experimental-wasm-relaxed-simd. So that the benchmark shows the fastest
// build by default, this script re-runs itself with that flag when the engine
// lacks relaxed SIMD (unless --no-reexec, or --build simd|js was asked for).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { USAGE, caseId, deriveCeilings, formatRatio, parseArgs, runSuite, validateSuites } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`bench: ${e.message}\n\n${USAGE}`);
  process.exit(2);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}

function engineHasRelaxedSimd() {
  // f32x4.relaxed_madd on three v128.const zeros, in a () -> v128 function.
  const zero = [0xfd, 0x0c, ...new Array(16).fill(0)];
  const code = [0x00, ...zero, ...zero, ...zero, 0xfd, 0x85, 0x02, 0x0b];
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
    0x03, 0x02, 0x01, 0x00, 0x0a, code.length + 2, 0x01, code.length, ...code,
  ]);
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

const wantsRelaxed = opts.build === null || opts.build === "relaxed-simd";
if (opts.reexec && wantsRelaxed && !engineHasRelaxedSimd() && !process.execArgv.includes(RELAXED_FLAG) && !process.env.WASMTRAIN_BENCH_REEXEC) {
  const r = spawnSync(process.execPath, [RELAXED_FLAG, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, WASMTRAIN_BENCH_REEXEC: "1" },
  });
  process.exit(r.status ?? 1);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

// `npm run bench` rebuilds the .wasm when assembly/ changed; dist/ (tsc) is
// rebuilt here when src/ is newer, so the suites never import stale code.
function buildIfStale() {
  const distIndex = join(root, "dist/index.js");
  const stale =
    !existsSync(distIndex) ||
    newestMtime(join(root, "src")) > statSync(distIndex).mtimeMs ||
    newestMtime(join(root, "assembly")) > statSync(join(root, "src/runtime/wasm-bytes.generated.ts")).mtimeMs;
  if (!stale) return;
  console.log("bench: dist/ is stale; running scripts/build.mjs");
  const r = spawnSync(process.execPath, [join(root, "scripts/build.mjs")], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const log = (s = "") => console.log(s);

async function main() {
  buildIfStale();
  const wt = await import(pathToFileURL(join(root, "dist/index.js")).href);
  if (opts.build === "relaxed-simd" && !engineHasRelaxedSimd()) {
    console.error(`bench: --build relaxed-simd needs relaxed SIMD: run node ${RELAXED_FLAG} bench/index.js (Node 20), or Node 22+`);
    process.exit(2);
  }
  await wt.ready({ ...(opts.build ? { build: opts.build } : {}), threads: opts.threads });
  const build = wt.backendInfo().build;

  const cpus = os.cpus();
  const machine = {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    execArgv: process.execArgv,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model ?? "unknown",
    cpuMHz: cpus[0]?.speed ?? null,
    logicalCores: cpus.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadAverage: os.loadavg().map((x) => +x.toFixed(2)),
    build,
    threads: opts.threads,
    relaxedSimdInEngine: engineHasRelaxedSimd(),
    quick: opts.quick,
    filter: opts.filter ? opts.filter.source : null,
    benchmarkJs: createRequire(import.meta.url)("benchmark/package.json").version,
  };
  log(`wasmtrain benchmarks — ${machine.date}`);
  log(`node ${machine.node} (V8 ${machine.v8})${machine.execArgv.length ? " " + machine.execArgv.join(" ") : ""}, ${machine.platform}`);
  log(`CPU: ${machine.cpu}, ${machine.logicalCores} logical cores, ${machine.memoryGiB} GiB; load average ${machine.loadAverage.join(" ")}`);
  const info = wt.backendInfo();
  log(`wasmtrain threads: ${info.threads} (--threads; threads.js compares ${os.availableParallelism?.() ?? cpus.length} with 1)${info.threadsUnavailable ? ` — ${info.threadsUnavailable}` : ""}`);
  log(`wasmtrain build: ${build}${build !== "relaxed-simd" && !machine.relaxedSimdInEngine ? ` (relaxed SIMD not in this engine; Node 20: node ${RELAXED_FLAG} bench/index.js)` : ""}`);
  if (opts.quick) log("--quick: few samples, figures are rough");

  let tfjs = null;
  const loadTf = async () => {
    if (!tfjs) {
      const m = await import("./tfjs.js");
      const { tf, info } = await m.loadTf();
      machine.tfjs = info;
      log(`(TensorFlow.js ${info.tfjsCore}: cpu backend; wasm backend with ${info.wasmBinary}, ${info.wasmThreads} thread(s), SIMD ${info.wasmSimd})`);
      tfjs = { tf, useBackend: m.useBackend };
    }
    return tfjs;
  };

  const env = { ctx: { wt, tf: null, quick: opts.quick }, quick: opts.quick, filter: opts.filter, ceilings: {}, loadTf, log };
  const files = readdirSync(join(here, "suites"))
    .filter((f) => f.endsWith(".js"))
    .sort((a, b) => (a === "ceilings.js" ? -1 : b === "ceilings.js" ? 1 : a.localeCompare(b)));
  const output = { machine, ceilings: null, suites: [], errors: [] };
  let suitesHeading = false;

  for (const f of files) {
    const file = f.replace(/\.js$/, "");
    const isCeilings = file === "ceilings";
    if (isCeilings && !opts.ceilings) continue;
    let list;
    try {
      const mod = await import(pathToFileURL(join(here, "suites", f)).href);
      if (typeof mod.default !== "function") throw new TypeError(`${f} must default-export a function suites(ctx)`);
      list = await mod.default({ wt, quick: opts.quick });
      validateSuites(list, file);
    } catch (e) {
      log(`\n${relative(root, join(here, "suites", f))}: skipped — ${e.message}`);
      output.errors.push({ file, error: e.message });
      continue;
    }
    if (opts.list) {
      for (const suite of list) {
        for (const c of Object.keys(suite.cases)) {
          const id = caseId(file, suite.name, c);
          if (!opts.filter || opts.filter.test(id)) log(id);
        }
      }
      continue;
    }
    if (isCeilings) log("\n=== Ceilings (this machine, one core, WebAssembly) ===");
    else if (!suitesHeading) {
      log("\n=== Suites ===");
      suitesHeading = true;
    }
    // The ceilings are always measured (the fractions need them); --filter selects the rest.
    const suiteEnv = isCeilings ? { ...env, filter: null } : env;
    for (const suite of list) {
      const record = await runSuite(file, suite, suiteEnv);
      if (record) output.suites.push(record);
      wt.setNumThreads(opts.threads); // threads.js sets its own counts
      await wt.ready();
    }
    if (isCeilings) {
      // A ceiling is what the core does at best, so it is the fastest
      // sample's rate: on a shared machine the median moves with the load.
      const median = {};
      const best = {};
      for (const r of output.suites.filter((s) => s.ceiling)) {
        const c = r.cases.find((x) => x.medianMs);
        if (!c) continue;
        median[r.ceiling] = r.flops ? c.gflops : c.gbPerSec;
        best[r.ceiling] = (r.flops ?? r.bytes) / (c.bestMs * 1e-3) / 1e9;
      }
      env.ceilings = deriveCeilings(best, build);
      output.ceilings = { ...env.ceilings, median };
      const fmt = (x, u) => (x ? `${x.toFixed(1)} ${u}` : "-");
      const line = (m) =>
        `mul+add ${fmt(m.mulAdd, "GFLOP/s")}, relaxed FMA ${fmt(m.fma, "GFLOP/s")}, ` +
        `copy ${fmt(m.copy, "GB/s")}, triad ${fmt(m.triad, "GB/s")}, update ${fmt(m.update, "GB/s")} (memory.copy ${fmt(m.bulkCopy, "GB/s")})`;
      log(`\nceilings (fastest sample): ${line(best)}`);
      log(`(medians: ${line(median)})`);
      log(`fractions below use compute ${fmt(env.ceilings.compute, "GFLOP/s")} (the ${build} build's) and bandwidth ${fmt(env.ceilings.bandwidth, "GB/s")}`);
    }
  }

  const compared = output.suites.filter((s) => s.wasmtrainIs && Object.keys(s.wasmtrainIs).length);
  if (compared.length) {
    log("\n=== Summary: wasmtrain vs each competitor (median time ratio) ===");
    for (const s of compared) {
      log(`${s.name}: ${Object.entries(s.wasmtrainIs).map(([k, v]) => `${formatRatio(v)} ${k}`).join(", ")}`);
    }
  }
  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify(output, null, 2) + "\n");
    log(`\nwrote ${opts.json}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
