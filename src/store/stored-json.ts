import { errorMessage, MedsafetyError } from "../core/index.js";

/**
 * JSON that medsafety itself wrote into a store column (a run's config, an item, a cached response, a report
 * query's `json_group_array`): the one place outside the input-file helpers (core/json-file.ts) where such text
 * meets `JSON.parse`. Text that does not parse means the store was changed outside medsafety, so it is a
 * `store_error` naming the column, never a crash with a bare SyntaxError.
 */
export function parseStoredJson<T = unknown>(text: string, column: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new MedsafetyError(
      "store_error",
      `The store holds text in ${column} that is not valid JSON (${errorMessage(error)}); it was changed outside medsafety. Run \`medsafety store check\` on it, or use a backup.`,
    );
  }
}
