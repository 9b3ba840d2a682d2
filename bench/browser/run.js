#!/usr/bin/env node
// wasmtrain vs TensorFlow.js's threaded wasm backend in headless Chromium,
// each on one thread and on every core: `npm run bench:browser`
// (bench/README.md, "In Chromium").
//
// Serves bench/browser/ (the page), dist/ and node_modules/ (tfjs-backend-wasm's
// .wasm binaries) on 127.0.0.1 with COOP/COEP, so the page is
// crossOriginIsolated and both libraries can use threads; bundles tfjs-core +
// its gradients + tfjs-backend-wasm with esbuild; opens one fresh page per
// library and thread count (TF.js fixes its thread count when its backend
// starts), `--rounds` times, interleaved; prints medians, thread scaling and
// wasmtrain-vs-TF.js ratios.
//
// With --node, the same four configurations run in Node instead (a process
// each, node-case.js; TF.js's threads through tfjs-node-threads.cjs).
//
//   node bench/browser/run.js [--quick] [--rounds N] [--threads N] [--json FILE] [--node]
//   CHROMIUM_PATH=/path/to/chrome node bench/browser/run.js
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import * as esbuild from "esbuild";
import { serveStatic } from "../../scripts/static-server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string", default: "1" },
    threads: { type: "string" },
    json: { type: "string" },
    node: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  console.log("node bench/browser/run.js [--quick] [--rounds N] [--threads N (default: navigator.hardwareConcurrency)] [--json FILE] [--node (in Node instead of Chromium)]");
  process.exit(0);
}
const rounds = Number(args.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`--rounds must be a positive integer, got ${args.rounds}`);
if (args.threads !== undefined && !(Number.isInteger(Number(args.threads)) && Number(args.threads) >= 2)) {
  throw new RangeError(`--threads must be an integer ≥ 2, got ${args.threads}`);
}

if (!existsSync(join(root, "dist/index.js"))) {
  console.error("bench:browser: dist/ is missing; run npm run build (npm run bench:browser does)");
  process.exit(1);
}

let run, finish, environment;
if (args.node) ({ run, finish, environment } = await inNode());
else ({ run, finish, environment } = await inChromium());

/** Each configuration in a Node process of its own (node-case.js). */
async function inNode() {
  const { hasRelaxedSimd } = await import(pathToFileURL(join(root, "dist/runtime/features.js")).href);
  const flags = hasRelaxedSimd() ? [] : ["--experimental-wasm-relaxed-simd"];
  const run = async (lib, threads) => {
    const out = execFileSync(process.execPath, [...flags, join(here, "node-case.js"), lib, String(threads), args.quick ? "quick" : ""], {
      encoding: "utf8",
      maxBuffer: 16 << 20,
      stdio: ["ignore", "pipe", "inherit"],
    });
    return { ...JSON.parse(out), wasmFetched: [] };
  };
  return { run, finish: async () => {}, environment: `Node ${process.version}${flags.length ? " " + flags.join(" ") : ""}, one process per configuration` };
}

