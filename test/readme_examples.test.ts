// Every ```ts / ```js example in README.md and docs/*.md runs against the
// library (in every build: this file runs in each vitest project).
//
// How a block is run
// - Blocks are extracted when the test runs, so a new or edited example is
//   covered without touching this file. A block that cannot run here opts out
//   with `<!-- not run: reason -->` on the line before its fence; every other
//   ts/js block is run, and this file fails if it does not run.
// - `import { … } from "wasmtrain"` becomes a destructuring of the package
//   entry (src/index.ts, the same module instance test/setup.ts readied, so
//   the README's `await ready()` is the idempotent no-op it documents). Any
//   other import makes the block unrunnable: mark it.
// - The block is compiled with esbuild (TypeScript syntax such as `m.bias!`
//   is stripped, not type-checked) and run inside an async function.
// - Placeholders: a name the block uses but does not declare is defined by
//   the prelude below when it is one of PLACEHOLDERS (x, labels, model, …) or
//   a package export the block forgot to import; the prelude of each block is
//   exactly the placeholders it needs (and their dependencies), printed in the
//   test's name.
// - Error comments: a statement followed by `// XxxError: text` (on its line
//   or alone on the next line) must throw that class, with a message
//   containing the text (up to a trailing `...`/`…`).
// - Value comments: `const v = …; // <JSON>` asserts that v (parsed first when
//   it is a string) deep-equals the JSON exactly.
// - CHECKS adds assertions for specific blocks (values the prose or comments
//   state), with the tolerances given there.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import * as wt from "../src/index.js";
// @ts-expect-error -- plain ESM JavaScript without declarations
import { parseArgs as parseBenchArgs } from "../bench/harness.js";
import { buildProgram } from "../examples/mnist/cli.js";

const README = readFileSync(new URL("../README.md", import.meta.url), "utf8");
/** The README and every page of docs/, each with its path from the repository root. */
const PAGES: { file: string; text: string }[] = [
  { file: "README.md", text: README },
  ...readdirSync(new URL("../docs/", import.meta.url))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => ({ file: `docs/${f}`, text: readFileSync(new URL(`../docs/${f}`, import.meta.url), "utf8") })),
];
/** All of them, as one text (for quotes that may live on any page). */
const ALL_TEXT = PAGES.map((p) => p.text).join("\n");
const RUNNABLE_LANGS = new Set(["ts", "typescript", "js", "javascript", "mjs"]);
const MARKER = /^<!--\s*not run:\s*(\S.*?)\s*-->$/;

interface Block {
  file: string; // README.md or docs/….md
  line: number; // 1-based line of the opening fence
  lang: string;
  code: string;
  skip: string | null; // the marker's reason
}

export function extractBlocks(markdown: string, file = "README.md"): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].trimStart().startsWith(fence); i++) body.push(lines[i]);
    const lang = open[3].toLowerCase();
    if (!RUNNABLE_LANGS.has(lang)) continue;
    let prev = start - 1;
    while (prev >= 0 && lines[prev].trim() === "") prev--;
    const marker = prev >= 0 ? MARKER.exec(lines[prev].trim()) : null;
    blocks.push({ file, line: start + 1, lang, code: body.join("\n"), skip: marker ? marker[1] : null });
  }
  return blocks;
}

