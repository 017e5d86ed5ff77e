import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { endQuietlyOnClosedPipe } from "./output.js";

function streamError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`write ${code}`), { code, syscall: "write" });
}

describe("endQuietlyOnClosedPipe", () => {
  it("a closed stdout or stderr (EPIPE) ends with exit code 0 and prints nothing", () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const codes: number[] = [];
    endQuietlyOnClosedPipe({ stdout, stderr }, (code) => codes.push(code));
    stdout.emit("error", streamError("EPIPE"));
    stderr.emit("error", streamError("EPIPE"));
    expect(codes).toEqual([0, 0]);
    expect(stderr.read()).toBeNull();
  });

  it("another write error on stdout ends with exit code 1 and says so in one line", () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const codes: number[] = [];
    endQuietlyOnClosedPipe({ stdout, stderr }, (code) => codes.push(code));
    stdout.emit("error", streamError("ENOSPC"));
    expect(codes).toEqual([1]);
    expect(String(stderr.read())).toBe("medsafety: cannot write to standard output (ENOSPC): write ENOSPC\n");
  });
});
