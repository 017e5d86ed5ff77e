/**
 * What keeps the viewer's pages inert and its one form honest: a strict Content-Security-Policy and friends on every
 * response, a Host check (a DNS-rebinding page names another host), and, for POSTs, a same-origin Origin header and
 * the server's random form token.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

/** No scripts at all; styles and images only from the viewer itself (images also as data: URIs, as charts may use). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-store",
};

/** A fresh random token for this server's forms. */
export function newFormToken(): string {
  return randomBytes(24).toString("base64url");
}

export function tokensMatch(expected: string, given: unknown): boolean {
  if (typeof given !== "string") return false;
  const left = Buffer.from(expected);
  const right = Buffer.from(given);
  return left.length === right.length && timingSafeEqual(left, right);
}

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"];

/**
 * Hosts a request may name: on a loopback bind, the bound address itself (the URL the viewer prints, e.g.
 * `127.0.0.2:7788` for `--host 127.0.0.2`) or a loopback name, with the server's port (so a page of another site that
 * rebinds its DNS name to 127.0.0.1 is refused); on an explicit other bind, any host.
 */
export function hostAllowed(hostHeader: string | undefined, boundHost: string, port: number): boolean {
  if (hostHeader === undefined) return false;
  if (!isLoopback(boundHost)) return true;
  const names = [...LOOPBACK_NAMES, urlHost(boundHost)];
  return names.some((name) => hostHeader.toLowerCase() === `${name}:${port}`);
}

/** An address as it stands in a URL and a Host header: IPv6 in brackets, names in lower case. */
function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host.toLowerCase();
}

export function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * A POST is same-origin when its Origin header names the host the request was sent to. Under `Referrer-Policy:
 * no-referrer` Chromium sends `Origin: null` for form posts; then the browser's `Sec-Fetch-Site` must say
 * `same-origin` (a client without either header, e.g. curl, still needs the form token).
 */
export function sameOrigin(
  originHeader: string | undefined,
  hostHeader: string | undefined,
  fetchSite?: string,
): boolean {
  if (hostHeader === undefined) return false;
  if (fetchSite !== undefined && fetchSite !== "same-origin") return false;
  if (originHeader === undefined || originHeader === "null") return true;
  try {
    const origin = new URL(originHeader);
    return origin.protocol === "http:" && origin.host === hostHeader;
  } catch {
    return false;
  }
}
