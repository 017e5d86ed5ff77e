import { z } from "zod";

/** One category a classifier can name: its code as the classifier writes it (`S1`, `violence`), and its names. */
const classifierCategorySchema = z.strictObject({
  code: z.string().min(1),
  en: z.string().min(1),
  ja: z.string().min(1),
});

/**
 * A classifier rubric's categories, one list per taxonomy (`llama-guard-3`, `llama-guard-4`; `omni-moderation`,
 * `text-moderation`): data, so that a new model version is a new list, not new code.
 */
export const classifierCategoriesSchema = z.record(
  z.string().regex(/^[a-z0-9-]+$/),
  z.array(classifierCategorySchema).min(1),
);
