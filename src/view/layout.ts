/**
 * The page shell and small pieces every page shares. Text goes through the template tag the HTML report uses too
 * (hono's `html`, report/format/html/template.ts), which escapes it.
 */
import { type Html, h } from "../report/index.js";
import type { Lang, Messages } from "./messages.js";

export { type Html, h };

export const STYLESHEET_PATH = "/static/view.css";

/** A link within the viewer: path + query (empty values left out), keeping the page's language. */
export function href(
  path: string,
  query: Readonly<Record<string, string | number | undefined>> = {},
  lang?: Lang,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== "") search.set(key, String(value));
  if (lang !== undefined) search.set("lang", lang);
  const text = search.toString();
  return text === "" ? path : `${path}?${text}`;
}

export interface PageOptions {
  readonly m: Messages;
  readonly title: string;
  /** The same page in the other language. */
  readonly otherLanguage: string;
  readonly breadcrumbs?: ReadonlyArray<readonly [string, string]>;
  /** Seconds after which the page reloads itself (a report still computing). */
  readonly refreshSeconds?: number;
  readonly body: Html;
}

export function page(options: PageOptions): Html {
  const { m } = options;
  const crumbs = (options.breadcrumbs ?? []).map(
    ([label, link], index) => h`${index === 0 ? "" : " › "}<a href="${link}">${label}</a>`,
  );
  return h`<!DOCTYPE html>
<html lang="${m.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${options.refreshSeconds === undefined ? "" : h`<meta http-equiv="refresh" content="${options.refreshSeconds}">`}
<title>${options.title} · ${m.t("appTitle")}</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<header>
<div class="warning" id="content-warning" role="note">${m.t("contentWarning")}</div>
<nav class="top"><a class="home" href="${href("/", {}, m.lang)}">${m.t("appTitle")}</a> ${crumbs.length === 0 ? "" : h`<span class="crumbs">› ${crumbs}</span>`}
<a class="lang-switch" id="lang-switch" href="${options.otherLanguage}" lang="${m.lang === "en" ? "ja" : "en"}">${m.t("switchLanguage")}</a></nav>
<h1>${options.title}</h1>
</header>
<main>
${options.body}
</main>
</body>
</html>
`;
}

/** A number as pages print it: "–" when missing. */
export function num(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}
