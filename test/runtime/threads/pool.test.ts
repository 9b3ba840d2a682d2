// The pool on its own (a threaded build instantiated here, not the library's
// instance): chunks cover every unit once, and workers that fail to start or
// die leave the caller finishing every job, with a warning.
import { describe, expect, it } from "vitest";
import { Worker } from "node:worker_threads";
import { ThreadPool, type PoolHost } from "../../../src/runtime/threads/pool.js";
import { POOL_KERNELS } from "../../../src/runtime/threads/parallel.js";
import { WORKER_SOURCE } from "../../../src/runtime/threads/worker_source.js";
import { SIMD_THREADS_WASM_BASE64 } from "../../../src/runtime/wasm-bytes.generated.js";

async function threadedInstance() {
  const module = await WebAssembly.compile(Buffer.from(SIMD_THREADS_WASM_BASE64, "base64"));
  const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort: () => { throw new Error("abort"); } } });
  return { module, memory, exports: instance.exports as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

type Spawn = PoolHost["spawn"];

const nodeSpawn = (spawned: Worker[], source = WORKER_SOURCE): Spawn => (onMessage, onGone) => {
  const w = new Worker(source, { eval: true });
  w.on("message", (m) => {
    w.unref();
    onMessage(m);
  });
  w.on("error", (e) => onGone(e.message));
  w.on("exit", (code) => onGone(`exited with code ${code}`));
  spawned.push(w);
  return w;
};

async function pool(spawn: Spawn, stallMs?: number) {
  const { module, memory, exports } = await threadedInstance();
  const warnings: string[] = [];
  const p = new ThreadPool({ module, memory, exports, names: POOL_KERNELS, spawn, canBlock: true, warn: (m) => warnings.push(m), stallMs });
  return { p, exports, memory, warnings };
}

/** scaleInto over n floats with the pool: out = 2·src, every element written once. */
function scaleJob(p: ThreadPool, exports: Record<string, any>, memory: WebAssembly.Memory, n: number): Float32Array { // eslint-disable-line @typescript-eslint/no-explicit-any
  const src = exports.alloc(n * 4) >>> 0;
  const out = exports.alloc(n * 4) >>> 0;
  const f = new Float32Array(memory.buffer);
  for (let i = 0; i < n; i++) {
    f[(src >>> 2) + i] = i;
    f[(out >>> 2) + i] = -1;
  }
  p.run("scaleInto", [src, out, n, 2, 0], { total: n, perChunk: 1000, countArg: 2, split: [[0, 4], [1, 4]] });
  const result = new Float32Array(memory.buffer, out, n).slice();
  exports.free(src);
  exports.free(out);
  return result;
}

const expectScaled = (r: Float32Array) => {
  for (let i = 0; i < r.length; i++) if (r[i] !== 2 * i) expect(`element ${i} = ${r[i]}`).toBe(`element ${i} = ${2 * i}`);
};

describe("thread pool", () => {
  it("splits a job into chunks that cover every element once, with 3 workers", async () => {
    const spawned: Worker[] = [];
    const { p, exports, memory, warnings } = await pool(nodeSpawn(spawned));
    p.resize(4);
    await p.settled();
    expect(p.liveWorkers).toBe(3);
    for (const n of [1, 999, 1000, 1001, 123_457]) expectScaled(scaleJob(p, exports, memory, n));
    expect(warnings).toEqual([]);
    p.shutdown();
  });

  it("a worker that cannot be created: a warning, and the caller runs every chunk", async () => {
    const { p, exports, memory, warnings } = await pool(() => {
      throw new Error("no workers here");
    });
    p.resize(2);
    await p.settled();
    expect(p.liveWorkers).toBe(0);
    expect(warnings.join("\n")).toMatch(/worker thread failed to start \(no workers here\)/);
    expect(p.failure).toMatch(/no workers here/);
    expectScaled(scaleJob(p, exports, memory, 50_001));
  });

  it("a worker that fails while starting (its script reports an error): a warning, the caller runs every chunk", async () => {
    const { p, exports, memory, warnings } = await pool((onMessage) => {
      queueMicrotask(() => onMessage({ type: "error", message: "instantiation failed" }));
      return { postMessage() {}, terminate() {} };
    });
    p.resize(3);
    await p.settled();
    expect(p.liveWorkers).toBe(0);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/failed to start \(instantiation failed\)/);
    expectScaled(scaleJob(p, exports, memory, 10_000));
  });

  it("a stopped worker that runs on (a browser's terminate() lands seconds later) leaves by itself and takes no chunk", async () => {
    const spawned: Worker[] = [];
    const node = nodeSpawn(spawned);
    // Chromium lets a terminated worker run ~2 s, and as long as the page's main thread is busy.
    const spawn: Spawn = (onMessage, onGone) => {
      const w = node(onMessage, onGone);
      return { postMessage: (m: unknown) => w.postMessage(m), terminate() {} };
    };
    const { p, exports, memory, warnings } = await pool(spawn);
    p.resize(3);
    await p.settled();
    expectScaled(scaleJob(p, exports, memory, 100_000));
    const exited = spawned.map((w) => new Promise<number>((resolve) => w.once("exit", resolve)));
    p.resize(1); // frees both workers' scratch at once
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve("still running after 10 s"), 10_000)));
    expect(await Promise.race([Promise.all(exited).then(() => "left"), timeout])).toBe("left");
    clearTimeout(timer);
    // Workers 0 and 1 again: new workers in the same places, on newly allocated scratch.
    p.resize(3);
    await p.settled();
    expect(p.liveWorkers).toBe(2);
    for (const n of [100_000, 123_457]) expectScaled(scaleJob(p, exports, memory, n));
    expect(warnings).toEqual([]);
    p.shutdown();
  });

  it("a worker that dies after starting: a warning, and the remaining threads finish every later job", async () => {
    const spawned: Worker[] = [];
    const { p, exports, memory, warnings } = await pool(nodeSpawn(spawned));
    p.resize(3);
    await p.settled();
    expectScaled(scaleJob(p, exports, memory, 100_000));
    await spawned[0].terminate();
    await new Promise((r) => setTimeout(r, 50));
    expect(p.liveWorkers).toBe(1);
    expect(warnings.join("\n")).toMatch(/worker thread stopped \(exited with code 1\)/);
    expectScaled(scaleJob(p, exports, memory, 100_000));
    p.shutdown();
  });

  it("a worker that dies mid-kernel: that call fails with a clear error after the stall time, then the library goes on without it", async () => {
    // The worker claims a chunk and exits before finishing it.
    const dying = WORKER_SOURCE.replace("fn.apply(null, args);", "process.exit(3);");
    expect(dying).not.toBe(WORKER_SOURCE);
    const spawned: Worker[] = [];
    const { p, exports, memory, warnings } = await pool(nodeSpawn(spawned, dying), 1500);
    p.resize(2);
    await p.settled();
    expect(p.liveWorkers).toBe(1);
    // The worker takes a chunk of the first job it wakes for (the caller may finish a job alone first).
    let error: unknown = null;
    for (let i = 0; i < 20 && !error; i++) {
      try {
        scaleJob(p, exports, memory, 2_000_000);
      } catch (e) {
        error = e;
      }
    }
    expect(String(error)).toMatch(/worker threads finished no chunk for 1.5 s \(a worker died mid-kernel\?\)/);
    await new Promise((r) => setTimeout(r, 100)); // the exit event arrives once the caller is back in the event loop
    expect(p.liveWorkers).toBe(0);
    expect(warnings.join("\n")).toMatch(/worker thread stopped \(exited with code 3\)/);
    expectScaled(scaleJob(p, exports, memory, 100_000));
    p.shutdown();
  });
});
