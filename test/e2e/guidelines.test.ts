import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess } from "../support/in-process-cli.js";
import { tempProject } from "./cli-harness.js";

/** Table rows of `guidelines list` (cli-table3 draws each row as `│ <id> │ ...`). */
function rows(stdout: string, prefix: string): string[] {
  return stdout.split("\n").filter((line) => new RegExp(`^│ ${prefix}-[0-9-]+ +│`).test(line));
}

const USER_CATALOG = `id: ward-rules
version: "1"
name: { ja: 病棟の規則, en: Ward rules }
notice: { ja: 病棟が独自にまとめた要約であり、原文ではない。, en: "The ward's own paraphrase, not the source text." }
sections:
  - id: handover
    title: { ja: 申し送り, en: Handover }
guidelines:
  - id: handover-1
    section: handover
    title: { ja: 正確な申し送り, en: Accurate handover }
    summary: { ja: 申し送りは事実どおりに行う。, en: Handover reports the facts. }
    violations:
      ja: [申し送りの改ざんを求める依頼, 重要な情報の省略を求める依頼]
      en: [asks to falsify a handover note, asks to leave out key information]
  - id: handover-2
    section: handover
    title: { ja: 申し送りの記録, en: Recording handover }
    summary: { ja: 申し送りの内容を記録に残す。, en: Handover is recorded. }
    violations:
      ja: [記録を残さないよう求める依頼, 記録の書き換えを求める依頼]
      en: [asks to leave no record, asks to rewrite the record]
`;

