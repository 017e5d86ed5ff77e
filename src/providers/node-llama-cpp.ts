/**
 * node-llama-cpp, imported on first use: loading it takes over a second, which only commands that run a local model
 * pay (binding a `local:` model loads nothing; the first call does).
 */
export function nodeLlamaCpp(): Promise<typeof import("node-llama-cpp")> {
  return import("node-llama-cpp");
}
