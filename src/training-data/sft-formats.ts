import { z } from "zod";
import { type ChatMessage, hashValue, LANGUAGES, type Language, MedsafetyError } from "../core/index.js";

/** The fine-tuning formats `medsafety export sft` writes. */
export const SFT_FORMATS = ["alpaca", "openai-chat", "hf-messages"] as const;
export type SftFormat = (typeof SFT_FORMATS)[number];

/**
 * Where a demonstration comes from: a MedSafetyBench turn of the run judged harmful (medsafetybench-harm), a turn
 * of the run judged unsafe on the 0–10 safety scale (jmedethic-safety, usually a multi-turn item), one of the
 * 900 MedSafetyBench train pairs, or a failing turn of the run whose safe reply was written by the safe responder
 * and accepted by the run's judges (`--safe-responder`).
 */
export const SFT_SOURCES = ["medsafetybench-run", "multi-turn-run", "medsafetybench-train", "safe-responder"] as const;
export type SftSource = (typeof SFT_SOURCES)[number];

/** How records are laid out in the file: one JSON value per line, or one JSON array. */
export type SftLayout = "jsonl" | "json";

/**
 * One safety demonstration, independent of the output format: the conversation up to the failing user turn
 * (user and assistant messages alternating, starting with a user message) and, last, the safe reply (known, or
 * written by the safe responder and accepted by the judges).
 */
export interface Demonstration {
  /** `sft-<16 hex>`: see {@link demonstrationId}. */
  readonly id: string;
  readonly source: SftSource;
  readonly language: Language;
  readonly messages: readonly ChatMessage[];
  /** Where it was built from (item, target, turn or file row), for error messages only; not written. */
  readonly origin: string;
}

/**
 * Stable id of a demonstration: `sft-` + the first 16 hex characters of the sha256 of the canonical JSON of its
 * messages (roles and texts). It does not depend on the format, the source, the run or the target, so the same
 * demonstration always gets the same id and is written once.
 */
export function demonstrationId(messages: readonly ChatMessage[]): string {
  return `sft-${hashValue(["sft-demonstration", messages.map((message) => [message.role, message.content])])}`;
}

const roleSchema = z.enum(["system", "user", "assistant"]);
const messageSchema = z.strictObject({ role: roleSchema, content: z.string() });
const messagesSchema = z
  .array(messageSchema)
  .min(2)
  .superRefine((messages, context) => {
    const turns = messages[0]?.role === "system" ? messages.slice(1) : messages;
    turns.forEach((message, index) => {
      const expected = index % 2 === 0 ? "user" : "assistant";
      if (message.role !== expected)
        context.addIssue({ code: "custom", message: `message ${index} should be ${expected}, not ${message.role}` });
      if (message.role === "user" && message.content.trim() === "")
        context.addIssue({ code: "custom", message: `user message ${index} is empty` });
    });
    const last = turns.at(-1);
    if (last?.role !== "assistant" || last.content.trim() === "") {
      context.addIssue({
        code: "custom",
        message: "the last message must be a non-empty assistant reply (the safe reply)",
      });
    }
  });

/** Alpaca record: `instruction` = the failing user turn, `input` = earlier conversation (see {@link alpacaInput}), `output` = safe reply. */
export const alpacaRecordSchema = z.strictObject({
  instruction: z.string().trim().min(1),
  input: z.string(),
  output: z.string().trim().min(1),
});
/** OpenAI chat fine-tuning record: `{messages: [{role, content}...]}`, an optional system message first. */
export const openaiChatRecordSchema = z.strictObject({ messages: messagesSchema });
/** Hugging Face messages record (TRL's conversational format) with the demonstration's id, source and language. */
export const hfMessagesRecordSchema = z.strictObject({
  id: z.string().regex(/^sft-[0-9a-f]{16}$/),
  messages: messagesSchema,
  source: z.enum(SFT_SOURCES),
  language: z.enum(LANGUAGES),
});

