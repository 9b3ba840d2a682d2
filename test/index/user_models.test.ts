// User-defined modules trained as PyTorch trains the same classes
// (test/fixtures/generators/user_models.py): a residual MLP (ModuleList of
// LayerNorm/SiLU residual blocks, Adam, cross-entropy) and a module with a
// parameter of its own trained through a custom loss class (label-smoothed
// cross-entropy + an L2 penalty on the logits, SGD with momentum). 50 steps:
// every loss and every final parameter within rtol 1e-4 / atol 1e-5.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { F, nn, optim, parameter, ones, tensor, Tensor } from "../../src/index.js";
import { expectClose } from "../helpers/close.js";

interface Run {
  initial: Record<string, { shape: number[]; data: number[] }>;
  x: { shape: number[]; data: number[] };
  y: number[];
  losses: number[];
  final: Record<string, { shape: number[]; data: number[] }>;
}
const fixtures = JSON.parse(readFileSync(new URL("../fixtures/user_models.json", import.meta.url), "utf8")) as {
  steps: number;
  residual: Run;
  custom: Run;
};

class Block extends nn.Module {
  static override readonly moduleName = "Block";
  norm: nn.LayerNorm;
  fc1: nn.Linear;
  act = new nn.SiLU();
  fc2: nn.Linear;
  constructor(d: number) {
    super();
    this.norm = new nn.LayerNorm(d);
    this.fc1 = new nn.Linear(d, 2 * d);
    this.fc2 = new nn.Linear(2 * d, d);
  }
  override forward(x: Tensor): Tensor {
    return x.add(this.fc2.forward(this.act.forward(this.fc1.forward(this.norm.forward(x)))));
  }
}

class ResidualMLP extends nn.Module {
  static override readonly moduleName = "ResidualMLP";
  inp: nn.Linear;
  blocks: nn.ModuleList;
  head: nn.Linear;
  constructor(dIn: number, d: number, classes: number, depth: number) {
    super();
    this.inp = new nn.Linear(dIn, d);
    this.blocks = new nn.ModuleList(Array.from({ length: depth }, () => new Block(d)));
    this.head = new nn.Linear(d, classes);
  }
  override forward(x: Tensor): Tensor {
    let h = this.inp.forward(x);
    for (const b of this.blocks) h = b.forward(h);
    return this.head.forward(h);
  }
}

class Net extends nn.Module {
  static override readonly moduleName = "Net";
  fc1 = new nn.Linear(6, 12);
  scale = parameter(ones([12]));
  fc2 = new nn.Linear(12, 3);
  override forward(x: Tensor): Tensor {
    return this.fc2.forward(this.fc1.forward(x).tanh().mul(this.scale));
  }
}

class SmoothedCrossEntropyWithPenalty extends nn.Module {
  static override readonly moduleName = "SmoothedCrossEntropyWithPenalty";
  constructor(readonly smoothing: number, readonly penalty: number) {
    super();
  }
  override forward(logits: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(logits, target, { labelSmoothing: this.smoothing }).add(logits.pow(2).mean().mul(this.penalty));
  }
}

function train(model: nn.Module, lossFn: nn.Module, opt: optim.Optimizer, run: Run): void {
  expect(Object.keys(model.stateDict())).toEqual(Object.keys(run.initial));
  model.loadStateDict(run.initial);
  const x = tensor(run.x.data, run.x.shape);
  const y = tensor(run.y);
  const losses: number[] = [];
  for (let step = 0; step < fixtures.steps; step++) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    losses.push(loss.item());
    loss.backward();
    opt.step();
  }
  expectClose(losses, run.losses, { rtol: 1e-4, atol: 1e-5, what: "losses" });
  for (const [k, v] of Object.entries(model.stateDict())) expectClose(v.data, run.final[k].data, { rtol: 1e-4, atol: 1e-5, what: k });
}

describe("user-defined modules train as in PyTorch (50 steps)", () => {
  it("a residual MLP: ModuleList of LayerNorm → Linear → SiLU → Linear blocks with skip connections, Adam", () => {
    const model = new ResidualMLP(8, 16, 4, 2);
    train(model, new nn.CrossEntropyLoss(), new optim.Adam(model.parameters(), { lr: 3e-3 }), fixtures.residual);
  });

  it("a module with its own parameter, trained through a custom loss module, SGD with momentum", () => {
    const model = new Net();
    train(model, new SmoothedCrossEntropyWithPenalty(0.1, 0.05), new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }), fixtures.custom);
  });
});
