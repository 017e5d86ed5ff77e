/** The viewer's labels: one `[English, Japanese]` table in report/messages/viewer.ts, shared rows defined once. */
export {
  LANGS,
  type Lang,
  type ViewerMessages as Messages,
  viewerMessagesFor as messagesFor,
} from "../report/index.js";
