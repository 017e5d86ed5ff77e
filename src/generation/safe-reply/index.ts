/** Safe replies for failing turns (`export sft --safe-responder`): keyed, stored writer and judge tasks, acceptance. */
export * from "./accept-safe-reply.js";
export * from "./safe-reply-writer.js";
