/**
 * @module generation
 * Text that makes models write text for the project, as versioned ja + en data: the safe responder's system
 * prompt, used to write safe replies to turns a target failed (`medsafety export sft --safe-responder`), and the
 * jailbreak strategy library (the 7 built-in families plus user and discovered strategies, named `id@version`
 * and content-hashed), which multi-turn conversation synthesis draws on; the benchmark-construction jobs; and
 * AutoDAN-Turbo-style strategy discovery (discovery/: pure loop steps, the library value, the driver, export).
 */

export * from "./conversations/index.js";
export * from "./discovery/index.js";
export * from "./jobs/index.js";
export * from "./safe-reply/index.js";
export * from "./safe-responder-prompt.js";
export * from "./seeds/index.js";
export * from "./stats/index.js";
export * from "./strategies/index.js";
export * from "./translate/index.js";
