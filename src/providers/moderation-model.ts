// The error class from the provider spec package (no dependencies), so failures read exactly as chat models' do.
import { APICallError } from "@ai-sdk/provider";
import { MedsafetyError, wholeJsonObject, ZERO_USAGE } from "../core/index.js";
import { type FailureContext, timeoutError, toProviderError } from "./ai-sdk-errors.js";
import { DEFAULT_BASE_URLS, STANDARD_KEY_VARIABLES } from "./ai-sdk-model.js";
import type { CallOptions, ChatModel, ChatRequest, ChatResponse } from "./chat-model.js";
import type { ModelSettings } from "./model-settings.js";
import { parseModelSpec } from "./model-spec.js";

/**
 * The OpenAI moderation endpoint as a `ChatModel`, for `openai-moderation:<model>` judge bindings
 * (`openai-moderation:omni-moderation-latest`, `openai-moderation:text-moderation-latest`; decision 0029). The AI SDK
 * has no moderation API, so this is a small client over the project's `httpFetch`: `generate` sends the text of the
 * request's last message (a moderation judge's request is the assistant reply alone: judges/classifier-request.ts) as
 * `POST <baseURL>/moderations {model, input}` and returns the endpoint's JSON body as `text`, unparsed (the judge's
 * parser reads it). Because it is a `ChatModel`, everything around a model works unchanged: `withRetry` (429 with
 * retry-after, 5xx), limits, the response cache, pricing (0: the endpoint is free, prices.json) and the run's call
 * accounting. Usage is 0 tokens: the endpoint reports none. `baseURL` (default OpenAI's) and `apiKeyEnv` (default
 * `OPENAI_API_KEY`) work as for `openai:`. Failures are the project's `ProviderError`s, mapped by the same code as the
 * AI SDK adapters' (`toProviderError`).
 *
 * @throws MedsafetyError `provider_auth` naming the env var when the key is unset.
 */
export function createModerationModel(
  settings: ModelSettings,
  env: Readonly<Record<string, string | undefined>>,
): ChatModel {
  const { model } = parseModelSpec(settings.model);
  const label = `Model "${settings.id}" (${settings.model})`;
  const keyVariable = settings.apiKeyEnv ?? STANDARD_KEY_VARIABLES.openai;
  const apiKey = env[keyVariable]?.trim() ?? "";
  if (apiKey === "") {
    throw new MedsafetyError(
      "provider_auth",
      `${label} needs an API key in the environment variable ${keyVariable}, which is unset or empty. Export it (export ${keyVariable}=...)${settings.apiKeyEnv === undefined ? ", or set apiKeyEnv for this model in the config to the variable that holds it" : ""}.`,
    );
  }
  const baseURL = (settings.baseURL ?? DEFAULT_BASE_URLS.openai).replace(/\/+$/, "");
  const context: FailureContext = {
    label,
    baseURL,
    timeoutMs: settings.timeoutMs,
    keyVariable,
    secrets: [apiKey],
  };
  return {
    spec: settings.model,
    generate: (request, options) => moderateOnce(model, apiKey, request, options ?? {}, context),
    close: async () => {},
  };
}

async function moderateOnce(
  model: string,
  apiKey: string,
  request: ChatRequest,
  options: CallOptions,
  context: FailureContext,
): Promise<ChatResponse> {
  const input = request.messages.at(-1)?.content;
  if (input === undefined) throw new Error("moderation: the request has no message to classify");
  if (options.signal?.aborted === true) throw cancelled(context, options.signal.reason);
  const url = `${context.baseURL}/moderations`;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, context.timeoutMs);
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const started = performance.now();
  const body = JSON.stringify({ model, input });
  try {
    // undici loads on the first call, as for the AI SDK's providers, not when a model is bound (fast start-up).
    const { httpFetch } = await import("./http-fetch.js");
    const response = await httpFetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      body,
      signal: controller.signal,
    });
    const text = await response.text();
    if (response.status >= 400 || response.status < 200) {
      throw new APICallError({
        message: text.slice(0, 500),
        url,
        requestBodyValues: { model },
        statusCode: response.status,
        responseHeaders: Object.fromEntries(response.headers.entries()),
        responseBody: text,
      });
    }
    if (wholeJsonObject(text) === undefined)
      throw new Error(`the body of HTTP ${response.status} is not a JSON object`);
    return {
      text,
      usage: ZERO_USAGE,
      finishReason: "stop",
      latencyMs: Math.round(performance.now() - started),
      cached: false,
    };
  } catch (error) {
    if (isAborted(options.signal)) throw cancelled(context, error);
    if (timedOut) throw timeoutError(context, error);
    throw toProviderError(error, context);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** A function, not an inline check, because TypeScript keeps `aborted` narrowed across awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function cancelled(context: FailureContext, cause: unknown): MedsafetyError {
  return new MedsafetyError("cancelled", `${context.label}: the call was cancelled before an answer arrived.`, {
    cause,
  });
}
