#!/usr/bin/env node
// wasmtrain's command line: `wasmtrain train ...`, `wasmtrain study ...`, `--help`.
import { buildProgram } from "../examples/mnist/cli.js";

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(message.startsWith("wasmtrain") ? `${message}\n` : `wasmtrain: ${message}\n`);
  process.exitCode = 1;
}