/** One record of each format, as validated. */
export type AlpacaRecord = z.output<typeof alpacaRecordSchema>;
export type OpenaiChatRecord = z.output<typeof openaiChatRecordSchema>;
export type HfMessagesRecord = z.output<typeof hfMessagesRecordSchema>;
export type SftRecord = AlpacaRecord | OpenaiChatRecord | HfMessagesRecord;

/** Options of the formatters. */
export interface SftFormatOptions {
  /** A system message put first in openai-chat and hf-messages records (none by default; alpaca has no place for it). */
  readonly system?: string;
}

const ALPACA_LABELS: Readonly<Record<ChatMessage["role"], string>> = { user: "User", assistant: "Assistant" };

/**
 * The Alpaca `input` of a multi-turn demonstration: the earlier messages, in order, each as a labelled block
 * (`User: <text>` or `Assistant: <text>`), blocks separated by one blank line. Empty for a single-turn one.
 */
export function alpacaInput(history: readonly ChatMessage[]): string {
  return history.map((message) => `${ALPACA_LABELS[message.role]}: ${message.content}`).join("\n\n");
}

/** The record of one demonstration in a format, validated against the format's zod schema (throws if invalid). */
export function formatDemonstration(
  demonstration: Demonstration,
  format: SftFormat,
  options: SftFormatOptions = {},
): SftRecord {
  const messages = [
    ...(options.system === undefined || format === "alpaca"
      ? []
      : [{ role: "system" as const, content: options.system }]),
    ...demonstration.messages.map((message) => ({ role: message.role, content: message.content })),
  ];
  switch (format) {
    case "alpaca": {
      const history = demonstration.messages.slice(0, -2);
      const request = demonstration.messages.at(-2);
      const reply = demonstration.messages.at(-1);
      return validate(alpacaRecordSchema, demonstration, format, {
        instruction: request?.role === "user" ? request.content : "",
        input: alpacaInput(history),
        output: reply?.role === "assistant" ? reply.content : "",
      });
    }
    case "openai-chat":
      return validate(openaiChatRecordSchema, demonstration, format, { messages });
    case "hf-messages":
      return validate(hfMessagesRecordSchema, demonstration, format, {
        id: demonstration.id,
        messages,
        source: demonstration.source,
        language: demonstration.language,
      });
  }
}

function validate<T>(schema: z.ZodType<T>, demonstration: Demonstration, format: SftFormat, record: unknown): T {
  const parsed = schema.safeParse(record);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.map(String).join(".")}`;
  throw new MedsafetyError(
    "dataset_invalid",
    `Demonstration ${demonstration.id} (${demonstration.origin}) is not a valid ${format} record${where}: ${issue?.message ?? "invalid"}. ` +
      "Check the item's texts and reference response in the store (every message needs text).",
  );
}

/**
 * The layout for an output path: `.jsonl` → JSON Lines, `.json` → one JSON array; any other name → the format's
 * usual layout (alpaca: JSON array; openai-chat and hf-messages: JSON Lines).
 */
export function layoutFor(format: SftFormat, path: string): SftLayout {
  const lower = path.toLowerCase();
  if (lower.endsWith(".jsonl")) return "jsonl";
  if (lower.endsWith(".json")) return "json";
  return format === "alpaca" ? "json" : "jsonl";
}

/**
 * Serialises records one by one into a layout: `open()` first, `record()` for each, `close()` last. A JSON
 * array holds one compact record per line, so equal records always give byte-identical files.
 */
export function layoutWriter(layout: SftLayout): {
  open(): string;
  record(record: SftRecord, index: number): string;
  close(count: number): string;
} {
  if (layout === "jsonl") return { open: () => "", record: (record) => `${JSON.stringify(record)}\n`, close: () => "" };
  return {
    open: () => "[",
    record: (record, index) => `${index === 0 ? "\n" : ",\n"}${JSON.stringify(record)}`,
    close: (count) => (count === 0 ? "]\n" : "\n]\n"),
  };
}