// ---------------------------------------------------------------------------
// Placeholders the README leaves implicit, in dependency order. Small sizes
// keep every example fast in the pure-JS build too.
const PLACEHOLDERS: { name: string; deps: string[]; code: string }[] = [
  { name: "S", deps: [], code: "const S = __wt.optim.lrScheduler;" },
  // a batch of 8 flattened 28×28 digits, and their integer labels
  { name: "x", deps: [], code: "const x = __wt.randn([8, 784], { generator: new __wt.Generator(1) });" },
  { name: "labels", deps: [], code: "const labels = Int32Array.from([3, 1, 4, 1, 5, 9, 2, 6]);" },
  // the README's 784-256-10 MLP, with gradients from one backward pass
  {
    name: "model", deps: ["x", "labels"], code: `const model = new __wt.nn.Sequential(new __wt.nn.Linear(784, 256), new __wt.nn.ReLU(), new __wt.nn.Linear(256, 10));
__ctx.lossFn = new __wt.nn.CrossEntropyLoss();
__ctx.lossFn.forward(model.forward(x), labels).backward();`,
  },
  // a fresh model of the same architecture (the "fresh process" of a resume)
  { name: "model2", deps: [], code: "const model2 = new __wt.nn.Sequential(new __wt.nn.Linear(784, 256), new __wt.nn.ReLU(), new __wt.nn.Linear(256, 10));" },
  // the README's AdamW on that model, after one step (so its state dict has state)
  { name: "opt", deps: ["model"], code: "const opt = new __wt.optim.AdamW(model.parameters(), { lr: 1e-3 }); opt.step();" },
  { name: "adam", deps: ["model"], code: "const adam = new __wt.optim.Adam(model.parameters());" },
  { name: "batches", deps: [], code: "const batches = 10; // batches per epoch" },
  { name: "validationLoss", deps: [], code: "const validationLoss = 0.42;" },
  // one training step on x, labels stands in for an epoch
  {
    name: "trainOneEpoch", deps: ["x", "labels"], code: `const trainOneEpoch = (m, o) => {
  o.zeroGrad();
  new __wt.nn.CrossEntropyLoss().forward(m.forward(x), labels).backward();
  o.step();
};`,
  },
  { name: "trainBatches", deps: ["x"], code: "const trainBatches = [x, x];" },
  // the matmul example's Linear(784, 256) weight [out, in] with a zero gradient, and an output gradient [8, 256]
  { name: "w", deps: [], code: "const w = __wt.randn([256, 784], { generator: new __wt.Generator(2) }); w.grad = __wt.zeros([256, 784]);" },
  { name: "dy", deps: [], code: "const dy = __wt.randn([8, 256], { generator: new __wt.Generator(3) });" },
];

