/** Module hooks of `module-log.ts` (they run on the loader thread): each loaded module's URL, appended to a file. */
import { appendFileSync } from "node:fs";

interface LoadContext {
  readonly format?: string | null | undefined;
}
type NextLoad = (url: string, context?: LoadContext) => Promise<unknown>;

let logFile: string | undefined;

export function initialize(data: { readonly logFile: string }): void {
  logFile = data.logFile;
}

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<unknown> {
  const result = await nextLoad(url, context);
  if (logFile !== undefined) appendFileSync(logFile, `${url}\n`);
  return result;
}
