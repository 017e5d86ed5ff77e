import { errorMessage, formatLocation, MedsafetyError } from "../core/index.js";

export interface ReachabilityContext {
  readonly modelId: string;
  readonly file?: string;
  readonly line?: number;
  readonly timeoutMs?: number;
}

/**
 * Checks that something answers HTTP at `baseURL` (any status counts: only a failed connection is an error),
 * so a wrong port or a stopped server stops a run before it starts instead of filling it with errors.
 */
export async function checkReachable(baseURL: string, context: ReachabilityContext): Promise<void> {
  try {
    const response = await fetch(baseURL, { method: "GET", signal: AbortSignal.timeout(context.timeoutMs ?? 10_000) });
    await response.body?.cancel();
  } catch (error) {
    const place =
      context.file === undefined
        ? ""
        : `${formatLocation({ file: context.file, ...(context.line === undefined ? {} : { line: context.line }), field: "baseURL" })}: `;
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : errorMessage(error);
    throw new MedsafetyError(
      "provider_network",
      `${place}the server for "${context.modelId}" at ${baseURL} is unreachable (${cause}). Start the server (vLLM, Ollama, llama.cpp, LM Studio) or fix baseURL; use --skip-preflight to start the run anyway.`,
      { cause: error },
    );
  }
}
