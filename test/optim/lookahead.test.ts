// Lookahead refuses state it cannot trust before it reaches a kernel:
// parameters added after construction, k/alpha edited between steps.
import { describe, expect, it } from "vitest";
import { memoryStats, optim, parameter, tensor, zeros } from "../../src/index.js";

function adamWithState() {
  const p = parameter([1, -2, 3]);
  const opt = new optim.Adam([p], { lr: 0.1 });
  p.grad = tensor([0.5, 0.5, 0.5]);
  opt.step();
  return { p, opt };
}


describe("Lookahead", () => {
  it("gives a parameter added to the inner optimizer after construction its own slow weights", () => {
    const p = parameter([1]);
    const inner = new optim.SGD([p], { lr: 0.1 });
    const la = new optim.Lookahead(inner, { k: 1, alpha: 0.5 });
    const q = parameter([4]);
    inner.addParamGroup({ params: [q] });
    p.grad = tensor([1]);
    q.grad = tensor([1]);
    la.step();
    // slow starts at 4; fast after SGD = 3.9; k = 1: slow = 4 + 0.5·(3.9 − 4) = 3.95.
    expect(q.data[0]).toBeCloseTo(3.95, 6);
    expect(p.data[0]).toBeCloseTo(0.95, 6);
    const probe = zeros([1 << 16]); // the allocator is intact
    expect(memoryStats().liveTensors).toBeGreaterThan(0);
    probe.dispose();
    expect(la.stateDict().lookahead).toMatchObject({ slow: { "1": { shape: [1] } } });
  });

  it.each([
    ["k", 0, /Invalid lookahead steps k: 0/],
    ["alpha", 7, /Invalid slow update rate alpha: 7/],
  ])("%s = %s set between steps throws at step() before anything changes", (key, value, message) => {
    const p = parameter([1]);
    const la = new optim.Lookahead(new optim.SGD([p], { lr: 0.1 }));
    (la as unknown as Record<string, number>)[key] = value;
    p.grad = tensor([1]);
    expect(() => la.step()).toThrow(message);
    expect(p.data[0]).toBe(1);
    expect(la.lookaheadStep).toBe(0);
  });
});
