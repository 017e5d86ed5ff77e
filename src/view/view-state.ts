/** What the viewer's pages share: the store's repositories, caches per run, the report cache and the form token. */
import type { LoadedStrategy } from "../generation/index.js";
import { loadBuiltinStrategies } from "../generation/index.js";
import { loadCatalog, type Guideline, type GuidelineCatalog } from "../guidelines/index.js";
import { ReviewRepository, RunRepository, type Db, type RunRecord } from "../store/index.js";
import { selectItems, type ConversationFilter } from "./conversation-query.js";
import { ReportCache } from "./report-cache.js";
import { runFacts, turnCount, type RunFacts } from "./run-data.js";

export class ViewState {
  readonly runs: RunRepository;
  readonly reviews: ReviewRepository;
  readonly reports: ReportCache;
  private readonly turnCounts = new Map<string, number>();
  private readonly itemSets = new Map<string, string[]>();
  private strategies: LoadedStrategy[] | undefined;
  private catalogs: GuidelineCatalog[] | undefined;

  constructor(readonly db: Db, storePath: string, readonly formToken: string) {
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

  strategyLibrary(): LoadedStrategy[] {
    this.strategies ??= loadBuiltinStrategies();
    return this.strategies;
  }

  /** The built-in guideline with this id; a benchmark's `jma-NN` names the one whose running number is NN. */
  guideline(id: string): { catalog: GuidelineCatalog; guideline: Guideline } | undefined {
    this.catalogs ??= [loadCatalog("jma"), loadCatalog("ama")];
    for (const catalog of this.catalogs) {
      const exact = catalog.guidelines.find((guideline) => guideline.id === id);
      if (exact !== undefined) return { catalog, guideline: exact };
    }
    const match = /^([a-z]+)-(\d+)$/.exec(id);
    if (match === null) return undefined;
    for (const catalog of this.catalogs) {
      const numbered = catalog.guidelines.filter((guideline) => guideline.id.startsWith(`${match[1]}-`) && Number(/-(\d+)$/.exec(guideline.id)?.[1]) === Number(match[2]));
      if (numbered.length === 1 && numbered[0] !== undefined) return { catalog, guideline: numbered[0] };
    }
    return undefined;
  }

  async close(): Promise<void> {
    await this.reports.close();
  }
}
