// The study's report (examples/mnist/report.js): the JSON's structure, the
// self-contained HTML page, the terminal tables. Built from synthetic results,
// so nothing is trained here (test/examples/study.test.ts runs a real one).
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPORT_VERSION, chartJsSource, renderHtml, summaryText, toJsonSafe, validateReport, windowMeans, writeReport, textTable } from "../../examples/mnist/report.js";

function run(name: string, label: string, accuracy: number, losses: (number | null)[]) {
  return {
    name,
    label,
    initializer: "kaiming",
    initializerLabel: "Kaiming (He) normal",
    formula: "W ~ N(0, 2 / fan_in)",
    optimizer: "adam",
    optimizerLabel: "Adam",
    lr: 0.001,
    description: "test run </script>",
    epochs: [
      { epoch: 1, trainLoss: 0.5, trainAccuracy: 0.85, heldOutLoss: 0.4, heldOutAccuracy: accuracy - 0.01, seconds: 1.5, samplesPerSecond: 5333 },
      { epoch: 2, trainLoss: 0.25, trainAccuracy: 0.93, heldOutLoss: 0.3, heldOutAccuracy: accuracy, seconds: 1.25, samplesPerSecond: 6400 },
    ],
    lossCurve: { stepsPerPoint: 5, stepsPerEpoch: 125, values: losses },
    heldOutAccuracy: accuracy,
    seconds: 3,
  };
}

function syntheticReport() {
  return {
    version: REPORT_VERSION,
    meta: {
      createdAt: "2026-01-01T00:00:00.000Z",
      build: "simd",
      node: "20.0.0",
      mode: "compact",
      seed: 0,
      trainSize: 8000,
      heldOutSize: 2000,
      batchSize: 64,
      studyEpochs: 2,
      normalization: { mean: 0.13, std: 0.31 },
      durationSeconds: 12.5,
    },
    main: run("main", "Kaiming + Adam", 0.965, [2.3, 1.1, 0.5]),
    initializers: [run("zeros", "zeros", 0.11, [2.3, 2.3]), run("kaiming", "Kaiming (He) normal", 0.95, [2.3, 0.4])],
    optimizers: [run("sgd", "SGD", 0.9, [2.3, NaN]), run("adam", "Adam", 0.95, [2.3, 0.3])],
    depth: [
      {
        activation: "tanh",
        layers: 3,
        width: 16,
        batch: 32,
        results: [
          { name: "zeros", label: "zeros", formula: "W = 0", loss: 2.3, activationStd: [0, 0, 0], gradientStd: [0, 0, 0], biasGradientStd: [0, 0, 0] },
          { name: "xavier", label: "Xavier", formula: "…", loss: 2.4, activationStd: [0.6, 0.5, 0.4], gradientStd: [1e-3, 2e-3, 3e-3], biasGradientStd: [1e-2, 2e-2, 4e-2] },
        ],
      },
    ],
  };
}

describe("report JSON", () => {
  it("a well-formed report validates once non-finite numbers become null", () => {
    const r = toJsonSafe(syntheticReport());
    expect(r.optimizers[0].lossCurve.values).toEqual([2.3, null]);
    expect(validateReport(r)).toBe(r);
    expect(() => validateReport(syntheticReport())).toThrow("optimizers[0].lossCurve.values[1] must be a finite number or null, got null");
  });

  it.each([
    ["version", (r: any) => (r.version = 0), "version must be 1"],
    ["meta.build", (r: any) => delete r.meta.build, "meta.build must be a string"],
    ["meta.seed", (r: any) => (r.meta.seed = 0.5), "meta.seed must be an integer"],
    ["main.epochs", (r: any) => (r.main.epochs = []), "main.epochs must be a non-empty array"],
    ["epoch numbering", (r: any) => (r.initializers[1].epochs[1].epoch = 3), "initializers[1].epochs[1].epoch must be 2"],
    ["an epoch figure", (r: any) => (r.initializers[0].epochs[0].heldOutAccuracy = "96%"), "initializers[0].epochs[0].heldOutAccuracy must be a finite number or null"],
    ["loss curve", (r: any) => (r.optimizers[1].lossCurve.stepsPerPoint = 0), "optimizers[1].lossCurve.stepsPerPoint must be a positive integer"],
    ["depth layers", (r: any) => r.depth[0].results[1].gradientStd.pop(), "depth[0].results[1].gradientStd must have 3 values"],
    ["bias gradients", (r: any) => delete r.depth[0].results[0].biasGradientStd, "depth[0].results[0].biasGradientStd must have 3 values"],
    ["depth section", (r: any) => delete r.depth, "depth must be an array"],
  ])("names the bad field: %s", (_what, breakIt, message) => {
    const r = toJsonSafe(syntheticReport());
    breakIt(r);
    expect(() => validateReport(r)).toThrow(`report.json: ${message}`);
  });

  it("main may be null (wasmtrain study runs no main training)", () => {
    const r = toJsonSafe(syntheticReport());
    r.main = null;
    expect(() => validateReport(r)).not.toThrow();
  });

  it("windowMeans averages consecutive steps, the last window shorter, a non-finite window becoming null", () => {
    expect(windowMeans([1, 2, 3, 4, 5], 2)).toEqual([1.5, 3.5, 5]);
    expect(windowMeans([1, NaN, 3, 4], 2)).toEqual([null, 3.5]);
    expect(windowMeans([], 3)).toEqual([]);
  });
});

