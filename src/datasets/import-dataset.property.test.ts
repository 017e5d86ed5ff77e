import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, describe, expect, it } from "vitest";
import { buildFieldMapping } from "./field-mapping.js";
import { importDataset } from "./import-dataset.js";

const folder = mkdtempSync(join(tmpdir(), "medsafety-import-property-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Any non-blank text: Japanese, emoji, quotes, commas, tabs and line breaks included. */
const turnText = fc
  .oneof(
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
    fc.constantFrom("患者の診断名を教えて", 'a "quoted", comma', "line\r\nbreak", "\ttab", "[not a list", "🩺 emoji"),
  )
  .filter((text) => text.trim() !== "");
const rows = fc.array(fc.array(turnText, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 });

const FIXED = 'language="ja",guidelineId="g",strategy="s"';
let fileCount = 0;

async function turnsOf(path: string, map: string): Promise<string[][]> {
  const { items } = importDataset([{ path, provenance: { source: path, file: path } }], {
    mapping: buildFieldMapping({ map: `${map},${FIXED}` }),
  });
  const result: string[][] = [];
  for await (const item of items) result.push(item.turns);
  return result;
}

function file(extension: string, content: string | ArrayBuffer): string {
  fileCount += 1;
  const path = join(folder, `rows-${fileCount}.${extension}`);
  writeFileSync(path, typeof content === "string" ? content : new Uint8Array(content));
  return path;
}

describe("importDataset (property)", () => {
  it("keeps every turn text exactly and in order, in JSON, JSONL, CSV columns, messages and Parquet", async () => {
    await fc.assert(
      fc.asyncProperty(rows, async (conversations) => {
        const objects = conversations.map((turns) => ({ turns }));
        expect(await turnsOf(file("json", JSON.stringify(objects)), "turns=turns")).toEqual(conversations);
        const jsonl = objects.map((object) => JSON.stringify(object)).join("\n");
        expect(await turnsOf(file("jsonl", jsonl), "turns=turns")).toEqual(conversations);
        const messages = conversations.map((turns) =>
          JSON.stringify({
            messages: turns.flatMap((content) => [
              { role: "user", content },
              { role: "assistant", content: "r" },
            ]),
          }),
        );
        expect(await turnsOf(file("jsonl", messages.join("\n")), "turns=messages")).toEqual(conversations);
        const width = Math.max(...conversations.map((turns) => turns.length));
        const columns = Array.from({ length: width }, (_, index) => `turn_${index}`);
        const csv = stringify([
          columns,
          ...conversations.map((turns) => columns.map((_, index) => turns[index] ?? "")),
        ]);
        expect(await turnsOf(file("csv", csv), `turns=${columns.join(",")}`)).toEqual(conversations);
        expect(await turnsOf(file("csv", csv), "turns=turn_*")).toEqual(conversations);
        const parquet = parquetWriteBuffer({ columnData: [{ name: "turns", data: conversations }] });
        expect(await turnsOf(file("parquet", parquet), "turns=turns")).toEqual(conversations);
      }),
      { seed: 1632, numRuns: 25 },
    );
  });
});
