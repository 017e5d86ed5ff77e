import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, hashValue, sha256 } from "./hash.js";

describe("canonicalJson", () => {
  it("sorts keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { z: 1, y: 2 }] } })).toBe(
      '{"a":{"c":[3,{"y":2,"z":1}],"d":2},"b":1}',
    );
  });

  it("gives equal text for equal values whatever the key order", () => {
    expect(canonicalJson({ x: 1, y: { p: true, q: null } })).toBe(canonicalJson({ y: { q: null, p: true }, x: 1 }));
  });

  it("keeps array order", () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it("refuses a value that has no JSON form", () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });
});

describe("hashValue", () => {
  it("is the first 16 hex chars of the sha256 of the canonical JSON", () => {
    const expected = createHash("sha256").update('{"a":1,"b":[1,2]}').digest("hex").slice(0, 16);
    expect(hashValue({ b: [1, 2], a: 1 })).toBe(expected);
  });

  it("is stable across key orders and calls, and takes a length", () => {
    expect(hashValue({ a: 1, b: 2 })).toBe(hashValue({ b: 2, a: 1 }));
    expect(hashValue({ a: 1 }, 32)).toMatch(/^[0-9a-f]{32}$/);
    expect(hashValue({ a: 1 }, 32).startsWith(hashValue({ a: 1 }))).toBe(true);
  });

  it("changes when a value changes", () => {
    expect(hashValue({ a: 1 })).not.toBe(hashValue({ a: 2 }));
    expect(hashValue({ a: "1" })).not.toBe(hashValue({ a: 1 }));
  });
});

describe("sha256", () => {
  it("hashes text to 64 hex chars", () => {
    expect(sha256("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
