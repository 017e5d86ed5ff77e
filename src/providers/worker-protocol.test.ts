import { describe, expect, it } from "vitest";
import { MedsafetyError, ProviderError } from "../core/index.js";
import { deserializeError, serializeError } from "./worker-protocol.js";

describe("errors crossing the worker boundary", () => {
  it("keep a ProviderError's class, code, status, retry-after and retryability", () => {
    const original = new ProviderError("provider_http", "Model x: HTTP 429", { statusCode: 429, retryAfterMs: 1500 });
    const copy = deserializeError(structuredClone(serializeError(original)));
    expect(copy).toBeInstanceOf(ProviderError);
    expect(copy).toMatchObject({
      code: "provider_http",
      message: "Model x: HTTP 429",
      statusCode: 429,
      retryAfterMs: 1500,
      isRetryable: true,
    });
  });

  it("keep a cancellation a MedsafetyError with code cancelled", () => {
    const copy = deserializeError(serializeError(new MedsafetyError("cancelled", "stopped")));
    expect(copy).toBeInstanceOf(MedsafetyError);
    expect(copy).not.toBeInstanceOf(ProviderError);
    expect((copy as MedsafetyError).code).toBe("cancelled");
  });

  it("turn anything else into a non-retryable provider_unknown with its message", () => {
    const copy = deserializeError(serializeError(new RangeError("boom")));
    expect(copy).toMatchObject({ code: "provider_unknown", message: "boom", isRetryable: false });
  });
});
