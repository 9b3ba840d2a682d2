// `wasmtrain train|study` flag parsing and validation (examples/mnist/cli.js):
// the actions are stubs, so nothing is trained.
import { describe, expect, it } from "vitest";
import { buildProgram, INIT_NAMES, OPTIM_NAMES } from "../../examples/mnist/cli.js";
import { INITIALIZERS, OPTIMIZERS, STUDY_INITIALIZERS, STUDY_OPTIMIZERS, TRAIN_DEFAULTS } from "../../examples/mnist/train.js";

interface Parsed {
  command: "train" | "study";
  options: Record<string, unknown>;
}

/** Parses argv with stub actions; returns what the action got, or the error and what was written. */
async function parse(...args: string[]): Promise<{ parsed: Parsed | null; error: (Error & { code?: string; exitCode?: number }) | null; out: string; err: string }> {
  let parsed: Parsed | null = null;
  let out = "";
  let err = "";
  const program = buildProgram(
    {
      train: (options: Record<string, unknown>) => void (parsed = { command: "train", options }),
      study: (options: Record<string, unknown>) => void (parsed = { command: "study", options }),
    },
    { exitOverride: true, output: { writeOut: (s: string) => void (out += s), writeErr: (s: string) => void (err += s) } },
  );
  try {
    await program.parseAsync(["node", "wasmtrain", ...args]);
    return { parsed, error: null, out, err };
  } catch (e) {
    return { parsed, error: e as Error, out, err };
  }
}

describe("wasmtrain train", () => {
  it("passes the documented example's flags to the action as typed values", async () => {
    const { parsed, error } = await parse("train", "--init", "kaiming", "--optim", "adam", "--lr", "1e-3", "--epochs", "5", "--batch-size", "64", "--seed", "0");
    expect(error).toBeNull();
    expect(parsed).toEqual({
      command: "train",
      options: { init: "kaiming", optim: "adam", lr: 0.001, epochs: 5, batchSize: 64, seed: 0, hidden: 256, shift: 2, schedule: "cosine" },
    });
  });

  it("defaults: npm start's main run (Kaiming, Adam 1e-3 cosine-annealed, batch 64, ±2 px shifts), the optimizer's own lr", async () => {
    expect((await parse("train")).parsed!.options).toEqual({ ...TRAIN_DEFAULTS });
    expect(TRAIN_DEFAULTS).toMatchObject({ init: "kaiming", optim: "adam", lr: 1e-3, batchSize: 64, seed: 0, hidden: 256, shift: 2, schedule: "cosine" });
    expect((await parse("train", "--shift", "0", "--schedule", "constant")).parsed!.options).toMatchObject({ shift: 0, schedule: "constant" });
    expect((await parse("train", "--optim", "sgd")).parsed!.options.lr).toBe(OPTIMIZERS.sgd.defaultLr);
    expect((await parse("train", "--optim", "sgd", "--lr", "0.5")).parsed!.options.lr).toBe(0.5);
    expect((await parse("train", "--build", "js")).parsed!.options.build).toBe("js");
    expect((await parse("train", "--save", "run.safetensors", "--resume", "old.safetensors")).parsed!.options).toMatchObject({ save: "run.safetensors", resume: "old.safetensors" });
  });

  it("offers every initializer and optimizer the example defines", () => {
    expect(INIT_NAMES).toEqual(Object.keys(INITIALIZERS));
    expect(OPTIM_NAMES).toEqual(Object.keys(OPTIMIZERS));
    for (const n of STUDY_INITIALIZERS) expect(INIT_NAMES).toContain(n);
    for (const n of STUDY_OPTIMIZERS) expect(OPTIM_NAMES).toContain(n);
  });

  it("an unknown initializer or optimizer lists the valid names", async () => {
    const a = await parse("train", "--init", "he");
    expect(a.parsed).toBeNull();
    expect(a.error!.code).toBe("commander.invalidArgument");
    expect(a.err).toContain("argument 'he' is invalid");
    expect(a.err).toContain(`Allowed choices are ${INIT_NAMES.join(", ")}.`);
    const b = await parse("train", "--optim", "lbfgs");
    expect(b.err).toContain(`Allowed choices are ${OPTIM_NAMES.join(", ")}.`);
    const c = await parse("train", "--build", "wasm");
    expect(c.err).toContain("Allowed choices are relaxed-simd, simd, js.");
    const d = await parse("train", "--schedule", "step");
    expect(d.err).toContain("Allowed choices are cosine, constant.");
  });

  it.each([
    [["--lr", "abc"], "--lr must be a number (e.g. 1e-3), got 'abc'"],
    [["--lr", ""], "--lr must be a number (e.g. 1e-3), got ''"],
    [["--lr", "-0.1"], "--lr must be greater than 0, got -0.1"],
    [["--lr", "0"], "--lr must be greater than 0, got 0"],
    [["--lr", "Infinity"], "--lr must be a number (e.g. 1e-3), got 'Infinity'"],
    [["--epochs", "2.5"], "--epochs must be a whole number, got '2.5'"],
    [["--epochs", "0"], "--epochs must be between 1 and 1000, got 0"],
    [["--batch-size", "sixty-four"], "--batch-size must be a whole number, got 'sixty-four'"],
    [["--batch-size", "9000"], "--batch-size must be between 1 and 8000, got 9000"],
    [["--seed", "-1"], "--seed must be at least 0, got -1"],
    [["--hidden", "0x10"], "--hidden must be a whole number, got '0x10'"],
    [["--shift", "9"], "--shift must be between 0 and 8, got 9"],
  ])("rejects %j: %s", async (flags, message) => {
    const r = await parse("train", ...flags);
    expect(r.parsed).toBeNull();
    expect(r.error!.code).toBe("commander.invalidArgument");
    expect(r.err).toContain(message);
    expect(r.err).toContain("(add --help for usage)");
  });

  it("rejects unknown flags and a missing value", async () => {
    const a = await parse("train", "--learning-rate", "0.1");
    expect(a.error!.code).toBe("commander.unknownOption");
    expect(a.err).toContain("unknown option '--learning-rate'");
    const b = await parse("train", "--lr");
    expect(b.error!.code).toBe("commander.optionMissingArgument");
    expect(b.err).toContain("'--lr <rate>' argument missing");
  });

  it("--help lists the flags, their choices and defaults", async () => {
    const r = await parse("train", "--help");
    expect(r.error!.code).toBe("commander.helpDisplayed");
    for (const flag of ["--init <name>", "--optim <name>", "--lr <rate>", "--epochs <n>", "--batch-size <n>", "--seed <n>", "--build <name>"]) {
      expect(r.out).toContain(flag);
    }
    expect(r.out).toContain('"orthogonal"');
    expect(r.out).toContain('"sgd-momentum"');
    expect(r.out).toContain("adam 0.001");
  });
});

