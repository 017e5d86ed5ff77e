/**
 * A worker thread that makes AI SDK calls for the main thread (see worker-pool.ts): HTTP, JSON and the
 * provider's response handling run here, so one run can use more than one core. Models are created once per
 * binding; API keys come from this thread's copy of the environment, never through messages.
 */
import { parentPort } from "node:worker_threads";
import { hashValue } from "../core/index.js";
import { createAiSdkModel } from "./ai-sdk-model.js";
import type { ChatModel } from "./chat-model.js";
import type { ModelSettings } from "./model-settings.js";
import { serializeError, type WorkerCommand, type WorkerReply } from "./worker-protocol.js";

const port = parentPort;
if (port === null) throw new Error("provider-worker.js must run as a worker thread");

const models = new Map<string, ChatModel>();
const inFlight = new Map<number, AbortController>();

function modelFor(settings: ModelSettings): ChatModel {
  const key = hashValue(settings);
  let model = models.get(key);
  if (model === undefined) {
    model = createAiSdkModel(settings, process.env);
    models.set(key, model);
  }
  return model;
}

async function call(id: number, settings: ModelSettings, request: WorkerCommand & { type: "call" }): Promise<void> {
  const controller = new AbortController();
  inFlight.set(id, controller);
  let reply: WorkerReply;
  try {
    reply = {
      type: "result",
      id,
      response: await modelFor(settings).generate(request.request, { signal: controller.signal }),
    };
  } catch (error) {
    reply = { type: "error", id, error: serializeError(error) };
  } finally {
    inFlight.delete(id);
  }
  port?.postMessage(reply);
}

port.on("message", (command: WorkerCommand) => {
  if (command.type === "abort") inFlight.get(command.id)?.abort();
  else void call(command.id, command.settings, command);
});
