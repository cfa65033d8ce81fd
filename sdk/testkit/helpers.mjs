import { createSdk } from "../src/sdk.js";
import { installApi } from "../src/api.js";
import { compileCohorts } from "./fake-engine.mjs";
import { fakeWindow } from "./fake-window.mjs";

/** One page view: a fake window with the SDK loaded and its queue replayed. */
export async function loadPage(options = {}, page = {}) {
  const browser = options.browser ?? fakeWindow(options);
  if (options.queue) browser.win.cohortcast = { q: options.queue };
  const sdk = createSdk({
    win: browser.win,
    compile: options.compile ?? compileCohorts,
    origin: "https://cc.example",
    sdkKey: options.sdkKey ?? "k",
    debug: true,
    consentRequired: options.consentRequired === true,
  });
  installApi(browser.win, sdk, page);
  await browser.tick();
  return { ...browser, cc: browser.win.cohortcast };
}
