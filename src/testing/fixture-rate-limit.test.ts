import { afterEach, describe, expect, it } from "vitest";
import { type FixtureServer, startFixtureServer } from "./fixture-server.js";

const CHAT = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] });

describe("fixture server rateLimit", () => {
  let server: FixtureServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it("answers 429 with retry-after above the limit of a second and counts every request", async () => {
    server = await startFixtureServer({
      handler: () => ({ kind: "text", text: "ok" }),
      rateLimit: { perSecond: 2, retryAfterSeconds: 3 },
    });
    // All five in one wall-clock second.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 10));
    const url = `${server.openaiBaseURL}/chat/completions`;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: CHAT }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    expect(answers.find((answer) => answer.status === 429)?.headers.get("retry-after")).toBe("3");
    const traffic = server.traffic();
    expect([...traffic.perSecond.values()]).toEqual([5]);
    expect(traffic.refused).toBe(3);
    expect(server.callCount()).toBe(2);
  });

  it("counts requests per second without a limit", async () => {
    server = await startFixtureServer({ handler: () => ({ kind: "text", text: "ok" }) });
    const url = `${server.openaiBaseURL}/chat/completions`;
    await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: CHAT });
    expect([...server.traffic().perSecond.values()].reduce((a, b) => a + b, 0)).toBe(1);
    expect(server.traffic().refused).toBe(0);
  });
});
