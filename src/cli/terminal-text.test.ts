import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { visibleControls } from "./terminal-text.js";

/** Every character the sanitizer must not let through: C0 but newline and tab, DEL, C1, the bidi controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is what this does.
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

describe("visibleControls", () => {
  it("shows ESC, OSC, CSI, BEL, DEL, C1 and bidi controls as \\uXXXX text; keeps newline, tab and the rest", () => {
    expect(visibleControls("\u001b[31mred\u001b[0m")).toBe("\\u001b[31mred\\u001b[0m");
    expect(visibleControls("\u001b]8;;http://evil.example\u0007link\u001b]8;;\u0007")).toBe(
      "\\u001b]8;;http://evil.example\\u0007link\\u001b]8;;\\u0007",
    );
    expect(visibleControls("a\u009b2Jb\u007f")).toBe("a\\u009b2Jb\\u007f");
    expect(visibleControls("safe\u202Egnp.exe")).toBe("safe\\u202egnp.exe");
    expect(visibleControls("\u2066\u2069\u200e\u200f\u061c")).toBe("\\u2066\\u2069\\u200e\\u200f\\u061c");
    expect(visibleControls("line\r\nnext")).toBe("line\\u000d\nnext");
    expect(visibleControls("a\tb\nc 日本語 — ✓ \\u001b")).toBe("a\tb\nc 日本語 — ✓ \\u001b");
  });

  it("property: no C0 (but newline and tab), DEL, C1 or bidi control survives", () => {
    const control = fc.constantFrom(
      "\u001b",
      "\u0007",
      "\u009b",
      "\u0085",
      "\u202e",
      "\u2067",
      "\u061c",
      "\u200f",
      "\r",
      "\u0000",
      "\u007f",
    );
    const text = fc.array(fc.oneof(fc.string({ unit: "binary" }), control)).map((parts) => parts.join(""));
    fc.assert(
      fc.property(text, (value) => {
        expect(FORBIDDEN.test(visibleControls(value))).toBe(false);
      }),
      { seed: 20261202, numRuns: 300 },
    );
  });

  it("property: JSON printed through it parses to the same value (the \\uXXXX form is a JSON escape)", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: "binary" }), (value) => {
        const printed = visibleControls(JSON.stringify(value, null, 2));
        expect(FORBIDDEN.test(printed)).toBe(false);
        expect(JSON.parse(printed)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { seed: 20261202, numRuns: 300 },
    );
  });
});