// Extra assertions for particular blocks, keyed by a line unique to the block.
// `before` runs after the prelude and before the block; `after` runs after it,
// in the same scope. Both may use expect, __ctx, __wt and __f64matmul.
const CHECKS: { key: string; before?: string; after: string }[] = [
  {
    key: "const x = tensor([[1, 2, 3], [4, 5, 6]]); // float32, shape inferred from the nesting",
    after: `expect(w.shape).toEqual([3, 2]);
expect(w.requiresGrad).toBe(true);
expect(w instanceof nn.Parameter).toBe(true);
expect(w.grad.shape).toEqual([3, 2]);
expect(Array.from(row)).toEqual([1, 2, 3]);
expect(() => x.data).toThrow(/disposed/);`,
  },
  {
    key: "const train = makeCircle(1000);",
    after: `// "about 99%": at least 95% of the 500 held-out points
expect(correct).toBeGreaterThanOrEqual(475);
expect(__ctx.logs.length).toBe(5);
const losses = __ctx.logs.slice(0, 4).map(([s]) => Number(/loss (\\S+)/.exec(s)[1]));
for (const l of losses) expect(Number.isFinite(l) && l > 0).toBe(true);
expect(losses[3]).toBeLessThan(losses[0] / 5);
for (const p of model.parameters()) expect(p.grad).not.toBeNull();
expect(opt.paramGroups[0].lr).toBeLessThan(1e-3 * 0.05); // annealed towards etaMin = 0
expect(model.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
expect(train.inputs.shape).toEqual([1000, 2]);
expect(test.labels.filter((l) => l === 1).length).toBeGreaterThan(100); // both classes occur`,
  },
  {
    key: "const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 1e-2 });",
    after: `expect(opt).toBeInstanceOf(optim.AdamW);
expect(opt.paramGroups[0]).toMatchObject({ lr: 1e-3, weightDecay: 1e-2 });
expect(opt.paramGroups[0].params.length).toBe(4);`,
  },
  {
    key: "const opt = new optim.Ranger(model.parameters(), { lr: 1e-3, gradCentralization: true });",
    after: `expect(opt.paramGroups[0]).toMatchObject({ lr: 1e-3, gradCentralization: true });
expect(sgd.paramGroups[0]).toMatchObject({ lr: 0.1, momentum: 0.9 });
expect(sgd.paramGroups[1]).toMatchObject({ lr: 0.01, momentum: 0.9 }); // "lr 0.01 from the defaults below"
expect(sgd.paramGroups[0].params).toEqual(model.children()[0].parameters());
expect(sgd.paramGroups[1].params).toEqual(model.children()[2].parameters());`,
  },
  {
    key: "const total = optim.clipGradNorm(model.parameters(), 1.0);",
    before: "__ctx.norm = Math.sqrt(model.parameters().reduce((s, p) => s + p.grad.data.reduce((a, v) => a + v * v, 0), 0));",
    after: `// returns the norm before clipping (relative 1e-5: float32 sums)
expect(Math.abs(total - __ctx.norm)).toBeLessThanOrEqual(1e-5 * __ctx.norm);
expect(Math.max(...model.parameters().map((p) => p.grad.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0)))).toBeLessThanOrEqual(0.5);`,
  },
  {
    key: "const saved = JSON.stringify({ model: model.stateDict(), opt: opt.stateDict() });",
    after: `const a = model.parameters(), b = model2.parameters();
for (let i = 0; i < a.length; i++) expect(Array.from(b[i].data)).toEqual(Array.from(a[i].data));
expect(JSON.stringify(opt2.stateDict())).toBe(JSON.stringify(opt.stateDict()));
// continues bit for bit: one more identical step on both
for (const [m, o] of [[model, opt], [model2, opt2]]) {
  o.zeroGrad();
  new __wt.nn.CrossEntropyLoss().forward(m.forward(x), labels).backward();
  o.step();
}
for (let i = 0; i < a.length; i++) expect(Array.from(b[i].data)).toEqual(Array.from(a[i].data));`,
  },
  {
    key: "const sched = new S.SequentialLR(opt, {",
    after: `// warm-up then cosine to etaMin = 0 over the remaining 95 epochs (absolute 1e-12)
expect(Math.abs(sched.getLastLr()[0])).toBeLessThan(1e-12);
expect(Math.abs(opt.paramGroups[0].lr)).toBeLessThan(1e-12);`,
  },
  {
    key: "const onecycle = new S.OneCycleLR(adam, { maxLr: 1e-2, epochs: 10, stepsPerEpoch: batches });",
    after: `// 1cycle starts at maxLr / divFactor (25) with beta1 at maxMomentum (0.95)
expect(adam.paramGroups[0].lr).toBeCloseTo(1e-2 / 25, 12);
expect(adam.paramGroups[0].betas[0]).toBe(0.95);
expect(onecycle.getLastLr().length).toBe(1);
expect(plateau.getLastLr().length).toBe(1);
expect(Object.keys(JSON.parse(saved))).toEqual(["sched", "opt"]);`,
  },
  {
    key: "const swaModel = new optim.swa.AveragedModel(model);",
    after: `expect(swaModel.nAveraged).toBe(25);
// SWALR annealed to swaLr within annealEpochs = 5 (absolute 1e-12)
expect(Math.abs(opt.paramGroups[0].lr - 0.05)).toBeLessThan(1e-12);
expect(swaModel.module.parameters().length).toBe(model.parameters().length);`,
  },
  {
    key: "const loss = penalizedLoss(Cube.apply(model.forward(x)), labels); // a custom loss",
    after: `expect(__ctx.logs.length).toBe(1);
expect(__ctx.logs[0][0]).toBe(loss.item());
expect(Number.isFinite(loss.item())).toBe(true);
for (const p of model.parameters()) expect(p.grad).not.toBeNull();`,
  },
  {
    key: "const g = new Generator(2024n);",
    after: `expect(u.shape).toEqual([2, 3]);
for (const v of u.data) expect(v >= 0 && v < 1).toBe(true);
// mean of 1000 N(0,1): |mean| < 4.4/sqrt(1000) fails with probability 1e-5 (the seed is fixed)
expect(Math.abs(z.data.reduce((a, v) => a + v, 0) / 1000)).toBeLessThan(4.4 / Math.sqrt(1000));
expect(w.shape).toEqual([256, 784]);
expect(JSON.stringify(g.getState())).toBe(saved);`,
  },
  {
    key: "const y = matmul(x, w, { transposeB: true });",
    after: `// against float64 products, elementwise |out - ref| <= 4·(K+2)·2^-23·Σ|a||b| (test/matmul.test.ts's bound)
const ref = __f64matmul(x, w, false, true);
expect(y.shape).toEqual([8, 256]);
let bad = 0;
for (let i = 0; i < ref.out.length; i++) if (!(Math.abs(y.data[i] - ref.out[i]) <= 4 * 786 * 2 ** -23 * ref.abs[i])) bad++;
expect(bad).toBe(0);
const gref = __f64matmul(dy, x, true, false);
expect(w.grad.shape).toEqual([256, 784]);
for (let i = 0; i < gref.out.length; i++) if (!(Math.abs(w.grad.data[i] - gref.out[i]) <= 4 * 10 * 2 ** -23 * gref.abs[i])) bad++;
expect(bad).toBe(0);
expect(w.grad.data.some((v) => v !== 0)).toBe(true);`,
  },
];

