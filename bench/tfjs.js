// TensorFlow.js for the benchmarks: @tensorflow/tfjs-core with its cpu backend
// and its wasm backend (XNNPACK), single-threaded, SIMD binary.
//
// In Node the wasm backend never uses threads (its WASM_HAS_MULTITHREAD_SUPPORT
// flag is false under IS_NODE), so it picks tfjs-backend-wasm-simd.wasm when
// the engine has SIMD. We still pin it: the flag is set to false, the thread
// count to 1, and every binary name maps to the non-threaded SIMD file. Then we
// record which .wasm file the Emscripten loader actually reads (it uses
// fs.readFileSync in Node), so the report states it rather than assumes it.
import fs from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

let loaded = null;

/**
 * tfjs-core's Node bundle (tf-core.node.js) has no gradient functions: the
 * union package @tensorflow/tfjs registers them from tfjs-core's ESM sources
 * (dist/register_all_gradients.js), whose extensionless imports Node cannot
 * load. So we bundle that file with esbuild (a devDependency) and run it.
 * Its copy of tfjs-core's internals shares the engine, kernel and gradient
 * registries with the loaded tfjs-core through tfjs's global namespace.
 */
export async function registerAllGradients() {
  const esbuild = await import("esbuild");
  const entry = require.resolve("@tensorflow/tfjs-core/dist/register_all_gradients.js");
  const out = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "cjs",
    platform: "node",
    write: false,
    logLevel: "silent",
  });
  const module = { exports: {} };
  new Function("require", "module", "exports", out.outputFiles[0].text)(require, module, module.exports);
}

/**
 * Loads tfjs-core with the cpu and wasm backends once. Returns
 * `{ tf, info }`: `info` names the versions, the wasm binary read, the thread
 * count and the SIMD flag.
 */
export async function loadTf() {
  if (loaded) return loaded;
  const tf = require("@tensorflow/tfjs-core");
  require("@tensorflow/tfjs-backend-cpu");
  await registerAllGradients();
  const wasmBackend = require("@tensorflow/tfjs-backend-wasm");
  const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"));
  const simd = join(dist, "tfjs-backend-wasm-simd.wasm");
  wasmBackend.setWasmPaths({
    "tfjs-backend-wasm.wasm": simd,
    "tfjs-backend-wasm-simd.wasm": simd,
    "tfjs-backend-wasm-threaded-simd.wasm": simd,
  });
  wasmBackend.setThreadsCount(1);
  // Production mode, as a speed-minded user would run it (it skips debug
  // checks; it also silences the cpu backend's "install tfjs-node" banner).
  tf.enableProdMode();
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);

  const wasmFilesRead = [];
  const readFileSync = fs.readFileSync;
  fs.readFileSync = function spy(path, ...rest) {
    if (String(path).endsWith(".wasm")) wasmFilesRead.push(String(path));
    return readFileSync.call(this, path, ...rest);
  };
  try {
    if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
    await tf.ready();
  } finally {
    fs.readFileSync = readFileSync;
  }
  const backend = tf.backend();
  const threads = backend.wasm?.tfjs?.getThreadsCount?.();
  const simdFlag = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  if (!(await tf.setBackend("cpu"))) throw new Error("tf.setBackend('cpu') failed");
  await tf.ready();
  const info = {
    tfjsCore: tf.version_core,
    tfjsBackendCpu: require("@tensorflow/tfjs-backend-cpu/package.json").version,
    tfjsBackendWasm: require("@tensorflow/tfjs-backend-wasm/package.json").version,
    wasmBinary: wasmFilesRead.length ? wasmFilesRead.map((p) => p.replace(/^.*node_modules\//, "")).join(", ") : "unknown (not read through fs)",
    wasmThreads: threads ?? null,
    wasmSimd: simdFlag,
  };
  loaded = { tf, info };
  return loaded;
}

/** Makes `name` ('cpu' or 'wasm') the active backend. */
export async function useBackend(tf, name) {
  if (tf.getBackend() !== name) {
    if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  }
  await tf.ready();
}
