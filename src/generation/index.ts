/**
 * @module generation
 * Prompts that make models write text for the project (as data, ja + en, versioned): the safe responder's
 * system prompt, used to write safe replies to turns a target failed (`medsafety export sft --safe-responder`).
 */
export * from "./safe-responder-prompt.js";
