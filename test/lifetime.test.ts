// The lifetime rule (README "Lifetimes", src/lifetime.ts): a tensor the user
// holds never changes value; one the library reclaimed throws "released",
// naming what released it and what to do; the standard loops run 100,000
// iterations with memoryStats() flat, without the garbage collector and
// without disposing anything.
import { describe, expect, it } from "vitest";
import { F, Generator, memoryStats, nn, noGrad, optim, parameter, randn, tensor, type Tensor } from "../src/index.js";

const ITERATIONS = 100_000;

/** Runs `step` ITERATIONS times; allocatedBytes and liveTensors must not move after warm-up (step 4). */
function expectFlat(step: (i: number) => void): void {
  let mark: ReturnType<typeof memoryStats> | null = null;
  for (let i = 1; i <= ITERATIONS; i++) {
    step(i);
    if (i === 4) mark = memoryStats();
    else if (i > 4 && (i % 997 === 0 || i === ITERATIONS)) {
      const now = memoryStats();
      if (now.allocatedBytes !== mark!.allocatedBytes || now.liveTensors !== mark!.liveTensors) {
        throw new Error(`iteration ${i}: ${now.allocatedBytes} bytes in ${now.liveTensors} tensors, was ${mark!.allocatedBytes} in ${mark!.liveTensors}`);
      }
    }
  }
}

describe("held tensors never change value", () => {
  it("losses pushed over 3 steps: each reads its own value while valid, then throws 'released' — never the last loss", () => {
    const g = new Generator(0);
    const model = new nn.Sequential(new nn.Linear(4, 3));
    const opt = new optim.SGD(model.parameters(), { lr: 0.5 });
    const ce = new nn.CrossEntropyLoss();
    const x = randn([5, 4], { generator: g });
    const labels = [0, 1, 2, 0, 1];
    const losses: Tensor[] = [];
    const values: number[] = [];
    for (let s = 0; s < 3; s++) {
      opt.zeroGrad();
      const loss = ce.forward(model.forward(x), labels);
      loss.backward();
      opt.step();
      losses.push(loss);
      values.push(loss.item());
    }
    expect(new Set(values).size).toBe(3); // it trains: three different losses
    expect(losses[2].item()).toBe(values[2]);
    expect(losses[1].item()).toBe(values[1]); // valid through the next call of its loss
    expect(() => losses[0].item()).toThrow(/Tensor\[\] was released: the library reused its memory when CrossEntropyLoss\(\)\.forward\(\) ran for the second time after computing it\. .*clone\(\)/);
  });

  it("clone() keeps a value for good; outputs of noGrad and eval forwards follow the same rule", () => {
    const l = new nn.Linear(3, 2);
    const x = tensor([[1, 2, 3]]);
    const kept = noGrad(() => l.forward(x)).clone();
    const v = kept.toArray();
    for (let i = 0; i < 5; i++) noGrad(() => l.forward(x.mul(i)));
    expect(Array.from(kept.data)).toEqual(Array.from(v));
    l.eval();
    const a = l.forward(x);
    l.forward(x);
    l.forward(x);
    expect(() => a.data).toThrow(/released/);
  });

  it("a view (reshape) of a released tensor keeps the storage alive; a released handle fails every use with the same message", () => {
    const l = new nn.Linear(2, 4);
    const x = tensor([[1, 2]]);
    const y = l.forward(x);
    const v = y.reshape([4]).clone();
    const view = y.reshape([2, 2]);
    l.forward(x);
    l.forward(x);
    expect(() => y.toArray()).toThrow(/released/);
    expect(() => y.add(1)).toThrow(/add \(input\): Tensor\[1, 4\] was released/);
    expect(() => view.sum()).toThrow(/released/); // the view was computed in the same step: released with it
    expect(v.size).toBe(4);
  });
});

describe(`the standard loops run ${ITERATIONS.toLocaleString("en")} iterations in constant memory`, () => {
  const g = new Generator(1);
  const x = randn([8, 6], { generator: g });
  const labels = [0, 1, 2, 0, 1, 2, 0, 1];
  const makeModel = () => new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Linear(16, 3));

  it("training: forward, loss, backward, step (Adam), reading the loss", () => {
    const model = makeModel();
    const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
    const ce = new nn.CrossEntropyLoss();
    let first = 0, last = 0;
    expectFlat((i) => {
      opt.zeroGrad();
      const loss = ce.forward(model.forward(x), labels);
      loss.backward();
      opt.step();
      if (i === 1) first = loss.item();
      last = loss.item();
    });
    expect(last).toBeLessThan(first);
  }, 240_000);

  it("evaluation under noGrad and in eval() mode, with accuracy from the logits", () => {
    const model = makeModel();
    let correct = 0;
    expectFlat(() => {
      const logits = noGrad(() => model.forward(x));
      correct += logits.argmax({ dim: 1 }).data[0] === 0 ? 1 : 0;
    });
    model.eval();
    expectFlat(() => {
      model.forward(x).amax().item();
    });
    expect(correct).toBeGreaterThanOrEqual(0);
  }, 240_000);

  it("a training-mode forward that is never backpropagated", () => {
    const model = makeModel();
    expectFlat(() => {
      model.forward(x).mean().item();
    });
  }, 240_000);

  it("an operations-based model with a skip connection (parameters, F.linear, relu, add, mean), trained with SGD", () => {
    const w1 = parameter(randn([6, 6], { generator: g }).mul(0.3));
    const b1 = parameter(randn([6], { generator: g }).mul(0.1));
    const w2 = parameter(randn([3, 6], { generator: g }).mul(0.3));
    const opt = new optim.SGD([w1, b1, w2], { lr: 1e-2 });
    let first = 0, last = 0;
    expectFlat((i) => {
      opt.zeroGrad();
      const h = F.linear(x, w1, b1).relu().add(x); // residual
      const loss = F.crossEntropy(h.matmul(w2.t()), labels);
      loss.backward();
      opt.step();
      if (i === 1) first = loss.item();
      last = loss.item();
    });
    expect(last).toBeLessThan(first);
  }, 240_000);
});
