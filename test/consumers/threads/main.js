// ?in=page (default): the check on the page's main thread, which may not
// block; ?in=worker: in a module Web Worker. ?counts=1,2,3 &request=3
// &build=simd pass through to threadNumbers().
import * as wt from "wasmtrain";
import { threadNumbers } from "./threads.js";

const params = new URLSearchParams(location.search);
const options = {
  counts: (params.get("counts") ?? "1,2,3").split(",").map(Number),
  request: Number(params.get("request") ?? 3),
  build: params.get("build") ?? undefined,
};

function inWorker() {
  const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  return new Promise((resolve) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => resolve({ error: `the worker failed: ${e.message}` });
    worker.postMessage(options);
  });
}

window.results = (params.get("in") === "worker" ? inWorker() : threadNumbers(wt, options)).catch((e) => ({
  error: String(e?.stack ?? e),
}));
