// The threads check inside a module Web Worker (a worker may block in
// Atomics.wait). Import maps do not apply to workers: the package by its URL.
import * as wt from "./node_modules/wasmtrain/dist/index.js";
import { threadNumbers } from "./threads.js";

self.onmessage = async (e) => {
  try {
    postMessage(await threadNumbers(wt, e.data));
  } catch (err) {
    postMessage({ error: String(err?.stack ?? err) });
  }
};