/** op(a)·op(b) in float64, and Σ|a||b| per element (the rounding bound's scale). */
function f64matmul(a: wt.Tensor, b: wt.Tensor, ta: boolean, tb: boolean): { out: Float64Array; abs: Float64Array } {
  const [ar, ac] = a.shape;
  const [br, bc] = b.shape;
  const M = ta ? ac : ar, K = ta ? ar : ac, N = tb ? br : bc;
  expect(tb ? bc : br).toBe(K);
  const A = a.data, B = b.data;
  const out = new Float64Array(M * N), abs = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0, t = 0;
      for (let k = 0; k < K; k++) {
        const p = (ta ? A[k * ac + i] : A[i * ac + k]) * (tb ? B[j * bc + k] : B[k * bc + j]);
        s += p;
        t += Math.abs(p);
      }
      out[i * N + j] = s;
      abs[i * N + j] = t;
    }
  }
  return { out, abs };
}

// ---------------------------------------------------------------------------

function stripCommentsAndStrings(code: string): string {
  return code
    .replace(/\/\/.*$/gm, "")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""');
}

function declaredNames(code: string): Set<string> {
  const names = new Set<string>();
  const src = stripCommentsAndStrings(code);
  for (const m of src.matchAll(/\b(?:const|let|var|function|class)\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]);
  for (const m of src.matchAll(/\b(?:const|let|var)\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(",")) {
      const name = part.split(":").pop()!.split("=")[0].trim();
      if (name) names.add(name);
    }
  }
  for (const m of src.matchAll(/import\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(",")) {
      const name = part.split(/\s+as\s+/).pop()!.trim();
      if (name) names.add(name);
    }
  }
  return names;
}

function usedNames(code: string): Set<string> {
  const src = stripCommentsAndStrings(code.replace(/import\s*\{[^}]*\}\s*from\s*["'][^"']*["'];?/g, ""));
  return new Set(Array.from(src.matchAll(/(?<![\w$.])([A-Za-z_$][\w$]*)/g), (m) => m[1]));
}

/** The placeholders (and package exports) a block needs, in dependency order. */
function preludeFor(code: string): string[] {
  const declared = declaredNames(code);
  const used = usedNames(code);
  const wanted = new Set<string>();
  const want = (name: string) => {
    if (wanted.has(name)) return;
    const p = PLACEHOLDERS.find((q) => q.name === name)!;
    for (const d of p.deps) if (!declared.has(d)) want(d);
    wanted.add(name);
  };
  for (const p of PLACEHOLDERS) if (used.has(p.name) && !declared.has(p.name)) want(p.name);
  const exports = Object.keys(wt).filter((n) => used.has(n) && !declared.has(n) && !wanted.has(n));
  return [...exports, ...PLACEHOLDERS.filter((p) => wanted.has(p.name)).map((p) => p.name)];
}

const ERROR_COMMENT = /\/\/\s*([A-Z]\w*Error):\s*(.*)$/;

function expectedText(comment: string): string {
  return comment.replace(/\s*(\.\.\.|…)\s*$/, "").replace(/[;,]\s*$/, "").trim();
}

