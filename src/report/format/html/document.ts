/** The page shell: strict CSP, inline CSS, content warning first, table of contents, sections. */
import { BASE_CSS } from "./base-style.js";
import type { Messages } from "./messages.js";
import { type Html, h, joinHtml, raw } from "./template.js";

/** No scripts, no fetches, no external fonts or images: styles inline, images only as data: URIs. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly body: Html;
}

/** The report's own rules, after the base stylesheet it shares with the viewer. */
const REPORT_CSS = `
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
details.conversation[open] > summary { border-bottom: 1px solid #d0d7de; }
.cell-examples { margin: 10px 0 16px; }
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

/** The whole HTML document (every string escaped by the template tag; section bodies are already HTML). */
export function renderDocument(
  messages: Messages,
  contentWarning: string,
  subtitle: string,
  sections: readonly Section[],
  footer: string,
): string {
  const toc = sections.map((section) => h`<li><a href="#${section.id}">${section.title}</a></li>`);
  const body = joinHtml(
    sections.map(
      (section) =>
        h`<section class="report-section" id="${section.id}" aria-labelledby="${section.id}-title">
<h2 id="${section.id}-title">${section.title}</h2>
${section.body}
</section>`,
    ),
    "\n",
  );
  return h`<!DOCTYPE html>
<html lang="${messages.lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${raw(CONTENT_SECURITY_POLICY)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${messages.t("title")}</title>
<style>${raw(BASE_CSS + REPORT_CSS)}</style>
</head>
<body>
<header>
<div class="warning" id="content-warning" role="note">${contentWarning}</div>
<h1>${messages.t("title")}</h1>
<p class="muted">${subtitle}</p>
<nav class="toc" aria-label="${messages.t("contents")}"><strong>${messages.t("contents")}</strong><ol>${toc}</ol></nav>
</header>
<main>
${body}
</main>
<footer>${footer}</footer>
</body>
</html>
`.toString();
}
