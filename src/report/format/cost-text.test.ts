import { describe, expect, it } from "vitest";
import { costMessagesFor } from "../messages/costs.js";
import { LANGS } from "../messages/labels.js";
import { costText, formatUsd } from "./cost-text.js";

describe("formatUsd", () => {
  it("two decimals from $0.10, three significant digits below, $0 only for a priced zero", () => {
    expect(formatUsd(1234.5)).toBe("$1,234.50");
    expect(formatUsd(2.5)).toBe("$2.50");
    expect(formatUsd(0.5)).toBe("$0.50");
    expect(formatUsd(0.375)).toBe("$0.38");
    expect(formatUsd(0.0123456)).toBe("$0.0123");
    expect(formatUsd(0.00042)).toBe("$0.00042");
    expect(formatUsd(0)).toBe("$0");
  });
});

describe("costText", () => {
  const { t } = costMessagesFor("en");
  it("says unpriced and partial, never 0 for calls without a price", () => {
    expect(costText({ calls: 4, unpricedCalls: 4, costUsd: null }, t)).toBe("unpriced (4 calls)");
    expect(costText({ calls: 1, unpricedCalls: 1, costUsd: null }, t)).toBe("unpriced (1 call)");
    expect(costText({ calls: 4, unpricedCalls: 1, costUsd: 0.5 }, t)).toBe("$0.50 + unpriced (1 call)");
    expect(costText({ calls: 4, unpricedCalls: 0, costUsd: 0 }, t)).toBe("$0");
    expect(costText({ calls: 0, unpricedCalls: 0, costUsd: null }, t)).toBe("no calls");
    expect(costText({ calls: 2, unpricedCalls: 2, costUsd: null }, costMessagesFor("ja").t)).toBe("価格なし（2 回）");
  });

  it("every cost label has English and Japanese text with the same placeholders", () => {
    const [en, ja] = LANGS.map((lang) => costMessagesFor(lang).t);
    const keys = [
      "costs",
      "costsNote",
      "unpriced",
      "unpricedOne",
      "partial",
      "partialOne",
      "perConversationNote",
      "p90",
    ] as const;
    const names = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? "").sort();
    for (const key of keys) {
      expect(en?.(key), key).not.toBe(ja?.(key));
      expect(names(ja?.(key) ?? ""), key).toEqual(names(en?.(key) ?? ""));
    }
  });
});