/** Rewrites the block: imports, error-comment statements, value comments. */
function instrument(code: string): { body: string; errorChecks: number; valueChecks: number } {
  let errorChecks = 0;
  let valueChecks = 0;
  const importRe = /import\s*\{([^}]*)\}\s*from\s*["']([^"']+)["'];?/g;
  code = code.replace(importRe, (_all, names: string, from: string) => {
    if (from !== "wasmtrain") throw new Error(`imports from ${JSON.stringify(from)}: mark the block <!-- not run: … -->`);
    const parts = names.split(",").map((s) => s.trim()).filter(Boolean).map((s) => s.replace(/^type\s+.*$/, "").replace(/\s+as\s+/, ": "));
    return `const { ${parts.filter(Boolean).join(", ")} } = __wt;`;
  });
  if (/^\s*import\b/m.test(code)) throw new Error("a bare or default import: mark the block <!-- not run: … -->");
  const lines = code.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const err = ERROR_COMMENT.exec(line);
    if (err) {
      const before = line.slice(0, err.index).trim();
      let stmt = before;
      if (before === "") {
        // the comment describes the previous statement
        stmt = out.pop()!.trim();
      }
      if (!stmt.endsWith(";")) throw new Error(`line ${i + 1}: the statement before "// ${err[1]}: …" must be one line ending in ';'`);
      out.push(`__expectThrows(() => { ${stmt} }, ${JSON.stringify(err[1])}, ${JSON.stringify(expectedText(err[2]))});`);
      errorChecks++;
      continue;
    }
    const value = /^\s*(?:const|let)\s+([A-Za-z_$][\w$]*)\s*=.*;\s*\/\/\s*([{["\d-].*)$/.exec(line);
    if (value) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value[2]);
      } catch {
        parsed = undefined;
      }
      if (parsed !== undefined) {
        out.push(line, `__expectValue(${JSON.stringify(value[1])}, ${value[1]}, ${JSON.stringify(value[2])});`);
        valueChecks++;
        continue;
      }
    }
    out.push(line);
  }
  return { body: out.join("\n"), errorChecks, valueChecks };
}

function expectThrows(fn: () => unknown, className: string, text: string): void {
  let thrown: unknown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected ${className}: ${text}`).not.toBeNull();
  expect((thrown as Error).constructor.name, String(thrown)).toBe(className);
  expect((thrown as Error).message).toContain(text);
}

function expectValue(name: string, value: unknown, json: string): void {
  const actual = typeof value === "string" ? JSON.parse(value) : JSON.parse(JSON.stringify(value));
  expect(actual, `${name} (README comment ${json})`).toEqual(JSON.parse(json));
}

async function runBlock(block: Block, prelude: string[], check: (typeof CHECKS)[number] | undefined): Promise<{ errorChecks: number; valueChecks: number }> {
  const { body, errorChecks, valueChecks } = instrument(block.code);
  const preludeCode = prelude.map((name) => PLACEHOLDERS.find((p) => p.name === name)?.code ?? `const { ${name} } = __wt;`);
  const source = `async function __block(__wt, __ctx, expect, __expectThrows, __expectValue, __f64matmul, console) {
${preludeCode.join("\n")}
${check?.before ?? ""}
${body}
;{
${check?.after ?? ""}
}
}`;
  const js = transformSync(source, { loader: "ts", target: "es2022" }).code;
  const fn = new Function(`${js}\nreturn __block;`)() as (...args: unknown[]) => Promise<void>;
  const ctx: Record<string, unknown> = { logs: [] as unknown[][] };
  const fakeConsole = { ...console, log: (...args: unknown[]) => (ctx.logs as unknown[][]).push(args) };
  await fn(wt, ctx, expect, expectThrows, expectValue, f64matmul, fakeConsole);
  return { errorChecks, valueChecks };
}

// ---------------------------------------------------------------------------

const blocks = PAGES.flatMap((p) => extractBlocks(p.text, p.file));

describe("README.md and docs/ examples", () => {
  it("finds the ts/js blocks; each CHECKS entry names exactly one runnable block", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    for (const c of CHECKS) {
      const hits = blocks.filter((b) => b.code.includes(c.key));
      expect(hits.length, `CHECKS key ${JSON.stringify(c.key)}`).toBe(1);
      expect(hits[0].skip, `CHECKS key ${JSON.stringify(c.key)} is on a block marked not run`).toBeNull();
    }
  });

  it("the extractor sees markers, languages and fences", () => {
    const md = ["text", "<!-- not run: needs a browser -->", "", "```js", "a();", "```", "```ts", "b();", "```", "```sh", "c", "```"].join("\n");
    const got = extractBlocks(md);
    expect(got.map((b) => [b.lang, b.code, b.skip])).toEqual([["js", "a();", "needs a browser"], ["ts", "b();", null]]);
  });

  for (const block of blocks) {
    const first = block.code.split("\n").find((l) => l.trim() !== "" && !l.trim().startsWith("import")) ?? "";
    const title = `${block.file}:${block.line} (\`${first.trim().slice(0, 60)}\`)`;
    if (block.skip !== null) {
      it(`${title} is marked not run: ${block.skip}`, () => {
        expect(block.skip!.length).toBeGreaterThan(3); // a reason is given
      });
      continue;
    }
    const prelude = preludeFor(block.code);
    const check = CHECKS.find((c) => block.code.includes(c.key));
    it(`${title} runs${prelude.length ? ` (prelude: ${prelude.join(", ")})` : ""}`, async () => {
      const { errorChecks, valueChecks } = await runBlock(block, prelude, check);
      // something beyond "did not throw" is asserted for every block
      expect(errorChecks + valueChecks + (check ? 1 : 0), "add a CHECKS entry or a value/error comment").toBeGreaterThan(0);
    });
  }
});

