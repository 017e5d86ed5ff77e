import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { h, htmlText, joinHtml, raw } from "./template.js";

/** Fixed seed so `npm test` is repeatable; fast-check prints the seed and the shrunk case on failure. */
const RUNS = { seed: 20261202, numRuns: 300 } as const;

const text = (value: unknown): string => h`${value}`.toString();

/** What a browser reads back from escaped text (the five entities the tag writes). */
function decode(escaped: string): string {
  return escaped
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

describe("h (the report's and the viewer's template tag)", () => {
  it("turns markup in model text into inert text", () => {
    expect(text("<script>alert(1)</script>")).toBe("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(text("<img src=x onerror=alert(1)>")).toBe("&lt;img src=x onerror=alert(1)&gt;");
    expect(text("</script><script>alert(1)</script>")).not.toMatch(/<\/?script/i);
    expect(text(`" onmouseover='alert(1)'`)).toBe("&quot; onmouseover=&#39;alert(1)&#39;");
    expect(h`<a title="${`x" onmouseover="alert(1)`}">`.toString()).toBe(
      '<a title="x&quot; onmouseover=&quot;alert(1)">',
    );
    expect(text("&lt;already&gt;")).toBe("&amp;lt;already&amp;gt;");
  });

  it("keeps Japanese, newlines and tabs; drops control characters and lone surrogates", () => {
    expect(text("カルテ\n改ざん\t<b>")).toBe("カルテ\n改ざん\t&lt;b&gt;");
    expect(text("a\u0000b\u0007c\u001Fd\u001b[2J")).toBe("abcd[2J");
    expect(text("x\uD800y")).toBe("x\uFFFDy");
    expect(text("😀")).toBe("😀");
    expect(text(["a\u0007", ["<b>"]])).toBe("a&lt;b&gt;");
  });

  it("prints null, undefined and booleans as nothing, numbers as they are", () => {
    expect(text(null)).toBe("");
    expect(text(undefined)).toBe("");
    expect(text(false)).toBe("");
    expect(text(3.5)).toBe("3.5");
  });

  it("inserts Html (nested templates, raw) as it is, arrays without separators", () => {
    expect(h`<p>${h`<b>${"<i>"}</b>`}</p>`.toString()).toBe("<p><b>&lt;i&gt;</b></p>");
    expect(h`<p>${raw("<svg></svg>")}</p>`.toString()).toBe("<p><svg></svg></p>");
    expect(h`<ul>${["<a>", "b"].map((item) => h`<li>${item}</li>`)}</ul>`.toString()).toBe(
      "<ul><li>&lt;a&gt;</li><li>b</li></ul>",
    );
    expect(joinHtml(["a<", h`<b>b</b>`], h`<br>`).toString()).toBe("a&lt;<br><b>b</b>");
    expect(joinHtml([], ", ").toString()).toBe("");
  });

  it("any text reads back as itself, cleaned, and never opens a tag or leaves an attribute", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        const escaped = text(value);
        expect(escaped).not.toMatch(/[<>"']/);
        expect(decode(escaped)).toBe(htmlText(value));
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters that must be gone
        expect(htmlText(value)).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
      }),
      RUNS,
    );
  });
});
