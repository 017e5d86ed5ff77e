import { describe, expect, it } from "vitest";
import { RESULT_EXPORT_FORMATS } from "../../library/index.js";
import { EXPORT_RESULT_FORMATS } from "./export-results.js";

describe("export results flags", () => {
  it("offers exactly the library's formats (copied so that --help loads no library code)", () => {
    expect([...EXPORT_RESULT_FORMATS]).toEqual([...RESULT_EXPORT_FORMATS]);
  });
});
