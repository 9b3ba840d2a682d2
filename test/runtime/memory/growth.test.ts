// How WebAssembly memory grows past 2 GiB, and how out-of-memory errors print
// their figures. In its own file (own isolate): memory never shrinks once this
// test has grown it to ~3 GiB. It reserves ~2.9 GiB of address space but
// writes almost none of it (empty() does not touch its storage), so it needs
// little physical memory and runs in about a second.
import { describe, expect, it } from "vitest";
import { backendInfo, empty, memoryStats, type Tensor } from "../../../src/index.js";
import { GROWTH_STEP_BYTES, MAX_MEMORY_BYTES, formatBytePair } from "../../../src/runtime/memory.js";

const wasmBuild = backendInfo().build !== "js";

describe.runIf(wasmBuild)("memory growth past 2 GiB", () => {
  it("once memory can no longer double, it grows in steps of GROWTH_STEP_BYTES, not by the pages of each allocation", () => {
    const before = memoryStats();
    const big: Tensor[] = [];
    const small: Tensor[] = [];
    try {
      // 2.5 GiB in five blocks: the allocator doubles up to ~2 GiB, then can no longer double
      for (let i = 0; i < 5; i++) big.push(empty([(1 << 27) - 16]));
      expect(backendInfo().memoryBytes).toBeGreaterThan(2 ** 31);
      // 4000 tensors of 64 KiB = 250 MiB: one memory.grow each before the fix (a 64 KiB
      // block with its header needs two fresh pages; TLSF grew by exactly those)
      const sizes: number[] = [backendInfo().memoryBytes];
      for (let i = 0; i < 4000; i++) {
        small.push(empty([16384]));
        const now = backendInfo().memoryBytes;
        if (now !== sizes[sizes.length - 1]) sizes.push(now);
      }
      const grows = sizes.length - 1;
      // 250 MiB needs at most two steps of 256 MiB (the first may have been taken in part)
      expect(grows).toBeLessThanOrEqual(2);
      for (let i = 1; i < sizes.length; i++) {
        const step = sizes[i] - sizes[i - 1];
        // each growth is a large step, or what was left below 4 GiB
        expect(step >= GROWTH_STEP_BYTES * (15 / 16) - 2 ** 18 || sizes[i] > MAX_MEMORY_BYTES - GROWTH_STEP_BYTES).toBe(true);
      }
      expect(backendInfo().memoryBytes).toBeLessThanOrEqual(MAX_MEMORY_BYTES);
    } finally {
      for (const t of [...big, ...small]) t.dispose();
    }
    expect(memoryStats().allocatedBytes).toBe(before.allocatedBytes);
    expect(memoryStats().liveTensors).toBe(before.liveTensors);
  });

  it("memory reaches the 4 GiB limit: the next allocation is a RangeError with exact figures, and nothing changes", () => {
    const held: Tensor[] = [];
    let error: unknown = null;
    try {
      // 1 GiB - 4 KiB each: four may fit in 4 GiB, the fifth cannot
      for (let i = 0; i < 5; i++) held.push(empty([(1 << 28) - 1024]));
    } catch (e) {
      error = e;
    }
    const stats = memoryStats();
    try {
      expect(error).toBeInstanceOf(RangeError);
      const m = /cannot allocate (\d+) bytes \(([\d.]+) (\w+)\); .*at most (\d+) bytes \(([\d.]+) (\w+)(, \d+ bytes (?:more|less))?\) available/.exec(String(error));
      expect(m).not.toBeNull();
      const [, req, reqShown, unit1, avail, availShown, unit2, diff] = m!;
      expect(Number(req)).toBe(((1 << 28) - 1024) * 4);
      expect(unit1).toBe(unit2);
      // the shown figures keep the order of the exact ones
      if (Number(req) > Number(avail)) expect(Number(reqShown)).toBeGreaterThan(Number(availShown));
      else expect(Number(reqShown)).toBeLessThanOrEqual(Number(availShown));
      if (reqShown === availShown) expect(diff).toBe(`, ${Math.abs(Number(req) - Number(avail))} bytes ${Number(req) > Number(avail) ? "less" : "more"}`);
      expect(memoryStats()).toEqual(stats);
    } finally {
      for (const t of held) t.dispose();
    }
  });
});

describe("out-of-memory figures", () => {
  it.each([
    // the case of issue 12: "1.00 GiB available" while refusing 1023.94 MiB
    [1073676288, 1073700000, "1023.94 MiB", "1023.96 MiB"],
    [1073676288, 2 ** 30, "0.9999 GiB", "1.0000 GiB"],
    [2 ** 30, 2 ** 30 - 4, "1.0000 GiB", "1.0000 GiB, 4 bytes less"],
    [1073676288, 1073676000, "1023.938 MiB", "1023.937 MiB"],
    [65536, 2681648, "0.06 MiB", "2.56 MiB"],
    [100, 60, "100 bytes", "60 bytes"],
    [3000, 2000, "2.93 KiB", "1.95 KiB"],
  ])("request %d, available %d: %s and %s", (request, available, r, a) => {
    expect(formatBytePair(request, available)).toEqual([r, a]);
  });
});
