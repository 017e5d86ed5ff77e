import { main } from "../../src/cli/index.js";

/** Runs the CLI in-process (same code path as bin/medsafety.js) in `cwd`, capturing what it prints. */
export async function runMain(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const previous = process.cwd();
  process.chdir(cwd);
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await main(["node", "medsafety", ...args], {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      isTTY: false,
    });
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    process.chdir(previous);
  }
}

/** A config binding a target, a judge and three attackers (atk-a, atk-b, atk-bad → model bad-attacker) on a fixture server, plus `extra`. */
export function pipelineConfig(baseURL: string, extra = ""): string {
  const model = (id: string, name = id): string =>
    `{ id: ${id}, model: "openai-compatible:${name}", baseURL: "${baseURL}", retries: 0 }`;
  return `targets: [${model("target")}]
judges: [${model("judge")}]
store: ./store.db
concurrency: 4
attackers: [${model("atk-a")}, ${model("atk-b")}, ${model("atk-bad", "bad-attacker")}]
${extra}`;
}
