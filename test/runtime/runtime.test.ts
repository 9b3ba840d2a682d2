// Loading and build selection, checked in fresh Node processes (the test
// process itself already called ready()). The library source is bundled with
// esbuild so the child runs exactly this checkout's code.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { backendInfo, ready } from "../../src/index.js";
import { RELAXED_SIMD_FLAGS } from "../relaxed_flags.js";

let dir = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "wasmtrain-runtime-"));
  await build({
    entryPoints: [join(__dirname, "../../src/index.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    outfile: join(dir, "wasmtrain.mjs"),
    logLevel: "silent",
  });
});

/** Runs `body` (an async function body with `wt` in scope) in a new Node process; returns its JSON output. */
function runChild(body: string, nodeFlags: string[] = []): unknown {
  const file = join(dir, `child-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    file,
    `import * as wt from "./wasmtrain.mjs";\nconst out = await (async () => { ${body} })();\nprocess.stdout.write(JSON.stringify(out));\n`,
  );
  return JSON.parse(execFileSync(process.execPath, [...nodeFlags, file], { encoding: "utf8" }));
}

const catchMessage = (expr: string) => `try { ${expr}; return "no error"; } catch (e) { return e.constructor.name + ": " + e.message; }`;

// Child processes do not depend on the project's build: run them once.
const once = process.env.WASMTRAIN_BUILD === "simd";

describe.runIf(once)("build selection", () => {
  it("Node 20 without the flag lacks relaxed SIMD, so ready() picks the simd build", () => {
    const major = Number(process.versions.node.split(".")[0]);
    const out = runChild("await wt.ready(); return wt.backendInfo().build;") as string;
    expect(out).toBe(major >= 22 ? "relaxed-simd" : "simd");
  });

  it("with relaxed SIMD enabled (Node 20: --experimental-wasm-relaxed-simd) the relaxed build is chosen", () => {
    const out = runChild("await wt.ready(); return wt.backendInfo().build;", RELAXED_SIMD_FLAGS);
    expect(out).toBe("relaxed-simd");
  });

  it("forcing relaxed-simd where the engine lacks it fails and says how to opt in", () => {
    if (Number(process.versions.node.split(".")[0]) >= 22) return; // relaxed SIMD is always on there
    const out = runChild(`try { await wt.ready({ build: "relaxed-simd" }); return "loaded"; } catch (e) { return e.message; }`);
    expect(out).toMatch(/does not support WebAssembly relaxed-simd.*--experimental-wasm-relaxed-simd/);
  });

  it("ready({ build: 'js' }) runs the pure-JS backend", () => {
    expect(runChild(`await wt.ready({ build: "js" }); return wt.backendInfo();`)).toEqual({ build: "js", threads: 1, memoryBytes: 0 });
  });

  it("an unknown build name is a TypeError naming the value", () => {
    expect(runChild(`try { await wt.ready({ build: "avx" }); } catch (e) { return e.constructor.name + ": " + e.message; }`)).toMatch(
      /TypeError: ready: unknown build "avx"/,
    );
  });
});

describe.runIf(once)("before ready()", () => {
  it("creating a tensor or asking for backendInfo throws a clear error", () => {
    expect(runChild(catchMessage("wt.zeros([2])"))).toMatch(/call `await ready\(\)` before using tensors/);
    expect(runChild(catchMessage("wt.backendInfo()"))).toMatch(/call `await ready\(\)`/);
  });
});

describe("ready() in this process", () => {
  it("is idempotent, and asking for another build once one runs is an error", async () => {
    const running = backendInfo().build;
    await expect(ready()).resolves.toBeUndefined();
    await expect(ready({ build: running })).resolves.toBeUndefined();
    const other = running === "js" ? "simd" : "js";
    await expect(ready({ build: other })).rejects.toThrow(new RegExp(`'${running}' build is already running`));
    expect(backendInfo().build).toBe(running);
  });
});
