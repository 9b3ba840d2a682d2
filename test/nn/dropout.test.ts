// nn.Dropout: identity in eval; in training each element zeroed or scaled by
// 1/(1 − p), with the same mask in backward; the share kept within binomial
// bounds; masks reproducible from a generator.
import { describe, expect, it } from "vitest";
import { Generator, nn, parameter, tensor, zeros } from "../../src/index.js";

describe("Dropout", () => {
  it("Dropout: identity in eval; in training zero or 1/(1-p) times the input, and the same mask in backward", () => {
    const d = new nn.Dropout({ p: 0.25 });
    const x = parameter(Array.from({ length: 4000 }, (_, i) => 1 + (i % 7)), [40, 100]);
    d.eval();
    expect(d.forward(x)).toBe(x);
    d.train();
    const y = d.forward(x);
    let kept = 0;
    for (let i = 0; i < x.size; i++) {
      const v = y.data[i];
      if (v !== 0) {
        kept++;
        expect(v).toBeCloseTo(x.data[i] / 0.75, 5);
      }
    }
    // kept ~ Binomial(4000, 0.75): mean 3000, sd 27.4; ±6 sd
    expect(Math.abs(kept - 3000)).toBeLessThan(165);
    const loss = new nn.MSELoss({ reduction: "sum" }).forward(y, zeros([40, 100]));
    loss.backward();
    for (let i = 0; i < x.size; i++) expect(x.grad!.data[i]).toBeCloseTo(2 * y.data[i] * (y.data[i] === 0 ? 0 : 1 / 0.75), 4);
    x.dispose();
  });

  it("Dropout's masks are reproducible from the generator", () => {
    const x = tensor(new Float32Array(64).fill(1), [8, 8]);
    const masks = [1, 2].map(() => new nn.Dropout({ p: 0.5, generator: new Generator(7) }).forward(x).toArray());
    expect(Array.from(masks[0])).toEqual(Array.from(masks[1]));
    x.dispose();
  });
});
