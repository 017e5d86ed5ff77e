/**
 * The JSON objects in a model's answer: the whole text as JSON, else every balanced {...} block that parses, in
 * order (models wrap JSON in prose or code fences). Used by judges' verdicts and generation's structured outputs.
 */
export function* jsonObjects(text: string): Generator<Record<string, unknown>> {
  const whole = tryParse(text.trim());
  if (isObject(whole)) {
    yield whole;
    return;
  }
  for (let start = text.indexOf("{"); start >= 0; start = text.indexOf("{", start + 1)) {
    const end = matchingBrace(text, start);
    if (end < 0) continue;
    const candidate = tryParse(text.slice(start, end + 1));
    if (isObject(candidate)) {
      yield candidate;
      start = end;
    }
  }
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

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
