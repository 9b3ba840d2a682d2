// Threads in Chromium (docs/threads.md, API.md "Threads"):
// - a page served with COOP/COEP is crossOriginIsolated and gets a worker per
//   extra thread, started from Blob URLs (no worker file is requested);
// - a page served without them runs on one thread and backendInfo() says why,
//   naming both headers;
// - on the page's main thread (which may not block) and in a module worker,
//   a fixed set of kernels (GEMM, optimizer steps, RNG fills, activations,
//   reductions, tensor operations, clipping) and a 50-step training run give
//   the same bits with 1, 2 and 3 threads, with the count changed between
//   steps, and the same bits as Node (computed here, in the test process,
//   from the same packed package and the same build).
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { launchChromium, type Browser } from "./support/chromium.js";
import { makeConsumer } from "./support/package.js";
import { appResults } from "./support/apps.js";
import { describeInChromium, requireChromium } from "./support/gate.js";
// @ts-expect-error plain JS module without declarations
import { serveStatic } from "../../scripts/static-server.mjs";

const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};
const COUNTS = [1, 2, 3];
/** Under load, with three thread counts, two changing-count runs and Chromium's start. */
const PAGE_TIMEOUT = 300_000;

interface Info {
  build: string;
  threads: number;
  threadsUnavailable?: string;
  getNumThreads: number;
}
interface ThreadNumbers {
  error?: string;
  env: { crossOriginIsolated: boolean | null; hardwareConcurrency: number | null; canBlock: boolean; sharedArrayBuffer: boolean };
  build: string;
  default: Info;
  requested: Info;
  runs: Record<string, { threads: number; digests: Record<string, string> }>;
  changing: { awaited: Record<string, string>; unawaited: Record<string, string> };
}
interface Server {
  url: string;
  close(): Promise<void>;
  server: import("node:http").Server;
}

/** The training run's entries of a digest table. */
const trainingPart = (d: Record<string, string>) => Object.fromEntries(Object.entries(d).filter(([k]) => k.startsWith("training:")));

/** Every named digest equal; the message names the environment and each differing entry. */
function expectSameDigests(actual: Record<string, string>, expected: Record<string, string>, what: string): void {
  expect(Object.keys(actual).length, `${what}: nothing computed`).toBeGreaterThan(0);
  expect(Object.keys(actual).sort(), what).toEqual(Object.keys(expected).sort());
  const differing = Object.keys(expected).filter((k) => actual[k] !== expected[k]);
  expect(
    differing.map((k) => `${k}: ${actual[k]} vs ${expected[k]}`),
    `${what}: entries that differ`,
  ).toEqual([]);
}

