import type { ChatModel } from "../../providers/index.js";

/** Sampling settings a binding may set; they change the output, so they are part of a task's key. */
export interface GenerationSampling {
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly seed?: number;
}

/** A model bound to a benchmark-construction role (generator, attacker, refuser, refusal judge, translator). */
export interface GenerationModel {
  /** The binding's id in the config (e.g. the attacker id that reports group by). */
  readonly id: string;
  /** `provider:model`, stored as provenance. */
  readonly spec: string;
  readonly model: ChatModel;
  readonly sampling: GenerationSampling;
}

/** The identity of a model as far as its output goes: binding id, spec and sampling (part of task keys). */
export function modelIdentity(model: GenerationModel): unknown[] {
  return [
    model.id,
    model.spec,
    model.sampling.temperature ?? null,
    model.sampling.maxTokens ?? null,
    model.sampling.seed ?? null,
  ];
}
