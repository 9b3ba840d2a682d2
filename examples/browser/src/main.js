// The demo page: controls, live charts (loss, accuracy, and every hidden
// layer's activation and gradient standard deviation), the drawing pad and the
// benchmark panel. All computation happens in two Web Workers (train-worker.js,
// bench-worker.js), so the page stays responsive while the network trains.
import {
  Chart,
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  Legend,
  Tooltip,
  Filler,
} from "chart.js";
import { toMnist } from "./preprocess.js";

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Filler);

const $ = (id) => document.getElementById(id);
const form = $("config");
const params = new URLSearchParams(location.search);
const build = params.get("build") ?? "";
// ?probe=values: the training worker also sends copies of the tensors each
// layer reading was computed from (kept in window.demoProbe; the browser suite
// recomputes the charted deviations from them).
const keepProbeValues = params.get("probe") === "values";
$("build").value = build;
$("build").addEventListener("change", (e) => {
  const url = new URL(location.href);
  if (e.target.value) url.searchParams.set("build", e.target.value);
  else url.searchParams.delete("build");
  location.href = url.href;
});

function workerUrl(name) {
  const url = new URL(`./${name}`, import.meta.url);
  if (build) url.searchParams.set("build", build);
  return url;
}

// ---------------------------------------------------------------- charts
const gridColor = "#eef0f3";
const lossChart = new Chart($("loss-chart"), {
  type: "line",
  data: {
    datasets: [
      { label: "training loss (per batch)", data: [], borderColor: "rgba(47,111,237,0.25)", borderWidth: 1, pointRadius: 0 },
      { label: "training loss (smoothed)", data: [], borderColor: "#2f6fed", borderWidth: 2, pointRadius: 0 },
      { label: "held-out loss", data: [], borderColor: "#f79009", borderWidth: 2, pointRadius: 2 },
    ],
  },
  options: {
    animation: false,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    scales: {
      x: { type: "linear", title: { display: true, text: "step" }, grid: { color: gridColor } },
      y: { type: "linear", title: { display: true, text: "cross-entropy" }, min: 0, grid: { color: gridColor } },
    },
    plugins: { title: { display: false }, legend: { labels: { boxWidth: 12 } } },
  },
});
const accuracyChart = new Chart($("accuracy-chart"), {
  type: "line",
  data: {
    datasets: [
      { label: "held-out accuracy (%)", data: [], borderColor: "#12a150", backgroundColor: "rgba(18,161,80,0.1)", fill: true, borderWidth: 2, pointRadius: 2 },
    ],
  },
  options: {
    animation: false,
    maintainAspectRatio: false,
    parsing: false,
    scales: {
      x: { type: "linear", title: { display: true, text: "epoch" }, min: 0, grid: { color: gridColor } },
      y: { type: "linear", title: { display: true, text: "accuracy (%)" }, min: 0, max: 100, grid: { color: gridColor } },
    },
    plugins: { legend: { labels: { boxWidth: 12 } } },
  },
});

// Each hidden layer's activation and gradient standard deviation: the latest
// reading (solid) and the one at initialisation (dashed), against the layer.
const ACTIVATION_COLOR = "#2f6fed";
const GRADIENT_COLOR = "#d92d20";
const layersChart = new Chart($("layers-chart"), {
  type: "line",
  data: {
    datasets: [
      { label: "activation std", data: [], borderColor: ACTIVATION_COLOR, backgroundColor: ACTIVATION_COLOR, borderWidth: 2, pointRadius: 3 },
      { label: "gradient std", data: [], borderColor: GRADIENT_COLOR, backgroundColor: GRADIENT_COLOR, borderWidth: 2, pointRadius: 3 },
      { label: "activation std at init", data: [], borderColor: ACTIVATION_COLOR, borderDash: [5, 4], borderWidth: 1, pointRadius: 0 },
      { label: "gradient std at init", data: [], borderColor: GRADIENT_COLOR, borderDash: [5, 4], borderWidth: 1, pointRadius: 0 },
    ],
  },
  options: {
    animation: false,
    maintainAspectRatio: false,
    parsing: false,
    scales: {
      x: { type: "linear", title: { display: true, text: "hidden layer" }, ticks: { stepSize: 1, precision: 0 }, grid: { color: gridColor } },
      y: {
        type: "logarithmic",
        title: { display: true, text: "standard deviation (log scale)" },
        grid: { color: gridColor },
        ticks: { callback: logTick },
      },
    },
    plugins: { title: { display: true, text: "Every hidden layer: activation and gradient std" }, legend: { labels: { boxWidth: 12 } } },
  },
});

