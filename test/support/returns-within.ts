import vm from "node:vm";

const context = vm.createContext({ compute: (): unknown => undefined });
const call = new vm.Script("compute()");

/**
 * Calls `compute` and returns what it returns or throws, but fails (throws "did not return within …") when it runs
 * longer than `milliseconds`. A synchronous endless loop blocks the event loop, so vitest's per-test timeout never
 * fires for it; V8's execution watchdog (`vm` `timeout`) interrupts any JavaScript the script calls, including
 * functions defined outside the context, and the test fails instead of hanging the run. One context is reused:
 * creating one per call costs milliseconds, and property tests make thousands of calls.
 */
export function returnsWithin<T>(milliseconds: number, compute: () => T): T {
  context["compute"] = compute;
  try {
    return call.runInContext(context, { timeout: milliseconds }) as T;
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT")
      throw new Error(`did not return within ${milliseconds} ms`);
    throw error;
  } finally {
    context["compute"] = undefined;
  }
}
