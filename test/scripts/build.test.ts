// scripts/build.mjs --if-stale (run by npm start, npm test and npm run bench)
// rebuilds the WebAssembly only when assembly/ or a config is newer than what
// it built. `npm test`'s pretest has just built everything, so a second
// --if-stale run must find nothing to do: an output it expects but no config
// writes (the ceilings module has no threaded builds) made every npm start
// rebuild all the .wasm files (~45 s) before training.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const once = process.env.WASMTRAIN_BUILD === "simd";

describe.runIf(once)("scripts/build.mjs --if-stale", () => {
  it("every output its configs name exists after the build", () => {
    for (const config of ["asconfig.json", "asconfig.ceilings.json"]) {
      const targets = JSON.parse(readFileSync(join(root, config), "utf8")).targets as Record<string, { outFile: string }>;
      for (const [name, t] of Object.entries(targets)) expect(existsSync(join(root, t.outFile)), `${config} ${name}: ${t.outFile}`).toBe(true);
    }
  });

  it("finds nothing stale right after a build (a second run rebuilds nothing)", () => {
    const out = execFileSync(process.execPath, [join(root, "scripts/build.mjs"), "--if-stale", "--wasm-only"], { cwd: root, encoding: "utf8" });
    expect(out).not.toMatch(/built /);
  });
});
