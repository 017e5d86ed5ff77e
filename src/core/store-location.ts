/**
 * Where a store is: a `postgres://` (or `postgresql://`) URL names the shared PostgreSQL store, anything else a
 * SQLite file path. Config, CLI and store all decide it here, and show a URL only without its password.
 */

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** The location for messages and hints: a URL with its password replaced by `***`; a path as it is. */
export function redactUrl(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const parsed = new URL(location);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "the PostgreSQL store (its URL could not be read)";
  }
}
