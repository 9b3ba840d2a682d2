// Whole networks against PyTorch (test/fixtures/generate.py): with the
// same weights and inputs, the loss, the output and every parameter gradient
// match, and BatchNorm1d's running statistics after several training batches.
// Tolerances: float32 throughout; loss and outputs within 1e-5 relative
// (+1e-6 absolute), gradients within 1e-4 relative + 2e-6 absolute (a few
// float32 reductions in different orders, and our erf/exp polynomials).
import { describe, expect, it } from "vitest";
import { nn, tensor, Tensor } from "../../src/index.js";
import fixtures from "../fixtures/nn.json" with { type: "json" };
import { expectClose } from "../helpers/close.js";

type Net = (typeof fixtures.networks)[number];

function build(name: string): nn.Sequential {
  switch (name) {
    case "mlp-crossentropy":
      return new nn.Sequential(
        new nn.Linear(8, 16), new nn.ReLU(), new nn.LayerNorm(16), new nn.Linear(16, 16), new nn.GELU(),
        new nn.BatchNorm1d(16), new nn.Tanh(), new nn.Dropout({ p: 0.3 }), new nn.Linear(16, 4),
      );
    case "mlp-mse":
      return new nn.Sequential(new nn.Linear(8, 16), new nn.LeakyReLU({ negativeSlope: 0.1 }), new nn.Linear(16, 16), new nn.Sigmoid(), new nn.Linear(16, 4));
    case "mlp-crossentropy-smoothing-sum":
      return new nn.Sequential(new nn.Linear(8, 16), new nn.Tanh(), new nn.BatchNorm1d(16), new nn.Linear(16, 4));
  }
  throw new Error(name);
}

function lossFor(name: string): nn.Module {
  if (name === "mlp-mse") return new nn.MSELoss();
  if (name === "mlp-crossentropy-smoothing-sum") return new nn.CrossEntropyLoss({ labelSmoothing: 0.1, reduction: "sum" });
  return new nn.CrossEntropyLoss();
}

function run(net: Net) {
  const model = build(net.name);
  model.loadStateDict(net.state);
  for (const i of net.evalModules) model.at(i)!.eval();
  const x = tensor(net.x.data, net.x.shape);
  const lossFn = lossFor(net.name);
  const out = model.forward(x);
  const target = net.name === "mlp-mse" ? tensor(net.target, out.shape) : net.target;
  const loss = lossFn.forward(out, target as Tensor & number[]);
  return { model, x, out, loss, target };
}

describe("networks match PyTorch", () => {
  for (const net of fixtures.networks) {
    it(`${net.name}: output, loss and every parameter gradient`, () => {
      const { model, x, out, loss, target } = run(net);
      expectClose(out.data, net.output, { atol: 1e-6, rtol: 1e-5, what: "output" });
      expectClose([loss.item()], [net.loss], { atol: 1e-6, rtol: 1e-5, what: "loss" });
      loss.backward();
      const names = model.namedParameters().map(([n]) => n);
      expect(names).toEqual(Object.keys(net.grads));
      for (const [name, p] of model.namedParameters()) {
        expect(p.grad, name).not.toBeNull();
        expectClose(p.grad!.data, net.grads[name as keyof typeof net.grads], { atol: 2e-6, rtol: 1e-4, what: `grad ${name}` });
      }
      const sd = model.stateDict();
      for (const [k, v] of Object.entries(net.buffersAfter)) expectClose(sd[k].data, v.data, { atol: 1e-6, rtol: 1e-5, what: k });
      expect(x.grad).toBeNull();
      for (const t of Object.values(sd)) t.dispose();
      model.dispose();
      x.dispose();
      if (target instanceof Tensor) target.dispose();
    });
  }

  it("state dict keys are PyTorch's (running_mean, running_var, num_batches_tracked)", () => {
    const net = fixtures.networks[0];
    const model = build(net.name);
    const sd = model.stateDict();
    expect(Object.keys(sd)).toEqual(Object.keys(net.state));
    for (const [k, v] of Object.entries(sd)) expect(v.shape, k).toEqual(net.state[k as keyof typeof net.state].shape);
    for (const t of Object.values(sd)) t.dispose();
    model.dispose();
  });
});
