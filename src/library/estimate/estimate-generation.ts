import type { BoundPipelineModels, bindDiscoveryModels, Config } from "../../config/index.js";
import type { GenerationModel } from "../../generation/index.js";
import type { EmbeddingModel, ModelSettings } from "../../providers/index.js";
import { type Estimate, summarizePlan } from "./estimate-summary.js";
import { expectedOutput, NO_OBSERVATIONS, type ObservedMeans } from "./observed.js";
import { type EstimateRole, type IntegerPolicy, PlanLedger, planningModel } from "./planning-model.js";
import { loadTokenCounter, type TokenCounter, tokenizerFamily } from "./token-counter.js";

type BoundDiscoveryModels = ReturnType<typeof bindDiscoveryModels>;

/**
 * Plans a generation command (`generate seeds`, `generate conversations`, `filter seeds`, `translate`, `discover`)
 * by running the command's own code with its bound roles swapped for planning models (planning-model.ts): tasks
 * are planned as the command plans them (seeds × guidelines, seeds × strategies × attackers, refusers × seeds, items
 * to translate and back, discovery's passes × seeds × iterations) and every request is the real one. Every answer is
 * valid, so no task is asked again; discovery's scorer never reaches the threshold, so every seed runs its most
 * iterations (an upper bound). The caller gives the command an empty store: tasks an earlier run stored are counted
 * again (an upper bound).
 */
export class GenerationPlanner {
  private readonly ledger = new PlanLedger();

  private constructor(
    private readonly counter: TokenCounter,
    private readonly observed: ObservedMeans,
  ) {}

  static async create(options: { readonly observed?: ObservedMeans; readonly counter?: TokenCounter } = {}) {
    return new GenerationPlanner(options.counter ?? (await loadTokenCounter()), options.observed ?? NO_OBSERVATIONS);
  }

  /** The pipeline roles a command bound, each answering as a planning model. */
  pipeline(bound: BoundPipelineModels, config: Config): BoundPipelineModels {
    const swap = (role: EstimateRole, model: GenerationModel, settings: ModelSettings | undefined): GenerationModel =>
      settings === undefined ? model : { ...model, model: this.model(role, settings) };
    const byId = (list: readonly ModelSettings[] | undefined, id: string) => list?.find((entry) => entry.id === id);
    return {
      ...(bound.generator === undefined ? {} : { generator: swap("generator", bound.generator, config.generator) }),
      ...(bound.translator === undefined
        ? {}
        : { translator: swap("translator", bound.translator, config.translator) }),
      ...(bound.refusalJudge === undefined
        ? {}
        : {
            refusalJudge: {
              ...swap("refusal-judge", bound.refusalJudge, config.refusalJudge),
              rubric: bound.refusalJudge.rubric,
            },
          }),
      attackers: bound.attackers.map((model) => swap("attacker", model, byId(config.attackers, model.id))),
      refusers: bound.refusers.map((model) => swap("refuser", model, byId(config.refusers, model.id))),
      close: () => bound.close(),
    };
  }

  /**
   * Discovery's bound roles, each answering as a planning model. The scorer's scores rise by one per answer and stay
   * below `threshold`: every seed runs its most iterations, and most attempts beat the one before (each a summary).
   */
  discovery(bound: BoundDiscoveryModels, threshold: number): BoundDiscoveryModels {
    const { roles, settings } = bound;
    return {
      ...bound,
      roles: {
        attacker: { ...roles.attacker, model: this.model("attacker", settings.attacker) },
        target: { ...roles.target, model: this.model("target", settings.target) },
        scorer: { ...roles.scorer, model: this.model("scorer", settings.scorer, { rising: { below: threshold } }) },
        summarizer: { ...roles.summarizer, model: this.model("summarizer", settings.summarizer) },
        embedder: { ...roles.embedder, model: this.embedder(settings.embedder) },
      },
    };
  }

  /** The planned calls so far, as an estimate. */
  estimate(command: string, concurrency: number, plan: Readonly<Record<string, number>> = {}): Estimate {
    return summarizePlan(command, this.ledger.all(), { concurrency, plan });
  }

  private model(role: EstimateRole, settings: ModelSettings, integers: IntegerPolicy = "maximum") {
    return planningModel(
      role,
      settings,
      expectedOutput(role, settings, this.observed),
      this.ledger,
      this.counter,
      integers,
    );
  }

  /** An embedder that counts its input tokens and answers a vector per text (character codes folded into 16). */
  private embedder(settings: ModelSettings): EmbeddingModel {
    const entry = this.ledger.entry("embedder", settings, { tokens: 0, source: "none" });
    const family = tokenizerFamily(settings.model);
    return {
      spec: settings.model,
      close: async () => undefined,
      embed: async (texts) => {
        const inputTokens = texts.reduce(
          (total, text) => total + Math.ceil(this.counter.count(text) * family.factor),
          0,
        );
        entry.calls += 1;
        entry.inputTokens += inputTokens;
        return { embeddings: texts.map(foldedVector), usage: { inputTokens }, latencyMs: 0 };
      },
    };
  }
}

function foldedVector(text: string): Float32Array {
  const vector = new Float32Array(16);
  for (let index = 0; index < text.length; index += 1) {
    const slot = index % 16;
    vector[slot] = (vector[slot] ?? 0) + text.charCodeAt(index);
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}
