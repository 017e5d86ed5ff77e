import { createServer } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresForTests } from "../../test/support/postgres.js";
import { configJsonSchema, configSchema } from "../config/index.js";
import { CALL_LIMITS_TABLE, createCallBudgets } from "./call-budgets.js";

const postgres = postgresForTests();

describe("createCallBudgets", () => {
  it("keeps the budgets in this process unless the store is PostgreSQL", () => {
    expect(createCallBudgets(undefined).backend).toBe("memory");
    expect(createCallBudgets("/tmp/x/medsafety.db").backend).toBe("memory");
    expect(createCallBudgets("postgres://medsafety@127.0.0.1:1/medsafety").backend).toBe("postgres");
  });

  it("gives one budget per key in a process, so two bindings of one model share it", async () => {
    const budgets = createCallBudgets(undefined);
    const first = budgets.budget({ key: "requests:k", points: 1, windowMs: 60_000 });
    const second = budgets.budget({ key: "requests:k", points: 5, windowMs: 1000 });
    expect(second).toBe(first);
    await first.take(1);
    const controller = new AbortController();
    const waiting = second.take(1, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(waiting).rejects.toMatchObject({ code: "cancelled" });
    await budgets.close();
  });

  it("fails a take with a retryable store_error when PostgreSQL does not answer", async () => {
    const port = await closedPort();
    const budgets = createCallBudgets(`postgres://postgres@127.0.0.1:${port}/none`);
    const take = budgets.budget({ key: "requests:k", points: 1, windowMs: 1000 }).take(1);
    await expect(take).rejects.toMatchObject({ code: "store_error", isRetryable: true });
    await budgets.close();
  });
});

describe("tokensPerMinute in the config", () => {
  it("is accepted on a binding and described in the JSON Schema", () => {
    const config = configSchema.parse({
      benchmark: "builtin:sample",
      targets: [{ id: "t", model: "openai:gpt-4o-mini", requestsPerMinute: 500, tokensPerMinute: 200_000 }],
    });
    expect(config.targets[0]?.tokensPerMinute).toBe(200_000);
    expect(() =>
      configSchema.parse({ targets: [{ id: "t", model: "openai:gpt-4o-mini", tokensPerMinute: 1.5 }] }),
    ).toThrow();
    const properties = configJsonSchema()["properties"] as {
      targets: { items: { properties: Record<string, { description?: string }> } };
    };
    expect(properties.targets.items.properties["tokensPerMinute"]?.description).toContain("shared");
  });
});

describe.skipIf(postgres.skipReason !== undefined)("call budgets in PostgreSQL", () => {
  let url: string;
  let admin: pg.Client;

  beforeAll(async () => {
    url = await postgres.newDatabase();
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
  });

  const pointsOf = async (key: string): Promise<number | undefined> => {
    const result = await admin.query<{ points: number }>(`SELECT points FROM ${CALL_LIMITS_TABLE} WHERE key = $1`, [
      `medsafety:${key}`,
    ]);
    return result.rows[0]?.points;
  };

  it("shares a budget between two sources with pools of their own, in the table the limiter creates", async () => {
    const [a, b] = [createCallBudgets(url), createCallBudgets(url)];
    try {
      const spec = { key: "requests:shared", points: 2, windowMs: 60_000 };
      await a.budget(spec).take(1);
      await b.budget(spec).take(1);
      expect(await pointsOf("requests:shared")).toBe(2);
      const controller = new AbortController();
      const waiting = b.budget(spec).take(1, controller.signal);
      setTimeout(() => controller.abort(), 200);
      await expect(waiting).rejects.toMatchObject({ code: "cancelled" });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("settles tokens in the shared row: the unused part back, an overrun charged", async () => {
    const budgets = createCallBudgets(url);
    try {
      const tokens = budgets.budget({ key: "tokens:settle", points: 10_000, windowMs: 60_000 });
      const ticket = await tokens.take(500);
      expect(await pointsOf("tokens:settle")).toBe(500);
      await ticket.settle(120);
      expect(await pointsOf("tokens:settle")).toBe(120);
      await (await tokens.take(10)).settle(30);
      expect(await pointsOf("tokens:settle")).toBe(150);
    } finally {
      await budgets.close();
    }
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address !== null ? address.port : 1;
}
