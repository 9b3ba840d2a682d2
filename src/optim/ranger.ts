// Ranger: Lookahead around RAdam (L. Wright, 2019, combining Liu et al.
// 2020 and Zhang et al. 2019).
import { Lookahead, type LookaheadOptions } from "./lookahead.js";
import { RAdam, type RAdamOptions } from "./radam.js";
import type { ParamsArg } from "./optimizer.js";
import { optionsArg } from "../validate.js";

export type RangerOptions = RAdamOptions & LookaheadOptions;

/**
 * Ranger = Lookahead(RAdam(params, options), { k, alpha }): RAdam's update
 * (see radam.ts) as the fast weights, synchronised with slow weights every
 * k steps (see lookahead.ts). Defaults: RAdam's, k = 5, alpha = 0.5.
 */
export class Ranger extends Lookahead {
  static override readonly optimizerName: string = "Ranger";
  constructor(params: ParamsArg, options?: RangerOptions) {
    const { k, alpha, ...radam } = optionsArg("Ranger", options) as RangerOptions;
    super(new RAdam(params, radam), { k, alpha });
  }

  override get name(): string {
    return "Ranger";
  }
}
