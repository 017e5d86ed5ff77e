/**
 * The fixture server's `POST /v1/moderations` (OpenAI's moderation endpoint, its documented wire format): the request
 * `{model, input}` (a string, an array of strings, or omni's array of `{type: "text", text}` parts) is answered
 * `{id, model, results: [...]}`, one result per input text, each with `flagged`, `categories` (every category true or
 * false), `category_scores` and, for `omni-moderation-*` models, `category_applied_input_types` (the `illicit`
 * categories exist only there). Errors come in OpenAI's error shape: 429 with `retry-after`, 500, or any status.
 */

/** What the fixture answers for one moderation request. */
export type ModerationFixtureReply =
  /** One result per input: the categories flagged (their score 0.9 unless given), every other at `scores` or 0.0001. */
  | { kind: "result"; flagged: readonly string[]; scores?: Readonly<Record<string, number>> }
  /** An HTTP error in OpenAI's shape (or `body` as given), e.g. 429 with `{"retry-after": "1"}`. */
  | { kind: "error"; status: number; headers?: Readonly<Record<string, string>>; body?: unknown };

/** Decides the answer to one moderation request; `callIndex` counts the server's requests (chat ones included). */
export type ModerationHandler = (
  request: { readonly model: string; readonly input: readonly string[] },
  callIndex: number,
) => ModerationFixtureReply | Promise<ModerationFixtureReply>;

const TEXT_CATEGORIES = [
  "harassment",
  "harassment/threatening",
  "hate",
  "hate/threatening",
  "self-harm",
  "self-harm/intent",
  "self-harm/instructions",
  "sexual",
  "sexual/minors",
  "violence",
  "violence/graphic",
] as const;
const OMNI_ONLY = ["illicit", "illicit/violent"] as const;

/** The default: nothing is flagged. */
const NOTHING_FLAGGED: ModerationHandler = () => ({ kind: "result", flagged: [] });

/** An HTTP answer for the server to send. */
export interface ModerationHttpAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** Answers one `POST …/moderations` body (already read as text); a body that is not a request is a 400. */
export async function answerModeration(
  handler: ModerationHandler | undefined,
  body: unknown,
  callIndex: number,
): Promise<ModerationHttpAnswer> {
  const request = decodeModerationRequest(body);
  if (request === undefined) {
    return {
      status: 400,
      body: openaiError(400, "moderations need {model, input}", "invalid_request_error"),
      headers: {},
    };
  }
  const reply = await (handler ?? NOTHING_FLAGGED)(request, callIndex);
  if (reply.kind === "error") {
    const type = reply.status === 429 ? "requests" : reply.status >= 500 ? "server_error" : "invalid_request_error";
    return {
      status: reply.status,
      body: reply.body ?? openaiError(reply.status, `Fixture error ${reply.status}`, type),
      headers: reply.headers ?? {},
    };
  }
  return {
    status: 200,
    body: {
      id: `modr-fixture-${callIndex}`,
      model: request.model,
      results: request.input.map(() => moderationResult(request.model, reply)),
    },
    headers: {},
  };
}

function decodeModerationRequest(body: unknown): { model: string; input: string[] } | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const { model, input } = body as { model?: unknown; input?: unknown };
  const texts =
    typeof input === "string"
      ? [input]
      : Array.isArray(input)
        ? input.map((part: unknown) =>
            typeof part === "string" ? part : String((part as { text?: unknown } | null)?.text ?? ""),
          )
        : undefined;
  if (texts === undefined || texts.length === 0) return undefined;
  return { model: typeof model === "string" ? model : "omni-moderation-latest", input: texts };
}

function moderationResult(model: string, reply: Extract<ModerationFixtureReply, { kind: "result" }>) {
  const omni = model.startsWith("omni-");
  const names: readonly string[] = omni ? [...TEXT_CATEGORIES, ...OMNI_ONLY] : TEXT_CATEGORIES;
  const flagged = new Set(reply.flagged);
  const score = (name: string): number => reply.scores?.[name] ?? (flagged.has(name) ? 0.9 : 0.0001);
  return {
    flagged: flagged.size > 0,
    categories: Object.fromEntries(names.map((name) => [name, flagged.has(name)])),
    category_scores: Object.fromEntries(names.map((name) => [name, score(name)])),
    ...(omni ? { category_applied_input_types: Object.fromEntries(names.map((name) => [name, ["text"]])) } : {}),
  };
}

function openaiError(status: number, message: string, type: string): unknown {
  return {
    error: { message, type, param: null, code: status === 429 ? "rate_limit_exceeded" : null },
  };
}
