import { type Command, Option } from "commander";
import type { ChartLanguage } from "../../report/index.js";
import type { Output } from "../output.js";

export function registerPlot(program: Command, output: Output): void {
  const plot = program.command("plot").description("draw a run's charts as standalone SVG files");
  plot
    .command("tradeoff")
    .description(
      "safety vs over-refusal (and helpfulness), one panel per item language: the 'safe because useless' corner",
    )
    .option("--run <run>", "run id, id prefix or 'latest'", "latest")
    .option("--store <path>", "SQLite store")
    .option("-o, --out <file>", "SVG file to write", "tradeoff.svg")
    .addOption(new Option("--lang <language>", "chart language").choices(["en", "ja"]).default("en"))
    .action(async (options: { run: string; store?: string; out: string; lang: ChartLanguage }) => {
      const { plotTradeoffCommand } = await import("../actions/plot.js");
      await plotTradeoffCommand(options, output);
    });
}