/** Labels the log axis at 1 and 3 times the powers of ten only (1e-18, 3e-18, …, 0.1, 0.3, 1). */
function logTick(value) {
  const mantissa = value / 10 ** Math.floor(Math.log10(value) + 1e-9);
  if (Math.abs(mantissa - 1) > 1e-6 && Math.abs(mantissa - 3) > 1e-6) return "";
  return value >= 1e-3 && value < 1e4 ? String(Number(value.toPrecision(1))) : value.toExponential(0);
}

/** A probe reading as chart points (layer 1 first); a deviation that is 0 or not finite cannot sit on a log axis and is left out. */
const layerPoints = (stds) => stds.flatMap((y, i) => (Number.isFinite(y) && y > 0 ? [{ x: i + 1, y }] : []));

/** The charts (and the step of the layer chart's reading), for the browser suite to read what they show. */
window.demoCharts = { loss: lossChart, accuracy: accuracyChart, layers: layersChart, layersStep: null };

/** Puts a probe reading on the layer chart (at step 0 also as the dashed "at init" lines). */
function showLayers(m) {
  const [act, grad, act0, grad0] = layersChart.data.datasets;
  act.data = layerPoints(m.activationStd);
  grad.data = layerPoints(m.gradientStd);
  act.label = `activation std, step ${m.step}`;
  grad.label = `gradient std, step ${m.step}`;
  window.demoCharts.layersStep = m.step;
  if (m.step === 0) {
    act0.data = act.data.slice();
    grad0.data = grad.data.slice();
  }
  const first = m.gradientStd[0];
  const last = m.gradientStd.at(-1);
  $("grad-ratio").textContent = Number.isFinite(first / last) ? `${formatNumber(first / last)}×` : "–";
  if (m.activationValues) window.demoProbe = m;
  redrawSoon();
}

/** A positive number in 3 significant digits, in exponent form outside [0.001, 1000). */
function formatNumber(v) {
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e3 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}

let chartsDirty = false;
function redrawSoon() {
  if (chartsDirty) return;
  chartsDirty = true;
  requestAnimationFrame(() => {
    chartsDirty = false;
    lossChart.update("none");
    accuracyChart.update("none");
    layersChart.update("none");
  });
}

// ---------------------------------------------------------------- training
const trainer = new Worker(workerUrl("train-worker.js"), { type: "module" });
let running = false;
let currentRun = 0;
let smoothed = null;

function setRunning(on) {
  running = on;
  $("start").disabled = on;
  $("stop").disabled = !on;
}

function fillSelect(name, values, selected) {
  const select = form.elements[name];
  select.replaceChildren(...values.map((v) => new Option(String(v), String(v), false, String(v) === String(selected))));
}

/** A number typed into an input, or NaN when the field is empty or not a number. */
function numberIn(input) {
  return input.value.trim() === "" ? NaN : Number(input.value);
}

/** The controls' values, and a one-line message per control whose value cannot be used. */
function readConfig() {
  const f = form.elements;
  const config = {
    model: f.model.value,
    depth: Number(f.depth.value),
    activation: f.activation.value,
    initializer: f.initializer.value,
    optimizer: f.optimizer.value,
    lr: numberIn(f.lr),
    schedule: f.schedule.value,
    batchSize: Number(f.batchSize.value),
    hidden: Number(f.hidden.value),
    epochs: numberIn(f.epochs),
    seed: numberIn(f.seed),
    keepValues: keepProbeValues,
  };
  const problems = {};
  const got = (input) => input.value.trim() || "nothing";
  if (!(Number.isFinite(config.lr) && config.lr >= 0)) problems.lr = `Learning rate must be a number ≥ 0, got ${got(f.lr)}.`;
  if (!(Number.isInteger(config.epochs) && config.epochs >= 1 && config.epochs <= 50)) problems.epochs = `Epochs must be a whole number from 1 to 50, got ${got(f.epochs)}.`;
  if (!(Number.isInteger(config.seed) && config.seed >= 0)) problems.seed = `Seed must be a whole number ≥ 0, got ${got(f.seed)}.`;
  return { config, problems };
}

