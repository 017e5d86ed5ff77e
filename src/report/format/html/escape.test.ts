import { describe, expect, it } from "vitest";
import { anchorId } from "./escape.js";

describe("anchorId", () => {
  it("is stable, id-safe and distinguishes the parts", () => {
    const id = anchorId("cell", "jmedethic-safety", "<evil model>", 'strategy "x"');
    expect(id).toMatch(/^cell-[0-9a-f]{8}$/);
    expect(anchorId("cell", "jmedethic-safety", "<evil model>", 'strategy "x"')).toBe(id);
    expect(anchorId("cell", "ab", "c")).not.toBe(anchorId("cell", "a", "bc"));
  });
});
