#!/usr/bin/env node
// wasmtrain's command line: `wasmtrain train ...`, `wasmtrain study ...`, `--help`.
// It runs from a clone of the repository (`npx wasmtrain ...` after `npm ci`),
// where it first brings the library's build up to date, as `npm start` does.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

execFileSync(process.execPath, [fileURLToPath(new URL("../../scripts/build.mjs", import.meta.url)), "--if-stale"], { stdio: ["ignore", "ignore", "inherit"] });
const { buildProgram } = await import("../mnist/cli.js");

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(message.startsWith("wasmtrain") ? `${message}\n` : `wasmtrain: ${message}\n`);
  process.exitCode = 1;
}
