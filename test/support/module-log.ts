/**
 * A preload (`node --import <this file, compiled> …`) that writes the URL of every ES module (and CommonJS module
 * imported from one) the process loads, one per line, to the file named by MEDSAFETY_MODULE_LOG. Used by
 * `loaded-modules.ts` to show what a command loads at start-up.
 */
import { register } from "node:module";

const logFile = process.env["MEDSAFETY_MODULE_LOG"];
if (logFile !== undefined) register(new URL("./module-log-hooks.js", import.meta.url), { data: { logFile } });
