// TensorFlow.js's threaded wasm backend in Node — a shim (tfjs issue #3830:
// tfjs-backend-wasm turns threads off under Node, WASM_HAS_MULTITHREAD_SUPPORT
// is false there). What it takes, for @tensorflow/tfjs-backend-wasm 4.22:
// 1. the flag set to true before tf.setBackend('wasm'), so the threaded SIMD
//    binary and Emscripten's pthread glue are used;
// 2. Emscripten's Node glue creates its 8 pthread workers with
//    require("worker_threads").Worker(url), where url is a Blob URL of
//    tfjs's embedded worker source, which Node cannot start: the Worker class
//    is replaced by one that starts that source with { eval: true } instead;
// 3. that worker source loads the main glue with importScripts(Blob URL),
//    which its Node branch implements as fs.readFileSync(url): the shim
//    replaces it with an eval of the glue file from node_modules;
// 4. the backend sizes its pool min(requested, logical cores / 2) (it assumes
//    two hardware threads per core; in Node the glue counts os.cpus()), so
//    os.cpus() is padded to 2 × the thread count asked for.
// Install before loading tfjs-backend-wasm; returns what it patched.
const fs = require("node:fs");
const os = require("node:os");
const workerThreads = require("node:worker_threads");

exports.installTfjsThreadsShim = function installTfjsThreadsShim(threads) {
  const { wasmWorkerContents } = require("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js");
  const glue = fs.readFileSync(require.resolve("@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js"), "utf8");
  // tfjs escapes the newlines of the template string before making its Blob; so do we.
  const source = wasmWorkerContents.replace(/\n/g, "\\n").replace(/importScripts:function\(f\)\{[^}]*\}/, () => `importScripts:function(){(0,eval)(${JSON.stringify(glue)})}`);
  if (!source.includes("importScripts:function(){(0,eval)(")) {
    throw new Error("tfjs threads shim: importScripts not found in tfjs-backend-wasm's worker source (another version?)");
  }
  const RealWorker = workerThreads.Worker;
  const started = { workers: 0 };
  workerThreads.Worker = class TfjsPthreadWorker extends RealWorker {
    constructor(url, options) {
      if (String(url).startsWith("blob:")) {
        super(source, { eval: true });
        started.workers++;
      } else super(url, options);
    }
  };
  const cpus = os.cpus;
  os.cpus = () => {
    const list = cpus();
    while (list.length < 2 * threads) list.push(list[0]);
    return list;
  };
  return started;
};
