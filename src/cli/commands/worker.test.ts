import { Command, InvalidArgumentError } from "commander";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bindingFlag, registerWorker } from "./worker.js";

/** The options `medsafety worker <args>` parses (the action does not run). */
function workerOptions(args: readonly string[]): Record<string, unknown> {
  const program = new Command().exitOverride();
  registerWorker(program, { out: () => undefined, err: () => undefined, isTTY: false }, () => undefined);
  const worker = program.commands.find((command) => command.name() === "worker") as Command;
  worker.exitOverride().configureOutput({ writeErr: () => undefined });
  worker.parseOptions([...args]);
  return worker.opts();
}

describe("--bind id.baseURL=<url>", () => {
  it("maps a binding id to the URL this machine reaches it at", () => {
    expect(bindingFlag("qwen.baseURL=http://gpu-3:8000/v1")).toEqual({ qwen: "http://gpu-3:8000/v1" });
    // Ids may hold dots, dashes and underscores: the last `.baseURL=` separates id and URL.
    expect(bindingFlag("qwen2.5-72b_a.baseURL=http://gpu-3:8000/v1?x=a=b")).toEqual({
      "qwen2.5-72b_a": "http://gpu-3:8000/v1?x=a=b",
    });
  });

  it("accumulates when repeated, the later flag winning for the same id", () => {
    const once = bindingFlag("a.baseURL=http://one/v1");
    const twice = bindingFlag("b.baseURL=http://two/v1", once);
    expect(twice).toEqual({ a: "http://one/v1", b: "http://two/v1" });
    expect(once).toEqual({ a: "http://one/v1" });
    expect(bindingFlag("a.baseURL=http://three/v1", twice)).toEqual({ a: "http://three/v1", b: "http://two/v1" });
  });

  it("refuses anything else with the expected form and an example", () => {
    for (const value of [
      "qwen=http://gpu-3:8000/v1",
      "qwen.model=http://gpu-3:8000/v1",
      "qwen.baseurl=http://gpu-3:8000/v1",
      "qwen.baseURL=",
      "qwen.baseURL=http://gpu 3/v1",
      ".baseURL=http://gpu-3:8000/v1",
      "-x.baseURL=http://gpu-3:8000/v1",
      "qw en.baseURL=http://gpu-3:8000/v1",
    ]) {
      expect(() => bindingFlag(value), value).toThrow(InvalidArgumentError);
      expect(() => bindingFlag(value), value).toThrow("expected <binding id>.baseURL=<url>, e.g. qwen.baseURL=");
    }
  });

  it("gives back the id and URL it was given, for any well-formed pair", () => {
    const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
    const url = fc.webUrl().filter((value) => !/\s/.test(value));
    fc.assert(
      fc.property(id, url, (key, value) => {
        expect(bindingFlag(`${key}.baseURL=${value}`)).toEqual({ [key]: value });
      }),
      { seed: 20261202 },
    );
  });

  it("is what `medsafety worker --bind … --bind …` parses", () => {
    expect(
      workerOptions(["--bind", "safe.baseURL=http://gpu-1/v1", "--bind", "judge-a.baseURL=http://gpu-2/v1"])["bind"],
    ).toEqual({ safe: "http://gpu-1/v1", "judge-a": "http://gpu-2/v1" });
    expect(() => workerOptions(["--bind", "safe=http://gpu-1/v1"])).toThrow(
      "expected <binding id>.baseURL=<url>, e.g. qwen.baseURL=http://gpu-3:8000/v1",
    );
  });
});
