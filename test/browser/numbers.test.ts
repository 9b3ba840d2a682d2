// Same numbers everywhere: for fixed seeds, the random streams, initialised
// weights and 50-step Adam trajectories computed in Chromium equal Node's bit
// for bit, whatever build runs on either side; an MLP's forward, backward and
// 50 Adam steps (whose matmuls may use relaxed SIMD) equal Node's for the
// same build.
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { execFileSync } from "node:child_process";
import { launchChromium, type Browser } from "./support/chromium.js";
import { makeConsumer } from "./support/package.js";
import { appResults, cleanEnv } from "./support/apps.js";
import { describeInChromium, requireChromium } from "./support/gate.js";
// @ts-expect-error plain JS module without declarations
import { serveStatic } from "../../scripts/static-server.mjs";
// @ts-expect-error plain JS module without declarations
import { fingerprint } from "../consumers/shared/numbers.js";
import { RELAXED_SIMD_FLAGS } from "../relaxed_flags.js";

const BUILDS = ["relaxed-simd", "simd", "js"] as const;
type Numbers = { build: string; invariant: Record<string, number[]>; sameBuild: Record<string, number[]>; error?: string };

/** Exact equality of every named array, with a fingerprint of each side in the message. */
function expectSameBits(actual: Record<string, number[]>, expected: Record<string, number[]>, what: string): void {
  expect(Object.keys(actual).sort(), what).toEqual(Object.keys(expected).sort());
  for (const name of Object.keys(expected)) {
    expect(expected[name].length, `${what}: ${name} is empty`).toBeGreaterThan(0);
    const a = fingerprint(actual[name]);
    const e = fingerprint(expected[name]);
    expect(`${name}: ${a}`, `${what}: ${name}`).toBe(`${name}: ${e}`);
    expect(actual[name], `${what}: ${name}`).toEqual(expected[name]);
  }
}

describeInChromium("same numbers in Chromium as in Node", () => {
  const pkg = inject("packedPackage");
  let app: string;
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  const node: Record<string, Numbers> = {};
  const chromium: Record<string, Numbers> = {};

  beforeAll(async () => {
    app = makeConsumer(pkg, "static");
    for (const build of BUILDS) {
      const flags = build === "relaxed-simd" ? RELAXED_SIMD_FLAGS : [];
      const out = execFileSync(process.execPath, [...flags, "node-numbers.mjs", build], { cwd: app, env: cleanEnv(), encoding: "utf8", maxBuffer: 64 << 20 });
      node[build] = JSON.parse(out);
    }
    browser = await launchChromium(requireChromium());
    server = await serveStatic(app);
    for (const build of BUILDS) {
      const { page, log } = await browser.newPage();
      chromium[build] = await appResults(page, `${server.url}numbers.html?build=${build}`, log);
      await page.close();
    }
  });
  afterAll(async () => {
    await server?.close();
    await browser?.close();
  });

  for (const build of BUILDS) {
    it(`Chromium '${build}': RNG streams, initialisers and 50-step Adam trajectories equal Node's ('simd') bit for bit`, () => {
      expect(chromium[build].error).toBeUndefined();
      expect(chromium[build].build).toBe(build);
      expectSameBits(chromium[build].invariant, node.simd.invariant, `Chromium ${build} vs Node simd`);
    });

    it(`Node '${build}' agrees with Node 'simd' on the same (build-invariant) numbers`, () => {
      expect(node[build].build).toBe(build);
      expectSameBits(node[build].invariant, node.simd.invariant, `Node ${build} vs Node simd`);
    });

    it(`Chromium '${build}': an MLP's forward, backward and 50 Adam steps equal Node's '${build}' bit for bit`, () => {
      expectSameBits(chromium[build].sameBuild, node[build].sameBuild, `Chromium ${build} vs Node ${build}`);
    });
  }
});
