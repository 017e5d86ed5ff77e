import { Agent, request } from "undici";

/**
 * The `fetch` given to the AI SDK providers: undici's `request` API on a keep-alive agent, wrapped into a
 * `Response`. Node's built-in `fetch` (undici's fetch + web streams) costs about twice the CPU per call, which at
 * thousands of calls per second is the harness's largest cost (docs/decisions/0002-direct-provider-calls.md).
 * Bodies are buffered: we never stream. Errors are undici's, which the AI SDK's error handling understands.
 */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: null });

export const httpFetch: FetchFunction = async (input, init = {}) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  try {
    const response = await request(url, {
      method: (init.method ?? "GET") as "GET",
      headers: plainHeaders(init.headers),
      body: bodyOf(init.body),
      ...(init.signal === undefined || init.signal === null ? {} : { signal: init.signal }),
      dispatcher,
    });
    const body = Buffer.from(await response.body.arrayBuffer());
    const status = response.statusCode;
    return new Response(status === 204 || status === 304 ? null : body, {
      status,
      headers: responseHeaders(response.headers),
    });
  } catch (error) {
    if (init.signal?.aborted === true) throw init.signal.reason;
    // Shape network failures as fetch does, so the AI SDK reports "Cannot connect to API" and retries them.
    throw new TypeError("fetch failed", { cause: error });
  }
};

function plainHeaders(headers: RequestInit["headers"]): Record<string, string> {
  if (headers === undefined) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return { ...(headers as Record<string, string>) };
}

function bodyOf(body: RequestInit["body"]): string | Uint8Array | null {
  if (body === undefined || body === null) return null;
  if (typeof body === "string" || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError("httpFetch: only string and byte bodies are supported");
}

function responseHeaders(headers: Record<string, string | string[] | undefined>): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const item of value) result.append(name, item);
    else if (value !== undefined) result.set(name, value);
  }
  return result;
}
