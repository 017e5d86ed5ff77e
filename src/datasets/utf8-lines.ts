import { createReadStream } from "node:fs";
import { errorMessage, InputError } from "../core/index.js";

/** One line of a text file, decoded, without its line ending. */
export interface TextLine {
  /** 1-based, counting every line (blank ones too), as an editor shows it. */
  readonly number: number;
  readonly text: string;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BYTE_ORDER_MARK = "\uFEFF";

/**
 * Streams the lines of a UTF-8 file (memory flat in file size, one line at a time). Each line is decoded with a
 * fatal decoder, so bytes that are not UTF-8 (a file saved as Shift_JIS or Latin-1) are refused with their line
 * instead of becoming U+FFFD and being stored as if the user had written them. A byte-order mark is refused by name:
 * JSON.parse would only say "Unexpected token". `\n` and `\r\n` endings are accepted.
 */
export async function* readUtf8Lines(path: string): AsyncGenerator<TextLine> {
  // ignoreBOM keeps a leading U+FEFF in the text, so it can be named instead of silently dropped on line 1 only.
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const decode = (bytes: Buffer, number: number): TextLine => {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length;
    let text: string;
    try {
      text = decoder.decode(bytes.subarray(0, end));
    } catch {
      throw new InputError(
        "dataset_invalid",
        { file: path, line: number },
        "this line is not valid UTF-8 text (the file may have been saved as Shift_JIS, Latin-1 or another encoding)",
        "Save the file as UTF-8 without a byte-order mark; see docs/benchmark-format.md",
      );
    }
    if (text.startsWith(BYTE_ORDER_MARK)) {
      throw new InputError(
        "dataset_invalid",
        { file: path, line: number },
        "the line starts with a byte-order mark (BOM, U+FEFF)",
        'Save the file as UTF-8 without a byte-order mark (in most editors: encoding "UTF-8", not "UTF-8 with BOM"); see docs/benchmark-format.md',
      );
    }
    return { number, text };
  };
  let pending: Buffer[] = [];
  let number = 0;
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      let start = 0;
      for (let newline = chunk.indexOf(NEWLINE, start); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
        pending.push(chunk.subarray(start, newline));
        number += 1;
        yield decode(pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending), number);
        pending = [];
        start = newline + 1;
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      "dataset_invalid",
      { file: path },
      `the file cannot be read (${errorMessage(error)})`,
      "Check that the path names a readable JSONL file",
    );
  }
  if (pending.length > 0) yield decode(Buffer.concat(pending), number + 1);
}