/** Shows each one-line problem beside its control (and clears the others'). */
function showFieldErrors(problems) {
  for (const name of ["lr", "epochs", "seed"]) {
    const note = $(`${name}-error`);
    note.hidden = !problems[name];
    note.textContent = problems[name] ?? "";
    form.elements[name].setAttribute("aria-invalid", problems[name] ? "true" : "false");
  }
}

/** Empties the numbers and charts of an earlier run, so nothing stale is shown. */
function clearStats() {
  for (const id of ["step", "epoch", "lr", "speed", "accuracy", "grad-ratio"]) $(id).textContent = "–";
  $("accuracy").dataset.value = "";
  smoothed = null;
  for (const d of lossChart.data.datasets) d.data = [];
  accuracyChart.data.datasets[0].data = [];
  delete $("accuracy-chart").dataset.last;
  for (const d of layersChart.data.datasets) d.data = [];
  window.demoCharts.layersStep = null;
  delete window.demoProbe;
  redrawSoon();
}

/** A learning rate for display: 0 as "0", not "0.00e+0". */
function formatLr(lr) {
  return lr === 0 ? "0" : formatNumber(lr);
}

/** The MLP's depth and width mean nothing for the CNN: disabled (and looking it) while it is chosen. */
function syncModelControls() {
  const f = form.elements;
  const mlp = f.model.value === "MLP";
  f.depth.disabled = !mlp;
  f.hidden.disabled = !mlp;
  $("depth-value").textContent = f.depth.value;
}

function showError(message) {
  $("status").textContent = message;
  $("status").classList.add("error");
}

