import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import { loadConfig } from "../../config/index.js";
import { isLoopback, startViewServer, type ViewLang } from "../../view/index.js";
import { openStores, storePath } from "../open-store.js";
import type { Output } from "../output.js";

interface ViewCommandOptions {
  store?: string;
  config?: string;
  port: number;
  host: string;
  lang: ViewLang;
}

export const DEFAULT_VIEW_HOST = "127.0.0.1";

export function registerView(program: Command, output: Output): void {
  program
    .command("view")
    .description(
      "a local web viewer for runs, conversations, judgments and human reviews (127.0.0.1 only unless --host is given)",
    )
    .option("--store <path>", "SQLite store")
    .option("-c, --config <file>", "take the store path from this config")
    .option("--port <n>", "port (0 picks a free one)", port, 7788)
    .option(
      "--host <address>",
      "address to listen on; anything but loopback exposes the store's content to the network",
      DEFAULT_VIEW_HOST,
    )
    .addOption(
      new Option("--lang <lang>", "default language of the pages (each page has a switch)")
        .choices(["ja", "en"])
        .default("en"),
    )
    .action(async (options: ViewCommandOptions) => {
      const configStore = options.config === undefined ? undefined : loadConfig(options.config).config.store;
      const stores = openStores(storePath(options.store, configStore), { mustExist: true });
      if (!isLoopback(options.host)) {
        output.err(
          `warning: --host ${options.host} makes the viewer reachable from the network. Anyone who can reach it can read the store's content ` +
            "(adversarial prompts, unsafe model replies) and add reviews. Use the default 127.0.0.1 unless you mean this.",
        );
      }
      let server;
      try {
        server = await startViewServer({
          db: stores.db,
          storePath: stores.path,
          host: options.host,
          port: options.port,
          lang: options.lang,
        });
      } catch (error) {
        stores.close();
        throw error;
      }
      output.out(`medsafety view: ${server.url}`);
      output.err("Content warning: the viewer shows adversarial requests and unsafe model output. Ctrl-C stops it.");
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          void server.close().finally(() => {
            stores.close();
            resolve();
          });
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      output.err("viewer stopped");
    });
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
    throw new InvalidArgumentError("expected a port number from 0 to 65535");
  return parsed;
}
