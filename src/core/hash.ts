import { createHash } from "node:crypto";
import stringify from "safe-stable-stringify";

/** Canonical JSON: keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  const text = stringify(value);
  if (text === undefined) throw new TypeError("canonicalJson: value is not serialisable");
  return text;
}

export function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Short stable hash of a value's canonical JSON (first 16 hex chars of sha256). */
export function hashValue(value: unknown, length = 16): string {
  return sha256(canonicalJson(value)).slice(0, length);
}
