// Every kernel of the registry (src/backend/registry.ts) on the WebAssembly
// backend against the pure-JS backend (the twins), on the same sample: every
// tensor argument after the call, every table row's results and the return
// value agree bit for bit, or within the entry's stated tolerance. Sizes cover
// one element, the 4-lane tails and a few thousand elements.
import { describe, expect, it } from "vitest";
import { tensor } from "../../src/index.js";
import { backend } from "../../src/backend/index.js";
import { JsBackend } from "../../src/backend/js.js";
import { KERNELS, kernelCases, materialize, runKernel, type KernelEntry } from "../../src/backend/registry.js";
import type { TensorTable } from "../../src/backend/tensor_table.js";

const build = process.env.WASMTRAIN_BUILD;
const SIZES = [1, 3, 4, 7, 64, 257, 3001];

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Everything a call produced, as numbers: tensors' values, table results, the return value. */
function outputs(args: readonly unknown[], result: unknown, results = 0): number[][] {
  const out: number[][] = [];
  for (const a of args) {
    if (a && typeof a === "object" && "data" in a) out.push(Array.from((a as { data: Float32Array }).data));
    if (a && typeof a === "object" && "rows" in a) {
      for (const r of (a as TensorTable).rows) {
        for (const t of [r.p, r.g, r.s0, r.s1, r.s2]) if (t) out.push(Array.from(t.data));
        out.push([r.r0!, r.r1!].slice(0, results));
      }
    }
  }
  if (typeof result === "number") out.push([result]);
  return out;
}

function agree(got: number[][], want: number[][], agreement: KernelEntry["agreement"], what: string): void {
  expect(got.length, `${what}: number of outputs`).toBe(want.length);
  got.forEach((g, k) => {
    expect(g.length, `${what}: output ${k} length`).toBe(want[k].length);
    for (let i = 0; i < g.length; i++) {
      const a = g[i], b = want[k][i];
      if (agreement === "exact") {
        if (!Object.is(a, b) && !(Number.isNaN(a) && Number.isNaN(b))) throw new Error(`${what}: output ${k}[${i}] = ${a}, twin ${b}`);
      } else if (!(Math.abs(a - b) <= agreement.abs + agreement.rel * Math.abs(b)) && !(Number.isNaN(a) && Number.isNaN(b))) {
        throw new Error(`${what}: output ${k}[${i}] = ${a}, twin ${b} (tolerance ${agreement.abs} + ${agreement.rel}·|twin|)`);
      }
    }
  });
}

describe.runIf(build !== "js")("every registered kernel agrees with its pure-JS twin", () => {
  const js = new JsBackend();
  for (const { name, entry } of kernelCases()) {
    const variant = entry.variant ? ` ${entry.variant}` : "";
    it(`${name}${variant} (${entry.family}, ${entry.twin}, ${entry.agreement === "exact" ? "bit for bit" : `within ${entry.agreement.abs} + ${entry.agreement.rel}·|x|`})`, () => {
      for (const n of SIZES) {
        const wasm = materialize(entry.sample(n, rng(n)), (a) => tensor(a));
        const twin = materialize(entry.sample(n, rng(n)), (a) => tensor(a));
        const got = outputs(wasm.args, runKernel(backend(), name, wasm.args), entry.results);
        const want = outputs(twin.args, runKernel(js, name, twin.args), entry.results);
        agree(got, want, entry.agreement, `${name}${variant} n=${n}`);
        for (const m of [wasm, twin]) {
          for (const t of m.tensors) t.dispose();
          for (const t of m.tables) t.dispose();
        }
      }
    });
  }
});

describe("the registry", () => {
  it("lists every kernel of the running backend's interface, and nothing else", () => {
    const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(backend())).filter((k) => k !== "constructor").sort();
    expect(Object.keys(KERNELS).sort()).toEqual(methods);
  });
});
