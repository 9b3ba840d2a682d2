// Training checkpoints in PyTorch 1.13's layout, as one safetensors file:
//
//   model.<key>                        the model's state dict (F32; BatchNorm's
//                                      num_batches_tracked as a 0-d I64)
//   optimizer.state.<index>.<name>     per-parameter optimizer state under
//                                      PyTorch's names (exp_avg, step, ...);
//                                      scalars (step, mu_product) as 0-d F32
//   optimizer.lookahead.slow.<index>   Lookahead/Ranger only: the slow weights
//   __metadata__ (JSON strings):
//     format                 "wasmtrain-checkpoint/1"
//     optimizer.class        the optimizer's class ("Adam", ...)
//     optimizer.param_groups PyTorch's param_groups, params as indices
//     optimizer.lookahead    Lookahead/Ranger only: {"k", "alpha", "step"}
//     scheduler              PyTorch's scheduler.state_dict(), callables left out
//     extra                  anything JSON the user passed
//
// Non-finite numbers in the JSON travel as the strings "NaN", "Infinity" and
// "-Infinity" (JSON has no literal for them). python/wasmtrain_checkpoint.py
// writes and reads the same layout from PyTorch.
import { Tensor, shapeToString } from "../tensor.js";
import type { Module } from "../nn/module.js";
import { Optimizer, SCHEDULER_GROUP_KEYS, STATE_DICT_VERSION, dropImplementationFlag, type StateDict as OptimizerStateDict } from "../optim/optimizer.js";
import type { JsonValue, Scheduler, SchedulerState } from "../optim/lr_scheduler/scheduler.js";
import {
  LITTLE_ENDIAN, encodeSafetensors, parseSafetensorsHeader, decodeInto, type HeaderEntry, type WriteEntry,
} from "./safetensors.js";
import { describe } from "../validate.js";
import { schedulerFromPyTorch, schedulerToPyTorch } from "./pytorch_scheduler.js";

export const CHECKPOINT_FORMAT = "wasmtrain-checkpoint/1";

/** PyTorch 1.13's implementation switches in each optimizer's param_groups, with the values it writes. */
const PYTORCH_FLAGS: Record<string, Record<string, JsonValue>> = {
  SGD: { foreach: null, differentiable: false },
  Adam: { foreach: null, capturable: false, differentiable: false, fused: false },
  AdamW: { foreach: null, capturable: false },
  Adagrad: { foreach: null },
  RMSprop: { foreach: null, differentiable: false },
  Adamax: { foreach: null },
  RAdam: { foreach: null },
  Adadelta: { foreach: null },
};


/** State entries kept as numbers here and as 0-d tensors in PyTorch. */
const SCALAR_STATE = new Set(["step", "mu_product"]);

const camelToSnake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const snakeToCamel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** JSON has no NaN or ±Infinity: they travel as strings. */
export function encodeJson(v: unknown): JsonValue {
  if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
  if (Array.isArray(v)) return v.map(encodeJson);
  if (v !== null && typeof v === "object") {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) out[k] = encodeJson(x);
    return out;
  }
  return (v === undefined ? null : v) as JsonValue;
}

export function decodeJson(v: unknown): unknown {
  if (v === "NaN" || v === "Infinity" || v === "-Infinity") return Number(v);
  if (Array.isArray(v)) return v.map(decodeJson);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = decodeJson(x);
    return out;
  }
  return v;
}

export interface CheckpointParts {
  model?: Module;
  optimizer?: Optimizer;
  scheduler?: Scheduler;
  /** Any JSON data (epoch, metrics, ...); returned by loadCheckpoint. */
  extra?: unknown;
}

interface LookaheadLike extends Optimizer {
  readonly inner: Optimizer;
}

function isLookahead(o: Optimizer): o is LookaheadLike {
  return (o as Partial<LookaheadLike>).inner instanceof Optimizer;
}

/** The optimizer's param_groups in PyTorch's names and values, with params as indices. */
export function paramGroupsToPyTorch(optimizer: Optimizer): JsonValue[] {
  const base = isLookahead(optimizer) ? optimizer.inner : optimizer;
  const flags = PYTORCH_FLAGS[base.name] ?? {};
  let index = 0;
  return optimizer.paramGroups.map((g) => {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(g)) {
      if (k === "params") continue;
      if (k === "gradCentralization" && v === false) continue;
      out[SCHEDULER_GROUP_KEYS.includes(k) ? k : camelToSnake(k)] = encodeJson(v);
    }
    for (const [k, v] of Object.entries(flags)) if (!(k in out)) out[k] = v;
    out.params = g.params.map(() => index++);
    return out;
  });
}

