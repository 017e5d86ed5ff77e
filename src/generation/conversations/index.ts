/** Multi-turn conversation synthesis: seeds × strategies × attackers → benchmark items with provenance. */
export * from "./generate-conversations.js";
