/** The ChatModel contract against the local GGUF pool, with the real tiny model in ../shared/models (one thread). */
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SHARED_MODELS, sharedModel, skipWithout } from "../../test/support/requirements.js";
import { chatModelContract } from "./chat-model.contract.js";
import { LocalModelPool } from "./local-model.js";
import { modelSettingsSchema } from "./model-settings.js";

const MODEL_FILE = "stories260K.gguf";
const haveModel = !skipWithout(sharedModel(MODEL_FILE));

const NO_HTTP = "a local GGUF model makes no HTTP call, so there is no status code, retry-after or retry to observe";

if (haveModel) {
  const pool = new LocalModelPool();
  afterAll(() => pool.close());
  chatModelContract("local GGUF pool (node-llama-cpp, stories260K)", {
    kind: "live",
    makeModel: (overrides = {}) =>
      pool.chatModel({
        ...modelSettingsSchema.parse({
          id: "contract",
          model: `local:${path.join(SHARED_MODELS, MODEL_FILE)}`,
          threads: 1,
          contextSize: 1024,
        }),
        ...overrides,
      }),
    timeoutRetryable: false,
    notApplicable: {
      "invalid-json": "a response schema becomes a grammar, so the model can only emit JSON that follows it",
      "retry-after": NO_HTTP,
      "retry-500": NO_HTTP,
      "lasting-500": NO_HTTP,
      auth: "a local model needs no API key",
      malformed: "node-llama-cpp hands over text, never a response body to decode",
      refused:
        "nothing to connect to: the file is loaded in process (a missing file is model_unavailable, see local-model.test.ts)",
    },
  });
} else {
  // skipWithout printed why (and threw in CI); this test keeps the skip visible in the report.
  describe("ChatModel contract: local GGUF pool", () => {
    it(`does not run here: ${MODEL_FILE} is missing from ${SHARED_MODELS}`, () => {
      expect(haveModel).toBe(false);
    });
  });
}
