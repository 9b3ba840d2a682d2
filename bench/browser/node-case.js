// One library at one thread count in Node, for bench/browser/run.js --node:
//   node [--experimental-wasm-relaxed-simd] bench/browser/node-case.js <wasmtrain|tfjs> <threads> [quick]
// prints { lib, threads, info, cases } as JSON. TF.js runs its threaded wasm
// backend through tfjs-node-threads.cjs (a process per thread count: TF.js
// fixes its count when the backend starts).
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { tfjsCases, wasmtrainCases } from "./cases.js";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const [lib, t, q] = process.argv.slice(2);
const cores = availableParallelism();
const threads = t === "all" ? cores : Number(t);
const quick = q === "quick";

let result;
if (lib === "wasmtrain") {
  const wt = await import(pathToFileURL(join(here, "../../dist/index.js")).href);
  result = await wasmtrainCases(wt, { threads, quick, cores });
} else if (lib === "tfjs") {
  const shim = require("./tfjs-node-threads.cjs").installTfjsThreadsShim(threads);
  const load = async () => {
    const tf = require("@tensorflow/tfjs-core");
    const { registerAllGradients } = await import("../tfjs.js");
    await registerAllGradients();
    const wasm = require("@tensorflow/tfjs-backend-wasm");
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
    return { tf, ...wasm };
  };
  const wasmPaths = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm")), "/");
  result = await tfjsCases(load, { threads, quick, cores, wasmPaths, shownCores: 2 * threads });
  result.info.pthreadWorkersStarted = shim.workers;
} else throw new Error(`unknown lib ${lib}`);
process.stdout.write(JSON.stringify({ lib, threads, ...result }));
process.exit(0);
