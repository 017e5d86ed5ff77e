import { describe, expect, it } from "vitest";
import { hostAllowed, sameOrigin, tokensMatch } from "./security.js";

describe("viewer request guards", () => {
  it("accepts only loopback Host names with the port on a loopback bind, any on an explicit other bind", () => {
    expect(hostAllowed("127.0.0.1:7788", "127.0.0.1", 7788)).toBe(true);
    expect(hostAllowed("localhost:7788", "127.0.0.1", 7788)).toBe(true);
    expect(hostAllowed("evil.example:7788", "127.0.0.1", 7788)).toBe(false);
    expect(hostAllowed("127.0.0.1:7789", "127.0.0.1", 7788)).toBe(false);
    expect(hostAllowed(undefined, "127.0.0.1", 7788)).toBe(false);
    expect(hostAllowed("192.168.1.5:7788", "0.0.0.0", 7788)).toBe(true);
  });

  it("accepts the loopback address it is bound to (the URL it printed), not other loopback addresses", () => {
    expect(hostAllowed("127.0.0.2:7788", "127.0.0.2", 7788)).toBe(true);
    expect(hostAllowed("localhost:7788", "127.0.0.2", 7788)).toBe(true);
    expect(hostAllowed("127.0.0.3:7788", "127.0.0.2", 7788)).toBe(false);
    expect(hostAllowed("127.0.0.2:7789", "127.0.0.2", 7788)).toBe(false);
    expect(hostAllowed("[::1]:7788", "::1", 7788)).toBe(true);
    expect(hostAllowed("localhost:7788", "localhost", 7788)).toBe(true);
    expect(hostAllowed("evil.example:7788", "127.0.0.2", 7788)).toBe(false);
  });

  it("a POST must be same-origin (Origin, or Sec-Fetch-Site when Origin is null) and carry the token", () => {
    expect(sameOrigin("http://127.0.0.1:7788", "127.0.0.1:7788")).toBe(true);
    expect(sameOrigin("http://evil.example", "127.0.0.1:7788")).toBe(false);
    expect(sameOrigin("null", "127.0.0.1:7788", "same-origin")).toBe(true);
    expect(sameOrigin("null", "127.0.0.1:7788", "cross-site")).toBe(false);
    expect(sameOrigin("http://127.0.0.1:7788", "127.0.0.1:7788", "same-site")).toBe(false);
    expect(tokensMatch("abc", "abc")).toBe(true);
    expect(tokensMatch("abc", "abd")).toBe(false);
    expect(tokensMatch("abc", undefined)).toBe(false);
  });
});
