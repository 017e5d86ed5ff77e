/** The page shell: strict CSP, inline CSS, content warning first, table of contents, sections. */
import { FONT_STACK } from "./charts.js";
import { escapeHtml } from "./escape.js";
import type { Messages } from "./messages.js";

/** No scripts, no fetches, no external fonts or images: styles inline, images only as data: URIs. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export interface Section {
  readonly id: string;
  readonly title: string;
  /** Already escaped HTML. */
  readonly body: string;
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font-family: ${FONT_STACK}; font-size: 14px; line-height: 1.55; color: #1f2328; background: #f6f8fa; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 16px; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 0 0 10px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 16px; margin: 18px 0 8px; }
h4 { font-size: 14px; margin: 14px 0 6px; }
.warning { background: #fff1e5; border: 2px solid #d1242f; border-radius: 6px; padding: 10px 14px; font-weight: 600; color: #82071e; margin: 8px 0 12px; }
nav.toc { background: #ffffff; border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 14px; margin-bottom: 14px; }
nav.toc ol { margin: 4px 0; padding-left: 22px; columns: 2; }
section.report-section { background: #ffffff; border: 1px solid #d0d7de; border-radius: 6px; padding: 14px 18px; margin-bottom: 16px; overflow-x: auto; }
.table-wrap { overflow-x: auto; margin: 6px 0 10px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f0f3f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted, .counts { color: #59636e; font-size: 12px; }
.counts { white-space: nowrap; display: block; }
.note { color: #59636e; font-style: italic; margin: 6px 0; }
figure.chart { margin: 8px 0 12px; overflow-x: auto; }
figure.chart svg { max-width: none; height: auto; }
figcaption { color: #59636e; font-size: 12px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
details.conversation { border: 1px solid #d0d7de; border-radius: 6px; margin: 6px 0; background: #fbfcfd; }
details.conversation > summary { cursor: pointer; padding: 6px 10px; font-weight: 600; }
details.conversation[open] > summary { border-bottom: 1px solid #d0d7de; }
details.conversation .turn { padding: 6px 12px; border-bottom: 1px dashed #d0d7de; }
.message { white-space: pre-wrap; overflow-wrap: anywhere; margin: 2px 0 6px; padding: 6px 8px; border-radius: 4px; }
.message.user { background: #ddf4ff; }
.message.reply { background: #f6f8fa; border: 1px solid #d0d7de; }
.message.error { background: #ffebe9; }
.cell-examples { margin: 10px 0 16px; }
a { color: #0969da; }
:target { outline: 3px solid #bf8700; outline-offset: 2px; }
footer { color: #59636e; font-size: 12px; padding-bottom: 24px; }
/* Phones: cells keep their numbers on one line and tables scroll sideways, rather than breaking "7.97 ± 0.06". */
@media (max-width: 640px) {
  header, main, footer { padding-left: 10px; padding-right: 10px; }
  section.report-section { padding: 10px; }
  nav.toc ol { columns: 1; }
  th, td { white-space: nowrap; }
}
`;

/** The whole HTML document. `sections` bodies are trusted (built from escaped parts). */
export function renderDocument(
  messages: Messages,
  contentWarning: string,
  subtitle: string,
  sections: readonly Section[],
  footer: string,
): string {
  const toc = sections.map((section) => `<li><a href="#${section.id}">${escapeHtml(section.title)}</a></li>`).join("");
  const body = sections
    .map(
      (section) =>
        `<section class="report-section" id="${section.id}" aria-labelledby="${section.id}-title">\n<h2 id="${section.id}-title">${escapeHtml(section.title)}</h2>\n${section.body}\n</section>`,
    )
    .join("\n");
  return `<!DOCTYPE html>
<html lang="${messages.lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(messages.t("title"))}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<div class="warning" id="content-warning" role="note">${escapeHtml(contentWarning)}</div>
<h1>${escapeHtml(messages.t("title"))}</h1>
<p class="muted">${escapeHtml(subtitle)}</p>
<nav class="toc" aria-label="${escapeHtml(messages.t("contents"))}"><strong>${escapeHtml(messages.t("contents"))}</strong><ol>${toc}</ol></nav>
</header>
<main>
${body}
</main>
<footer>${escapeHtml(footer)}</footer>
</body>
</html>
`;
}
