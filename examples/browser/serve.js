#!/usr/bin/env node
// `npm run demo`: builds the demo (scripts/build-demo.mjs) and serves it on
// http://127.0.0.1:8080/ (or --port N; --port 0 picks a free port), with the
// two headers that make the page crossOriginIsolated, so wasmtrain trains on
// every core (docs/threads.md).
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDemo } from "../../scripts/build-demo.mjs";
import { serveStatic } from "../../scripts/static-server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const portArg = args.indexOf("--port");
const port = portArg >= 0 ? Number(args[portArg + 1]) : Number(process.env.PORT ?? 8080);

await buildDemo();
const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
let server;
try {
  server = await serveStatic(here, { port, headers });
} catch (e) {
  if (e.code !== "EADDRINUSE") throw e;
  console.log(`port ${port} is in use; picking a free one`);
  server = await serveStatic(here, { port: 0, headers });
}
console.log(`wasmtrain demo: ${server.url}`);
console.log("Ctrl-C to stop");
const stop = () => server.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
