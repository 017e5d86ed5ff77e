/**
 * Headless Chromium for tests that look at what a person sees (the HTML report). Uses the system's Chromium
 * (Debian's `chromium`, installed by .ci/run) through playwright-core, which downloads no browser of its own.
 */
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"],
  });
}
