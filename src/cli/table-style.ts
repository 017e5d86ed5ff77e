/**
 * The style of every table the CLI prints (cli-table3): no ANSI colours, because its output is read in terminals,
 * pasted into papers and piped to files alike. The report's own table format (report/format/table) follows the
 * same rule for the same reason.
 */
export const PLAIN = { head: [], border: [] };
