import { defineConfig } from "vitest/config";
import { RELAXED_SIMD_FLAGS } from "./test/relaxed_flags.js";

// Every suite runs once per build: the two WebAssembly builds and the pure-JS
// backend (test/setup.ts calls ready() with the project's build). Node 20 needs
// a flag for relaxed SIMD; Node 22+ has it on (and rejects the flag).
const builds = ["simd", "relaxed-simd", "js"] as const;

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      ...builds.map((build) => ({
        extends: true,
        test: {
          name: build,
          include: ["test/**/*.test.ts"],
          exclude: ["test/browser/**"],
          setupFiles: ["test/setup.ts"],
          env: { WASMTRAIN_BUILD: build },
          execArgv: build === "relaxed-simd" ? RELAXED_SIMD_FLAGS : [],
        },
      })),
      // The packed package in headless Chromium (test/browser/README.md): runs
      // once, after the projects above, one file at a time.
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/browser/global-setup.ts"],
          testTimeout: 240_000,
          hookTimeout: 240_000,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          // threads.test.ts runs the packed package in this process too, with
          // the build Chromium runs (relaxed-simd).
          execArgv: RELAXED_SIMD_FLAGS,
        },
      },
    ],
  },
});
