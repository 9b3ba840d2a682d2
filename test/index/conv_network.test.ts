// A small CNN (Conv2d, BatchNorm2d, ReLU, MaxPool2d, GroupNorm, a grouped
// 'same' Conv2d, AvgPool2d with ceil mode, AdaptiveAvgPool2d, Linear) trained
// 30 SGD-momentum steps from PyTorch's initial weights matches PyTorch 1.13's
// losses and final parameters and buffers (rtol 1e-4, atol 1e-5).
import { describe, expect, it } from "vitest";
import { nn, optim, tensor, type Tensor } from "../../src/index.js";
import fixtures from "../fixtures/conv.json" with { type: "json" };
import { expectClose } from "../helpers/close.js";

class SmallCNN extends nn.Module {
  conv1 = new nn.Conv2d(1, 4, 3, { padding: 1 });
  bn1 = new nn.BatchNorm2d(4);
  conv2 = new nn.Conv2d(4, 8, 3);
  gn = new nn.GroupNorm(2, 8);
  conv3 = new nn.Conv2d(8, 8, 3, { padding: "same", groups: 4 });
  fc = new nn.Linear(8 * 2 * 2, 5);
  relu1 = new nn.ReLU();
  relu2 = new nn.ReLU();
  pool1 = new nn.MaxPool2d(2);
  pool2 = new nn.AvgPool2d(2, { ceilMode: true });
  pool3 = new nn.AdaptiveAvgPool2d(2);
  flatten = new nn.Flatten();

  override forward(x: Tensor): Tensor {
    x = this.pool1.forward(this.relu1.forward(this.bn1.forward(this.conv1.forward(x))));
    x = this.relu2.forward(this.gn.forward(this.conv2.forward(x)));
    x = this.pool3.forward(this.pool2.forward(this.conv3.forward(x)));
    return this.fc.forward(this.flatten.forward(x));
  }
}

describe("a CNN trained 30 steps matches PyTorch 1.13", () => {
  it("losses at every step and every final parameter and buffer (rtol 1e-4, atol 1e-5)", () => {
    const f = fixtures.training;
    const model = new SmallCNN();
    model.loadStateDict(f.initial);
    const opt = new optim.SGD(model.parameters(), { lr: f.lr, momentum: f.momentum });
    const lossFn = new nn.CrossEntropyLoss();
    const x = tensor(f.x.data, f.x.shape);
    const labels = f.labels;
    const losses: number[] = [];
    for (let step = 0; step < 30; step++) {
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(x), labels);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    expectClose(losses, f.losses, { rtol: 1e-4, atol: 1e-5, what: "losses" });
    const sd = model.stateDict();
    expect(Object.keys(sd).sort()).toEqual(Object.keys(f.final).sort());
    for (const [k, v] of Object.entries(f.final)) expectClose((sd[k] as Tensor).data, v.data, { rtol: 1e-4, atol: 1e-5, what: k });
  });
});
