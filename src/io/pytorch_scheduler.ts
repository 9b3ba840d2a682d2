// Scheduler state dicts in PyTorch 1.13's names and layout (what its
// `scheduler.state_dict()` returns, callables left out) and back. The library's
// own state dicts (camelCase, tagged with the class) are the source of truth;
// this file only renames and reshapes.
import type { JsonValue, SchedulerState } from "../optim/lr_scheduler/scheduler.js";
import { describe } from "../validate.js";

type Json = { [key: string]: JsonValue };

/** Fields whose PyTorch name is not the plain snake_case of ours. */
const RENAMED: Record<string, string> = {
  stepCount: "_step_count",
  lastLr: "_last_lr",
  tMax: "T_max",
  t0: "T_0",
  tI: "T_i",
  tMult: "T_mult",
  tCur: "T_cur",
  phases: "_schedule_phases",
};

const snake = (key: string): string => RENAMED[key] ?? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Our fields PyTorch does not keep (derived from the constructor's arguments; a load keeps the scheduler's own). */
const NOT_IN_PYTORCH: Record<string, readonly string[]> = {
  OneCycleLR: ["annealStrategy", "momentumKey"],
  CyclicLR: ["momentumKey"],
  SWALR: ["annealStrategy"],
};

function phaseToPyTorch(p: JsonValue): JsonValue {
  const out: Json = {};
  for (const [k, v] of Object.entries(p as Json)) out[snake(k)] = v;
  return out;
}

function phaseFromPyTorch(p: JsonValue, where: string): JsonValue {
  if (p === null || typeof p !== "object" || Array.isArray(p)) throw new TypeError(`${where}: each of _schedule_phases must be an object, got ${describe(p)}`);
  const out: Json = {};
  for (const [k, v] of Object.entries(p)) out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = v;
  return out;
}

/** MultiStepLR keeps its milestones as a Counter ({milestone: count}). */
function milestonesToCounter(list: JsonValue): JsonValue {
  const out: Json = {};
  for (const m of list as number[]) out[String(m)] = ((out[String(m)] as number) ?? 0) + 1;
  return out;
}

function milestonesFromCounter(counter: JsonValue, where: string): JsonValue {
  if (counter === null || typeof counter !== "object" || Array.isArray(counter)) {
    throw new TypeError(`${where}: milestones must be an object of counts ({"30": 1, ...}), got ${describe(counter)}`);
  }
  const out: number[] = [];
  for (const [k, n] of Object.entries(counter)) {
    const m = Number(k);
    if (!Number.isInteger(m) || typeof n !== "number" || !Number.isInteger(n) || n < 1) {
      throw new RangeError(`${where}: milestones entry ${JSON.stringify(k)}: ${describe(n)} is not a milestone with a positive count`);
    }
    for (let i = 0; i < n; i++) out.push(m);
  }
  return out.sort((a, b) => a - b);
}

/** PyTorch 1.13's scheduler.state_dict() for one of our scheduler state dicts (callables left out). */
export function schedulerToPyTorch(sd: SchedulerState, groups: number): Json {
  const name = sd.scheduler as string;
  const inner = (sd.schedulers ?? []) as SchedulerState[];
  if (name === "ChainedScheduler") return { _last_lr: sd.lastLr, _schedulers: inner.map((s) => schedulerToPyTorch(s, groups)) };
  if (name === "SequentialLR") {
    return { _milestones: sd.milestones, last_epoch: sd.lastEpoch, _last_lr: sd.lastLr, _schedulers: inner.map((s) => schedulerToPyTorch(s, groups)) };
  }
  const out: Json = {};
  const skip = NOT_IN_PYTORCH[name] ?? [];
  for (const [key, v] of Object.entries(sd)) {
    if (key === "scheduler" || skip.includes(key)) continue;
    if (name === "MultiStepLR" && key === "milestones") out.milestones = milestonesToCounter(v);
    else if (key === "phases") out._schedule_phases = (v as JsonValue[]).map(phaseToPyTorch);
    else out[snake(key)] = v;
  }
  out.verbose = false;
  if (name === "ReduceLROnPlateau") {
    out.mode_worse = sd.mode === "min" ? "Infinity" : "-Infinity";
    return out;
  }
  out._get_lr_called_within_step = false;
  if (name === "OneCycleLR" && sd.cycleMomentum === true) out.use_beta1 = sd.momentumKey === "beta1";
  if (name === "CyclicLR") out._scale_fn_custom = null;
  if (name === "LambdaLR" || name === "MultiplicativeLR") out.lr_lambdas = new Array<JsonValue>(groups).fill(null);
  return out;
}

