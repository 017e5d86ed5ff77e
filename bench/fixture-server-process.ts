/**
 * The fixture server in a process of its own (src/testing/fixture-server-main.ts), answering after `latencyMs`, so a
 * bench's measured process does not also serve the model calls. Resolves once it prints the address it listens on.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export async function startFixtureServerProcess(latencyMs: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [join(here, "../src/testing/fixture-server-main.js"), "--latency", String(latencyMs)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let buffer = "";
  for await (const chunk of child.stdout ?? []) {
    buffer += String(chunk);
    const match = /fixture-server listening (\S+)/.exec(buffer);
    if (match?.[1] !== undefined) return { child, url: `${match[1]}/v1` };
  }
  throw new Error("fixture server did not start");
}
