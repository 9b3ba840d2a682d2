// The packed package (npm pack) as its users get it: plain ES modules from a
// static server with an import map, bundled by Vite and by esbuild with no
// plugin or configuration, in the page and in a Web Worker, in real Chromium;
// and a strict TypeScript consumer under both module resolutions.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, type Browser } from "./support/chromium.js";
import { makeConsumer } from "./support/package.js";
import { appResults, esbuildBuild, tsc, viteBuild } from "./support/apps.js";
import { describeInChromium, requireChromium } from "./support/gate.js";
// @ts-expect-error plain JS module without declarations
import { serveStatic } from "../../scripts/static-server.mjs";

const pkg = inject("packedPackage");

describe("the packed tarball", () => {
  it("holds the compiled library, its declarations and both .wasm builds, and no sources or tests", () => {
    expect(pkg.files).toContain("dist/index.js");
    expect(pkg.files).toContain("dist/index.d.ts");
    expect(pkg.files).toContain("build/wasmtrain.simd.wasm");
    expect(pkg.files).toContain("build/wasmtrain.relaxed-simd.wasm");
    expect(pkg.files.filter((f) => f.startsWith("src/") || f.startsWith("test/") || f.startsWith("assembly/"))).toEqual([]);
  });

  it("is the library alone: dist/, the .wasm builds, README, LICENSE and package.json (no examples, no data, no CLI)", () => {
    const top = [...new Set(pkg.files.map((f) => f.split("/")[0]))].sort();
    expect(top).toEqual(["LICENSE", "README.md", "build", "dist", "package.json"]);
  });

  it("installs no runtime dependency and runs no install script", () => {
    const manifest = JSON.parse(readFileSync(join(pkg.dir, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
    for (const field of ["dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies", "bundledDependencies", "bin"]) {
      expect(manifest[field], field).toBeUndefined();
    }
    for (const script of ["preinstall", "install", "postinstall", "prepare"]) expect(manifest.scripts?.[script], script).toBeUndefined();
  });

  // Both compilations start together; each test awaits its own.
  let typeChecks: Record<string, Promise<string>>;
  beforeAll(() => {
    const app = makeConsumer(pkg, "ts");
    typeChecks = Object.fromEntries(["bundler", "node16"].map((r) => [r, tsc(app, `tsconfig.${r}.json`)]));
  });

  it("type-checks a strict TypeScript consumer with moduleResolution 'bundler'", async () => {
    expect(await typeChecks.bundler).toBe("");
  });

  it("type-checks a strict TypeScript consumer with moduleResolution 'node16'", async () => {
    expect(await typeChecks.node16).toBe("");
  });
});

// Every build the app is asked for, and what it must report running:
// default = the best build this Chromium accepts (it has relaxed SIMD).
const BUILDS: [string, string][] = [
  ["", "relaxed-simd"],
  ["?build=simd", "simd"],
  ["?build=js", "js"],
];

function expectSmoke(result: any, build: string): void {
  expect(result.error).toBeUndefined();
  expect(result.build).toBe(build);
  expect(result.threads).toBe(1);
  expect(result.matmulShape).toEqual([37, 29]);
  // float32 GEMM with K = 53 against a float64 loop: |error| < 1e-4 for values in [-1, 1).
  expect(result.matmulMaxAbsErr).toBeLessThan(1e-4);
  expect(result.nestedShape).toEqual([2, 2]);
  expect(result.liveTensorsAfterDispose).toBe(0);
  expect(result.disposedMessage).toMatch(/disposed/);
  // 60 Adam steps on a learnable 3-class task: the loss falls well below chance (ln 3 ≈ 1.1).
  expect(result.training.firstLoss).toBeGreaterThan(0.8);
  expect(result.training.lastLoss).toBeLessThan(0.3);
  if (build === "js") expect(result.memoryBytes).toBe(0);
  else expect(result.memoryBytes).toBeGreaterThan(0);
}

describeInChromium("in headless Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium(requireChromium());
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function checkApp(root: string, headers: Record<string, string> = {}): Promise<void> {
    const server = await serveStatic(root, { headers });
    try {
      for (const [query, build] of BUILDS) {
        const { page, log } = await browser.newPage();
        const results = await appResults(page, server.url + query, log);
        expectSmoke(results.page, build);
        expectSmoke(results.worker, build);
        expect(results.worker.training.lastBits, "the same training run in the page and in its worker").toBe(results.page.training.lastBits);
        expect(log).toEqual([]);
        await page.close();
      }
    } finally {
      await server.close();
    }
  }

  it("works as plain ES modules from a static server (import map in the page, URL import in a worker)", async () => {
    await checkApp(makeConsumer(pkg, "static"));
  });

  it("works bundled by Vite with no plugin or configuration, in the page and in a worker", async () => {
    const app = makeConsumer(pkg, "vite");
    viteBuild(app);
    await checkApp(join(app, "dist"));
  });

  it("works bundled by esbuild with no plugin or configuration, in the page and in a worker", async () => {
    const app = makeConsumer(pkg, "esbuild");
    esbuildBuild(app);
    await checkApp(app);
  });

  it("says which build failed and why when the engine refuses WebAssembly (a CSP without 'wasm-unsafe-eval'), and ready({ build: 'js' }) still works", async () => {
    const app = makeConsumer(pkg, "static");
    const csp = { "Content-Security-Policy": "script-src 'self' 'unsafe-inline'" };
    const server = await serveStatic(app, { headers: csp });
    try {
      const { page, log } = await browser.newPage();
      const results = await appResults(page, server.url, log);
      for (const where of ["page", "worker"]) {
        expect(results[where].error, where).toMatch(/wasmtrain: instantiating the 'relaxed-simd' build failed/);
        expect(results[where].error, where).toMatch(/Content Security Policy/);
        expect(results[where].error, where).toMatch(/build: 'js'/);
      }
      await page.close();
      const js = await browser.newPage();
      const fallback = await appResults(js.page, server.url + "?build=js", js.log);
      expectSmoke(fallback.page, "js");
      expectSmoke(fallback.worker, "js");
      await js.page.close();
    } finally {
      await server.close();
    }
  });

  it("falls back to the pure-JS build where the engine has no WebAssembly (V8 --jitless), and a forced WebAssembly build says what is missing", async () => {
    const jitless = await launchChromium(requireChromium(), ["--js-flags=--jitless"]);
    const server = await serveStatic(makeConsumer(pkg, "static"));
    try {
      const auto = await jitless.newPage();
      const results = await appResults(auto.page, server.url, auto.log);
      expectSmoke(results.page, "js");
      expectSmoke(results.worker, "js");
      const forced = await jitless.newPage();
      const failed = await appResults(forced.page, server.url + "?build=simd", forced.log);
      for (const where of ["page", "worker"]) {
        expect(failed[where].error, where).toMatch(/cannot load the 'simd' build: this engine has no WebAssembly at all/);
        expect(failed[where].error, where).toMatch(/build: 'js'/);
      }
    } finally {
      await server.close();
      await jitless.close();
    }
  });
});
