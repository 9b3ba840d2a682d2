// The thread API: setNumThreads / getNumThreads / ready({ threads }) /
// backendInfo().threads and .threadsUnavailable, bad counts, the default, and
// a Node process that exits on its own with workers running.
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { backendInfo, getNumThreads, ready, setNumThreads } from "../../../src/index.js";

const isJs = () => backendInfo().build === "js";

describe("setNumThreads", () => {
  it.each([
    [0, RangeError, "got 0"],
    [-1, RangeError, "got -1"],
    [1.5, RangeError, "got 1.5"],
    [NaN, RangeError, "got NaN"],
    [Infinity, RangeError, "got Infinity"],
    [257, RangeError, "got 257"],
    ["2", TypeError, 'got string "2"'],
    [null, TypeError, "got object null"],
    [undefined, TypeError, "got undefined undefined"],
  ])("rejects %s with %s naming the value, changing nothing", (n, type, text) => {
    const before = getNumThreads();
    expect(() => setNumThreads(n as number)).toThrow(type);
    expect(() => setNumThreads(n as number)).toThrow(text);
    expect(getNumThreads()).toBe(before);
  });

  it("ready({ threads }) checks the count the same way", async () => {
    await expect(ready({ threads: 0 })).rejects.toThrow(RangeError);
    await expect(ready({ threads: "3" as unknown as number })).rejects.toThrow('ready: threads: the thread count must be a number, got string "3"');
  });

  it("sets the threads in use (Node has shared memory and workers); the pure-JS build stays on one and says why", async () => {
    setNumThreads(3);
    await ready();
    if (isJs()) {
      expect(getNumThreads()).toBe(1);
      expect(backendInfo()).toMatchObject({ threads: 1, threadsUnavailable: "the pure-JS build ('js') runs on one thread" });
    } else {
      expect(getNumThreads()).toBe(3);
      expect(backendInfo().threads).toBe(3);
      expect(backendInfo().threadsUnavailable).toBeUndefined();
    }
    await ready({ threads: 1 });
    expect(getNumThreads()).toBe(1);
    expect(backendInfo().threadsUnavailable).toBeUndefined();
  });
});

const srcIndex = fileURLToPath(new URL("../../../dist/index.js", import.meta.url));

describe("in a fresh Node process", () => {
  const run = (code: string) =>
    execFileSync(process.execPath, ["--input-type=module", "-e", `import * as wt from ${JSON.stringify(srcIndex)};\n${code}`], {
      encoding: "utf8",
      timeout: 60_000,
    });

  it("defaults to every logical core, and exits on its own with the workers idle", () => {
    const out = run(`await wt.ready({ build: "simd" }); const a = wt.randn([300, 300]); wt.matmul(a, a); console.log(JSON.stringify(wt.backendInfo()));`);
    const info = JSON.parse(out);
    expect(info.threads).toBe(Math.min(availableParallelism(), 256));
    expect(info.build).toBe("simd");
  });
});
