/**
 * @module cli
 * The command-line interface: commands, progress rendering and exit codes. The only place that touches
 * process I/O.
 * Start with main.ts (the program), commands/ (flags, loaded at start) and actions/ (what a command does, loaded
 * when it runs).
 *
 * - commands/<name>.ts registers a command with commander and imports nothing heavier than commander, core and the
 *   option values it shows (commands/option-values.ts, kept equal to their domain sources by its test); its action
 *   does `await import("../actions/<name>.js")`, so `--help` and `--version` load no other domain module
 *   (test/e2e/startup.test.ts).
 * - main.ts: `buildProgram` registers every command; `exitCodeFor` maps the error vocabulary to exit codes (1
 *   unexpected, 2 bad input or an unusable run or store path, 3 provider, 5 store damaged or unwritable, 130
 *   cancelled); run-end.ts gives 4 to a run that finished but failed its end-of-run check.
 * - output.ts writes every line to the terminal (control characters shown as `\uXXXX`, terminal-text.ts) and ends
 *   quietly on a closed pipe; table-style.ts: the style of every table the CLI prints.
 * - run-session.ts, run-lease.ts, run-end.ts: a run from binding to its end-of-run summary (decision 0011);
 *   generation-session.ts: the same for benchmark-construction commands; progress.ts and run-tally.ts: a progress bar
 *   on a terminal, plain lines otherwise; interrupt.ts: the two-stage Ctrl-C.
 * - The CLI composes what domains must not know of each other: judges for the safe responder (safe-reply-judges.ts),
 *   the refusal classifier of `filter`, the discovery scorer.
 */
export { main } from "./main.js";
