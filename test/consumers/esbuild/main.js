// An esbuild app as a user writes it: a plain import, no plugin, no configuration.
import * as wt from "wasmtrain";
import { smoke } from "./checks.js";

const build = new URLSearchParams(location.search).get("build") ?? undefined;
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const fromWorker = new Promise((resolve) => {
  worker.onmessage = (e) => resolve(e.data);
  worker.onerror = (e) => resolve({ error: `the worker failed: ${e.message}` });
});
worker.postMessage({ build });
const inPage = smoke(wt, { build }).catch((e) => ({ error: String(e?.stack ?? e) }));
window.results = Promise.all([inPage, fromWorker]).then(([page, worker]) => ({ page, worker }));
