// Finds and launches Chromium for the browser suite: headless, no sandbox
// (CI runs as root), no GPU, no background networking, a fresh profile each time.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The Chromium executable ($CHROMIUM_PATH or a Debian/Ubuntu location), or null. */
export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

export interface Browser {
  context: BrowserContext;
  /** A new page whose console errors and uncaught exceptions are collected in `log`. */
  newPage(): Promise<{ page: Page; log: string[] }>;
  close(): Promise<void>;
}

/** `extraArgs` e.g. `--js-flags=--jitless` (V8 without a JIT: no WebAssembly). */
export async function launchChromium(executablePath: string, extraArgs: string[] = []): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "wasmtrain-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", ...extraArgs],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async newPage() {
      const page = await context.newPage();
      const log: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") log.push(`console.${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => log.push(`uncaught: ${e.message}`));
      page.on("crash", () => log.push("the page crashed"));
      return { page, log };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
