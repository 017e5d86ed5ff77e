import { InputError } from "../../src/core/index.js";

/** The InputError `action` throws (any other error is rethrown; no error fails the test). */
export function inputErrorOf(action: () => unknown): InputError {
  try {
    action();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
}