trainer.onerror = (e) => showError(`The training worker failed to load: ${e.message ?? "see the console"}`);
trainer.onmessage = (e) => {
  const m = e.data;
  switch (m.type) {
    case "ready": {
      const { backend, options } = m;
      $("backend").textContent = `${backend.build}${backend.build === "js" ? "" : " WebAssembly"} · ${backend.threads} thread${backend.threads === 1 ? "" : "s"}${backend.threadsUnavailable ? ` (${backend.threadsUnavailable})` : ""}`;
      $("backend").dataset.build = backend.build;
      $("backend").dataset.threads = String(backend.threads);
      $("bench-lib").textContent = `wasmtrain (${backend.build})`;
      fillSelect("initializer", options.initializers, "Kaiming normal (He), ReLU");
      fillSelect("optimizer", Object.keys(options.optimizers), "Adam");
      fillSelect("schedule", options.schedules, "Cosine annealing");
      fillSelect("batchSize", options.batchSizes, 64);
      fillSelect("hidden", options.hiddenSizes, 128);
      fillSelect("model", options.models, "MLP");
      fillSelect("activation", options.activations, "ReLU");
      form.elements.depth.min = String(options.depth.min);
      form.elements.depth.max = String(options.depth.max);
      form.elements.model.addEventListener("change", syncModelControls);
      form.elements.depth.addEventListener("input", syncModelControls);
      syncModelControls();
      form.elements.lr.value = String(options.optimizers.Adam);
      form.elements.optimizer.addEventListener("change", () => {
        form.elements.lr.value = String(options.optimizers[form.elements.optimizer.value]);
      });
      $("start").disabled = false;
      $("bench-run").disabled = false;
      $("status").textContent = `Ready: ${m.trainSize} training and ${m.testSize} held-out digits.`;
      break;
    }
    case "started":
      if (m.id !== currentRun) break;
      $("status").textContent = `Training: ${m.totalSteps} steps (${m.stepsPerEpoch} per epoch).`;
      break;
    case "progress": {
      if (m.id !== currentRun) break;
      const [raw, smooth] = lossChart.data.datasets;
      for (const [step, loss] of m.losses) {
        raw.data.push({ x: step, y: loss });
        smoothed = smoothed === null ? loss : 0.95 * smoothed + 0.05 * loss;
        smooth.data.push({ x: step, y: smoothed });
      }
      $("step").textContent = String(m.step);
      $("epoch").textContent = m.epoch.toFixed(2);
      $("lr").textContent = formatLr(m.lr);
      $("speed").textContent = m.stepsPerSecond.toFixed(0);
      redrawSoon();
      break;
    }
    case "eval": {
      if (m.id !== currentRun) break;
      const points = accuracyChart.data.datasets[0].data;
      points.push({ x: m.epoch, y: 100 * m.accuracy });
      $("accuracy-chart").dataset.last = String(points.at(-1).y);
      lossChart.data.datasets[2].data.push({ x: m.step, y: m.loss });
      $("accuracy").textContent = `${(100 * m.accuracy).toFixed(1)}%`;
      $("accuracy").dataset.value = String(m.accuracy);
      redrawSoon();
      predictSoon();
      break;
    }
    case "layers":
      if (m.id !== currentRun) break;
      showLayers(m);
      break;
    case "done":
      if (m.id !== currentRun) break;
      setRunning(false);
      $("status").textContent = `Done: ${m.step} steps in ${m.seconds.toFixed(1)} s. Draw a digit!`;
      break;
    case "stopped":
      setRunning(false);
      $("status").textContent = "Stopped.";
      break;
    case "prediction":
      showPrediction(m.probs);
      break;
    case "error":
      setRunning(false);
      clearStats();
      // The library names the bad value (e.g. "Invalid learning rate: -1"): show it beside its control.
      if (/learning rate/i.test(m.message)) showFieldErrors({ lr: m.message });
      showError(m.message);
      break;
  }
};

$("start").addEventListener("click", () => {
  const { config, problems } = readConfig();
  showFieldErrors(problems);
  clearStats();
  if (Object.keys(problems).length > 0) {
    showError("Fix the value marked above to train.");
    return;
  }
  currentRun++;
  $("status").classList.remove("error");
  $("status").textContent = "Starting…";
  setRunning(true);
  // The worker tags the run's messages with this number; those of an earlier run are ignored.
  trainer.postMessage({ type: "start", id: currentRun, config });
  $("prediction-note").textContent = "Draw a digit: the network predicts as it trains.";
});
$("stop").addEventListener("click", () => trainer.postMessage({ type: "stop" }));

// ---------------------------------------------------------------- drawing pad
const pad = $("pad");
const ctx = pad.getContext("2d", { willReadFrequently: true });
function clearPad() {
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, pad.width, pad.height);
  $("preview").getContext("2d").clearRect(0, 0, 28, 28);
  $("prediction").textContent = "?";
  $("prediction").dataset.digit = "";
  $("probs").replaceChildren();
}
clearPad();
ctx.lineCap = "round";
ctx.lineJoin = "round";
ctx.strokeStyle = "#fff";
ctx.lineWidth = 20;

let drawing = false;
let last = null;
function padPoint(e) {
  const r = pad.getBoundingClientRect();
  return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
}
pad.addEventListener("pointerdown", (e) => {
  drawing = true;
  pad.setPointerCapture(e.pointerId);
  last = padPoint(e);
  ctx.beginPath();
  ctx.arc(last[0], last[1], ctx.lineWidth / 2, 0, 2 * Math.PI);
  ctx.fillStyle = "#fff";
  ctx.fill();
});
pad.addEventListener("pointermove", (e) => {
  if (!drawing) return;
  const p = padPoint(e);
  ctx.beginPath();
  ctx.moveTo(last[0], last[1]);
  ctx.lineTo(p[0], p[1]);
  ctx.stroke();
  last = p;
  predictSoon();
});
const endStroke = () => {
  if (!drawing) return;
  drawing = false;
  predictSoon();
};
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointercancel", endStroke);
$("clear").addEventListener("click", clearPad);

