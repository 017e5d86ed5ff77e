/**
 * @module cli
 * The command-line interface: commands, progress rendering and exit codes. The only place that touches
 * process I/O.
 */
export { buildProgram, exitCodeFor, main } from "./main.js";
