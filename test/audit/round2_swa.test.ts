// Audit round 2: optim.swa.AveragedModel against PyTorch 1.13's
// swa_utils.AveragedModel — the equal average and an EMA, with and without
// useBuffers — on Linear-BatchNorm1d-ReLU-Linear: its whole state dict
// (n_averaged first, then module.*) after each of four updates (the model's
// parameters set and batch-norm statistics moved by training forwards between
// updates), then after updateBn. With useBuffers, num_batches_tracked is
// averaged as PyTorch's int64 buffer is (truncated toward zero).
// Fixture: test/fixtures/audit2.json (make_audit2_fixtures.py). Tolerance:
// relative 1e-5 + absolute 1e-6.
import { describe, expect, it } from "vitest";
import { nn, noGrad, optim, tensor, type Tensor } from "../../src/index.js";
import { expectClose, fixture } from "./round2_fixture.js";

const f = fixture.swa as {
  rounds: { params: Record<string, number[]>; batches: number[][][] }[];
  bnBatches: number[][][];
  cases: { name: string; useBuffers: boolean; ema: boolean; keys: string[]; states: Record<string, number[]>[]; afterUpdateBn: Record<string, number[]> }[];
};

const batch = (b: number[][]) => tensor(b.flat(), [b.length, b[0].length]);

describe("audit round 2: AveragedModel and updateBn against PyTorch 1.13", () => {
  for (const c of f.cases) {
    it(c.name, () => {
      const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.ReLU(), new nn.Linear(4, 2));
      let avg: optim.swa.AveragedModel | null = null;
      f.rounds.forEach((r, k) => {
        for (const [name, p] of model.namedParameters()) p.data.set(r.params[name]);
        model.train();
        for (const b of r.batches) noGrad(() => model.forward(batch(b)));
        avg ??= new optim.swa.AveragedModel(model, { useBuffers: c.useBuffers, ...(c.ema ? { decay: 0.9 } : {}) });
        avg.updateParameters(model);
        const sd = avg.stateDict() as Record<string, Tensor>;
        expect(Object.keys(sd)).toEqual(c.keys);
        for (const key of c.keys) expectClose(sd[key].toArray(), c.states[k][key], `update ${k + 1}: ${key}`, 1e-5, 1e-6);
      });
      optim.swa.updateBn(f.bnBatches.map(batch), avg!.module);
      const sd = avg!.stateDict() as Record<string, Tensor>;
      for (const key of c.keys) expectClose(sd[key].toArray(), c.afterUpdateBn[key], `after updateBn: ${key}`, 1e-5, 1e-6);
    });
  }
});
