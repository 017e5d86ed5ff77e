/**
 * `medsafety view --host <loopback address>` answers the URL it prints: the Host check accepts the address the
 * server is bound to (127.0.0.2 is loopback on Linux), and still refuses a rebound DNS name.
 */
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { tempProject } from "./cli-harness.js";
import { startView, stopView as stop } from "./view-process.js";

function statusOf(url: string, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, host === undefined ? {} : { headers: { host } }, (answer) => {
      answer.resume();
      resolve(answer.statusCode ?? 0);
    });
    request.on("error", reject);
    request.end();
  });
}

describe("medsafety view --host 127.0.0.2 (e2e)", () => {
  it("answers its own printed URL with 200 and refuses another host name with 421", async () => {
    const project = tempProject("medsafety-view-host-");
    openStore(join(project, "store.db")).db.close(); // an empty store: the viewer serves its (empty) runs page
    const view = await startView(project, ["--host", "127.0.0.2"]);
    try {
      expect(view.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/$/);
      expect(await statusOf(view.url)).toBe(200);
      expect(await statusOf(view.url, "attacker.example")).toBe(421);
    } finally {
      await stop(view.child);
    }
  }, 30_000);
});
