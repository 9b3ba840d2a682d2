// What the benchmark page needs of TensorFlow.js, bundled by esbuild for the
// browser (bench/browser/run.js): tfjs-core with every gradient registered
// (the union package @tensorflow/tfjs would do the same) and the wasm backend,
// whose threaded SIMD binary is fetched from node_modules at run time.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { setWasmPaths, setThreadsCount, getThreadsCount } from "@tensorflow/tfjs-backend-wasm";

export { tf, setWasmPaths, setThreadsCount, getThreadsCount };
