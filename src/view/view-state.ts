/** What the viewer's pages share: the store's repositories, caches per run, the report cache and the form token. */
import type { LoadedStrategy } from "../generation/index.js";
import { loadBuiltinStrategies } from "../generation/index.js";
import { findGuideline, type Guideline, type GuidelineCatalog, loadCatalog } from "../guidelines/index.js";
import { type Db, ReviewRepository, type RunRecord, RunRepository } from "../store/index.js";
import { type ConversationFilter, selectItems } from "./conversation-query.js";
import { ReportCache } from "./report-cache.js";
import { distinctValues, type RunFacts, runFacts, turnCount } from "./run-data.js";

export class ViewState {
  readonly runs: RunRepository;
  readonly reviews: ReviewRepository;
  readonly reports: ReportCache;
  private readonly turnCounts = new Map<string, number>();
  private readonly itemSets = new Map<string, string[]>();
  private readonly distinctValues = new Map<string, string[]>();
  private strategies: LoadedStrategy[] | undefined;
  private catalogs: GuidelineCatalog[] | undefined;

  constructor(
    readonly db: Db,
    storePath: string,
    readonly formToken: string,
  ) {
    this.runs = new RunRepository(db);
    this.reviews = new ReviewRepository(db);
    this.reports = new ReportCache(db, storePath);
  }

  run(id: string): RunRecord | undefined {
    return this.runs.get(id);
  }

  facts(run: RunRecord): RunFacts {
    return runFacts(run);
  }

  /** Turns of a run; counted once for runs that are finished. */
  turns(run: RunRecord): number {
    const cached = this.turnCounts.get(run.id);
    if (cached !== undefined) return cached;
    const count = turnCount(this.db, run.id);
    if (run.status !== "started") this.turnCounts.set(run.id, count);
    return count;
  }

  /** Item ids the item filters select (kept for the last few filter combinations). */
  items(run: RunRecord, filter: ConversationFilter): string[] {
    const key = JSON.stringify([run.id, filter.strategy, filter.guideline, filter.language]);
    const cached = this.itemSets.get(key);
    if (cached !== undefined && run.status !== "started") return cached;
    const items = selectItems(this.db, run.id, filter);
    if (this.itemSets.size >= 16) this.itemSets.delete(this.itemSets.keys().next().value ?? "");
    this.itemSets.set(key, items);
    return items;
  }

  /** Distinct values of an item column, for the filter menus (kept per run). */
  distinct(run: RunRecord, column: "strategy" | "guideline_id" | "language"): string[] {
    const key = `${run.id}\n${column}`;
    const cached = this.distinctValues.get(key);
    if (cached !== undefined) return cached;
    const values = distinctValues(this.db, run.id, column);
    this.distinctValues.set(key, values);
    return values;
  }

  strategyLibrary(): LoadedStrategy[] {
    this.strategies ??= loadBuiltinStrategies();
    return this.strategies;
  }

  /** The built-in guideline with this id; a benchmark's `jma-NN` names the one whose running number is NN (findGuideline). */
  guideline(id: string): { catalog: GuidelineCatalog; guideline: Guideline } | undefined {
    this.catalogs ??= [loadCatalog("jma"), loadCatalog("ama")];
    for (const catalog of this.catalogs) {
      const guideline = findGuideline(catalog, id);
      if (guideline !== undefined) return { catalog, guideline };
    }
    return undefined;
  }

  async close(): Promise<void> {
    await this.reports.close();
  }
}
