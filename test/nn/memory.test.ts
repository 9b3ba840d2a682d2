// A training step allocates no WebAssembly memory once warmed up: 200 steps of
// forward, backward, zeroGrad and a manual SGD update keep allocatedBytes and
// liveTensors exactly where they were after step 3.
import { describe, expect, it } from "vitest";
import { memoryStats, nn, tensor } from "../../src/index.js";

describe("steady-state training allocates nothing", () => {
  it("200 steps: allocatedBytes and liveTensors stay flat after step 3", () => {
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
      if (stepIndex === 3) mark = memoryStats();
      if (stepIndex > 3) {
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
});
