#!/usr/bin/env node
// wasmtrain's command line: `wasmtrain train ...`, `wasmtrain study ...`, `--help`.
import { buildProgram } from "../examples/mnist/cli.js";

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`wasmtrain: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
