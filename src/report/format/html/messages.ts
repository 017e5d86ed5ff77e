/** The HTML report's message table lives with the other outputs' tables in report/messages/ (one mechanism). */
export { MESSAGE_KEYS, type MessageKey, type Messages, messagesFor } from "../../messages/html.js";
export type { Lang } from "../../messages/labels.js";
