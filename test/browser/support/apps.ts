// Building the consumer apps with the bundlers' command-line tools (as a user
// would, with no configuration file) and loading them in a page.
import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { repoRoot } from "./package.js";

/** The environment a user's shell would have: without vitest's own variables. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("VITEST") && k !== "NODE_ENV" && k !== "TEST" && k !== "WASMTRAIN_BUILD") env[k] = v;
  }
  return env;
}

function run(file: string, args: string[], cwd: string): string {
  try {
    return execFileSync(file, args, { cwd, env: cleanEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(" ")} failed in ${cwd}:\n${err.stdout ?? ""}\n${err.stderr ?? ""}\n${err.message}`);
  }
}

/** `vite build` in the app directory (no vite.config.*); the app is served from dist/. */
export function viteBuild(app: string): string {
  return run(process.execPath, [join(repoRoot, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], app);
}

/** `esbuild main.js worker.js --bundle --format=esm --outdir=dist`. */
export function esbuildBuild(app: string): string {
  return run(join(repoRoot, "node_modules/.bin/esbuild"), ["main.js", "worker.js", "--bundle", "--format=esm", "--outdir=dist", "--log-level=warning"], app);
}

/** `tsc -p <config>` in the app directory; resolves to its output (empty when it type-checks). */
export function tsc(app: string, config: string): Promise<string> {
  const args = [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", config];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: app, env: cleanEnv(), encoding: "utf8" }, (error, stdout, stderr) => {
      resolve(error ? `tsc -p ${config} failed (${error.code}):\n${stdout}${stderr}` : stdout + stderr);
    });
  });
}

/**
 * Opens `url` and waits for the app's `window.results` (a promise of
 * `{ page, worker }` from test/consumers/shared/checks.js).
 */
export async function appResults(page: Page, url: string, log: string[], timeout = 60_000): Promise<any> {
  await page.goto(url);
  try {
    await page.waitForFunction(() => (window as any).results !== undefined, null, { timeout });
    return await page.evaluate(() => (window as any).results);
  } catch (e) {
    throw new Error(`${url}: no results (${(e as Error).message})\npage log:\n${log.join("\n")}`);
  }
}
