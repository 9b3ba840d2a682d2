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
    expect(out.loaded).toBe("Adam");
    expect(out.message).toBe("loadStateDict: Error(s) in loading state_dict for Linear:");
  });

  it("a user's own subclass is named by its constructor", () => {
    class MyNet extends nn.Module {}
    class MySGD extends optim.SGD {}
    expect(new MyNet().typeName).toBe("MyNet");
    expect(new MySGD([parameter([1])]).name).toBe("MySGD");
  });
});
