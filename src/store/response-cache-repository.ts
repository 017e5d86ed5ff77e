import type { Db } from "./database.js";
import { upsertSql } from "./sql-upsert.js";
import { parseStoredJson } from "./stored-json.js";

/** The cached form of a model response (same shape as providers' ChatResponse). */
export interface CachedResponse {
  readonly text: string;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  readonly finishReason: string;
  readonly latencyMs: number;
  readonly cached: boolean;
}

/** The response cache in SQLite, shared by all runs of a store. Keys come from the providers' cache layer. */
export class ResponseCacheRepository {
  private readonly select;
  private readonly insert;

  constructor(db: Db) {
    this.select = db.prepare("SELECT response_json FROM response_cache WHERE key = ?").pluck();
    this.insert = db.prepare(upsertSql("response_cache", ["key", "response_json", "created_at"]));
  }

  get(key: string): CachedResponse | undefined {
    const json = this.select.get(key) as string | undefined;
    return json === undefined ? undefined : parseStoredJson<CachedResponse>(json, "response_cache.response_json");
  }

  set(key: string, response: CachedResponse): void {
    this.insert.run(key, JSON.stringify(response), new Date().toISOString());
  }
}
