// State that cannot be trusted is refused before it can reach a kernel:
// foreign or incomplete state dicts, invalid steps, Lookahead parameters
// added after construction, and Lookahead's k/alpha edited between steps.
import { describe, expect, it } from "vitest";
import { memoryStats, optim, parameter, tensor, zeros } from "../../src/index.js";

function adamWithState() {
  const p = parameter([1, -2, 3]);
  const opt = new optim.Adam([p], { lr: 0.1 });
  p.grad = tensor([0.5, 0.5, 0.5]);
  opt.step();
  return { p, opt };
}

describe("loadStateDict refuses state it cannot use, changing nothing", () => {
  it("a state dict saved from another optimizer", () => {
    const q = parameter([1, -2, 3]);
    const sgd = new optim.SGD([q], { lr: 0.1, momentum: 0.9 });
    q.grad = tensor([1, 1, 1]);
    sgd.step();
    const { p, opt } = adamWithState();
    const before = JSON.stringify(opt.stateDict());
    expect(() => opt.loadStateDict(sgd.stateDict())).toThrow(/saved from SGD, not Adam/);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
    expect(Array.from(p.data)).toEqual(Array.from(p.toArray()));
  });

  it("an entry that lacks one of the optimizer's buffers, or has a number where a buffer belongs", () => {
    const { opt } = adamWithState();
    const sd = opt.stateDict();
    const before = JSON.stringify(sd);
    const missing = JSON.parse(before);
    delete missing.state["0"].exp_avg_sq;
    expect(() => opt.loadStateDict(missing)).toThrow(/state\[0\] lacks exp_avg_sq/);
    const wrongType = JSON.parse(before);
    wrongType.state["0"].exp_avg = 0;
    expect(() => opt.loadStateDict(wrongType)).toThrow(/state\[0\]\.exp_avg/);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });

  it.each([[-1], [1.5], [Number.NaN]])("step = %s is a RangeError", (step) => {
    const { opt } = adamWithState();
    const sd = JSON.parse(JSON.stringify(opt.stateDict()));
    sd.state["0"].step = step;
    expect(() => opt.loadStateDict(sd)).toThrow(/step must be a non-negative integer/);
    expect(opt.stateDict().state["0"].step).toBe(1);
  });

  it("a valid round trip still loads (SGD's lazily created momentum buffer included)", () => {
    const q = parameter([1, 2]);
    const sgd = new optim.SGD([q], { lr: 0.1, momentum: 0.9 });
    q.grad = tensor([1, -1]);
    sgd.step();
    const fresh = new optim.SGD([q], { lr: 0.1, momentum: 0.9 });
    fresh.loadStateDict(JSON.parse(JSON.stringify(sgd.stateDict())));
    expect(fresh.stateDict()).toEqual(sgd.stateDict());
  });
});

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