let predictTimer = 0;
function predictSoon() {
  if (predictTimer) return;
  predictTimer = setTimeout(() => {
    predictTimer = 0;
    predict();
  }, 60);
}

function predict() {
  const { data } = ctx.getImageData(0, 0, pad.width, pad.height);
  const gray = new Float32Array(pad.width * pad.height);
  for (let i = 0; i < gray.length; i++) gray[i] = data[i * 4] / 255;
  const pixels = toMnist(gray, pad.width, pad.height);
  if (!pixels) return;
  const preview = $("preview").getContext("2d");
  const image = preview.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(pixels[i] * 255);
    image.data.set([v, v, v, 255], i * 4);
  }
  preview.putImageData(image, 0, 0);
  trainer.postMessage({ type: "predict", pixels });
}

function showPrediction(probs) {
  if (!probs) {
    $("prediction-note").textContent = "Train the network first (press Train).";
    return;
  }
  let best = 0;
  for (let k = 1; k < 10; k++) if (probs[k] > probs[best]) best = k;
  $("prediction").textContent = String(best);
  $("prediction").dataset.digit = String(best);
  $("prediction-note").textContent = `The network says ${best}, ${(100 * probs[best]).toFixed(1)}% sure.`;
  $("probs").replaceChildren(
    ...probs.map((p, k) => {
      const li = document.createElement("li");
      if (k === best) li.className = "top";
      li.innerHTML = `<span>${k}</span><span class="bar" style="width:${(100 * p).toFixed(1)}%"></span><span>${(100 * p).toFixed(1)}%</span>`;
      return li;
    }),
  );
}

// ---------------------------------------------------------------- benchmarks
let bencher = null;
$("bench-run").addEventListener("click", () => {
  $("bench-run").disabled = true;
  const body = $("bench-table").querySelector("tbody");
  body.replaceChildren();
  const threadsBody = $("threads-table").querySelector("tbody");
  threadsBody.replaceChildren();
  delete $("bench-table").dataset.done;
  bencher?.terminate();
  bencher = new Worker(workerUrl("bench-worker.js"), { type: "module" });
  bencher.onerror = (e) => {
    showError(`The benchmark worker failed: ${e.message ?? "see the console"}`);
    $("bench-run").disabled = false;
  };
  bencher.onmessage = (e) => {
    const m = e.data;
    if (m.type === "threads") {
      $("threads-all").textContent = `${m.threads} thread${m.threads === 1 ? "" : "s"}`;
      $("threads-all").dataset.threads = String(m.threads);
      $("threads-note").textContent = m.threadsUnavailable
        ? `One thread only: ${m.threadsUnavailable}.`
        : `The same kernels with 1 thread and with all ${m.threads}; the results are the same numbers either way.`;
    } else if (m.type === "threads-row") {
      const tr = document.createElement("tr");
      tr.innerHTML = `<td>${m.name}</td><td>${formatMs(m.oneMs)}</td><td>${formatMs(m.allMs)}</td><td class="speedup">${(m.oneMs / m.allMs).toFixed(2)}×</td>`;
      tr.dataset.oneMs = String(m.oneMs);
      tr.dataset.allMs = String(m.allMs);
      threadsBody.append(tr);
    } else if (m.type === "row") {
      const tr = document.createElement("tr");
      const speedup = m.jsMs / m.wasmMs;
      tr.innerHTML = `<td>${m.name}</td><td>${formatMs(m.wasmMs)}</td><td>${formatMs(m.jsMs)}</td><td class="speedup">${speedup.toFixed(1)}×</td>`;
      body.append(tr);
    } else if (m.type === "done") {
      $("bench-run").disabled = false;
      $("bench-table").dataset.done = "true";
      bencher.terminate();
      bencher = null;
    } else if (m.type === "error") {
      showError(m.message);
      $("bench-run").disabled = false;
    }
  };
});

function formatMs(ms) {
  return ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`;
}
