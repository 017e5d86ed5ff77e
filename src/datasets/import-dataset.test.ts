import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../core/index.js";
import type { BenchmarkItem } from "./benchmark-item.js";
import { buildFieldMapping } from "./field-mapping.js";
import { type DatasetFile, type ImportDatasetOptions, importDataset } from "./import-dataset.js";

const folder = mkdtempSync(join(tmpdir(), "medsafety-import-dataset-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function write(name: string, content: string | ArrayBuffer): DatasetFile {
  const path = join(folder, name);
  writeFileSync(path, typeof content === "string" ? content : new Uint8Array(content));
  return { path, provenance: { source: path, file: name, license: "CC-BY-4.0" } };
}

async function importAll(
  files: DatasetFile[],
  map: string,
  extra: Partial<ImportDatasetOptions> = {},
): Promise<BenchmarkItem[]> {
  const { items } = importDataset(files, { mapping: buildFieldMapping({ map }), ...extra });
  const result: BenchmarkItem[] = [];
  for await (const item of items) result.push(item);
  return result;
}

async function failure(files: DatasetFile[], map: string): Promise<InputError> {
  try {
    await importAll(files, map);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error("expected the import to fail");
}

const FIXED = 'guidelineId="jma-1",strategy="direct"';

describe("importDataset: formats and turn shapes", () => {
  it("JSON array, turns as a list of strings: id and seedRequest defaults, provenance in metadata", async () => {
    const file = write(
      "rows.json",
      JSON.stringify([
        { q: ["一つ目", "二つ目"], lang: "ja", extra: { n: 1 } },
        { q: ["first"], lang: "English", extra: { n: 2 } },
      ]),
    );
    const items = await importAll([file], `turns=q,language=lang,${FIXED},metadata.extra=extra`);
    expect(items).toEqual([
      {
        id: "rows-1",
        language: "ja",
        guidelineId: "jma-1",
        strategy: "direct",
        seedRequest: "一つ目",
        turns: ["一つ目", "二つ目"],
        metadata: {
          extra: { n: 1 },
          provenance: { source: file.path, file: "rows.json", row: 1, license: "CC-BY-4.0" },
        },
      },
      expect.objectContaining({ id: "rows-2", language: "en", turns: ["first"] }),
    ]);
  });

  it("JSON object with a data array; a template id; a pair id", async () => {
    const file = write(
      "wrapped.json",
      JSON.stringify({
        version: 1,
        data: [{ uid: 7, t: ["a"], l: "ja", g: "jma-3", s: "decomposition", seed: "goal" }],
      }),
    );
    const items = await importAll(
      [file],
      "id=case-{uid}-{l},pairId=uid,turns=t,language=l,guidelineId=g,strategy=s,seedRequest=seed",
    );
    expect(items[0]).toMatchObject({
      id: "case-7-ja",
      pairId: "7",
      guidelineId: "jma-3",
      strategy: "decomposition",
      seedRequest: "goal",
    });
  });

  it("JSONL with role/content messages: user messages are the turns, assistant and system ones are kept in metadata", async () => {
    const file = write(
      "chat.jsonl",
      `${JSON.stringify({
        messages: [
          { role: "system", content: "You are a doctor." },
          { role: "user", content: "u1" },
          { role: "assistant", content: "a1" },
          { role: "user", content: "u2" },
        ],
      })}\n`,
    );
    const shareGpt = write(
      "sharegpt.jsonl",
      `\n${JSON.stringify({
        conversations: [
          { from: "human", value: "h1" },
          { from: "gpt", value: "g1" },
        ],
      })}\n`,
    );
    const [first] = await importAll([file], `turns=messages,language="en",${FIXED}`);
    expect(first?.turns).toEqual(["u1", "u2"]);
    expect(first?.metadata).toMatchObject({ referenceReplies: ["a1"], systemMessages: ["You are a doctor."] });
    expect(first?.metadata["provenance"]).toMatchObject({ row: 1, line: 1 });
    const [second] = await importAll([shareGpt], `turns=conversations,language="en",${FIXED}`);
    expect(second?.turns).toEqual(["h1"]);
    expect(second?.metadata["referenceReplies"]).toEqual(["g1"]);
    expect(second?.metadata["provenance"]).toMatchObject({ row: 1, line: 2 });
  });

  it("CSV with turn columns: trailing empty turns are dropped; a cell holding a JSON list is read as the list", async () => {
    const file = write(
      "turns.csv",
      'id,turn_0,turn_1,turn_2,lang,listed\nc1,"one, with comma","two\nlines",three,ja,"[""x"",""y""]"\nc2,only,,,en,"[""z""]"\n',
    );
    const items = await importAll([file], `id=id,turns=turn_0,turn_1,turn_2,language=lang,${FIXED}`);
    expect(items.map((item) => item.turns)).toEqual([["one, with comma", "two\nlines", "three"], ["only"]]);
    expect(items[1]?.metadata["provenance"]).toMatchObject({ row: 2, line: 4 });
    const listed = await importAll([file], `id=id,turns=listed,language=lang,${FIXED}`);
    expect(listed.map((item) => item.turns)).toEqual([["x", "y"], ["z"]]);
  });

  it("TSV with a turn pattern, in natural order (turn_2 before turn_10)", async () => {
    const header = ["turn_10", "turn_1", "turn_2", "lang"];
    const row = ["third", "first", "second", "ja"];
    const file = write("p.tsv", `${header.join("\t")}\n${row.join("\t")}\n`);
    const [item] = await importAll([file], `turns=turn_*,language=lang,${FIXED}`);
    expect(item?.turns).toEqual(["first", "second", "third"]);
  });

  it("Parquet: INT64 ids, list columns, struct messages, translated language values", async () => {
    const file = write(
      "data.parquet",
      parquetWriteBuffer({
        columnData: [
          { name: "uid", data: [10n, 11n], type: "INT64" },
          { name: "turns", data: [["p1", "p2", "p3"], ["q1"]] },
          {
            name: "messages",
            data: [
              [
                { role: "user", content: "m1" },
                { role: "assistant", content: "r1" },
              ],
              [{ role: "user", content: "m2" }],
            ],
          },
          { name: "lang", data: ["Nihongo", "en"], type: "STRING" },
          { name: "attacker", data: ["model-a", null], type: "STRING" },
        ],
      }),
    );
    const mapping = buildFieldMapping({
      map: `id=item-{uid},turns=turns,language=lang,${FIXED},metadata.attacker=attacker`,
    });
    const rules = new Map(mapping.rules);
    const language = rules.get("language");
    if (language !== undefined) rules.set("language", { ...language, values: { Nihongo: "ja" } });
    const { items } = importDataset([file], { mapping: { ...mapping, rules } });
    const result: BenchmarkItem[] = [];
    for await (const item of items) result.push(item);
    expect(result.map((item) => [item.id, item.language, item.turns, item.metadata["attacker"]])).toEqual([
      ["item-10", "ja", ["p1", "p2", "p3"], "model-a"],
      ["item-11", "en", ["q1"], undefined],
    ]);
    const messages = await importAll([file], `id=uid,turns=messages,language="en",${FIXED}`);
    expect(messages.map((item) => [item.id, item.turns, item.metadata["referenceReplies"]])).toEqual([
      ["10", ["m1"], ["r1"]],
      ["11", ["m2"], undefined],
    ]);
  });
});

describe("importDataset: errors name the file, the row, the field and the fix", () => {
  it("a CSV column the file lacks fails before any row, listing the columns", async () => {
    const file = write("cols.csv", "a,b,lang\nx,y,ja\n");
    const error = await failure([file], `turns=a,c,language=lang,${FIXED}`);
    expect(error.message).toContain(`${file.path} (field "c"): unknown field "c": the file has no such column`);
    expect(error.message).toContain("one of the columns: a, b, lang");
  });

  it("a JSONL row without its turns: file, line, row and field", async () => {
    const file = write("missing.jsonl", `${JSON.stringify({ t: ["a"], l: "ja" })}\n${JSON.stringify({ l: "ja" })}\n`);
    const error = await failure([file], `turns=t,language=l,${FIXED}`);
    expect(error.message).toContain(`${file.path}:2 (field "t"): row 2: unknown field "t" for turns`);
    expect(error.message).toContain("the row's fields are: l");
  });

  it("a language that is neither Japanese nor English", async () => {
    const file = write("lang.json", JSON.stringify([{ t: ["a"], l: "fr" }]));
    const error = await failure([file], `turns=t,language=l,${FIXED}`);
    expect(error.message).toContain(`${file.path} (field "l"): row 1: language "fr" is not Japanese or English`);
    expect(error.message).toContain('language="ja"');
  });

  it("a blank turn, an empty turn before a filled one, a duplicate id", async () => {
    const blank = write("blank.json", JSON.stringify([{ t: ["a", "  "], l: "ja" }]));
    expect((await failure([blank], `turns=t,language=l,${FIXED}`)).message).toContain(
      "row 1: turn 2: a user turn must not be blank",
    );
    const gap = write("gap.csv", "t0,t1,t2,l\na,,c,ja\n");
    expect((await failure([gap], `turns=t0,t1,t2,language=l,${FIXED}`)).message).toContain(
      `${gap.path}:2 (field "t1"): row 1: turn 2 (column "t1") is empty while a later turn column is not`,
    );
    const twice = write(
      "twice.jsonl",
      `${JSON.stringify({ id: "x", t: "a", l: "en" })}\n${JSON.stringify({ id: "x", t: "b", l: "en" })}\n`,
    );
    expect((await failure([twice], `id=id,turns=t,language=l,${FIXED}`)).message).toContain(
      'row 2: duplicate id "x" (first at twice.jsonl row 1)',
    );
  });

  it("a JSON turn column no row has is a mapping mistake, not a shorter conversation", async () => {
    const file = write("columns.jsonl", `${JSON.stringify({ q1: "a", q2: "b", l: "en" })}\n`);
    const error = await failure([file], `turns=q1,q2,q3x,language=l,${FIXED}`);
    expect(error.message).toContain(`${file.path} (field "q3x"): unknown field "q3x": no row has this turn column`);
  });

  it("an optional source no row has is a mapping mistake", async () => {
    const file = write("optional.jsonl", `${JSON.stringify({ t: "a", l: "en" })}\n`);
    const error = await failure([file], `turns=t,language=l,${FIXED},metadata.model=atacker_model`);
    expect(error.message).toContain('unknown field "atacker_model": no row has it');
  });

  it("skipping bad rows reports every one of them and counts them", async () => {
    const file = write(
      "mixed.jsonl",
      [
        JSON.stringify({ t: "ok", l: "ja" }),
        "{not json",
        JSON.stringify({ t: "", l: "ja" }),
        JSON.stringify({ t: "ok2", l: "xx" }),
      ].join("\n"),
    );
    const reported: string[] = [];
    const { items, summary } = importDataset([file], {
      mapping: buildFieldMapping({ map: `turns=t,language=l,${FIXED}` }),
      skipBadRows: true,
      onBadRow: (error) => reported.push(error.message),
    });
    const result: BenchmarkItem[] = [];
    for await (const item of items) result.push(item);
    expect(result.map((item) => item.turns)).toEqual([["ok"]]);
    expect(summary).toMatchObject({ rows: 4, items: 1, skipped: 3 });
    expect(reported).toHaveLength(3);
    expect(reported[0]).toContain(`${file.path}:2: row 2: not valid JSON`);
    expect(reported[1]).toContain(`${file.path}:3 (field "t"): row 3: turn 1: a user turn must not be empty`);
    expect(reported[2]).toContain(`${file.path}:4 (field "l"): row 4: language "xx"`);
  });

  it("a file of which no row can be imported fails even when bad rows are skipped", async () => {
    const file = write("none.jsonl", `${JSON.stringify({ l: "ja" })}\n`);
    const attempt = importAll([file], `turns=t,language=l,${FIXED}`, { skipBadRows: true, onBadRow: () => undefined });
    await expect(attempt).rejects.toThrow(/none of the 1 rows could be imported/);
  });
});
