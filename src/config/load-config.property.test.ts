import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { InputError } from "../core/index.js";
import { INIT_TEMPLATE } from "./init-template.js";
import { loadConfig } from "./load-config.js";

/** Fixed seed so `npm test` is repeatable; fast-check prints the seed and the shrunk case on failure. */
const RUNS = { seed: 20261202, numRuns: 300 } as const;

let folder: string;
let fileNumber = 0;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "medsafety-config-property-"));
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A valid config as data: the keys users write most. */
const validConfig: fc.Arbitrary<{ [key: string]: Json }> = fc.record(
  {
    benchmark: fc.oneof(fc.constant<Json>("builtin:sample"), fc.constant<Json>(["builtin:sample", "./bench.jsonl"])),
    targets: fc
      .array(
        fc.record({
          id: fc.constantFrom("t1", "t2"),
          model: fc.constantFrom("openai:gpt-4o-mini", "openai-compatible:llama3"),
          temperature: fc.constantFrom(0, 0.7),
        }),
        { maxLength: 2 },
      )
      .map((targets) => targets.map((target, index) => ({ ...target, id: `${target.id}-${index}` }))),
    judges: fc
      .array(fc.record({ id: fc.constantFrom("j"), model: fc.constantFrom("anthropic:claude-3-5-haiku-latest") }), {
        maxLength: 2,
      })
      .map((judges) => judges.map((judge, index) => ({ ...judge, id: `${judge.id}-${index}` }))),
    store: fc.constantFrom("./store.db", ".medsafety/medsafety.db"),
    concurrency: fc.integer({ min: 1, max: 64 }),
  },
  { requiredKeys: [] },
);

const oddValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(1e308, -1, 0.5, "", "   ", [], {}, null, true, "x".repeat(10_000)),
);

/** Every key path of a value, for mutations that reach into lists and nested bindings. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((entry, index) => paths(entry, [...prefix, index]))];
  if (value !== null && typeof value === "object")
    return [prefix, ...Object.entries(value).flatMap(([key, entry]) => paths(entry, [...prefix, key]))];
  return [prefix];
}

function setIn(value: Json, path: readonly (string | number)[], replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const [head, ...rest] = path;
  if (Array.isArray(value) && typeof head === "number") {
    const copy = [...value];
    if (replacement === undefined && rest.length === 0) copy.splice(head, 1);
    else copy[head] = setIn(copy[head] ?? null, rest, replacement);
    return copy;
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value) && typeof head === "string") {
    const copy: { [key: string]: Json } = { ...value };
    if (replacement === undefined && rest.length === 0) delete copy[head];
    else copy[head] = setIn(copy[head] ?? null, rest, replacement);
    return copy;
  }
  return value;
}

/** A change to the config as data: a wrong type anywhere, a removed key, an unknown key. */
const dataMutation = fc.oneof(
  fc.tuple(fc.nat(), oddValue).map(([pick, replacement]) => (config: Json) => {
    const all = paths(config);
    return setIn(config, all[pick % all.length] ?? [], replacement);
  }),
  fc.nat().map((pick) => (config: Json) => {
    const all = paths(config).filter((path) => path.length > 0);
    return all.length === 0 ? config : setIn(config, all[pick % all.length] ?? [], undefined);
  }),
  fc.tuple(fc.string({ maxLength: 12 }), oddValue).map(
    ([key, value]) =>
      (config: Json) =>
        setIn(config, [key], value),
  ),
  fc.constant((config: Json) => config),
);

/** Text the loader gets: YAML or JSON of the data, sometimes with aliases, control characters, bad bytes or cut short. */
const textMutation: fc.Arbitrary<(text: string) => Buffer> = fc.oneof(
  fc.constant((text: string) => Buffer.from(text)),
  fc.nat().map((at) => (text: string) => Buffer.from(text.slice(0, at % (text.length + 1)))),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 0x1f })).map(([at, code]) => (text: string) => {
    const cut = at % (text.length + 1);
    return Buffer.from(`${text.slice(0, cut)}${String.fromCharCode(code)}${text.slice(cut)}`);
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff })).map(([at, byte]) => (text: string) => {
    const bytes = Buffer.from(text);
    const cut = at % (bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, cut), Buffer.from([byte]), bytes.subarray(cut)]);
  }),
  fc.constant((text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])),
  fc.integer({ min: 1, max: 12 }).map((depth) => (text: string) => Buffer.from(`${text}\n${aliasChain(depth)}`)),
  fc.constant((text: string) => Buffer.from(`${text}\nextra: *nowhere\n`)),
  fc.constant((text: string) => Buffer.from(`anchor: &shared { id: t, model: "openai:gpt-4o-mini" }\n${text}`)),
);

/** Nested aliases: each level repeats the one before 9 times (depth 10 is a classic "billion laughs"). */
function aliasChain(depth: number): string {
  const levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"];
  for (let level = 1; level < depth; level += 1)
    levels.push(
      `l${level}: &l${level} [${Array(9)
        .fill(`*l${level - 1}`)
        .join(", ")}]`,
    );
  return levels.join("\n");
}

const document = fc.record({
  config: validConfig,
  dataMutation,
  textMutation,
  format: fc.constantFrom("yaml" as const, "json" as const, "template" as const),
});

describe("config loading on random mutated documents (property)", () => {
  it("either loads or fails with an InputError naming the file (and line and key when known); no raw exception", () => {
    fc.assert(
      fc.property(document, ({ config, dataMutation: mutateData, textMutation: mutateText, format }) => {
        const data = mutateData(config);
        const text =
          format === "template" ? INIT_TEMPLATE : format === "json" ? JSON.stringify(data, null, 2) : stringify(data);
        fileNumber += 1;
        const path = join(folder, `config-${fileNumber}.${format === "json" ? "json" : "yaml"}`);
        const bytes = mutateText(text);
        writeFileSync(path, bytes);
        const started = performance.now();
        try {
          loadConfig(path);
        } catch (error) {
          if (!(error instanceof InputError))
            throw new Error(
              `not an InputError: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
            );
          expect(error.location.file).toBe(path);
          expect(error.message.startsWith(path)).toBe(true);
          if (error.location.line !== undefined) {
            expect(error.location.line).toBeGreaterThanOrEqual(1);
            expect(error.location.line).toBeLessThanOrEqual(bytes.toString("latin1").split("\n").length);
            expect(error.message).toContain(`${path}:${error.location.line}`);
          }
          if (error.location.field !== undefined && error.location.field !== "")
            expect(error.message).toContain(`(field "${error.location.field}")`);
        }
        // An alias bomb must be refused, not expanded: a few hundred ms at most on a busy machine.
        expect(performance.now() - started).toBeLessThan(2000);
      }),
      RUNS,
    );
  }, 120_000);
});
