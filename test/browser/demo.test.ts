// The demo (`npm run demo`) in headless Chromium: serve it, train the MNIST
// MLP in its worker until the page shows held-out accuracy above 90%, draw
// digits on the canvas with the mouse and read the predictions, run the
// benchmark panel, reject a bad control value beside the control. Screenshots
// go to results/browser/.
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { launchChromium, type Browser } from "./support/chromium.js";
import { repoRoot } from "./support/package.js";
import { cleanEnv } from "./support/apps.js";
import { describeInChromium, requireChromium } from "./support/gate.js";

const shots = join(repoRoot, "results/browser");

/** Starts `node examples/browser/serve.js --port 0` and resolves to its URL. */
function startDemoServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["examples/browser/serve.js", "--port", "0"], {
    cwd: repoRoot,
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /wasmtrain demo: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (m) resolve({ url: m[1], child });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`the demo server exited (${code}) before serving:\n${output}`)));
  });
}

/** Strokes on the 280×280 pad, in pad pixels, drawn with the mouse. */
const DIGITS: Record<string, [number, number][][]> = {
  "1": [[[150, 45], [146, 110], [142, 180], [140, 240]]],
  "7": [[[70, 55], [130, 52], [210, 50], [180, 110], [150, 170], [125, 240]]],
  "0": [
    [[140, 40], [95, 60], [75, 120], [85, 190], [135, 240], [185, 200], [205, 130], [190, 65], [140, 40]],
  ],
};

async function draw(page: Page, strokes: [number, number][][]): Promise<void> {
  const box = (await page.locator("#pad").boundingBox())!;
  const sx = box.width / 280;
  const sy = box.height / 280;
  for (const stroke of strokes) {
    await page.mouse.move(box.x + stroke[0][0] * sx, box.y + stroke[0][1] * sy);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x * sx, box.y + y * sy, { steps: 8 });
    await page.mouse.up();
  }
}

