// The replay fixture (test/fixtures/audit2.json, written by
// make_audit2_fixtures.py with PyTorch 1.13) and the record comparison of
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const fixture = decode(JSON.parse(readFileSync(new URL("../fixtures/audit2.json", import.meta.url), "utf8"))) as any;

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
  c: { name: string; torch: Rec[]; pytorchBug?: string; oursEarlier?: string },
  ours: Rec[],
  compare: (got: Rec, want: Rec, where: string) => void,
): void {
  const firstErr = (rs: Rec[]) => {
    const i = rs.findIndex((r) => r.error !== undefined);
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
      expect(ours[i].error !== undefined, `${c.name} record ${i}: wasmtrain ${ours[i].error ? `threw ${ours[i].msg}` : "did not throw"}; PyTorch ${r.error ? `raised ${r.error}: ${r.msg}` : "did not"}`).toBe(r.error !== undefined);
    });
  }
  for (let i = 0; i < upTo; i++) if (c.torch[i].error === undefined) compare(ours[i], c.torch[i], `${c.name} record ${i}`);
}

export const errorRecord = (e: unknown): Rec => ({ error: (e as Error).constructor.name, msg: (e as Error).message });
