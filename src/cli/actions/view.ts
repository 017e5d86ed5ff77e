import { loadConfig } from "../../config/index.js";
import type { ViewLang } from "../../view/index.js";
import { isLoopback, startViewServer } from "../../view/index.js";
import { openStores, storePath } from "../open-store.js";
import type { Output } from "../output.js";

/** The options of `view` (its action: actions/view.ts). */
export interface ViewCommandOptions {
  store?: string;
  config?: string;
  port: number;
  host: string;
  lang: ViewLang;
}

/** `medsafety view`: serves the viewer until Ctrl-C (or SIGTERM). */
export async function viewCommand(options: ViewCommandOptions, output: Output): Promise<void> {
  const configStore = options.config === undefined ? undefined : loadConfig(options.config).config.store;
  const stores = openStores(storePath(options.store, configStore), { mustExist: true });
  if (!isLoopback(options.host)) {
    output.err(
      `warning: --host ${options.host} makes the viewer reachable from the network. Anyone who can reach it can read the store's content ` +
        "(adversarial prompts, unsafe model replies) and add reviews. Use the default 127.0.0.1 unless you mean this.",
    );
  }
  let server: Awaited<ReturnType<typeof startViewServer>>;
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
}