/** Each configuration in a fresh page of headless Chromium, served with COOP/COEP. */
async function inChromium() {
  const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  const executablePath = process.env.CHROMIUM_PATH || CANDIDATES.find((p) => existsSync(p));
  if (!executablePath || !existsSync(executablePath)) {
    console.error("bench:browser: Chromium not found ($CHROMIUM_PATH, /usr/bin/chromium, …); install it: apt-get install -y chromium");
    process.exit(1);
  }

  const work = mkdtempSync(join(tmpdir(), "wasmtrain-bench-browser-"));
  await esbuild.build({
    entryPoints: [join(here, "tfjs-entry.js")],
    bundle: true,
    format: "esm",
    platform: "browser",
    outfile: join(work, "tfjs-bundle.js"),
    logLevel: "warning",
  });

  const requests = [];
  const server = await serveStatic([here, work, root], {
    headers: { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" },
  });
  server.server.on("request", (req) => requests.push(req.url));
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const chromiumVersion = browser.version();

  async function run(lib, threads) {
    const page = await browser.newPage();
    const log = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") log.push(`console.${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => log.push(`uncaught: ${e.message}`));
    const first = requests.length;
    try {
      await page.goto(`${server.url}index.html?lib=${lib}&threads=${threads}${args.quick ? "&quick=1" : ""}`);
      await page.waitForFunction(() => window.results !== undefined, null, { timeout: 600_000, polling: 500 });
      const r = await page.evaluate(() => window.results);
      r.wasmFetched = requests.slice(first).filter((u) => u.endsWith(".wasm"));
      if (r.error) throw new Error(`${lib}, ${threads} thread(s): ${r.error}\n${log.join("\n")}`);
      return r;
    } finally {
      await page.close();
    }
  }
  const finish = async () => {
    await browser.close().catch(() => {});
    await server.close();
    rmSync(work, { recursive: true, force: true });
  };
  return { run, finish, environment: `Chromium ${chromiumVersion} (${executablePath}), headless, page's main thread` };
}

const loadBefore = loadavg();
const all = args.threads ?? "all";
const configs = [
  ["wasmtrain", 1],
  ["wasmtrain", all],
  ["tfjs", 1],
  ["tfjs", all],
];
const results = new Map(configs.map(([lib, t]) => [`${lib}/${t}`, []]));
try {
  for (let round = 0; round < rounds; round++) {
    for (const [lib, t] of round % 2 ? [...configs].reverse() : configs) {
      const r = await run(lib, t);
      results.get(`${lib}/${t}`).push(r);
      process.stderr.write(`  ${lib}, ${r.threads} thread(s): ${Object.entries(r.cases).map(([n, c]) => `${n} ${c.medianMs.toFixed(3)} ms`).join(", ")}\n`);
    }
  }
} finally {
  await finish();
}
const loadAfter = loadavg();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** The median over rounds of each round's median (or the fastest sample of all rounds), in ms. */
const ms = (key, name, stat = "medianMs") =>
  stat === "minMs" ? Math.min(...results.get(key).map((r) => r.cases[name].minMs)) : median(results.get(key).map((r) => r.cases[name].medianMs));
const fmt = (x) => (x >= 100 ? x.toFixed(1) : x >= 10 ? x.toFixed(2) : x.toFixed(3));

const w1 = results.get("wasmtrain/1")[0], wN = results.get(`wasmtrain/${all}`)[0];
const t1 = results.get("tfjs/1")[0], tN = results.get(`tfjs/${all}`)[0];
const n = wN.threads;
console.log(`${environment}; logical cores ${wN.info.hardwareConcurrency}, crossOriginIsolated ${wN.info.crossOriginIsolated}`);
console.log(`wasmtrain build ${wN.info.build} (threaded variant), ${w1.info.threads} and ${wN.info.threads} threads`);
console.log(
  `TensorFlow.js ${tN.info.version} wasm backend: threads ${t1.info.threads} and ${tN.info.threads}, SIMD ${tN.info.simdSupport}, multithread ${tN.info.multithreadSupport}, shown ${tN.info.hardwareConcurrencyShownToTfjs} logical cores (it uses at most half)${args.node ? `, ${tN.info.pthreadWorkersStarted} pthread workers started through the shim` : `; binary fetched: ${[...new Set([...t1.wasmFetched, ...tN.wasmFetched])].join(", ")}`}`,
);
console.log(`${rounds} round(s)${args.quick ? ", --quick" : ""}; load average ${loadBefore.map((l) => l.toFixed(1)).join(" ")} before, ${loadAfter.map((l) => l.toFixed(1)).join(" ")} after`);
console.log("");
const header = ["case", "wasmtrain 1", `wasmtrain ${n}`, "scaling", "TF.js 1", `TF.js ${n}`, "scaling", "TF.js ÷ wasmtrain, 1", `TF.js ÷ wasmtrain, ${n}`];
for (const stat of ["medianMs", "minMs"]) {
  const rows = [];
  for (const name of Object.keys(w1.cases)) {
    const a = ms("wasmtrain/1", name, stat), b = ms(`wasmtrain/${all}`, name, stat);
    const c = ms("tfjs/1", name, stat), d = ms(`tfjs/${all}`, name, stat);
    rows.push([name, `${fmt(a)} ms`, `${fmt(b)} ms`, `${(a / b).toFixed(2)}×`, `${fmt(c)} ms`, `${fmt(d)} ms`, `${(c / d).toFixed(2)}×`, `${(c / a).toFixed(2)}×`, `${(d / b).toFixed(2)}×`]);
  }
  console.log(stat === "medianMs" ? "median per call (each round's median of single-call samples, then the median over rounds):" : "\nfastest single call of all rounds (what the cores do when they have them; read these on a loaded machine):");
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}
console.log("\nscaling = 1 thread ÷ all threads; TF.js ÷ wasmtrain > 1 means wasmtrain is faster.");

if (args.json) {
  writeFileSync(args.json, JSON.stringify({ loadBefore, loadAfter, rounds, quick: args.quick, results: Object.fromEntries(results) }, null, 2));
  console.log(`wrote ${args.json}`);
}
