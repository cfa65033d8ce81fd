import { compileCohorts } from "./engine/index.js";
import { createSdk } from "./sdk.js";
import { installApi } from "./api.js";
import { createWarn } from "./log.js";

// The entry point: reads the configuration off its own <script> tag, then
// installs the API. Nothing here may throw into the host page, not even on a
// mistyped snippet; with the debug flag on, the reason is logged.
(function (win) {
  let warn = () => {};
  try {
    const doc = win.document;
    const script =
      doc.currentScript || doc.querySelector("script[data-sdk-key]");
    const attr = (name) => script.getAttribute("data-" + name);
    let debug = attr("debug") === "true";
    if (win.cohortcast && win.cohortcast.loaded) return;
    try {
      debug = debug || !!win.localStorage.getItem("cohortcast:debug");
    } catch (e) {
      // Blocked storage only means no debug flag from it.
    }
    warn = createWarn(win, debug);

    const sdk = createSdk({
      win: win,
      compile: compileCohorts,
      origin: new URL(script.src).origin,
      sdkKey: attr("sdk-key") || "",
      debug: debug,
      consentRequired: attr("consent-required") === "true",
    });
    let page = {};
    try {
      page = JSON.parse(attr("page-properties") || "{}");
    } catch (e) {
      warn("data-page-properties is not JSON");
    }
    installApi(win, sdk, page);
  } catch (e) {
    warn("could not start: " + e);
  }
})(window);
