import { APICallError } from "ai";
import { describe, expect, it } from "vitest";
import { type FailureContext, redactSecrets, toProviderError } from "./ai-sdk-errors.js";

const CONTEXT: FailureContext = {
  label: 'Model "t" (openai:gpt-4o)',
  baseURL: "http://127.0.0.1:9/v1",
  timeoutMs: 1_000,
  keyVariable: "OPENAI_API_KEY",
  secrets: ["my-secret-value"],
};

function apiCallError(statusCode: number | undefined, headers: Record<string, string> = {}): APICallError {
  return new APICallError({
    message: "upstream says no",
    url: "http://127.0.0.1:9/v1/chat/completions",
    requestBodyValues: {},
    responseHeaders: headers,
    ...(statusCode === undefined ? {} : { statusCode }),
  });
}

describe("toProviderError", () => {
  it("keeps the status and retry-after of HTTP errors", () => {
    expect(toProviderError(apiCallError(429, { "retry-after": "7" }), CONTEXT)).toMatchObject({
      code: "provider_http",
      statusCode: 429,
      retryAfterMs: 7_000,
      isRetryable: true,
    });
    expect(toProviderError(apiCallError(400), CONTEXT)).toMatchObject({
      code: "provider_http",
      statusCode: 400,
      isRetryable: false,
    });
    expect(toProviderError(apiCallError(403), CONTEXT)).toMatchObject({ code: "provider_auth", isRetryable: false });
  });

  it("treats errors without a status as network errors and 2xx as invalid responses", () => {
    expect(toProviderError(apiCallError(undefined), CONTEXT)).toMatchObject({
      code: "provider_network",
      isRetryable: true,
    });
    expect(toProviderError(apiCallError(200), CONTEXT)).toMatchObject({
      code: "provider_response_invalid",
      isRetryable: false,
    });
    const refused = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
    expect(toProviderError(refused, CONTEXT)).toMatchObject({ code: "provider_network" });
  });
});

describe("redactSecrets", () => {
  it("removes the known key and key-shaped tokens", () => {
    expect(redactSecrets("bad key my-secret-value and sk-proj-****abcd", ["my-secret-value"])).toBe(
      "bad key [redacted] and [redacted]",
    );
  });
});
