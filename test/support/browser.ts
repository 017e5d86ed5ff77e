/**
 * Headless Chromium for tests that look at what a person sees (the HTML report). Uses the system's Chromium
 * (Debian's `chromium`, installed by .ci/run) through playwright-core, which downloads no browser of its own.
 */
import { type Browser, chromium } from "playwright-core";
import { CHROMIUM_PATH } from "./requirements.js";

export { CHROMIUM_PATH };

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
  });
}
