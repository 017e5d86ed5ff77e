/**
 * The base stylesheet shared by the static HTML report (inlined in its `<style>`) and the viewer (served as
 * /static/view.css): page colours and fonts, tables, counts and notes, charts, run facts, example conversations and
 * links. Each page adds its own layout rules after it (widths, headings, the warning box, sections, forms).
 */
import { FONT_STACK } from "./charts.js";

export const BASE_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font-family: ${FONT_STACK}; font-size: 14px; line-height: 1.55; color: #1f2328; background: #f6f8fa; }
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
details.conversation .turn { padding: 6px 12px; border-bottom: 1px dashed #d0d7de; }
.message { white-space: pre-wrap; overflow-wrap: anywhere; margin: 2px 0 6px; padding: 6px 8px; border-radius: 4px; }
.message.user { background: #ddf4ff; }
.message.reply { background: #f6f8fa; border: 1px solid #d0d7de; }
.message.error { background: #ffebe9; }
a { color: #0969da; }
`;
