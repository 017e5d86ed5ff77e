import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { MedsafetyError } from "../../core/index.js";
import { type FilterSummary, filterSeeds, PartialFile, type SeedAudit } from "../../generation/index.js";
import { formatUsage, type GenerationFlags, idList, withGenerationSession } from "../generation-session.js";
import type { Output } from "../output.js";
import { refusalClassifier } from "../refusal-classifier.js";
import { printFailures, withGenerationFlags } from "./generation-flags.js";
import { positiveInteger } from "./parse.js";

interface FilterFlags extends GenerationFlags {
  in: string;
  refusers: string;
  minRefusals: number;
  out: string;
  audit?: string;
  printAudit?: boolean;
}

/** Registers `medsafety filter seeds`. */
export function registerFilter(program: Command, output: Output, setExit: (code: number) => void): void {
  const filter = program.command("filter").description("filter benchmark material");
  withGenerationFlags(
    filter
      .command("seeds")
      .description("keep a seed only if at least k reference models refuse it (refusals judged with a refusal rubric)"),
  )
    .requiredOption("--in <file>", "seeds JSONL")
    .option("--refusers <ids>", "comma list of refuser ids from the config (default: all)", "all")
    .option("--min-refusals <k>", "keep a seed when at least k refusers refuse it", positiveInteger, 2)
    .requiredOption("--out <file>", "kept seeds JSONL")
    .option("--audit <file>", "per-seed audit JSONL: each refuser's verdict (default: <out>.audit.jsonl)")
    .option("--print-audit", "also print each seed's verdicts")
    .action(async (flags: FilterFlags) => {
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
    });
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
  for (const line of readFileSync(audit, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const entry = JSON.parse(line) as SeedAudit;
    output.out(
      `  ${entry.seedId}: ${entry.kept ? "kept" : "dropped"} ${entry.refusals} | ${entry.verdicts.map((verdict) => `${verdict.refuser}=${verdict.verdict}`).join(" ")}`,
    );
  }
}
