import type { ChildProcess } from "node:child_process";
import { runCli } from "./cli-harness.js";

/** Starts `medsafety view` on a free port and resolves with the URL it prints, and what it wrote to stderr so far. */
export function startView(
  project: string,
  args: readonly string[],
): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    let stdout = "";
    void runCli(["view", "--store", "store.db", "--port", "0", ...args], {
      cwd: project,
      onSpawn: (child) => {
        child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.stdout?.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          const url = /medsafety view: (http:\/\/\S+)/.exec(stdout)?.[1];
          if (url !== undefined) resolve({ child, url, stderr: () => stderr });
        });
        child.on("exit", () => reject(new Error(`view exited early: ${stdout}${stderr}`)));
      },
    }).catch(reject);
  });
}

/** Stops a viewer the way a user does (Ctrl-C) and waits for it to exit. */
export function stopView(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGINT");
  });
}
