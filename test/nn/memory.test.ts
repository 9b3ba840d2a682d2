// A training step allocates no WebAssembly memory once warmed up: 200 steps of
// forward, backward, zeroGrad and a manual SGD update keep allocatedBytes and
// liveTensors exactly where they were after warm-up (step 3; step 4 when two
// losses alternate: each module's lifetime clock holds its last two calls'
// results, src/lifetime.ts, so the loss called every other step warms up by step 4).
import { describe, expect, it } from "vitest";
import { memoryStats, nn, optim, tensor } from "../../src/index.js";

describe("steady-state training allocates nothing", () => {
  it("200 steps: allocatedBytes and liveTensors stay flat after step 4 (two alternating losses)", () => {
    const model = new nn.Sequential(
      new nn.Linear(20, 32), new nn.ReLU(), new nn.BatchNorm1d(32), new nn.Linear(32, 32), new nn.GELU(),
      new nn.LayerNorm(32), new nn.Dropout({ p: 0.2 }), new nn.Tanh(), new nn.Linear(32, 5),
    );
    const ce = new nn.CrossEntropyLoss({ labelSmoothing: 0.05 });
    const mse = new nn.MSELoss();
    const N = 16;
    const x = tensor(Array.from({ length: N * 20 }, (_, i) => Math.sin(i * 0.37)), [N, 20]);
    const labels = Int32Array.from({ length: N }, (_, i) => i % 5);
    const target = tensor(new Float32Array(N * 5), [N, 5]);
    const params = model.parameters();
    let mark: ReturnType<typeof memoryStats> | null = null;
    let first = 0;
    let last = 0;
    for (let stepIndex = 1; stepIndex <= 200; stepIndex++) {
      model.zeroGrad();
      const out = model.forward(x);
      const loss = stepIndex % 2 ? ce.forward(out, labels) : mse.forward(out, target);
      loss.backward();
      for (const p of params) {
        const w = p.data;
        const g = p.grad!.data;
        for (let i = 0; i < w.length; i++) w[i] -= 0.05 * g[i];
      }
      if (stepIndex === 1) first = loss.item();
      if (stepIndex === 199) last = loss.item();
      if (stepIndex === 4) mark = memoryStats();
      if (stepIndex > 4) {
        const now = memoryStats();
        expect(now.allocatedBytes, `step ${stepIndex}`).toBe(mark!.allocatedBytes);
        expect(now.liveTensors, `step ${stepIndex}`).toBe(mark!.liveTensors);
      }
    }
    expect(last).toBeLessThan(first); // it trains
    model.dispose();
    x.dispose();
    target.dispose();
  });

  it("200 steps of the 784-256-10 MLP with optim.Adam: flat after step 3", () => {
    const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const lossFn = new nn.CrossEntropyLoss();
    const N = 32;
    const x = tensor(Array.from({ length: N * 784 }, (_, i) => (i * 7919) % 256 / 255), [N, 784]);
    const labels = Array.from({ length: N }, (_, i) => (i * 3) % 10);
    let mark: ReturnType<typeof memoryStats> | null = null;
    let first = 0;
    let last = 0;
    for (let i = 1; i <= 200; i++) {
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(x), labels);
      loss.backward();
      opt.step();
      if (i === 1) first = loss.item();
      last = loss.item();
      if (i === 3) mark = memoryStats();
      if (i > 3) {
        expect(memoryStats().allocatedBytes, `step ${i}`).toBe(mark!.allocatedBytes);
        expect(memoryStats().liveTensors, `step ${i}`).toBe(mark!.liveTensors);
      }
    }
    expect(last).toBeLessThan(first / 2); // it trains
    model.dispose();
    x.dispose();
  });
});
