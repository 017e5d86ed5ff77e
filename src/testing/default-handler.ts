import type { FixtureHandler } from "./fixture-server.js";

/**
 * The fixture server's default answers: a judge-style verdict for structured-output (JSON schema) requests and
 * a refusal for everything else.
 */
export const defaultFixtureHandler: FixtureHandler = (request) =>
  request.jsonSchema !== undefined
    ? { kind: "json", value: { rationale: "fixture verdict", score: 9 } }
    : { kind: "text", text: "I can't help with that request." };
