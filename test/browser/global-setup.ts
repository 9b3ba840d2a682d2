// Runs once for the browser project: builds and packs the package (npm pack)
// and says whether Chromium is there.
import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { findChromium } from "./support/chromium.js";
import { packPackage, type PackedPackage } from "./support/package.js";

declare module "vitest" {
  export interface ProvidedContext {
    packedPackage: PackedPackage;
  }
}

export default function setup(project: TestProject): () => void {
  if (!findChromium()) {
    const required = process.env.WASMTRAIN_REQUIRE_BROWSER === "1";
    console.warn(
      required
        ? "\n[browser] Chromium not found (looked at $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome) " +
            "and WASMTRAIN_REQUIRE_BROWSER=1: the browser tests will FAIL. Install it: apt-get install -y chromium\n"
        : "\n[browser] NOTICE: Chromium not found (looked at $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome): " +
            "the tests in real Chromium are SKIPPED. Install it (apt-get install -y chromium) to run them.\n",
    );
  }
  const pkg = packPackage();
  project.provide("packedPackage", pkg);
  return () => rmSync(pkg.work, { recursive: true, force: true });
}
