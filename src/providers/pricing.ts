import type { Usage } from "../core/index.js";
import type { ChatModel, ChatResponse } from "./chat-model.js";
import type { ModelSettings } from "./model-settings.js";
import { parseModelSpec } from "./model-spec.js";
import {
  builtinPriceTable,
  isPricedProvider,
  type Price,
  type PriceTable,
  priceTableLabel,
  tablePrice,
} from "./prices/prices.js";

/** The price of a model that costs nothing to call (an `openai-compatible:` server or a `local:` GGUF file). */
const FREE: Price = { input: 0, output: 0, batchDiscount: 0 };

/**
 * The price a binding's calls are charged at, in USD per million tokens, or undefined when it is unknown ("unpriced":
 * its calls store a NULL cost, never 0). The binding's own `price:` wins; its missing `batchDiscount` is the
 * provider's from the table (0.5 for OpenAI, Anthropic and Google). Otherwise a hosted model (`openai:`,
 * `anthropic:`, `google:`) takes the table's price (`tablePrice`), and `openai-compatible:` and `local:` models cost 0.
 * Estimates and budgets call this with the same settings the pricing layer uses.
 */
export function resolvePrice(
  settings: Pick<ModelSettings, "model" | "price">,
  table: PriceTable = builtinPriceTable(),
): Price | undefined {
  const { provider, model } = tablePlace(settings.model);
  const hosted = isPricedProvider(provider);
  if (settings.price !== undefined) {
    const batchDiscount = settings.price.batchDiscount ?? (hosted ? table.providers[provider].batchDiscount : 0);
    return { ...settings.price, batchDiscount };
  }
  return hosted ? tablePrice(table, provider, model) : FREE;
}

/** How a call was served, for its price. */
export interface CallCostContext {
  /** Through the provider's batch API: the price less `batchDiscount`. */
  readonly batched: boolean;
  /** From the response cache: no call was made, it costs 0. */
  readonly cached: boolean;
}

/**
 * The price in USD of one call's `usage` at `price` (USD per million tokens): input not read from or written to the
 * prompt cache × `input`, + cache reads × `cachedInput` (default `input`), + cache writes × `cacheWrite` (default
 * `input`), + output × `output`; all × (1 − `batchDiscount`) when batched; 0 for an answer from the response cache.
 * The two discounts stack: a cache read in a batch costs `cachedInput` × (1 − `batchDiscount`), a cache write
 * `cacheWrite` × (1 − `batchDiscount`), as Anthropic bills Message Batches with prompt caching (decision 0019).
 * Cache counts above the input total are capped (a provider's usage is never trusted to make a price negative).
 */
export function callCost(usage: Usage, price: Price, context: CallCostContext): number {
  if (context.cached) return 0;
  const input = Math.max(0, usage.inputTokens);
  const cacheReads = Math.min(input, Math.max(0, usage.cachedInputTokens ?? 0));
  const cacheWrites = Math.min(input - cacheReads, Math.max(0, usage.cacheWriteTokens ?? 0));
  const plainInput = input - cacheReads - cacheWrites;
  const microDollars =
    plainInput * price.input +
    cacheReads * (price.cachedInput ?? price.input) +
    cacheWrites * (price.cacheWrite ?? price.input) +
    Math.max(0, usage.outputTokens) * price.output;
  const discount = context.batched ? (price.batchDiscount ?? 0) : 0;
  return (microDollars / 1_000_000) * (1 - discount);
}

/**
 * The cost of a response: 0 from the response cache, null when the model is unpriced (`price` undefined), else
 * `callCost` of its usage (with the batch discount when `batched`).
 */
export function responseCost(response: ChatResponse, price: Price | undefined): number | null {
  if (response.cached) return 0;
  if (price === undefined) return null;
  return callCost(response.usage, price, { batched: response.batched === true, cached: false });
}

/**
 * Sets `costUsd` on every answer of `model` (`responseCost`). `createChatModel` puts it just outside the response
 * cache, so a cache hit is seen as `cached` (0), and above the adapter, so a batch answer carries `batched`.
 */
export function withPricing(model: ChatModel, price: Price | undefined): ChatModel {
  return {
    spec: model.spec,
    close: () => model.close(),
    async generate(request, options) {
      const response = await model.generate(request, options);
      return { ...response, costUsd: responseCost(response, price) };
    },
  };
}

/**
 * `settings` with the price its calls are charged at written in, for a run's frozen config: a hosted model priced by
 * the table gets `price:` with the table's entry and `source` naming the table's version and date
 * (`prices.json v1 (checked 2025-11-24)`), so a resumed run keeps charging the prices it started with and reports can
 * say where they came from. A binding with its own `price:`, a free model and an unpriced one are returned as they are.
 */
export function withFrozenPrice<S extends Pick<ModelSettings, "model" | "price">>(
  settings: S,
  table: PriceTable = builtinPriceTable(),
): S {
  if (settings.price !== undefined) return settings;
  const { provider, model } = tablePlace(settings.model);
  if (!isPricedProvider(provider)) return settings;
  const price = tablePrice(table, provider, model);
  if (price === undefined) return settings;
  return { ...settings, price: { ...price, source: `prices.json ${priceTableLabel(table)}` } };
}

/** Where a model's price is in the table: the moderation endpoint (`openai-moderation:`) is priced in OpenAI's list. */
function tablePlace(spec: string): { provider: string; model: string } {
  const { provider, model } = parseModelSpec(spec);
  return { provider: provider === "openai-moderation" ? "openai" : provider, model };
}