describe("wasmtrain study and the program", () => {
  it("study: compact by default, --full, --epochs, --out", async () => {
    expect((await parse("study")).parsed).toEqual({ command: "study", options: { full: false, batchSize: 64, seed: 0, out: "results" } });
    expect((await parse("study", "--full", "--out", "/tmp/r")).parsed!.options).toMatchObject({ full: true, out: "/tmp/r" });
    expect((await parse("study", "--epochs", "3")).parsed!.options.epochs).toBe(3);
    expect((await parse("study", "--epochs", "three")).err).toContain("--epochs must be a whole number, got 'three'");
  });

  it("an unknown command is an error naming it; --help shows the commands and examples", async () => {
    const a = await parse("fit");
    expect(a.error!.code).toBe("commander.unknownCommand");
    expect(a.err).toContain("unknown command 'fit'");
    const b = await parse("--help");
    expect(b.out).toContain("train [options]");
    expect(b.out).toContain("study [options]");
    expect(b.out).toContain("wasmtrain train --init kaiming --optim adam --lr 1e-3 --epochs 5 --batch-size 64 --seed 0");
  });
});

describe("wasmtrain train --model cnn", () => {
  it("selects PyTorch's MNIST example network with its own defaults (lr 1.0, 14 epochs) unless given", async () => {
    expect((await parse("train", "--model", "cnn")).parsed!.options).toMatchObject({ model: "cnn", lr: 1, epochs: 14 });
    expect((await parse("train", "--model", "cnn", "--epochs", "2", "--lr", "0.5")).parsed!.options).toMatchObject({ model: "cnn", lr: 0.5, epochs: 2 });
    expect((await parse("train", "--model", "mlp")).parsed!.options).toMatchObject({ model: "mlp", lr: TRAIN_DEFAULTS.lr, epochs: TRAIN_DEFAULTS.epochs });
    expect((await parse("train", "--model", "resnet")).error?.message).toMatch(/--model.*resnet/);
  });
});