describeInChromium("threads in Chromium", () => {
  const pkg = inject("packedPackage");
  let app: string;
  let browser: Browser;
  let node: ThreadNumbers;

  beforeAll(async () => {
    app = makeConsumer(pkg, "threads");
    // Node's side, in this process, from the packed package the pages load.
    const wt = await import(pathToFileURL(join(app, "node_modules/wasmtrain/dist/index.js")).href);
    const { threadNumbers } = await import(pathToFileURL(join(app, "threads.js")).href);
    node = await threadNumbers(wt, { counts: COUNTS, request: 3 });
    browser = await launchChromium(requireChromium());
  }, PAGE_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
  });

  /** Serves the app (with `headers`), opens `path`, and collects requests, Web Workers and the page's log. */
  async function load(path: string, headers: Record<string, string>) {
    const server: Server = await serveStatic(app, { headers });
    const requests: string[] = [];
    server.server.on("request", (req) => requests.push(req.url ?? ""));
    const { page, log } = await browser.newPage();
    const workers: string[] = [];
    page.on("worker", (w) => workers.push(w.url()));
    try {
      const results = (await appResults(page, `${server.url}${path}`, log, PAGE_TIMEOUT)) as ThreadNumbers;
      return { results, requests, workers, log };
    } finally {
      await closeQuietly(page);
      await server.close();
    }
  }

  async function closeQuietly(page: Page): Promise<void> {
    await page.close().catch(() => {});
  }

  it("Node (this process) gives the same bits with 1, 2 and 3 threads", () => {
    expect(node.env.canBlock).toBe(true);
    for (const n of COUNTS) {
      expect(node.runs[n].threads, `Node with ${n} threads`).toBe(n);
      expectSameDigests(node.runs[n].digests, node.runs[1].digests, `Node, ${n} threads vs 1`);
    }
    expectSameDigests(node.changing.awaited, trainingPart(node.runs[1].digests), "Node, count changed between steps (awaited)");
    expectSameDigests(node.changing.unawaited, trainingPart(node.runs[1].digests), "Node, count changed between steps");
  });

  describe("a page served with COOP/COEP (crossOriginIsolated), on its main thread", () => {
    let r: Awaited<ReturnType<typeof load>>;
    beforeAll(async () => {
      r = await load("threads.html?in=page", ISOLATION_HEADERS);
    }, PAGE_TIMEOUT);

    it("is crossOriginIsolated; ready() uses navigator.hardwareConcurrency threads, ready({ threads: 3 }) three", () => {
      expect(r.results.error).toBeUndefined();
      expect(r.log).toEqual([]);
      expect(r.results.env.crossOriginIsolated).toBe(true);
      expect(r.results.env.sharedArrayBuffer).toBe(true);
      const cores = Math.min(256, r.results.env.hardwareConcurrency!);
      expect(cores).toBeGreaterThanOrEqual(1);
      expect(r.results.default).toMatchObject({ threads: cores, getNumThreads: cores });
      expect(r.results.default.threadsUnavailable).toBeUndefined();
      expect(r.results.requested).toMatchObject({ threads: 3, getNumThreads: 3 });
      expect(r.results.requested.threadsUnavailable).toBeUndefined();
      for (const n of COUNTS) expect(r.results.runs[n].threads, `threads in use after setNumThreads(${n})`).toBe(n);
    });

    it("starts the pool's Web Workers from Blob URLs: no worker file is requested from the server", () => {
      // At least the two workers of ready({ threads: 3 }) (more when hardwareConcurrency > 3).
      expect(r.workers.length).toBeGreaterThanOrEqual(2);
      for (const url of r.workers) expect(url).toMatch(/^blob:http:\/\/127\.0\.0\.1:\d+\//);
      const unexpected = r.requests.filter((u) => !/^\/(threads\.html|main\.js|threads\.js|node_modules\/wasmtrain\/dist\/[\w/.-]+\.js)(\?|$)/.test(u));
      expect(unexpected).toEqual([]);
      expect(r.requests.some((u) => u.startsWith("/node_modules/wasmtrain/dist/"))).toBe(true);
    });

    it("the main thread cannot block (Atomics.wait throws there), and the kernels still run on 2 and 3 threads: the caller spins for its join, as documented", () => {
      expect(r.results.env.canBlock).toBe(false);
      expect(r.results.runs[2].threads).toBe(2);
      expect(r.results.runs[3].threads).toBe(3);
      expect(r.results.error).toBeUndefined();
    });

    it("kernels and a 50-step training run give the same bits with 1, 2 and 3 threads, and the same as Node's", () => {
      expect(r.results.build).toBe(node.build);
      for (const n of COUNTS) expectSameDigests(r.results.runs[n].digests, node.runs[1].digests, `Chromium page, ${n} threads vs Node, 1 thread`);
    });

    it("changing setNumThreads between training steps keeps training exact", () => {
      const expected = trainingPart(node.runs[1].digests);
      expectSameDigests(r.results.changing.awaited, expected, "Chromium page, count changed between steps (awaiting the workers)");
      expectSameDigests(r.results.changing.unawaited, expected, "Chromium page, count changed between steps (not awaiting them)");
    });
  });

  describe("the same page's check in a module Web Worker (which may block)", () => {
    let r: Awaited<ReturnType<typeof load>>;
    beforeAll(async () => {
      r = await load("threads.html?in=worker", ISOLATION_HEADERS);
    }, PAGE_TIMEOUT);

    it("is crossOriginIsolated, may block, and uses the threads asked for", () => {
      expect(r.results.error).toBeUndefined();
      expect(r.log).toEqual([]);
      expect(r.results.env).toMatchObject({ crossOriginIsolated: true, canBlock: true, sharedArrayBuffer: true });
      expect(r.results.default.threads).toBe(Math.min(256, r.results.env.hardwareConcurrency!));
      expect(r.results.requested.threads).toBe(3);
      for (const n of COUNTS) expect(r.results.runs[n].threads).toBe(n);
    });

    it("gives the same bits as Node for every thread count, and with the count changed between steps", () => {
      expect(r.results.build).toBe(node.build);
      for (const n of COUNTS) expectSameDigests(r.results.runs[n].digests, node.runs[1].digests, `Chromium worker, ${n} threads vs Node`);
      const expected = trainingPart(node.runs[1].digests);
      expectSameDigests(r.results.changing.awaited, expected, "Chromium worker, count changed between steps (awaited)");
      expectSameDigests(r.results.changing.unawaited, expected, "Chromium worker, count changed between steps");
    });
  });

  describe("a page served without COOP/COEP", () => {
    let r: Awaited<ReturnType<typeof load>>;
    beforeAll(async () => {
      r = await load("threads.html?in=page", {});
    }, PAGE_TIMEOUT);

    it("is not crossOriginIsolated and runs on one thread; backendInfo().threadsUnavailable says why and names both headers", () => {
      expect(r.results.error).toBeUndefined();
      expect(r.results.env.crossOriginIsolated).toBe(false);
      expect(r.results.requested.threads).toBe(1);
      expect(r.results.requested.getNumThreads).toBe(1);
      const why = r.results.requested.threadsUnavailable;
      expect(why).toContain("not crossOriginIsolated");
      expect(why).toContain("Cross-Origin-Opener-Policy: same-origin");
      expect(why).toContain("Cross-Origin-Embedder-Policy: require-corp");
      expect(r.results.default.threads).toBe(1);
      // The default asks for every core: it says why only when that is more than one.
      if (r.results.env.hardwareConcurrency! > 1) expect(r.results.default.threadsUnavailable).toBe(why);
      else expect(r.results.default.threadsUnavailable).toBeUndefined();
      for (const n of COUNTS) expect(r.results.runs[n].threads, `threads in use after setNumThreads(${n})`).toBe(1);
      expect(r.workers).toEqual([]);
    });

    it("computes the same bits as Node's threaded run", () => {
      expect(r.results.build).toBe(node.build);
      for (const n of COUNTS) expectSameDigests(r.results.runs[n].digests, node.runs[1].digests, `unisolated page, setNumThreads(${n}) vs Node`);
      expectSameDigests(r.results.changing.unawaited, trainingPart(node.runs[1].digests), "unisolated page, count changed between steps");
    });
  });
});
