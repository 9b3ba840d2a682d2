// Every kernel of the registry (src/backend/registry.ts), on the running
// WebAssembly build and on its pure-JS twin, at the entry's benchmark size:
// the same table drives these suites and the agreement test
// (test/backend/registry.test.ts). Figures are per element (or per row ×
// column) of the sample.
import { backend } from "../../dist/backend/index.js";
import { JsBackend } from "../../dist/backend/js.js";
import { kernelCases, materialize, runKernel } from "../../dist/backend/registry.js";

function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function kernelCase(name, entry, pick) {
  return async ({ wt }) => {
    const m = materialize(entry.sample(entry.benchN, lcg(1)), (a) => wt.tensor(a));
    const impl = pick();
    return {
      fn: () => runKernel(impl, name, m.args),
      teardown: () => {
        for (const t of m.tensors) t.dispose();
        for (const t of m.tables) t.dispose();
      },
    };
  };
}

export default function suites() {
  return kernelCases().map(({ name, entry }) => ({
    name: `kernel ${name}${entry.variant ? ` ${entry.variant}` : ""} (${entry.family}), n = ${entry.benchN}`,
    unit: "element",
    items: entry.benchN,
    options: { minSamples: 5, maxTime: 1 },
    cases: {
      wasmtrain: kernelCase(name, entry, () => backend()),
      "pure-js": kernelCase(name, entry, () => new JsBackend()),
    },
  }));
}
