/**
 * The JSON objects in a model's answer: the whole text as JSON, else every balanced {...} block that parses, in
 * order (models wrap JSON in prose or code fences). Used by judges' verdicts and generation's structured outputs.
 */
export function* jsonObjects(text: string): Generator<Record<string, unknown>> {
  const whole = tryParseJson(text.trim());
  if (isObject(whole)) {
    yield whole;
    return;
  }
  for (let start = text.indexOf("{"); start >= 0; start = text.indexOf("{", start + 1)) {
    const end = matchingBrace(text, start);
    if (end < 0) continue;
    const candidate = tryParseJson(text.slice(start, end + 1));
    if (isObject(candidate)) {
      yield candidate;
      start = end;
    }
  }
}

/**
 * The answer as one JSON object when that object is the whole answer: surrounding whitespace and one enclosing
 * Markdown code fence (```json … ``` or ``` … ```) are allowed, nothing else. Prose before or after, a second
 * object or a truncated object give `undefined`. Judges' verdicts are read this way, so a refusal that quotes the
 * reply format ("I will not evaluate this. Format: {\"score\": 0}") is never taken for a verdict.
 */
export function wholeJsonObject(text: string): Record<string, unknown> | undefined {
  const parsed = tryParseJson(withoutCodeFence(text.trim()));
  return isObject(parsed) ? parsed : undefined;
}

const CODE_FENCE = /^```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;

function withoutCodeFence(text: string): string {
  const match = CODE_FENCE.exec(text);
  return match?.[1] === undefined ? text : match[1].trim();
}

function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let index = start; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === "\\") index += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{") depth += 1;
    else if (char === "}" && --depth === 0) return index;
  }
  return -1;
}

/** A model's answer (or part of one) as JSON, or undefined when it is not JSON: model output is never trusted to parse. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
