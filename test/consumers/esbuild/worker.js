// The same package inside a module Web Worker.
import * as wt from "wasmtrain";
import { smoke } from "./checks.js";

self.onmessage = async (e) => {
  try {
    postMessage(await smoke(wt, e.data));
  } catch (err) {
    postMessage({ error: String(err?.stack ?? err) });
  }
};
