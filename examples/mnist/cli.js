// The `wasmtrain` command line (bin/wasmtrain.js): `train` and `study`, parsed
// and validated with commander. The actions are injected so the parsing can be
// tested without training anything.
import { Command, Option, InvalidArgumentError } from "commander";
import { INITIALIZERS, OPTIMIZERS, STUDY_INITIALIZERS, STUDY_OPTIMIZERS, TRAIN_DEFAULTS as D } from "./train.js";

export const INIT_NAMES = Object.keys(INITIALIZERS);
export const OPTIM_NAMES = Object.keys(OPTIMIZERS);
export const BUILD_NAMES = ["relaxed-simd", "simd", "js"];

/** A parser for a finite number > 0 (learning rates). */
export function positiveNumber(what) {
  return (value) => {
    const text = String(value).trim();
    const n = Number(text);
    if (text === "" || !Number.isFinite(n)) throw new InvalidArgumentError(`${what} must be a number (e.g. 1e-3), got '${value}'.`);
    if (!(n > 0)) throw new InvalidArgumentError(`${what} must be greater than 0, got ${value}.`);
    return n;
  };
}

/** A parser for an integer in [min, max]. */
export function integerIn(what, min, max = Number.MAX_SAFE_INTEGER) {
  return (value) => {
    const text = String(value).trim();
    if (!/^[+-]?\d+$/.test(text)) throw new InvalidArgumentError(`${what} must be a whole number, got '${value}'.`);
    const n = Number(text);
    if (n < min || n > max) {
      throw new InvalidArgumentError(`${what} must be ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`}, got ${value}.`);
    }
    return n;
  };
}

const lrHelp = `learning rate (default: the optimizer's own — ${OPTIM_NAMES.map((n) => `${n} ${OPTIMIZERS[n].defaultLr}`).join(", ")})`;

/**
 * The program. `actions.train(options)` and `actions.study(options)` run the
 * commands (by default the real ones, loaded on first use).
 * @param {{ train?: (o: object) => unknown, study?: (o: object) => unknown }} [actions]
 * @param {{ exitOverride?: boolean, output?: import("commander").OutputConfiguration }} [settings]
 *   throw instead of exiting, and where messages go (for tests)
 */
export function buildProgram(actions = {}, { exitOverride = false, output } = {}) {
  const train = actions.train ?? (async (o) => (await import("./commands.js")).trainCommand(o));
  const study = actions.study ?? (async (o) => (await import("./commands.js")).studyCommand(o));

  const program = new Command("wasmtrain")
    .description("Train an MLP on MNIST with wasmtrain, and study initialisation and optimisation.")
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", `
Examples:
  $ wasmtrain train --init kaiming --optim adam --lr 1e-3 --epochs 5 --batch-size 64 --seed 0
  $ wasmtrain train --init xavier --optim sgd-momentum --lr 0.01
  $ wasmtrain train --epochs 3 --save run.safetensors && wasmtrain train --epochs 2 --resume run.safetensors
  $ wasmtrain study            # compact study, writes results/report.html and results/report.json
  $ wasmtrain study --full     # 10 epochs per run`);
  // Set before the subcommands are added: they inherit these settings.
  if (exitOverride) program.exitOverride();
  if (output) program.configureOutput(output);

  program
    .command("train")
    .description("train 784-<hidden>-10 ReLU on the standard MNIST split (60,000 training digits); prints test accuracy on the 10,000 test digits and time per epoch")
    .addOption(new Option("--init <name>", "weight initializer (biases start at zero)").choices(INIT_NAMES).default(D.init))
    .addOption(new Option("--optim <name>", "optimizer").choices(OPTIM_NAMES).default(D.optim))
    .addOption(new Option("--lr <rate>", lrHelp).argParser(positiveNumber("--lr")))
    .addOption(new Option("--epochs <n>", "epochs").argParser(integerIn("--epochs", 1, 1000)).default(D.epochs))
    .addOption(new Option("--batch-size <n>", "mini-batch size").argParser(integerIn("--batch-size", 1, 8000)).default(D.batchSize))
    .addOption(new Option("--seed <n>", "seed of the split, the initial weights and the batch order").argParser(integerIn("--seed", 0)).default(D.seed))
    .addOption(new Option("--hidden <n>", "hidden units").argParser(integerIn("--hidden", 1, 65536)).default(D.hidden))
    .addOption(new Option("--shift <px>", "augment: translate training digits randomly by up to this many pixels (0: off)").argParser(integerIn("--shift", 0, 8)).default(D.shift))
    .addOption(new Option("--schedule <name>", "learning rate over the epochs: cosine annealing to 0, or constant").choices(["cosine", "constant"]).default(D.schedule))
    .addOption(new Option("--save <path>", "when training ends, write a checkpoint (model, optimizer, schedule, epoch; PyTorch's layout, loadable with python/wasmtrain_checkpoint.py)"))
    .addOption(new Option("--resume <path>", "continue from a checkpoint written by --save: its weights, optimizer and schedule state, for --epochs more epochs"))
    .addOption(new Option("--build <name>", "force a kernel build (default: the best this engine runs)").choices(BUILD_NAMES))
    .addOption(
      new Option("--model <name>", "mlp (default: 784-<hidden>-10 on the seeded 8,000/2,000 split) or cnn (PyTorch's MNIST example network, " +
        "Adadelta + StepLR on the standard 60,000/10,000 split, as examples/pytorch-mnist; --lr defaults to 1.0, --epochs to 14)").choices(["mlp", "cnn"]),
    )
    .action((options, cmd) => {
      if (options.model === "cnn") {
        const epochs = cmd.getOptionValueSource("epochs") === "default" ? 14 : options.epochs;
        return train({ ...options, epochs, lr: options.lr ?? 1.0 });
      }
      return train({ ...options, lr: options.lr ?? OPTIMIZERS[options.optim].defaultLr });
    });

  program
    .command("study")
    .description(
      `train the network under each initializer (${STUDY_INITIALIZERS.join(", ")}) and each optimizer (${STUDY_OPTIMIZERS.join(", ")}), ` +
        "measure per-layer std in 10-layer Tanh and ReLU networks at initialisation, and write an HTML + JSON report",
    )
    .option("--full", "the longer study: 10 epochs per run (default: 2)", false)
    .addOption(new Option("--epochs <n>", "epochs per run (overrides --full)").argParser(integerIn("--epochs", 1, 1000)))
    .addOption(new Option("--batch-size <n>", "mini-batch size").argParser(integerIn("--batch-size", 1, 8000)).default(D.batchSize))
    .addOption(new Option("--seed <n>", "seed of the split, the initial weights and the batch order").argParser(integerIn("--seed", 0)).default(D.seed))
    .option("--out <dir>", "directory for report.html and report.json", "results")
    .addOption(new Option("--build <name>", "force a kernel build (default: the best this engine runs)").choices(BUILD_NAMES))
    .action((options) => study(options));

  return program;
}
