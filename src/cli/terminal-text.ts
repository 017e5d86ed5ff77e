/**
 * Text for the terminal: server error bodies, model-written strategies, review reasons and benchmark strings may
 * carry escape sequences (ESC/CSI/OSC: colours, cursor moves, clickable links, window titles, clipboard writes) or
 * bidi overrides that make text read differently from what it is. Before anything reaches standard output or
 * standard error, these characters are shown as text instead of being obeyed.
 */

/** C0 controls but tab and newline, DEL, C1 controls, and the bidi controls (LRE…RLO, LRI…PDI, LRM, RLM, ALM). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is what this does.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * `text` with every control character written as `\uXXXX` (lowercase hex, e.g. ESC → `\u001b`, RLO → `\u202e`);
 * newline and tab, and every other character, unchanged. The `\uXXXX` form is also JSON's escape, so JSON printed
 * through this still parses to the same value.
 */
export function visibleControls(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
