// What each field of a scheduler state dict may hold, checked by
// loadStateDict before anything is assigned (a state dict from a file or
// JSON is untrusted): the same ranges the constructors enforce on options.
import { describe } from "./options.js";

type Rule = [what: string, ok: (v: unknown) => boolean];

const num = (v: unknown): v is number => typeof v === "number";
const finite = (v: unknown): boolean => num(v) && Number.isFinite(v);
const int = (v: unknown): boolean => num(v) && Number.isInteger(v);
const nonNegative = (v: unknown): boolean => finite(v) && (v as number) >= 0;
const positive = (v: unknown): boolean => finite(v) && (v as number) > 0;
const list = (each: (x: unknown) => boolean) => (v: unknown): boolean => Array.isArray(v) && v.every(each);
const oneOf = (...choices: string[]) => (v: unknown): boolean => typeof v === "string" && choices.includes(v);

const LAST_EPOCH: Rule = ["an integer >= -1", (v) => int(v) && (v as number) >= -1];
const FINITE_LIST: Rule = ["an array of finite numbers", list(finite)];
const NON_NEGATIVE_INT: Rule = ["a non-negative integer", (v) => int(v) && (v as number) >= 0];
const POSITIVE_INT: Rule = ["a positive integer", (v) => int(v) && (v as number) > 0];
const NON_NEGATIVE: Rule = ["a finite number >= 0", nonNegative];
const FINITE: Rule = ["a finite number", finite];

/** Rules by field, for every scheduler; `Scheduler.field` entries override. */
const RULES: Record<string, Rule> = {
  lastEpoch: LAST_EPOCH,
  stepCount: NON_NEGATIVE_INT,
  baseLrs: FINITE_LIST,
  lastLr: FINITE_LIST,
  maxLrs: FINITE_LIST,
  minLrs: ["an array of finite numbers >= 0", list(nonNegative)],
  baseMomentums: FINITE_LIST,
  maxMomentums: FINITE_LIST,
  gamma: NON_NEGATIVE,
  stepSize: POSITIVE_INT,
  milestones: ["an array of non-negative integers", list((x) => int(x) && (x as number) >= 0)],
  tMax: ["a positive number", positive],
  etaMin: FINITE,
  t0: POSITIVE_INT,
  tI: ["a positive number", positive],
  tMult: ["an integer >= 1", (v) => int(v) && (v as number) >= 1],
  tCur: ["a finite number >= -1", (v) => finite(v) && (v as number) >= -1],
  totalSize: ["a positive number", positive],
  stepRatio: ["a number in (0, 1]", (v) => finite(v) && (v as number) > 0 && (v as number) <= 1],
  scaleMode: ["\"cycle\" or \"iterations\"", oneOf("cycle", "iterations")],
  cycleMomentum: ["a boolean", (v) => typeof v === "boolean"],
  "CyclicLR.mode": ["one of \"triangular\", \"triangular2\", \"exp_range\"", oneOf("triangular", "triangular2", "exp_range")],
  totalSteps: POSITIVE_INT,
  annealStrategy: ["\"cos\" or \"linear\"", oneOf("cos", "linear")],
  totalIters: NON_NEGATIVE_INT,
  startFactor: ["a number in (0, 1]", (v) => finite(v) && (v as number) > 0 && (v as number) <= 1],
  endFactor: ["a number in [0, 1]", (v) => finite(v) && (v as number) >= 0 && (v as number) <= 1],
  factor: ["a number in [0, 1]", (v) => finite(v) && (v as number) >= 0 && (v as number) <= 1],
  "ReduceLROnPlateau.factor": ["a number >= 0 and < 1 (Factor should be < 1.0.)", (v) => finite(v) && (v as number) >= 0 && (v as number) < 1],
  power: FINITE,
  "ReduceLROnPlateau.mode": ["\"min\" or \"max\"", oneOf("min", "max")],
  thresholdMode: ["\"rel\" or \"abs\"", oneOf("rel", "abs")],
  threshold: NON_NEGATIVE,
  patience: NON_NEGATIVE_INT,
  cooldown: NON_NEGATIVE_INT,
  cooldownCounter: NON_NEGATIVE_INT,
  numBadEpochs: NON_NEGATIVE_INT,
  eps: NON_NEGATIVE,
  best: ["a number", (v) => num(v) && !Number.isNaN(v)],
};

/** Throws a RangeError (TypeError for a value of the wrong type) naming the scheduler, the field and the value. */
export function checkSchedulerField(scheduler: string, key: string, value: unknown): void {
  const rule = RULES[`${scheduler}.${key}`] ?? RULES[key];
  if (!rule || rule[1](value)) return;
  const [what] = rule;
  const wrongType = what.startsWith("a boolean") ? typeof value !== "boolean" : what.startsWith("\"") || what.startsWith("one of") ? typeof value !== "string" : typeof value !== "number" && !Array.isArray(value);
  const E = wrongType ? TypeError : RangeError;
  throw new E(`${scheduler}.loadStateDict: ${key} must be ${what}, got ${describe(value)}`);
}
