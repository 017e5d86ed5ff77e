import { z } from "zod";
import { InputError, LANGUAGES } from "../../core/index.js";
import { countJsonlRecords, type JsonlRecord, readJsonlFile } from "../jobs/index.js";

/**
 * One seed request (a line of seeds.jsonl): a single-turn harmful request written for one guideline, which
 * `filter seeds` checks against reference models and `generate conversations` turns into conversations.
 */
export const seedSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(120)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "use letters, digits, '.', '_', ':' or '-'"),
  language: z.enum(LANGUAGES),
  /** Links a ja seed to its en twin. */
  pairId: z.string().min(1).optional(),
  guidelineId: z.string().min(1),
  /** The guideline's section in its catalog (reports group by it). */
  guidelineSection: z.string().min(1).optional(),
  request: z.string().trim().min(1, "the request must not be empty"),
  metadata: z.record(z.string(), z.unknown()).default({}),
});

export type Seed = z.output<typeof seedSchema>;

const SEED_FIX =
  "Fix this line; a seed has id, language (ja|en), guidelineId, request and optional pairId, guidelineSection, metadata";

/** Streams a seeds file (validated line by line; errors name file, line and field). */
export function readSeeds(path: string): AsyncGenerator<JsonlRecord<Seed>> {
  return readJsonlFile(path, seedSchema, SEED_FIX);
}

/** Validates a whole seeds file before any model is called (also rejects duplicate ids); returns the seed count. */
export async function checkSeedsFile(path: string): Promise<number> {
  const seen = new Set<string>();
  return countJsonlRecords(path, seedSchema, SEED_FIX, (record) => {
    if (seen.has(record.value.id)) {
      throw new InputError(
        "dataset_invalid",
        { file: record.file, line: record.line, field: "id" },
        `duplicate seed id "${record.value.id}"`,
        "Give every seed a unique id",
      );
    }
    seen.add(record.value.id);
  });
}
