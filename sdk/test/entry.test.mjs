import { test } from "node:test";
import assert from "node:assert/strict";
import { fakeWindow } from "../testkit/fake-window.mjs";

let loads = 0;

/** Runs src/index.js as the browser would, with this script tag. */
async function loadScript(attributes, options = {}) {
  const browser = fakeWindow(options);
  browser.win.document.currentScript = {
    src: "https://cc.example/sdk/v1/cohortcast.js",
    getAttribute: (name) => attributes[name] ?? null,
  };
  if (options.queue) browser.win.cohortcast = { q: options.queue };
  globalThis.window = browser.win;
  // A new URL gives a new module instance, so the script runs again.
  await import(`../src/index.js?load=${++loads}`);
  await browser.tick();
  return browser;
}

test("the script tag gives the server origin, SDK key and page properties", async () => {
  const browser = await loadScript(
    {
      "data-sdk-key": "sdk_abc",
      "data-page-properties": '{"category":"travel"}',
    },
    { queue: [["track", "Read"]] },
  );
  await browser.tick(1000);

  assert.deepEqual(browser.configs, [
    "https://cc.example/sdk/v1/sdk_abc/config.json",
  ]);
  const [pageview, read] = browser.collects[0].body.events;
  assert.equal(pageview.properties.category, "travel");
  assert.equal(read.name, "Read");
});

test("data-consent-required holds everything until consent", async () => {
  const browser = await loadScript({
    "data-sdk-key": "sdk_abc",
    "data-consent-required": "true",
  });
  browser.win.cohortcast.track("Score");
  await browser.tick(60000);
  assert.equal(browser.collects.length + browser.pixels.length, 0);

  browser.win.cohortcast("consent", true);
  await browser.tick();
  assert.equal(browser.pixels.length, 1);
});

test("bad page properties only warn, with the debug flag", async () => {
  const browser = await loadScript({
    "data-sdk-key": "sdk_abc",
    "data-page-properties": "{not json",
    "data-debug": "true",
  });

  assert.equal(typeof browser.win.cohortcast.track, "function");
  assert.ok(browser.warnings.some((w) => w.includes("data-page-properties")));
});

test("a second copy of the script leaves the first one in charge", async () => {
  const browser = await loadScript({ "data-sdk-key": "sdk_abc" });
  const first = browser.win.cohortcast;
  await import(`../src/index.js?load=${++loads}`);

  assert.equal(browser.win.cohortcast, first);
  assert.equal(browser.configs.length, 1);
});

test("a page without the script tag gets no error", async () => {
  const browser = fakeWindow();
  browser.win.document.currentScript = null;
  browser.win.document.querySelector = () => null;
  globalThis.window = browser.win;

  await import(`../src/index.js?load=${++loads}`);
  assert.equal(browser.win.cohortcast, undefined);
});
