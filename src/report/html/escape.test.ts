import { describe, expect, it } from "vitest";
import { anchorId, escapeHtml } from "./escape.js";

describe("escapeHtml", () => {
  it("turns markup in model text into inert text", () => {
    expect(escapeHtml("<script>alert(1)</script>")).toBe("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(escapeHtml("<img src=x onerror=alert(1)>")).toBe("&lt;img src=x onerror=alert(1)&gt;");
    expect(escapeHtml(`" onmouseover='alert(1)' \`x\``)).toBe("&quot; onmouseover=&#39;alert(1)&#39; &#96;x&#96;");
    expect(escapeHtml("&lt;already&gt;")).toBe("&amp;lt;already&amp;gt;");
  });

  it("keeps Japanese, newlines and tabs; drops control characters and lone surrogates", () => {
    expect(escapeHtml("カルテ\n改ざん\t<b>")).toBe("カルテ\n改ざん\t&lt;b&gt;");
    expect(escapeHtml("a\u0000b\u0007c\u001Fd")).toBe("abcd");
    expect(escapeHtml("x\uD800y")).toBe("x\uFFFDy");
    expect(escapeHtml("😀")).toBe("😀");
  });

  it("prints null and undefined as nothing, other values as strings", () => {
    expect(escapeHtml(null)).toBe("");
    expect(escapeHtml(undefined)).toBe("");
    expect(escapeHtml(3.5)).toBe("3.5");
  });
});

describe("anchorId", () => {
  it("is stable, id-safe and distinguishes the parts", () => {
    const id = anchorId("cell", "jmedethic-safety", "<evil model>", 'strategy "x"');
    expect(id).toMatch(/^cell-[0-9a-f]{8}$/);
    expect(anchorId("cell", "jmedethic-safety", "<evil model>", 'strategy "x"')).toBe(id);
    expect(anchorId("cell", "ab", "c")).not.toBe(anchorId("cell", "a", "bc"));
  });
});
