// A minifying bundler renames classes, so class names must not come from
// `constructor.name`: an optimizer's state dict saved in Node ("Adam") has to
// load into a minified browser bundle, and messages must name PyTorch's
// classes. The library source is bundled and minified with esbuild and run in
// a fresh Node process.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { nn, optim, parameter } from "../../src/index.js";

const once = process.env.WASMTRAIN_BUILD === "simd";

const modules = ["Linear(2, 2)", "ReLU()", "LeakyReLU()", "Tanh()", "Sigmoid()", "GELU()", "Dropout()", "BatchNorm1d(2)", "LayerNorm(2)", "Flatten()", "Sequential()", "MSELoss()", "CrossEntropyLoss()"];
const optimizers = ["SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adamax", "NAdam", "RAdam", "Adadelta", "LAMB", "Ranger"];
// Every optimizer with options and the PyTorch 1.13 implementation switches its constructor takes.
const withOptions: Record<string, Record<string, unknown>> = {
  SGD: { lr: 0.1, momentum: 0.9, nesterov: true, foreach: false, differentiable: false },
  Adam: { lr: 0.01, betas: [0.8, 0.9], amsgrad: true, foreach: false, fused: false, capturable: false, differentiable: false },
  AdamW: { lr: 0.01, weightDecay: 0.1, foreach: null, capturable: false },
  Adagrad: { lr: 0.1, lrDecay: 0.01, foreach: false },
  RMSprop: { lr: 0.01, centered: true, foreach: false, differentiable: false },
  Adamax: { lr: 0.01, foreach: false },
  NAdam: { lr: 0.01, momentumDecay: 0.005, foreach: false },
  RAdam: { lr: 0.01, foreach: false },
  Adadelta: { lr: 0.5, rho: 0.8, foreach: false },
  LAMB: { lr: 0.01, weightDecay: 0.01 },
  Ranger: { lr: 0.01, k: 3, alpha: 0.4, foreach: false },
};

describe.runIf(once)("class names survive minification", () => {
  it("module typeName, optimizer name, state dicts and messages use PyTorch's class names", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wasmtrain-minified-"));
    const entry = join(dir, "entry.mjs");
    const adam = new optim.Adam([parameter([1, 2])]);
    writeFileSync(
      entry,
      `import * as wt from ${JSON.stringify(join(__dirname, "../../src/index.ts"))};
await wt.ready();
const p = () => wt.parameter([1, 2]);
const out = {
  modules: [${modules.map((m) => `new wt.nn.${m}`).join(", ")}].map((m) => m.typeName),
  optimizers: [${optimizers.map((o) => `new wt.optim.${o}([p()])`).join(", ")}, new wt.optim.Lookahead(new wt.optim.SGD([p()]))].map((o) => o.name),
  averaged: new wt.optim.swa.AveragedModel(new wt.nn.Linear(2, 2)).typeName,
  withOptions: Object.entries(${JSON.stringify(withOptions)}).map(([name, options]) => new wt.optim[name]([p()], options).name),
  unexpected: ["Adam", "AdamW"].map((name) => {
    try { new wt.optim[name]([p()], { bogus: 1 }); } catch (e) { return e.message.split(":")[0]; }
  }),
};
const q = p();
const adam = new wt.optim.Adam([q]);
adam.loadStateDict(${JSON.stringify(adam.stateDict())});
out.loaded = adam.stateDict().optimizer;
try { new wt.nn.Linear(2, 2).loadStateDict({}); } catch (e) { out.message = e.message.split("\\n")[0]; }
process.stdout.write(JSON.stringify(out));
`,
    );
    const bundle = join(dir, "bundle.mjs");
    await build({ entryPoints: [entry], bundle: true, minify: true, format: "esm", platform: "node", outfile: bundle, logLevel: "silent" });
    const out = JSON.parse(execFileSync(process.execPath, [bundle], { encoding: "utf8" }));
    expect(out.modules).toEqual(modules.map((m) => m.slice(0, m.indexOf("("))));
    expect(out.optimizers).toEqual([...optimizers, "Lookahead"]);
    expect(out.averaged).toBe("AveragedModel");
    expect(out.withOptions).toEqual(Object.keys(withOptions));
    expect(out.unexpected).toEqual(["Adam", "AdamW"]);
    expect(out.loaded).toBe("Adam");
    expect(out.message).toBe("loadStateDict: Error(s) in loading state_dict for Linear:");
  });

  it("a tree-shaken bundle that imports only tensor functions still has autograd and the nn methods of Tensor", async () => {
    // The autograd engine and Tensor's softmax/silu/… are installed by their
    // modules when loaded; package.json's sideEffects keeps those modules in
    // a bundle that never names them (a page importing { ready, parameter }).
    const dir = mkdtempSync(join(tmpdir(), "wasmtrain-treeshaken-"));
    const entry = join(dir, "entry.mjs");
    writeFileSync(
      entry,
      `import { ready, parameter } from ${JSON.stringify(join(__dirname, "../../src/index.ts"))};
await ready();
const p = parameter([1, 2, 3]);
p.mul(p).sum().backward();
const s = p.softmax(0).toArray();
process.stdout.write(JSON.stringify({ grad: Array.from(p.grad.toArray()), softmaxSum: s[0] + s[1] + s[2], silu: p.silu().item === undefined }));
`,
    );
    const bundle = join(dir, "bundle.mjs");
    await build({ entryPoints: [entry], bundle: true, minify: true, treeShaking: true, format: "esm", platform: "node", outfile: bundle, logLevel: "silent" });
    const out = JSON.parse(execFileSync(process.execPath, [bundle], { encoding: "utf8" }));
    expect(out.grad).toEqual([2, 4, 6]);
    expect(out.softmaxSum).toBeCloseTo(1, 6);
    expect(out.silu).toBe(false);
  });

  it("a user's own subclass is named by its constructor", () => {
    class MyNet extends nn.Module {}
    class MySGD extends optim.SGD {}
    expect(new MyNet().typeName).toBe("MyNet");
    expect(new MySGD([parameter([1])]).name).toBe("MySGD");
  });
});