// ---------------------------------------------------------------------------
// Commands, links and file paths the README names (a reader runs or opens them).

const ROOT = new URL("../", import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")) as { scripts: Record<string, string> };

/** Every command line: lines of sh blocks (comments dropped) and inline code spans that start with npm/npx/node. */
function commandLines(markdown: string): string[] {
  const cmds: string[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(sh|bash|shell|console)\s*$/.test(lines[i])) continue;
    for (i++; !lines[i].startsWith("```"); i++) {
      const cmd = lines[i].replace(/\s+#.*$/, "").trim();
      if (cmd) cmds.push(...cmd.split(/\s*&&\s*/));
    }
  }
  for (const m of markdown.replace(/\n/g, " ").matchAll(/`((?:npm|npx|node) [^`]+)`/g)) cmds.push(m[1]);
  return cmds;
}

/** GitHub's heading anchors. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    out.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-"));
  }
  return out;
}

async function parseCli(args: string[]): Promise<{ ok: boolean; err: string; code?: string }> {
  let err = "";
  const program = buildProgram(
    { train: () => undefined, study: () => undefined },
    { exitOverride: true, output: { writeOut: () => undefined, writeErr: (s: string) => void (err += s) } },
  );
  try {
    await program.parseAsync(["node", "wasmtrain", ...args]);
    return { ok: true, err };
  } catch (e) {
    const code = (e as { code?: string }).code;
    return { ok: code === "commander.helpDisplayed" || code === "commander.help", err, code };
  }
}

describe("README.md and docs/ commands, links and paths", () => {
  const cmds = PAGES.flatMap((p) => commandLines(p.text));

  it("finds the commands", () => {
    expect(cmds.length).toBeGreaterThan(15);
  });

  it("every `npm run X` / `npm start` / `npm test` is a package.json script", () => {
    for (const cmd of cmds) {
      const m = /^npm (?:run (\S+)|(start|test))\b/.exec(cmd);
      if (m) expect(Object.keys(pkg.scripts), cmd).toContain(m[1] ?? m[2]);
    }
  });

  it("every benchmark command's flags are accepted by bench/index.js (npm run bench -- …, node bench/index.js …)", () => {
    let n = 0;
    for (const cmd of cmds) {
      const m = /^(?:npm run bench --|node (?:--\S+ )*bench\/index\.js)\s*(.*)$/.exec(cmd);
      if (!m) continue;
      const args = m[1].trim() === "" ? [] : m[1].trim().split(/\s+/);
      expect(() => parseBenchArgs(args), cmd).not.toThrow();
      n++;
    }
    expect(n).toBeGreaterThanOrEqual(4);
  });

  it("every `npx wasmtrain …` command parses with the CLI's own flags and choices", async () => {
    let n = 0;
    for (const cmd of cmds) {
      const m = /^npx wasmtrain\b\s*(.*)$/.exec(cmd);
      if (!m || m[1].trim() === "") continue;
      const res = await parseCli(m[1].trim().split(/\s+/));
      expect(res.ok, `${cmd}: ${res.err}`).toBe(true);
      n++;
    }
    expect(n).toBeGreaterThanOrEqual(5);
  });

  it("the CLI error messages the docs quote are the CLI's", async () => {
    const flat = ALL_TEXT.replace(/\s+/g, " ");
    for (const args of [["train", "--init", "he"], ["train", "--lr", "abc"]]) {
      const res = await parseCli(args);
      expect(res.ok).toBe(false);
      const first = res.err.split("\n")[0].trim();
      expect(first).toMatch(/^error: /);
      expect(flat, args.join(" ")).toContain(first);
    }
  });

  for (const page of PAGES) {
    it(`${page.file}: every relative link and image exists; every #anchor is a heading of its page`, () => {
      const base = new URL(page.file, ROOT);
      const links = Array.from(page.text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g), (m) => m[1]);
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) {
        if (/^https?:/.test(link)) continue;
        const [path, anchor] = link.split("#");
        const target = path === "" ? base : new URL(path, base);
        expect(existsSync(target), link).toBe(true);
        if (anchor === undefined) continue;
        const targetText = path === "" ? page.text : readFileSync(target, "utf8");
        expect(anchors(targetText), link).toContain(anchor);
      }
    });
  }

  it("every repository path in a code span exists (src/, test/, bench/, examples/, scripts/, assembly/, docs/, bin/, .ci/)", () => {
    const paths = new Set(Array.from(ALL_TEXT.matchAll(/`((?:src|test|bench|examples|scripts|assembly|docs|bin|\.ci)\/[\w./-]*)`/g), (m) => m[1]));
    expect(paths.size).toBeGreaterThan(10);
    for (const p of paths) expect(existsSync(new URL(p, ROOT)), p).toBe(true);
  });

  it("the README stays a user's guide: at most 450 lines, starting with npm install", () => {
    expect(README.split("\n").length).toBeLessThanOrEqual(450);
    expect(README.indexOf("npm install wasmtrain")).toBeGreaterThan(0);
    expect(README.indexOf("npm install wasmtrain")).toBeLessThan(README.indexOf("npm ci"));
  });
});

