/**
 * @module view
 * `medsafety view`: a local web viewer for a store's runs. Server-rendered pages (hono, `html` templates that
 * escape every string), no client scripts, a strict Content-Security-Policy; runs list, run overview (the HTML
 * report's sections, computed once per run in the background), a conversations table filtered and paged in SQL
 * over the covering indexes, conversation pages with judges' rationales, ja/en twins and human reviews, strategy and
 * guideline pages. Imports report, store, generation, guidelines, core; only cli imports it.
 * Start with server.ts (routes), then the pages.
 */

export type { Lang as ViewLang } from "./messages.js";
export { isLoopback } from "./security.js";
export { startViewServer } from "./server.js";