describe("report HTML", () => {
  const report = toJsonSafe(syntheticReport());
  const chartJs = chartJsSource();
  const html = renderHtml(report, { chartJs });

  it("inlines chart.js's UMD build and loads nothing from the network", () => {
    expect(chartJs.length).toBeGreaterThan(100_000);
    expect(html).toContain(chartJs.slice(0, 200));
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/(src|href)=["']?https?:/i);
  });

  it("embeds the report JSON, which parses back to the same data", () => {
    const m = html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/);
    expect(m).not.toBeNull();
    expect(JSON.parse(m![1])).toEqual(report);
  });

  it("has a canvas per chart, the tables, and escapes text", () => {
    for (const id of ["main-loss", "main-acc", "init-loss", "init-acc", "optim-loss", "optim-acc", "depth-act-0", "depth-grad-0", "depth-bgrad-0"]) {
      expect(html).toContain(`<canvas id="${id}">`);
    }
    expect(html).toContain("<td>96.50%</td>");
    expect(html).toContain("test run &lt;/script&gt;");
    // Only the three script blocks close: the text's "</script>" was escaped.
    expect(html.match(/<\/script>/g)!.length).toBe(3);
  });

  it("without chart.js the page has the tables, no scripts but the data, and says why", () => {
    const bare = renderHtml(report, { chartJs: null });
    expect(bare).toContain("<b>Charts omitted:</b>");
    expect(bare).toContain("<td>96.50%</td>");
    expect(bare.match(/<script/g)!.length).toBe(1);
  });

  it("writeReport writes both files and returns their paths", () => {
    const dir = mkdtempSync(join(tmpdir(), "wasmtrain-report-"));
    const paths = writeReport(syntheticReport(), dir);
    expect(paths).toEqual({ json: join(dir, "report.json"), html: join(dir, "report.html") });
    expect(JSON.parse(readFileSync(paths.json, "utf8"))).toEqual(report);
    expect(readFileSync(paths.html, "utf8")).toContain("<!doctype html>");
  });
});

describe("terminal summary", () => {
  it("one row per run and per initializer of the depth study", () => {
    const text = summaryText(toJsonSafe(syntheticReport()));
    expect(text).toContain("Initialisation (784-256-10 ReLU, Adam, 2 epochs)");
    expect(text).toMatch(/zeros\s+0\.2500\s+93\.00%\s+11\.00%\s+1\.38 s/);
    expect(text).toMatch(/SGD\s+0\.001/);
    expect(text).toContain("3-layer tanh network, first (L1) and last (L3) hidden layer");
    expect(text).toMatch(/Xavier\s+6\.00e-1\s+4\.00e-1\s+1\.00e-3\s+3\.00e-3\s+1\.00e-2\s+4\.00e-2/);
  });

  it("textTable pads columns: first left-aligned, the rest right-aligned", () => {
    expect(textTable(["a", "bb"], [["xyz", "1"], ["w", "22"]])).toBe("a    bb\n───  ──\nxyz   1\nw    22");
  });
});
