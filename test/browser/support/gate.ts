// Whether the Chromium tests run: when Chromium is found, or when CI demands
// it (WASMTRAIN_REQUIRE_BROWSER=1, and then a missing Chromium fails).
import { describe } from "vitest";
import { findChromium } from "./chromium.js";

export const chromiumPath = findChromium();
export const browserRequired = process.env.WASMTRAIN_REQUIRE_BROWSER === "1";

/** `describe`, skipped (with the notice printed by global-setup.ts) when Chromium is absent and not required. */
export const describeInChromium = describe.skipIf(chromiumPath === null && !browserRequired);

export function requireChromium(): string {
  if (chromiumPath === null) {
    throw new Error(
      "WASMTRAIN_REQUIRE_BROWSER=1 but Chromium was not found ($CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome); install it: apt-get install -y chromium",
    );
  }
  return chromiumPath;
}
