import { join } from "node:path";
import { z } from "zod";
import { packageRoot, readJsonFile } from "../../core/index.js";

const usdPerMillion = z.number().nonnegative().max(10_000);

/**
 * A model's price in USD per million tokens. `cachedInput` (a prompt-cache read) and `cacheWrite` (a prompt-cache
 * write, Anthropic) default to `input`; `batchDiscount` is the share taken off a batch-API call (0.5: half price).
 */
export const priceSchema = z
  .strictObject({
    input: usdPerMillion.describe("USD per million input tokens (not read from the prompt cache)."),
    output: usdPerMillion.describe("USD per million output tokens."),
    cachedInput: usdPerMillion
      .optional()
      .describe("USD per million input tokens read from the provider's prompt cache (default: input)."),
    cacheWrite: usdPerMillion
      .optional()
      .describe("USD per million input tokens written to the prompt cache (Anthropic; default: input)."),
    batchDiscount: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        "Share of the price taken off a call made through the provider's batch API (0.5 = half price; default: the provider's discount in the price table, 0 for openai-compatible and local).",
      ),
    source: z
      .string()
      .optional()
      .describe(
        "Where the price comes from, for reports. medsafety writes it into a run's frozen config when the price table priced the binding (e.g. 'prices.json v1 (checked 2025-11-24)').",
      ),
  })
  .refine((price) => price.cachedInput === undefined || price.cachedInput <= price.input, {
    message: "cachedInput must not be more than input (a prompt-cache read is never dearer than input)",
    path: ["cachedInput"],
  });

/** USD per million tokens of one model; see `priceSchema`. */
export type Price = z.output<typeof priceSchema>;

const providerPricesSchema = z.strictObject({
  batchDiscount: z.number().min(0).max(1),
  models: z.record(z.string().min(1), priceSchema),
});

/** The shape of `prices.json`: a versioned, dated table of list prices by provider and model. */
const priceTableSchema = z.strictObject({
  version: z.number().int().positive(),
  checkedAt: z.iso.date(),
  currency: z.literal("USD"),
  unit: z.literal("per million tokens"),
  source: z.array(z.url()).min(1),
  note: z.string().min(1),
  providers: z.strictObject({
    openai: providerPricesSchema,
    anthropic: providerPricesSchema,
    google: providerPricesSchema,
  }),
});

export type PriceTable = z.output<typeof priceTableSchema>;

/** The providers the table prices (hosted APIs); `openai-compatible:` and `local:` models are free unless priced. */
export type PricedProvider = keyof PriceTable["providers"];

export function isPricedProvider(provider: string): provider is PricedProvider {
  return provider === "openai" || provider === "anthropic" || provider === "google";
}

/** Reads and validates a price table file (errors name the file, line and field). */
export function readPriceTable(path: string): PriceTable {
  return readJsonFile(path, priceTableSchema, {
    what: "price table",
    example: "See src/providers/prices/prices.json for the expected shape",
  });
}

let builtinTable: PriceTable | undefined;

/** The built-in price table (`src/providers/prices/prices.json`), read once. */
export function builtinPriceTable(): PriceTable {
  builtinTable ??= readPriceTable(join(packageRoot(), "src", "providers", "prices", "prices.json"));
  return builtinTable;
}

/** How reports name a table: `v1 (checked 2025-11-24)`. */
export function priceTableLabel(table: Pick<PriceTable, "version" | "checkedAt">): string {
  return `v${table.version} (checked ${table.checkedAt})`;
}

/**
 * What may follow a table's model name in a real model id: a date (`-2024-07-18`, `-20241022`), `-latest`, or a
 * three-digit version (`gemini-2.0-flash-001`). Anything else is another model (`o3-pro` is not `o3`).
 */
const VERSION_SUFFIX = /^-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest|\d{3})$/;

/**
 * The table's price of `model` at `provider`, with the provider's batch discount filled in; undefined when the table
 * has no entry for it. A model id matches a table name exactly or followed by a version suffix (`VERSION_SUFFIX`);
 * when several names match, the longest wins.
 */
export function tablePrice(table: PriceTable, provider: PricedProvider, model: string): Price | undefined {
  const prices = table.providers[provider];
  let best: { name: string; price: Price } | undefined;
  for (const [name, price] of Object.entries(prices.models)) {
    if (!model.startsWith(name)) continue;
    const rest = model.slice(name.length);
    if (rest !== "" && !VERSION_SUFFIX.test(rest)) continue;
    if (best === undefined || name.length > best.name.length) best = { name, price };
  }
  if (best === undefined) return undefined;
  return { batchDiscount: prices.batchDiscount, ...best.price };
}
