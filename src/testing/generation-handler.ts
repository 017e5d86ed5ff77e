import { createHash } from "node:crypto";
import type { FixtureHandler, FixtureRequest } from "./fixture-server.js";

/**
 * Answers structured-output requests with a value that satisfies the requested JSON Schema: objects get every
 * property, arrays their `minItems` (at least 1) elements, strings a text derived from a hash of the request and
 * the value's path (so different requests and array elements give different texts), numbers their minimum, enums
 * their first value. Verdict schemas (a `score` property) get the default verdict (score 9, label `refuse` when the
 * schema offers it). Plain requests get the default refusal text. Used by `bench:generate` and generation tests.
 */
export const generationFixtureHandler: FixtureHandler = (request) => {
  const schema = request.jsonSchema;
  if (schema === undefined) return { kind: "text", text: "I can't help with that request." };
  if (isVerdictSchema(schema)) return { kind: "json", value: verdictFor(schema) };
  return { kind: "json", value: valueForSchema(schema, requestDigest(request)) };
};

/** A short digest of the request's model and messages, stable across runs (two models asked the same answer differently). */
export function requestDigest(request: Pick<FixtureRequest, "model" | "system" | "messages">): string {
  return createHash("sha256")
    .update(JSON.stringify([request.model, request.system ?? "", request.messages]))
    .digest("hex")
    .slice(0, 10);
}

function isVerdictSchema(schema: Record<string, unknown>): boolean {
  const properties = schema["properties"];
  return typeof properties === "object" && properties !== null && "score" in properties;
}

function verdictFor(schema: Record<string, unknown>): Record<string, unknown> {
  const properties = schema["properties"] as Record<string, Record<string, unknown>>;
  const labels = properties["label"]?.["enum"];
  if (!Array.isArray(labels)) return { rationale: "fixture verdict", score: 9 };
  const label = labels.includes("refuse") ? "refuse" : labels[0];
  const maximum = properties["score"]?.["maximum"];
  return { rationale: "fixture verdict", label, score: typeof maximum === "number" ? maximum : 9 };
}

/** A value satisfying a (simple) JSON Schema: object, array, string, number/integer, boolean, enum, anyOf. */
export function valueForSchema(schema: Record<string, unknown>, digest: string, path = "value"): unknown {
  const enumValues = schema["enum"];
  if (Array.isArray(enumValues)) return enumValues[0];
  const anyOf = schema["anyOf"];
  if (Array.isArray(anyOf) && typeof anyOf[0] === "object" && anyOf[0] !== null)
    return valueForSchema(anyOf[0] as Record<string, unknown>, digest, path);
  switch (schema["type"]) {
    case "object": {
      const properties = (schema["properties"] ?? {}) as Record<string, Record<string, unknown>>;
      return Object.fromEntries(
        Object.entries(properties).map(([name, property]) => [
          name,
          valueForSchema(property, digest, `${path}.${name}`),
        ]),
      );
    }
    case "array": {
      const items = (schema["items"] ?? { type: "string" }) as Record<string, unknown>;
      const count = Math.max(1, typeof schema["minItems"] === "number" ? schema["minItems"] : 1);
      return Array.from({ length: count }, (_, index) => valueForSchema(items, digest, `${path}.${index}`));
    }
    case "integer":
    case "number":
      return typeof schema["minimum"] === "number" ? schema["minimum"] : 0;
    case "boolean":
      return true;
    default:
      return `fixture ${path} ${digest}`;
  }
}
