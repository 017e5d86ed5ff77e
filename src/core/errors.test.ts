import { describe, expect, it } from "vitest";
import {
  errorFieldsOf,
  formatLocation,
  InputError,
  isCancellation,
  isRetryableStatus,
  MedsafetyError,
  ProviderError,
  parseRetryAfter,
} from "./errors.js";

const NOW = Date.parse("2026-11-22T02:09:00.000Z");

describe("parseRetryAfter", () => {
  it("reads retry-after in seconds", () => {
    expect(parseRetryAfter({ "retry-after": "3" }, NOW)).toBe(3_000);
    expect(parseRetryAfter({ "retry-after": "0" }, NOW)).toBe(0);
    expect(parseRetryAfter({ "retry-after": "1.5" }, NOW)).toBe(1_500);
  });

  it("reads retry-after as an HTTP date, relative to now", () => {
    expect(parseRetryAfter({ "retry-after": "Sun, 22 Nov 2026 02:09:10 GMT" }, NOW)).toBe(10_000);
  });

  it("turns an HTTP date in the past into no wait", () => {
    expect(parseRetryAfter({ "retry-after": "Sun, 22 Nov 2026 02:08:00 GMT" }, NOW)).toBe(0);
  });

  it("prefers retry-after-ms over retry-after", () => {
    expect(parseRetryAfter({ "retry-after-ms": "250", "retry-after": "9" }, NOW)).toBe(250);
  });

  it("falls back to retry-after when retry-after-ms is unusable", () => {
    expect(parseRetryAfter({ "retry-after-ms": "soon", "retry-after": "2" }, NOW)).toBe(2_000);
    expect(parseRetryAfter({ "retry-after-ms": "-5", "retry-after": "2" }, NOW)).toBe(2_000);
  });

  it("matches header names case-insensitively", () => {
    expect(parseRetryAfter({ "Retry-After": "4" }, NOW)).toBe(4_000);
    expect(parseRetryAfter({ "Retry-After-Ms": "40" }, NOW)).toBe(40);
  });

  it("returns undefined when the headers are absent, blank or garbage", () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter({}, NOW)).toBeUndefined();
    expect(parseRetryAfter({ "retry-after": undefined }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ "retry-after": "   " }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ "retry-after": "soon" }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ "retry-after": "Infinity" }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ "retry-after-ms": "soon" }, NOW)).toBeUndefined();
  });

  // BUG: values that are neither delay-seconds nor an HTTP date ("-5", "later 5") are handed to V8's lenient
  // Date.parse, which reads them as dates in 2001, so they come back as 0 instead of undefined.
  it("returns undefined for a negative number or text with a digit in it", () => {
    expect(parseRetryAfter({ "retry-after": "-5" }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ "retry-after": "later 5" }, NOW)).toBeUndefined();
  });
});

describe("isRetryableStatus", () => {
  it.each([
    [undefined, false],
    [200, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [422, false],
    [408, true],
    [409, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [599, true],
  ] as const)("status %s -> %s", (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });
});

describe("error classes", () => {
  it("ProviderError derives isRetryable from the status unless told otherwise", () => {
    expect(new ProviderError("provider_http", "busy", { statusCode: 503 }).isRetryable).toBe(true);
    expect(new ProviderError("provider_http", "bad", { statusCode: 400 }).isRetryable).toBe(false);
    expect(new ProviderError("provider_timeout", "slow", { isRetryable: true }).isRetryable).toBe(true);
    expect(new ProviderError("provider_http", "busy", { statusCode: 503, isRetryable: false }).isRetryable).toBe(false);
  });

  it("ProviderError keeps status, retry-after, cause and a stable name", () => {
    const cause = new Error("socket hang up");
    const error = new ProviderError("provider_http", "busy", { statusCode: 429, retryAfterMs: 1_000, cause });
    expect(error).toBeInstanceOf(MedsafetyError);
    expect(error).toMatchObject({ name: "ProviderError", code: "provider_http", statusCode: 429, retryAfterMs: 1_000 });
    expect(error.cause).toBe(cause);
  });

  it("InputError names file, line and field before the problem and the fix", () => {
    const error = new InputError(
      "config_invalid",
      { file: "a.yaml", line: 3, field: "targets.0.id" },
      "bad id",
      "Fix it",
    );
    expect(error.message).toBe('a.yaml:3 (field "targets.0.id"): bad id. Fix it');
    expect(error.location).toEqual({ file: "a.yaml", line: 3, field: "targets.0.id" });
    expect(error.isRetryable).toBe(false);
  });

  it("formatLocation leaves out a missing line and an empty field", () => {
    expect(formatLocation({ file: "x.jsonl" })).toBe("x.jsonl");
    expect(formatLocation({ file: "x.jsonl", line: 7, field: "" })).toBe("x.jsonl:7");
  });
});

describe("isCancellation", () => {
  it("is true for a cancelled MedsafetyError and the platform's AbortError", () => {
    expect(isCancellation(new MedsafetyError("cancelled", "stopped"))).toBe(true);
    const controller = new AbortController();
    controller.abort();
    expect(isCancellation(controller.signal.reason)).toBe(true);
    expect(isCancellation(new DOMException("gone", "AbortError"))).toBe(true);
  });

  it("is false for failures, other codes, timeouts and things that are not errors", () => {
    expect(isCancellation(new ProviderError("provider_timeout", "slow"))).toBe(false);
    expect(isCancellation(new MedsafetyError("store_error", "cancelled"))).toBe(false);
    expect(isCancellation(new DOMException("late", "TimeoutError"))).toBe(false);
    expect(isCancellation(new Error("cancelled"))).toBe(false);
    expect(isCancellation("cancelled")).toBe(false);
    expect(isCancellation(undefined)).toBe(false);
  });
});

describe("errorFieldsOf", () => {
  it("keeps a provider error's code, HTTP status and message", () => {
    expect(errorFieldsOf(new ProviderError("provider_http", "HTTP 503", { statusCode: 503 }))).toEqual({
      code: "provider_http",
      status: 503,
      message: "HTTP 503",
    });
  });

  it("has no status for other project errors, and calls anything else provider_unknown", () => {
    expect(errorFieldsOf(new MedsafetyError("provider_timeout", "slow"))).toEqual({
      code: "provider_timeout",
      status: null,
      message: "slow",
    });
    expect(errorFieldsOf(new TypeError("boom"))).toEqual({ code: "provider_unknown", status: null, message: "boom" });
    expect(errorFieldsOf("text")).toEqual({ code: "provider_unknown", status: null, message: "text" });
  });
});
