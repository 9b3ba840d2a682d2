// The same package inside a module Web Worker. Import maps do not apply to
// workers (Chromium 156 still ignores them there), so a worker without a
// bundler imports the package by its URL.
import * as wt from "./node_modules/wasmtrain/dist/index.js";
import { smoke } from "./checks.js";

self.onmessage = async (e) => {
  try {
    postMessage(await smoke(wt, e.data));
  } catch (err) {
    postMessage({ error: String(err?.stack ?? err) });
  }
};
