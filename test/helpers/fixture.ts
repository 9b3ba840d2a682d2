// The PyTorch fixtures (test/fixtures/*.json, written by
// test/fixtures/generate.py with PyTorch 1.13) and the record comparison of
// replayed cases.
import { readFileSync } from "node:fs";
import { expect } from "vitest";

/** JSON has no NaN or Infinity: the generator writes them as strings. */
export function decode(v: unknown): unknown {
  if (v === "NaN" || v === "Infinity" || v === "-Infinity") return Number(v);
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  }
  return v;
}

const loaded = new Map<string, unknown>();

/** A fixture file of test/fixtures/ by name ("optim.json"), NaN and ±Infinity decoded. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadFixture(name: string): any {
  if (!loaded.has(name)) loaded.set(name, decode(JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8"))));
  return loaded.get(name);
}

/** One record of a replayed case: values, or the error thrown at that point. */
export type Rec = { error?: string; msg?: string; [key: string]: unknown };

/**
 * Compares a replay with PyTorch's records. Plain cases: an error wherever
 * PyTorch raised (and nowhere else), values elsewhere. `pytorchBug` cases:
 * only the records before PyTorch's failure, and wasmtrain must not fail there.
 * `oursEarlier` cases: wasmtrain must fail no later than PyTorch; the records
 * before its failure are compared.
 */
export function compareRecords(
  c: { name: string; torch: (Rec | null)[]; pytorchBug?: string; oursEarlier?: string },
  ours: (Rec | null)[],
  compare: (got: Rec, want: Rec, where: string) => void,
): void {
  const firstErr = (rs: (Rec | null)[]) => {
    const i = rs.findIndex((r) => r?.error !== undefined);
    return i < 0 ? rs.length : i;
  };
  const torchErr = firstErr(c.torch);
  const oursErr = firstErr(ours);
  let upTo: number;
  if (c.pytorchBug) {
    upTo = torchErr;
    expect(oursErr, `${c.name}: wasmtrain failed where PyTorch did not: ${ours[oursErr]?.msg}`).toBeGreaterThanOrEqual(torchErr);
  } else if (c.oursEarlier) {
    expect(oursErr, `${c.name}: expected wasmtrain to reject (${c.oursEarlier}) by record ${torchErr}`).toBeLessThanOrEqual(torchErr);
    upTo = oursErr;
  } else {
    expect(ours.length, `${c.name}: records`).toBe(c.torch.length);
    upTo = c.torch.length;
    c.torch.forEach((r, i) => {
      expect(ours[i]?.error !== undefined, `${c.name} record ${i}: wasmtrain ${ours[i]?.error ? `threw ${ours[i]!.msg}` : "did not throw"}; PyTorch ${r?.error ? `raised ${r.error}: ${r.msg}` : "did not"}`).toBe(r?.error !== undefined);
    });
  }
  // null records (actions that change no parameter) have nothing to compare
  for (let i = 0; i < upTo; i++) {
    const want = c.torch[i];
    if (want !== null && want.error === undefined) compare(ours[i]!, want, `${c.name} record ${i}`);
  }
}

export const errorRecord = (e: unknown): Rec => ({ error: (e as Error).constructor.name, msg: (e as Error).message });