// ---------------------------------------------------------------------------
// Error messages the README's prose quotes: the README contains the quote and
// the call throws the stated class with a message containing it.
describe("README.md and docs/ quoted error messages", () => {
  const { nn, optim, zeros, tensor, parameter, matmul, empty } = wt;
  const flat = ALL_TEXT.replace(/\s+/g, " ");
  const cases: [string, string, () => unknown][] = [
    ["Invalid learning rate: -1", "RangeError", () => new optim.SGD([parameter([1, 2])], { lr: -1 })],
    ["Invalid beta parameter at index 0: 1", "RangeError", () => new optim.Adam([parameter([1, 2])], { betas: [1, 0.999] })],
    ["Nesterov momentum requires a momentum and zero dampening", "RangeError", () => new optim.SGD([parameter([1, 2])], { nesterov: true })],
    ["weightDecay", "TypeError", () => new optim.SGD([parameter([1, 2])], { weight_decay: 1 } as never)],
    ["Linear(784, 256): expected input with 784 features, got 783", "RangeError", () => new nn.Linear(784, 256).forward(zeros([2, 783]))],
    ["mat1 and mat2 shapes cannot be multiplied (2x5 and 4x3)", "RangeError", () => new nn.Linear(4, 3).forward(zeros([2, 5]))],
    ["CrossEntropyLoss(): labels[3] = 10 is out of range for 10 classes", "RangeError", () => new nn.CrossEntropyLoss().forward(zeros([4, 10]), [0, 1, 2, 10])],
    ["Target 10 is out of bounds.", "RangeError", () => new nn.CrossEntropyLoss().forward(zeros([4, 10]), [0, 1, 2, 10])],
    ["BatchNorm1d(16): input contains NaN at [5, 2]", "RangeError", () => {
      const x = zeros([8, 16]);
      x.data[5 * 16 + 2] = NaN;
      return new nn.BatchNorm1d(16).forward(x);
    }],
    ["Linear(8, 2) (input): Tensor[4, 8] has been disposed", "Error", () => {
      const x = zeros([4, 8]);
      x.dispose();
      return new nn.Linear(8, 2).forward(x);
    }],
    ["grad can be implicitly created only for scalar outputs", "Error", () => new nn.Linear(3, 2).forward(tensor([[1, 2, 3]])).backward()],
    ["1 GiB", "RangeError", () => empty([2 ** 29])],
  ];
  for (const [quote, cls, f] of cases) {
    it(`${cls}: ${quote}`, () => {
      expect(flat).toContain(quote);
      let thrown: unknown = null;
      try {
        f();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).not.toBeNull();
      expect((thrown as Error).constructor.name).toBe(cls);
      expect((thrown as Error).message).toContain(quote);
    });
  }

  it("paramGroups[0].lr = NaN throws at step() and changes nothing; matmul's out may not be a", () => {
    const p = parameter([1, 2]);
    p.grad = tensor([1, 1]);
    const opt = new optim.SGD([p], { lr: 0.1 });
    opt.paramGroups[0].lr = NaN;
    expect(() => opt.step()).toThrow(RangeError);
    expect(Array.from(p.data)).toEqual([1, 2]);
    const a = zeros([2, 2]);
    expect(() => matmul(a, zeros([2, 2]), { out: a })).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------
// TypeScript users paste these examples too: every runnable block type-checks
// under the project's strict tsconfig against src/ (the placeholders declared
// with their types). Build-independent, so it runs in one project only.
const TYPES: Record<string, string> = {
  S: "typeof __W.optim.lrScheduler",
  x: "__W.Tensor",
  labels: "Int32Array",
  model: "__W.nn.Sequential",
  model2: "__W.nn.Sequential",
  opt: "__W.optim.AdamW",
  adam: "__W.optim.Adam",
  batches: "number",
  validationLoss: "number",
  trainOneEpoch: "(m: __W.nn.Module, o: __W.optim.Optimizer) => void",
  trainBatches: "__W.Tensor[]",
  w: "__W.Tensor",
  dy: "__W.Tensor",
};

if ((process.env.WASMTRAIN_BUILD ?? "simd") === "simd") {
  describe("README.md examples type-check", () => {
    it("every runnable ts/js block compiles under tsconfig.json's strict options", async () => {
      const ts = (await import("typescript")).default;
      const rootDir = new URL(".", ROOT).pathname.replace(/\/$/, "");
      const config = ts.parseJsonConfigFileContent(ts.readConfigFile(`${rootDir}/tsconfig.json`, ts.sys.readFile).config, ts.sys, rootDir);
      const options = { ...config.options, noEmit: true, declaration: false, sourceMap: false, rootDir, noUnusedLocals: false };
      const files = new Map<string, string>();
      const firstLine = new Map<string, { file: string; line: number }>(); // page line of the file's first code line, minus the header
      for (const block of blocks) {
        if (block.skip !== null) continue;
        const prelude = preludeFor(block.code);
        const header = [
          'import type * as __W from "../src/index.js";',
          ...prelude.map((name) => (TYPES[name] ? `declare const ${name}: ${TYPES[name]};` : `import { ${name} } from "../src/index.js";`)),
        ];
        const code = block.code.replace(/from\s*["']wasmtrain["']/g, 'from "../src/index.js"');
        const name = `${rootDir}/test/__${block.file.replace(/\W/g, "_")}_line_${block.line}.ts`;
        files.set(name, `${header.join("\n")}\n${code}\nexport {};\n`);
        firstLine.set(name, { file: block.file, line: block.line + 1 - header.length });
      }
      const host = ts.createCompilerHost(options);
      const { fileExists, readFile, getSourceFile } = host;
      host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
      host.readFile = (f) => files.get(f) ?? readFile.call(host, f);
      host.getSourceFile = (f, lang, ...rest) =>
        files.has(f) ? ts.createSourceFile(f, files.get(f)!, lang) : getSourceFile.call(host, f, lang, ...rest);
      const program = ts.createProgram([...files.keys()], options, host);
      const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file && files.has(d.file.fileName));
      const text = diagnostics.map((d) => {
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const at = firstLine.get(d.file!.fileName)!;
        return `${at.file}:${at.line + line}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
      });
      expect(text).toEqual([]);
      expect(files.size).toBeGreaterThanOrEqual(10);
    });
  });
}

// The optimizer table's example column (`new optim.X(ps, …)`), with ps = two parameters.
describe("README.md optimizer table examples", () => {
  const examples = Array.from(README.matchAll(/\| `(new optim\.\w+\((?:[^`])*\))` \|/g), (m) => m[1]);

  it("finds one example per optimizer row", () => {
    expect(examples.length).toBeGreaterThanOrEqual(12);
  });

  for (const src of examples) {
    it(`${src} constructs and steps`, () => {
      const ps = [wt.parameter([1, -2, 3, -4], [2, 2]), wt.parameter([0.5, 0.25])];
      const opt = new Function("optim", "ps", `return ${src};`)(wt.optim, ps) as wt.optim.Optimizer;
      // the options shown are what the first group holds
      const shown = /\{([^}]*)\}\)$/.exec(src);
      if (shown && !src.includes("Lookahead")) {
        const want = new Function(`return {${shown[1]}};`)() as Record<string, unknown>;
        expect(opt.paramGroups[0]).toMatchObject(want);
      }
      for (const p of ps) p.grad = wt.tensor(Array.from(p.data, (v) => v / 2), p.shape);
      const before = ps.map((p) => p.toArray());
      opt.step();
      expect(ps.some((p, i) => p.data.some((v, j) => v !== before[i][j]))).toBe(true);
    });
  }
});
