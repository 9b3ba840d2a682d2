// The packed package (npm pack) and the temporary consumer apps that install it.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
export const consumersDir = join(repoRoot, "test/consumers");

export interface PackedPackage {
  /** Scratch directory for this run (removed at teardown). */
  work: string;
  /** The .tgz that `npm pack` wrote. */
  tarball: string;
  /** The tarball extracted: what `npm install <tgz>` puts in node_modules/wasmtrain. */
  dir: string;
  files: string[];
}

function run(file: string, args: string[]): void {
  try {
    execFileSync(file, args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${args.join(" ")} failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** dist/ is older than a file in src/ (or than tsconfig.json), or missing. */
function distIsStale(): boolean {
  const index = join(repoRoot, "dist/index.js");
  if (!existsSync(index)) return true;
  const sources = Math.max(newestMtime(join(repoRoot, "src")), statSync(join(repoRoot, "tsconfig.json")).mtimeMs);
  return sources > statSync(index).mtimeMs;
}

/**
 * Brings the build up to date (the .wasm files when assembly/ changed,
 * TypeScript to dist/ when src/ did), runs `npm pack` and extracts the tarball.
 * `--ignore-scripts` skips `prepack` (the same up-to-date build, done just
 * above so that its output cannot mix with npm's JSON report).
 */
export function packPackage(): PackedPackage {
  const work = mkdtempSync(join(tmpdir(), "wasmtrain-browser-"));
  run(process.execPath, ["scripts/build.mjs", "--if-stale"]);
  if (distIsStale()) run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"]);
  const out = execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 << 20,
  });
  // Lifecycle scripts may print before the JSON report.
  const report = JSON.parse(out.slice(out.indexOf("[\n"))) as { filename: string; files: { path: string }[] }[];
  const tarball = join(work, report[0].filename);
  execFileSync("tar", ["-xzf", tarball, "-C", work]);
  const dir = join(work, "wasmtrain");
  renameSync(join(work, "package"), dir);
  return { work, tarball, dir, files: report[0].files.map((f) => f.path) };
}

/**
 * Copies test/consumers/<name> (plus the shared checks) into the scratch
 * directory and installs the packed package into its node_modules.
 */
export function makeConsumer(pkg: PackedPackage, name: string): string {
  const app = join(pkg.work, `consumer-${name}`);
  rmSync(app, { recursive: true, force: true });
  cpSync(join(consumersDir, name), app, { recursive: true });
  for (const f of readdirSync(join(consumersDir, "shared"))) cpSync(join(consumersDir, "shared", f), join(app, f));
  mkdirSync(join(app, "node_modules"), { recursive: true });
  cpSync(pkg.dir, join(app, "node_modules/wasmtrain"), { recursive: true });
  return app;
}