/**
 * Serialises a training run in PyTorch 1.13's layout (see the top of this
 * file and README "Saving and PyTorch interchange"). Nothing is changed.
 */
export function saveCheckpoint({ model, optimizer, scheduler, extra }: CheckpointParts = {}): Uint8Array {
  const where = "saveCheckpoint";
  if (model !== undefined && (model === null || typeof (model as Module).stateDict !== "function")) {
    throw new TypeError(`${where}: model must be an nn.Module, got ${describe(model)}`);
  }
  if (optimizer !== undefined && !(optimizer instanceof Optimizer)) throw new TypeError(`${where}: optimizer must be an optimizer, got ${describe(optimizer)}`);
  if (scheduler !== undefined && (scheduler === null || typeof (scheduler as Scheduler).stateDict !== "function")) {
    throw new TypeError(`${where}: scheduler must be an lr scheduler, got ${describe(scheduler)}`);
  }
  const entries: WriteEntry[] = [];
  const metadata: Record<string, string> = { format: CHECKPOINT_FORMAT };
  let modelState: Record<string, Tensor> = {};
  try {
    if (model) {
      modelState = model.stateDict();
      for (const [key, t] of Object.entries(modelState)) {
        const isCount = key === "num_batches_tracked" || key.endsWith(".num_batches_tracked");
        entries.push({ name: `model.${key}`, shape: t.shape, dtype: isCount ? "I64" : "F32", tensor: t });
      }
    }
    if (optimizer) {
      optimizer.paramGroups.forEach((g, gi) => g.params.forEach((p, i) => p.assertAlive(`${where}: optimizer paramGroups[${gi}].params[${i}]`)));
      const params = optimizer.paramGroups.flatMap((g) => g.params);
      params.forEach((p, i) => {
        const s = optimizer.state.get(p);
        if (!s) return;
        for (const [name, v] of Object.entries(s)) {
          const key = `optimizer.state.${i}.${name}`;
          if (v instanceof Tensor) entries.push({ name: key, shape: v.shape, dtype: "F32", tensor: v });
          else entries.push({ name: key, shape: [], dtype: "F32", values: [v] });
        }
      });
      metadata["optimizer.class"] = optimizer.name;
      metadata["optimizer.param_groups"] = JSON.stringify(paramGroupsToPyTorch(optimizer));
      if (isLookahead(optimizer)) {
        const la = optimizer.stateDict().lookahead as { k: number; alpha: number; step: number; slow: Record<string, { shape: number[]; data: number[] }> };
        for (const [i, s] of Object.entries(la.slow)) entries.push({ name: `optimizer.lookahead.slow.${i}`, shape: s.shape, dtype: "F32", values: s.data });
        metadata["optimizer.lookahead"] = JSON.stringify({ k: la.k, alpha: la.alpha, step: la.step });
      }
    }
    if (scheduler) {
      const groups = scheduler.optimizer.paramGroups.length;
      metadata.scheduler = JSON.stringify(schedulerToPyTorch(scheduler.stateDict(), groups));
    }
    if (extra !== undefined) metadata.extra = JSON.stringify(encodeJson(extra));
    return encodeSafetensors(entries, metadata);
  } finally {
    for (const t of Object.values(modelState)) t.dispose();
  }
}

function parseJsonField(where: string, metadata: Record<string, string>, key: string): unknown {
  try {
    return JSON.parse(metadata[key]);
  } catch (e) {
    throw new SyntaxError(`${where}: metadata ${key} is not JSON: ${(e as Error).message}`);
  }
}

/** An entry's values as float32: a view of the file's bytes when they are F32 and aligned, else a converted copy. */
function valuesOf(bytes: Uint8Array, e: HeaderEntry): Float32Array {
  if (e.dtype === "F32" && (bytes.byteOffset + e.begin) % 4 === 0 && LITTLE_ENDIAN) {
    return new Float32Array(bytes.buffer, bytes.byteOffset + e.begin, e.size);
  }
  const out = new Float32Array(e.size);
  decodeInto(bytes, e, out);
  return out;
}