describeInChromium("the demo (npm run demo)", () => {
  let browser: Browser;
  let server: { url: string; child: ChildProcess };
  let page: Page;
  let log: string[];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    server = await startDemoServer();
    browser = await launchChromium(requireChromium());
    ({ page, log } = await browser.newPage());
    await page.setViewportSize({ width: 1360, height: 1000 });
  });
  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
  });

  it("loads, reports the WebAssembly build, and offers every control", async () => {
    await page.goto(server.url);
    await page.waitForFunction(() => !(document.getElementById("start") as HTMLButtonElement).disabled, null, { timeout: 60_000 });
    expect(await page.locator("#backend").getAttribute("data-build")).toBe("relaxed-simd");
    for (const name of ["initializer", "optimizer", "schedule", "batchSize", "hidden"]) {
      expect(await page.locator(`select[name=${name}] option`).count(), name).toBeGreaterThan(1);
    }
    expect(log).toEqual([]);
  });

  it("trains in a worker until the page shows held-out accuracy above 90%", async () => {
    await page.click("#start");
    await page.waitForFunction(
      () => Number(document.getElementById("accuracy")!.dataset.value) > 0.9 || document.getElementById("status")!.classList.contains("error"),
      null,
      { timeout: 180_000, polling: 250 },
    );
    await page.screenshot({ path: join(shots, "demo-training.png"), fullPage: true });
    expect(await page.locator("#status").getAttribute("class")).not.toContain("error");
    const accuracy = Number(await page.locator("#accuracy").getAttribute("data-value"));
    console.log(`[demo] held-out accuracy ${(100 * accuracy).toFixed(1)}% at step ${await page.locator("#step").textContent()}`);
    expect(accuracy).toBeGreaterThan(0.9);
    // The chart shows it too: its last point (main.js mirrors it on the canvas element).
    const charted = Number(await page.locator("#accuracy-chart").getAttribute("data-last"));
    expect(charted).toBeGreaterThan(90);
  });

  it("predicts digits drawn on the canvas with the mouse", async () => {
    const predictions: Record<string, string> = {};
    for (const [digit, strokes] of Object.entries(DIGITS)) {
      await page.click("#clear");
      await draw(page, strokes);
      await page.waitForFunction(() => document.getElementById("prediction")!.dataset.digit !== "", null, { timeout: 30_000 });
      predictions[digit] = (await page.locator("#prediction").getAttribute("data-digit"))!;
      expect(await page.locator("#probs li").count()).toBe(10);
      await page.screenshot({ path: join(shots, `demo-draw-${digit}.png`), fullPage: true });
    }
    console.log(`[demo] drawn → predicted: ${JSON.stringify(predictions)}`);
    for (const p of Object.values(predictions)) expect(p).toMatch(/^[0-9]$/);
    // Preprocessing that breaks (a transposed or off-centre image) shows up
    // as wrong answers; one borderline miss among three clear digits is allowed.
    const right = Object.entries(predictions).filter(([drawn, predicted]) => drawn === predicted).length;
    expect(right, JSON.stringify(predictions)).toBeGreaterThanOrEqual(2);
  });

  it("runs the benchmark panel: every kernel timed in WebAssembly and in its pure-JS twin", async () => {
    // Benchmarks measure best alone: let the training run finish first.
    await page.waitForFunction(() => document.getElementById("status")!.textContent!.startsWith("Done"), null, { timeout: 120_000 });
    await page.waitForFunction(() => !(document.getElementById("bench-run") as HTMLButtonElement).disabled);
    await page.click("#bench-run");
    await page.waitForFunction(() => document.getElementById("bench-table")!.dataset.done === "true", null, { timeout: 120_000 });
    const rows = await page.locator("#bench-table tbody tr").allTextContents();
    console.log(`[demo] benchmarks:\n  ${rows.join("\n  ")}`);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/\d+(\.\d+)?×$/);
    await page.click("#clear");
    await draw(page, DIGITS["7"]);
    await page.waitForFunction(() => document.getElementById("prediction")!.dataset.digit !== "", null, { timeout: 30_000 });
    await page.screenshot({ path: join(shots, "demo.png"), fullPage: true });
    expect(log).toEqual([]);
  });

  it("after annealing to 0 shows the learning rate as 0; disabled buttons look disabled", async () => {
    // The default schedule, cosine annealing, ends at lr 0 (to rounding).
    const lr = (await page.locator("#lr").textContent())!;
    expect(lr).not.toMatch(/^0\.00e/);
    expect(Number(lr)).toBeLessThan(1e-3);
    const look = (id: string) =>
      page.locator(id).evaluate((b) => ({ disabled: (b as HTMLButtonElement).disabled, background: getComputedStyle(b).backgroundColor, cursor: getComputedStyle(b).cursor }));
    const stop = await look("#stop");
    const start = await look("#start");
    const clear = await look("#clear");
    expect(stop.disabled).toBe(true);
    expect(start.disabled).toBe(false);
    expect(stop.cursor).toBe("not-allowed");
    expect(stop.background).not.toBe(clear.background); // Clear (enabled) shares Stop's colour when enabled
    expect(stop.background).not.toBe(start.background);
  });

  it("a bad learning rate (−1) is a one-line message beside the control, not a stack trace, and clears the last run's statistics", async () => {
    expect(await page.locator("#step").textContent()).not.toBe("–"); // the finished run's statistics
    await page.fill("input[name=lr]", "-1");
    await page.click("#start");
    const note = page.locator("#lr-error");
    await note.waitFor({ state: "visible", timeout: 5_000 });
    const text = (await note.textContent())!;
    expect(text).toContain("Learning rate");
    expect(text).toContain("-1");
    expect(text).not.toContain("\n");
    expect(await page.locator("input[name=lr]").getAttribute("aria-invalid")).toBe("true");
    const status = (await page.locator("#status").textContent())!;
    expect(status).not.toMatch(/\bat\s|\.js:\d+/); // no stack frames
    for (const id of ["#step", "#epoch", "#lr", "#speed", "#accuracy"]) expect(await page.locator(id).textContent(), id).toBe("–");
    expect(await page.locator("#accuracy").getAttribute("data-value")).toBe("");
    expect(await page.locator("#start").isDisabled()).toBe(false); // nothing started
    expect(await page.locator("#stop").isDisabled()).toBe(true);
    await page.screenshot({ path: join(shots, "demo-bad-lr.png"), fullPage: true });
    // A valid value clears the message at the next start.
    await page.fill("input[name=lr]", "0.002");
    await page.fill("input[name=epochs]", "1");
    await page.click("#start");
    await note.waitFor({ state: "hidden", timeout: 5_000 });
    expect(await page.locator("input[name=lr]").getAttribute("aria-invalid")).toBe("false");
    await page.click("#stop");
    await page.waitForFunction(() => document.getElementById("status")!.textContent === "Stopped.", null, { timeout: 30_000 });
    expect(log).toEqual([]);
  });

  it("runs the build chosen in the page (?build=simd, ?build=js)", async () => {
    for (const build of ["simd", "js"]) {
      const other = await browser.newPage();
      await other.page.goto(`${server.url}?build=${build}`);
      await other.page.waitForFunction(() => !(document.getElementById("start") as HTMLButtonElement).disabled, null, { timeout: 60_000 });
      expect(await other.page.locator("#backend").getAttribute("data-build")).toBe(build);
      expect(await other.page.locator("#build").inputValue()).toBe(build);
      expect(other.log).toEqual([]);
      await other.page.close();
    }
  });
});
