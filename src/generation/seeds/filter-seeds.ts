import type { ChatRequest } from "../../providers/index.js";
import {
  forEachConcurrent,
  type GenerationEvents,
  type GenerationFailure,
  type GenerationJob,
  type GenerationModel,
  generationTaskKey,
  type ParseOutcome,
  type PartialFile,
  type TaskOutcome,
} from "../jobs/index.js";
import { checkSeedsFile, readSeeds, type Seed } from "./seed.js";

/** How reference answers are labelled: a judge model, its rubric's hash, its request and its verdict parser (injected by the CLI from judges/). */
export interface RefusalClassifier {
  readonly model: GenerationModel;
  /** Hash of the rubric: part of every verdict's key. */
  readonly rubricHash: string;
  readonly rubricRef: string;
  request(seed: Seed, answer: string): ChatRequest;
  /** The verdict, or the reason it is unscored. */
  parse(text: string): ParseOutcome<{ readonly label: string; readonly rationale: string }>;
}

export interface FilterSeedsOptions {
  readonly seedsPath: string;
  readonly refusers: readonly GenerationModel[];
  readonly classifier: RefusalClassifier;
  /** Keep a seed when at least this many refusers refuse it. */
  readonly minRefusals: number;
  readonly job: GenerationJob;
  readonly events: GenerationEvents;
  readonly out: PartialFile;
  /** Per-seed audit lines (every refuser's answer status and verdict). */
  readonly audit: PartialFile;
  readonly inFlight: number;
}

/** One refuser's part in a seed's audit. */
export interface RefuserVerdict {
  readonly refuser: string;
  /** refuse / partial / comply; `unscored` (the verdict never validated), `no-answer` (empty answers) or `error` (a call failed). */
  readonly verdict: string;
  readonly rationale?: string;
  readonly detail?: string;
}

export interface SeedAudit {
  readonly seedId: string;
  readonly guidelineId: string;
  readonly kept: boolean;
  readonly refusals: number;
  readonly verdicts: readonly RefuserVerdict[];
}

export interface FilterSummary {
  readonly seeds: number;
  readonly kept: number;
  readonly dropped: number;
  /** Verdicts by label, plus unscored and error. */
  readonly verdicts: Readonly<Record<string, number>>;
  readonly failures: readonly GenerationFailure[];
}

/** The prompt identity of a refuser's answer: the seed request alone, sent as is. */
const ANSWER_PROMPT_HASH = "seed-as-user-message-v1";

/**
 * The refusal filter: every refuser answers every seed; the classifier labels each answer; a seed is kept iff at
 * least `minRefusals` answers are labelled `refuse`. Answers and verdicts are stored by key (audit, resume); a
 * verdict that never validates is `unscored` and an answer or verdict call that fails is `error`: neither counts
 * as a refusal, both are reported. Kept seeds stream to `out`, one audit line per seed to `audit`.
 */
export async function filterSeeds(options: FilterSeedsOptions): Promise<FilterSummary> {
  const seeds = await checkSeedsFile(options.seedsPath);
  options.events.emit("job-start", { command: "filter seeds", tasks: seeds * options.refusers.length * 2 });
  const verdicts: Record<string, number> = {};
  const failures: GenerationFailure[] = [];
  let kept = 0;
  await forEachConcurrent(
    readSeeds(options.seedsPath),
    options.inFlight,
    async ({ value: seed }) => {
      const results = await Promise.all(
        options.refusers.map((refuser) => refuserVerdict(options, seed, refuser, failures)),
      );
      for (const result of results) verdicts[result.verdict] = (verdicts[result.verdict] ?? 0) + 1;
      const refusals = results.filter((result) => result.verdict === "refuse").length;
      const keep = refusals >= options.minRefusals;
      await options.audit.writeJson({
        seedId: seed.id,
        guidelineId: seed.guidelineId,
        kept: keep,
        refusals,
        verdicts: results,
      } satisfies SeedAudit);
      if (!keep) return;
      kept += 1;
      await options.out.writeJson({
        ...seed,
        metadata: {
          ...seed.metadata,
          refusalFilter: {
            refusals,
            refusers: options.refusers.length,
            minRefusals: options.minRefusals,
            rubric: options.classifier.rubricRef,
          },
        },
      });
    },
    () => options.job.stopped,
  );
  return { seeds, kept, dropped: seeds - kept, verdicts, failures };
}

async function refuserVerdict(
  options: FilterSeedsOptions,
  seed: Seed,
  refuser: GenerationModel,
  failures: GenerationFailure[],
): Promise<RefuserVerdict> {
  const seedInput = { id: seed.id, language: seed.language, request: seed.request };
  const answer = await options.job.run({
    key: generationTaskKey("refusal-answer", seedInput, ANSWER_PROMPT_HASH, refuser),
    kind: "refusal-answer",
    subject: seed.id,
    model: refuser,
    promptHash: ANSWER_PROMPT_HASH,
    input: seedInput,
    request: { messages: [{ role: "user", content: seed.request }] },
    parse: (text) =>
      text.trim() === ""
        ? { ok: false, problem: "the reference model returned an empty answer" }
        : { ok: true, value: text },
  });
  if (answer.status !== "success") {
    options.events.emit("total-change", { delta: -1 });
    return failed(refuser.id, seed.id, answer, failures, "no-answer");
  }
  const { classifier } = options;
  const verdictInput = { seed: seedInput, refuser: refuser.id, answer: answer.value };
  const verdict = await options.job.run({
    key: generationTaskKey("refusal-verdict", verdictInput, classifier.rubricHash, classifier.model),
    kind: "refusal-verdict",
    subject: seed.id,
    model: classifier.model,
    promptHash: classifier.rubricHash,
    input: { seedId: seed.id, refuser: refuser.id },
    request: classifier.request(seed, answer.value),
    parse: (text) => classifier.parse(text),
  });
  if (verdict.status !== "success") return failed(refuser.id, seed.id, verdict, failures, "unscored");
  return { refuser: refuser.id, verdict: verdict.value.label, rationale: verdict.value.rationale };
}

function failed(
  refuser: string,
  seedId: string,
  outcome: Exclude<TaskOutcome<unknown>, { status: "success" }>,
  failures: GenerationFailure[],
  invalidLabel: "no-answer" | "unscored",
): RefuserVerdict {
  const detail = outcome.status === "failed" ? outcome.problem : outcome.errorMessage;
  if (failures.length < 20)
    failures.push({ subject: seedId, modelId: refuser, status: outcome.status, message: detail });
  return { refuser, verdict: outcome.status === "failed" ? invalidLabel : "error", detail };
}