/**
 * A library state dict for `optimizer` from the checkpoint's param_groups and
 * state tensors: PyTorch's option names become ours (implementation switches
 * such as `foreach` are checked and dropped), scalars become numbers.
 */
function optimizerStateFromPyTorch(
  where: string, optimizer: Optimizer, groupsJson: unknown, state: Map<number, Map<string, { shape: number[]; data: Float32Array }>>,
): OptimizerStateDict {
  const base = isLookahead(optimizer) ? optimizer.inner : optimizer;
  if (!Array.isArray(groupsJson)) throw new TypeError(`${where}: optimizer.param_groups must be a list, got ${describe(groupsJson)}`);
  const ours = Object.keys(base.defaults);
  const paramGroups = groupsJson.map((g, gi) => {
    const at = `${where}: optimizer.param_groups[${gi}]`;
    if (g === null || typeof g !== "object" || Array.isArray(g)) throw new TypeError(`${at} must be an object, got ${describe(g)}`);
    const out: Record<string, unknown> = {};
    const given = { ...(decodeJson(g) as Record<string, unknown>) };
    for (const key of Object.keys(given)) {
      if (key === "params" || SCHEDULER_GROUP_KEYS.includes(key)) {
        out[key] = given[key];
        continue;
      }
      if (ours.includes(key) && camelToSnake(key) !== key) {
        throw new TypeError(`${at}: option ${JSON.stringify(key)} is in the wrong case: a checkpoint uses PyTorch's names (${camelToSnake(key)})`);
      }
      const camel = snakeToCamel(key);
      if (ours.includes(camel)) {
        out[camel] = given[key];
        continue;
      }
      if (dropImplementationFlag(base.name, at, given, key)) continue;
      throw new TypeError(`${at}: unexpected option ${JSON.stringify(key)} for ${base.name} (PyTorch's options: ${ours.filter((o) => o !== "gradCentralization").map(camelToSnake).join(", ")})`);
    }
    if (!("gradCentralization" in out)) out.gradCentralization = false;
    for (const o of ours) {
      if (!(o in out)) throw new Error(`${at} lacks the option ${camelToSnake(o)}`);
    }
    return out;
  });
  const sdState: OptimizerStateDict["state"] = {};
  for (const [i, entries] of state) {
    const entry: Record<string, number | { shape: number[]; data: Float32Array }> = {};
    for (const [name, v] of entries) {
      if (SCALAR_STATE.has(name)) {
        if (v.shape.length !== 0) throw new RangeError(`${where}: optimizer.state.${i}.${name} must be a 0-d tensor (a scalar), got shape ${shapeToString(v.shape)}`);
        entry[name] = v.data[0];
      } else entry[name] = v;
    }
    sdState[String(i)] = entry as never;
  }
  return { version: STATE_DICT_VERSION, optimizer: base.name, state: sdState, paramGroups: paramGroups as Record<string, unknown>[] };
}

interface Planner {
  planLoad(sd: OptimizerStateDict): () => void;
}

/**
 * Loads a checkpoint into the given objects. Everything is validated first
 * (the file, names, shapes, option types and ranges, step counts, the
 * scheduler's fields); on any error nothing has changed. Returns the `extra`
 * data saved with it (undefined if none). `strict` (default true) applies to
 * the model's keys as in PyTorch's load_state_dict.
 */
