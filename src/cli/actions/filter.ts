import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { MedsafetyError, parseJsonText } from "../../core/index.js";
import { type FilterSummary, filterSeeds, PartialFile, type SeedAudit } from "../../generation/index.js";
import { printFailures } from "../commands/generation-flags.js";
import type { GenerationFlags } from "../generation-session.js";
import { formatUsage, idList, withGenerationSession } from "../generation-session.js";
import type { Output } from "../output.js";
import { refusalClassifier } from "../refusal-classifier.js";

export interface FilterFlags extends GenerationFlags {
  in: string;
  refusers: string;
  minRefusals: number;
  out: string;
  audit?: string;
  printAudit?: boolean;
}

/** `medsafety filter seeds`: keeps the seeds that at least k reference models refuse. */
export async function filterSeedsCommand(
  flags: FilterFlags,
  output: Output,
  setExit: (code: number) => void,
): Promise<void> {
  const auditPath = flags.audit ?? `${flags.out}.audit.jsonl`;
  const params = {
    in: resolve(flags.in),
    refusers: flags.refusers,
    minRefusals: flags.minRefusals,
    out: resolve(flags.out),
    audit: resolve(auditPath),
  };
  const { result, runId, usage, cancelled } = await withGenerationSession(
    "filter seeds",
    flags,
    { refusers: idList(flags.refusers), refusalJudge: true },
    params,
    output,
    async (session) => {
      const judge = session.models.refusalJudge;
      if (judge === undefined) throw new Error("refusal judge not bound");
      if (flags.minRefusals > session.models.refusers.length) {
        throw new MedsafetyError(
          "config_invalid",
          `--min-refusals ${flags.minRefusals} is more than the ${session.models.refusers.length} refusers: no seed could be kept. Lower --min-refusals or add refusers.`,
        );
      }
      const out = new PartialFile(flags.out);
      const audit = new PartialFile(auditPath);
      try {
        const summary = await filterSeeds({
          seedsPath: flags.in,
          refusers: session.models.refusers,
          classifier: refusalClassifier(judge),
          minRefusals: flags.minRefusals,
          job: session.job,
          events: session.events,
          out,
          audit,
          inFlight: session.concurrency,
        });
        if (!session.job.stopped) {
          await out.commit();
          await audit.commit();
        }
        return summary;
      } finally {
        await out.close();
        await audit.close();
      }
    },
  );
  printFilterSummary(output, result, flags, runId, usage, cancelled, resolve(auditPath));
  if (cancelled) setExit(130);
}

function printFilterSummary(
  output: Output,
  summary: FilterSummary,
  flags: FilterFlags,
  runId: string,
  usage: Parameters<typeof formatUsage>[0],
  cancelled: boolean,
  audit: string,
): void {
  const verdicts = Object.entries(summary.verdicts)
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([label, count]) => `${label} ${count}`)
    .join(", ");
  output.out(
    `filter: ${summary.seeds} seeds, kept ${summary.kept}, dropped ${summary.dropped} (kept iff ≥ ${flags.minRefusals} refusals); verdicts: ${verdicts || "none"}; ${formatUsage(usage)}`,
  );
  const notCounted =
    (summary.verdicts["unscored"] ?? 0) + (summary.verdicts["error"] ?? 0) + (summary.verdicts["no-answer"] ?? 0);
  if (notCounted > 0)
    output.out(
      `${notCounted} verdicts are unscored, errors or missing answers: none counts as a refusal (see the audit)`,
    );
  printFailures(output, summary.failures, notCounted);
  if (flags.printAudit === true && !cancelled) printAudit(output, audit);
  output.out(
    cancelled
      ? `cancelled: partial output left in ${resolve(flags.out)}.partial; run the same command again to resume`
      : `wrote ${resolve(flags.out)} and the audit ${audit}`,
  );
  output.out(`generation run: ${runId}`);
}

/** One line per seed: kept or dropped, the refusal count, and each refuser's verdict. */
function printAudit(output: Output, audit: string): void {
  output.out("audit (seed: kept/dropped refusals | refuser=verdict ...):");
  for (const [index, line] of readFileSync(audit, "utf8").split("\n").entries()) {
    if (line.trim() === "") continue;
    const entry = parseJsonText(audit, line, { what: "audit line", firstLine: index + 1 }) as SeedAudit;
    output.out(
      `  ${entry.seedId}: ${entry.kept ? "kept" : "dropped"} ${entry.refusals} | ${entry.verdicts.map((verdict) => `${verdict.refuser}=${verdict.verdict}`).join(" ")}`,
    );
  }
}