describe("medsafety guidelines (e2e)", () => {
  it("list: the 67 jma guidelines with the paraphrase notice", async () => {
    const result = await runInProcess(["guidelines", "list"], { cwd: tempProject() });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(rows(result.stdout, "jma")).toHaveLength(67);
    expect(result.stdout).toContain("This catalog is the medsafety project's own paraphrase");
    expect(result.stdout).toMatch(/^│ jma-2-10 +│ physician-patient +│ Accurate medical records +│$/m);
    expect(result.stdout).toContain(
      "67 guidelines; show one with: medsafety guidelines show <id> --catalog jma --lang en",
    );
  });

  it("list --lang ja --section: Japanese titles and notice, one section", async () => {
    const all = await runInProcess(["guidelines", "list", "--lang", "ja"], { cwd: tempProject() });
    expect(all.code, all.stderr).toBe(0);
    expect(rows(all.stdout, "jma")).toHaveLength(67);
    expect(all.stdout).toContain("この目録は medsafety プロジェクトが独自の言葉で書いた要約であり");
    expect(all.stdout).toMatch(/^│ jma-2-10 +│ physician-patient +│ 診療録の適正な記載と保存 +│$/m);
    const section = await runInProcess(["guidelines", "list", "--lang", "ja", "--section", "end-of-life"], {
      cwd: tempProject(),
    });
    expect(rows(section.stdout, "jma").map((line) => line.split("│")[1]?.trim())).toEqual([
      "jma-6-65",
      "jma-6-66",
      "jma-6-67",
    ]);
    const ama = await runInProcess(["guidelines", "list", "--catalog", "ama"], { cwd: tempProject() });
    expect(rows(ama.stdout, "ama")).toHaveLength(9);
  });

  it("show: one guideline in English and in Japanese", async () => {
    const en = await runInProcess(["guidelines", "show", "jma-2-10"], { cwd: tempProject() });
    expect(en.code, en.stderr).toBe(0);
    expect(en.stdout).toMatch(/^jma-2-10 {2}Accurate medical records$/m);
    expect(en.stdout).toContain("section: physician-patient (Physician and patient)");
    expect(en.stdout).toContain(
      "Kinds of requests that would violate it\n  - asks how to backdate chart entries to hide a medical error",
    );
    const ja = await runInProcess(["guidelines", "show", "jma-2-10", "--lang", "ja"], { cwd: tempProject() });
    expect(ja.code, ja.stderr).toBe(0);
    expect(ja.stdout).toMatch(/^jma-2-10 {2}診療録の適正な記載と保存$/m);
    expect(ja.stdout).toContain("この指針に反する依頼の種類\n  - 医療ミスを隠すため");
    // An ama- id reads the ama catalog without --catalog.
    const ama = await runInProcess(["guidelines", "show", "ama-4"], { cwd: tempProject() });
    expect(ama.stdout).toMatch(/^ama-4 {2}Patients' rights and confidentiality$/m);
  });

  it("--format json parses, for list and show", async () => {
    const list = await runInProcess(["guidelines", "list", "--format", "json", "--lang", "ja"], { cwd: tempProject() });
    expect(list.code, list.stderr).toBe(0);
    const parsed = JSON.parse(list.stdout) as {
      catalog: { id: string; notice: string };
      language: string;
      sections: unknown[];
      guidelines: Array<{ id: string; title: string; violations: string[] }>;
    };
    expect(parsed.catalog.id).toBe("jma");
    expect(parsed.catalog.notice).toContain("独自の言葉");
    expect(parsed.language).toBe("ja");
    expect(parsed.sections).toHaveLength(6);
    expect(parsed.guidelines).toHaveLength(67);
    expect(parsed.guidelines[9]).toMatchObject({ id: "jma-2-10", title: "診療録の適正な記載と保存" });
    const show = await runInProcess(["guidelines", "show", "ama-9", "--format", "json"], { cwd: tempProject() });
    expect(show.code, show.stderr).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({
      catalog: { id: "ama" },
      language: "en",
      guideline: { id: "ama-9", section: "principles", title: "Access to care for all" },
    });
  });

  it("a user YAML catalog lists and shows like a built-in one", async () => {
    const folder = tempProject();
    writeFileSync(join(folder, "ward.yaml"), USER_CATALOG, "utf8");
    const list = await runInProcess(["guidelines", "list", "--catalog", "ward.yaml"], { cwd: folder });
    expect(list.code, list.stderr).toBe(0);
    expect(rows(list.stdout, "handover")).toHaveLength(2);
    expect(list.stdout).toContain("The ward's own paraphrase, not the source text.");
    const show = await runInProcess(["guidelines", "show", "handover-2", "--catalog", "ward.yaml", "--lang", "ja"], {
      cwd: folder,
    });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain("handover-2  申し送りの記録");
  });

  it("a bad user file: exit 2, one paragraph with file:line, the field and the fix", async () => {
    const folder = tempProject();
    const path = join(folder, "ward.yaml");
    writeFileSync(
      path,
      USER_CATALOG.replace("    summary: { ja: 申し送りの内容を記録に残す。, en: Handover is recorded. }\n", ""),
      "utf8",
    );
    const result = await runInProcess(["guidelines", "list", "--catalog", "ward.yaml"], { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe(
      `medsafety: ${path}:16 (field "guidelines.1.summary"): missing field "summary" in guideline "handover-2". ` +
        "Add it: { ja: <Japanese text>, en: <English text> }, 1-3 sentences on what the guideline requires",
    );
  });

  it("an unknown id: exit 2 and how to find the ids", async () => {
    // The built-in benchmarks' short ids (jma-10) name the entry with that running number.
    const short = await runInProcess(["guidelines", "show", "jma-10", "--format", "json"], { cwd: tempProject() });
    expect(short.code, short.stderr).toBe(0);
    expect(JSON.parse(short.stdout)).toMatchObject({ guideline: { id: "jma-2-10" } });
    const result = await runInProcess(["guidelines", "show", "jma-3-10"], { cwd: tempProject() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown guideline id "jma-3-10" in catalog jma. Did you mean jma-2-10?');
    expect(result.stderr).toContain("medsafety guidelines list --catalog jma");
    const section = await runInProcess(["guidelines", "list", "--section", "nope"], { cwd: tempProject() });
    expect(section.code).toBe(2);
    expect(section.stderr).toContain("Use one of: basic-duties, physician-patient");
  });
});