export function loadCheckpoint(
  bytes: Uint8Array | ArrayBuffer,
  { model, optimizer, scheduler }: Omit<CheckpointParts, "extra"> = {},
  { strict = true }: { strict?: boolean } = {},
): { extra: unknown; missingKeys: string[]; unexpectedKeys: string[] } {
  const where = "loadCheckpoint";
  const b = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  const { entries, metadata } = parseSafetensorsHeader(b, where);
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${where}: not a wasmtrain checkpoint: __metadata__.format is ${describe(metadata.format)}, expected ${JSON.stringify(CHECKPOINT_FORMAT)}`);
  }
  if (model !== undefined && (model === null || typeof (model as Module).loadStateDict !== "function")) {
    throw new TypeError(`${where}: model must be an nn.Module, got ${describe(model)}`);
  }
  if (optimizer !== undefined && !(optimizer instanceof Optimizer)) throw new TypeError(`${where}: optimizer must be an optimizer, got ${describe(optimizer)}`);
  if (scheduler !== undefined && (scheduler === null || typeof (scheduler as Scheduler).loadStateDict !== "function")) {
    throw new TypeError(`${where}: scheduler must be an lr scheduler, got ${describe(scheduler)}`);
  }
  const modelSd: Record<string, { shape: number[]; data: Float32Array }> = {};
  const optState = new Map<number, Map<string, { shape: number[]; data: Float32Array }>>();
  const slow: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const e of entries) {
    const value = () => ({ shape: e.shape, data: valuesOf(b, e) });
    let m: RegExpMatchArray | null;
    if (e.name.startsWith("model.")) modelSd[e.name.slice(6)] = value();
    else if ((m = /^optimizer\.state\.(0|[1-9]\d*)\.([^.]+)$/.exec(e.name))) {
      const i = Number(m[1]);
      if (!optState.has(i)) optState.set(i, new Map());
      optState.get(i)!.set(m[2], value());
    } else if ((m = /^optimizer\.lookahead\.slow\.(0|[1-9]\d*)$/.exec(e.name))) slow[m[1]] = value();
    else throw new Error(`${where}: unexpected tensor ${JSON.stringify(e.name)} (a checkpoint holds model.*, optimizer.state.<index>.<name> and optimizer.lookahead.slow.<index>)`);
  }
  let extra: unknown;
  if ("extra" in metadata) extra = decodeJson(parseJsonField(where, metadata, "extra"));

  // 1. Validate every part (nothing changes).
  let applyModel: (() => void) | null = null;
  let keys = { missingKeys: [] as string[], unexpectedKeys: [] as string[] };
  if (model) {
    const plan = model.planLoadStateDict(modelSd, { strict });
    applyModel = plan.apply;
    keys = { missingKeys: plan.missingKeys, unexpectedKeys: plan.unexpectedKeys };
  }
  let applyOptimizer: (() => void) | null = null;
  if (optimizer) {
    if (!("optimizer.param_groups" in metadata)) throw new Error(`${where}: the checkpoint holds no optimizer state (no optimizer.param_groups in its metadata)`);
    const cls = metadata["optimizer.class"];
    if (cls !== undefined && cls !== optimizer.name) throw new Error(`${where}: the checkpoint's optimizer is ${cls}, not ${optimizer.name}`);
    const sd = optimizerStateFromPyTorch(where, optimizer, parseJsonField(where, metadata, "optimizer.param_groups"), optState);
    if (isLookahead(optimizer)) {
      if (!("optimizer.lookahead" in metadata)) throw new Error(`${where}: the checkpoint has no optimizer.lookahead section (was it saved from a ${optimizer.name}?)`);
      const la = parseJsonField(where, metadata, "optimizer.lookahead") as Record<string, unknown>;
      if (la === null || typeof la !== "object") throw new TypeError(`${where}: optimizer.lookahead must be an object, got ${describe(la)}`);
      sd.lookahead = { ...la, slow };
    } else if (Object.keys(slow).length || "optimizer.lookahead" in metadata) {
      throw new Error(`${where}: the checkpoint holds Lookahead slow weights, but ${optimizer.name} is not a Lookahead`);
    }
    applyOptimizer = (optimizer as unknown as Planner).planLoad(sd);
  }
  let previousScheduler: SchedulerState | null = null;
  let schedulerState: SchedulerState | null = null;
  if (scheduler) {
    if (!("scheduler" in metadata)) throw new Error(`${where}: the checkpoint holds no scheduler state (no scheduler in its metadata)`);
    previousScheduler = scheduler.stateDict();
    const groups = scheduler.optimizer.paramGroups.length;
    schedulerState = schedulerFromPyTorch(parseJsonField(where, metadata, "scheduler"), previousScheduler, groups, `${where}: scheduler`);
  }
  // 2. Apply. The scheduler validates before it assigns; the optimizer's load
  // only allocates (and undoes the scheduler if that fails); the model's copies.
  if (scheduler && schedulerState) scheduler.loadStateDict(schedulerState);
  try {
    applyOptimizer?.();
  } catch (e) {
    if (scheduler && previousScheduler) scheduler.loadStateDict(previousScheduler);
    throw e;
  }
  applyModel?.();
  return { extra, ...keys };
}
