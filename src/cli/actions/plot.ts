import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { MedsafetyError } from "../../core/index.js";
import { buildTradeoff, type ChartLanguage, loadTurnTable, renderTradeoffChart } from "../../report/index.js";
import { openStores, storePath } from "../open-store.js";
import type { Output } from "../output.js";

/** `medsafety plot tradeoff`: the safety vs over-refusal chart of a run as an SVG file. */
export async function plotTradeoffCommand(
  options: { run: string; store?: string; out: string; lang: ChartLanguage },
  output: Output,
): Promise<void> {
  const stores = openStores(storePath(options.store), { mustExist: true });
  try {
    const record = stores.runs.resolve(options.run);
    const targets = ((record.config as { targets?: Array<{ id: string }> }).targets ?? []).map((target) => target.id);
    const points = buildTradeoff(stores.db, record, targets, loadTurnTable(stores.db, record));
    const drawable = points.filter((point) => point.safety !== null && point.overRefusal !== null);
    if (drawable.length === 0) {
      // An error, not a note: a script must not take exit 0 for a chart that was never written.
      throw new MedsafetyError(
        "dataset_invalid",
        `run ${record.id} has no model with both multi-turn safety scores and benign (helpfulness) scores, so there is no tradeoff to draw. ` +
          "Run a benchmark list with builtin:benign (or items with rubric: helpfulness) next to a multi-turn benchmark.",
      );
    }
    const path = resolve(options.out);
    writeFileSync(path, await renderTradeoffChart(points, options.lang), "utf8");
    output.out(`wrote ${path} (${drawable.length} points)`);
  } finally {
    stores.close();
  }
}