function keyError(where: string, missing: string[], unexpected: string[]): Error {
  const quoted = (ks: string[]) => ks.map((k) => `"${k}"`).join(", ");
  const msgs: string[] = [];
  if (missing.length) msgs.push(`Missing key(s) in state_dict: ${quoted(missing)}.`);
  if (unexpected.length) msgs.push(`Unexpected key(s) in state_dict: ${quoted(unexpected)}.`);
  return new Error(`${where}: ${msgs.join(" ")}`);
}

/**
 * Our state dict for `current` (the scheduler's own stateDict(), which gives
 * the class and the fields PyTorch does not keep) from PyTorch's `pt`. Checks
 * that `pt` has exactly PyTorch's keys for that class; the values are
 * checked by the scheduler's loadStateDict.
 */
export function schedulerFromPyTorch(pt: unknown, current: SchedulerState, groups: number, where: string): SchedulerState {
  const name = current.scheduler as string;
  if (pt === null || typeof pt !== "object" || Array.isArray(pt)) throw new TypeError(`${where}: the ${name} state must be an object, got ${describe(pt)}`);
  const given = pt as Json;
  const expected = schedulerToPyTorch(current, groups);
  const missing = Object.keys(expected).filter((k) => !(k in given));
  const unexpected = Object.keys(given).filter((k) => !(k in expected));
  if (missing.length || unexpected.length) throw keyError(`${where} (${name})`, missing, unexpected);
  for (const k of ["verbose", "_get_lr_called_within_step", "use_beta1"]) {
    if (k in given && typeof given[k] !== "boolean") throw new TypeError(`${where} (${name}): ${k} must be a boolean, got ${describe(given[k])}`);
  }
  if ("lr_lambdas" in given) {
    const l = given.lr_lambdas;
    if (!Array.isArray(l) || l.length !== groups) throw new TypeError(`${where} (${name}): lr_lambdas must be a list with one entry per param group (${groups}), got ${describe(l)}`);
  }
  if (name === "OneCycleLR" && current.cycleMomentum === true && given.cycle_momentum === true && given.use_beta1 !== (current.momentumKey === "beta1")) {
    throw new Error(`${where} (${name}): use_beta1 is ${String(given.use_beta1)} in the state dict, but the optimizer's momentum is ${String(current.momentumKey)}`);
  }
  if (name === "ReduceLROnPlateau") {
    const worse = given.mode === "min" ? "Infinity" : "-Infinity";
    if (given.mode_worse !== worse) throw new RangeError(`${where} (${name}): mode_worse must be ${worse} for mode ${describe(given.mode)}, got ${describe(given.mode_worse)}`);
  }
  const out: SchedulerState = { scheduler: name };
  const skip = NOT_IN_PYTORCH[name] ?? [];
  for (const [key, now] of Object.entries(current)) {
    if (key === "scheduler") continue;
    if (skip.includes(key)) out[key] = now;
    else if (key === "schedulers") {
      const list = given._schedulers;
      const mine = now as SchedulerState[];
      if (!Array.isArray(list) || list.length !== mine.length) {
        throw new RangeError(`${where} (${name}): _schedulers must list ${mine.length} scheduler states, got ${describe(list)}`);
      }
      out.schedulers = list.map((s, i) => schedulerFromPyTorch(s, mine[i], groups, `${where}._schedulers[${i}]`));
    } else if (name === "SequentialLR" && key === "milestones") out.milestones = given._milestones;
    else if (name === "MultiStepLR" && key === "milestones") out.milestones = milestonesFromCounter(given.milestones, `${where} (${name})`);
    else if (key === "phases") {
      const phases = given._schedule_phases;
      if (!Array.isArray(phases)) throw new TypeError(`${where} (${name}): _schedule_phases must be a list, got ${describe(phases)}`);
      out.phases = phases.map((p) => phaseFromPyTorch(p, `${where} (${name})`));
    } else out[key] = given[snake(key)];
  }
  return out;
}
