/**
 * @module generation/conversations
 * Multi-turn conversation synthesis (`medsafety generate conversations`): seeds × strategies × attackers →
 * benchmark items with provenance, each attacker call a keyed generation task. Exports `generateConversations`
 * and its prompt; everything is in generate-conversations.ts.
 */
export {
  CONVERSATION_PROMPT,
  CONVERSATION_PROMPT_TEXTS,
  type ConversationSummary,
  generateConversations,
} from "./generate-conversations.js";
