// The browser benchmark's page (bench/browser/run.js opens it once per
// library and thread count): ?lib=wasmtrain|tfjs &threads=1|all &quick=1.
// Runs the cases of cases.js on the main thread of a crossOriginIsolated page
// (the runner's server sends COOP/COEP) and sets window.results to
// { lib, threads, info, cases: { name: { medianMs, minMs, samples } } }.
import { tfjsCases, wasmtrainCases } from "./cases.js";

const params = new URLSearchParams(location.search);
const lib = params.get("lib");
const quick = params.get("quick") === "1";
const cores = navigator.hardwareConcurrency || 1;
const threads = params.get("threads") === "all" ? cores : Number(params.get("threads") ?? 1);

async function tfjs() {
  // TF.js's wasm backend (src/cc/backend.cc) caps its thread pool at
  // navigator.hardwareConcurrency / 2, assuming two hardware threads per core:
  // on a 2-vCPU machine that is 1 whatever setThreadsCount asks. So it is
  // shown 2 × threads logical cores (read once, when its module starts).
  let shownCores = cores;
  if (threads > 1 && Math.floor(cores / 2) < threads) {
    shownCores = 2 * threads;
    Object.defineProperty(Navigator.prototype, "hardwareConcurrency", { get: () => shownCores, configurable: true });
  }
  // The directory of all three binaries: a string prefix (not a file map) keeps the threaded SIMD binary eligible.
  const wasmPaths = "/node_modules/@tensorflow/tfjs-backend-wasm/dist/";
  return tfjsCases(() => import("tfjs-bundle"), { threads, quick, cores, wasmPaths, shownCores });
}

const run = lib === "tfjs" ? tfjs() : lib === "wasmtrain" ? import("wasmtrain").then((wt) => wasmtrainCases(wt, { threads, quick, cores })) : Promise.reject(new Error(`unknown lib ${lib}`));
window.results = run.then((r) => ({ lib, threads, ...r })).catch((e) => ({ lib, threads, error: String(e?.stack ?? e) }));
