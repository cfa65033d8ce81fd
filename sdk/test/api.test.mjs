import { test } from "node:test";
import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { loadPage } from "../testkit/helpers.mjs";
import { START } from "../testkit/fake-window.mjs";

test("calls queued before the script loaded are replayed in order", async () => {
  const seen = [];
  const page = await loadPage({
    queue: [
      ["track", "Read", { id: 1 }],
      ["page", { category: "travel" }],
      ["ready", () => seen.push("ready")],
      ["track", "Read", { id: 2 }],
    ],
  });
  await page.tick(1000);

  const events = page.collects[0].body.events;
  assert.deepEqual(
    events.map((e) => e.name),
    ["Pageview", "Read", "Read"],
  );
  assert.equal(events[0].properties.category, "travel");
  assert.equal(events[0].properties.path, "/travel/lisbon");
  assert.equal(events[0].properties.title, "Lisbon in three days");
  assert.equal(events[0].time, START);
  assert.deepEqual(seen, ["ready"]);
});

test("the API works both as methods and as a function after load", async () => {
  const page = await loadPage();
  page.cc.track("Read");
  page.cc("track", "Read");

  assert.deepEqual(page.cc.cohorts(), ["travel"]);
  assert.deepEqual(page.cc("cohorts"), ["travel"]);
});

test("entry and exit listeners hear membership changes", async () => {
  const page = await loadPage();
  const changes = [];
  page.cc.on("entry", (c) => changes.push(c));
  page.cc.on("entry", () => {
    throw new Error("a broken listener");
  });
  page.cc.track("Score");

  assert.deepEqual(changes, [{ cohort: "sport", kind: "entry", time: START }]);
});

test("properties that are not an object are recorded as none", async () => {
  const page = await loadPage();
  page.cc.track("Read", "travel");
  page.cc.track("Read", [1, 2]);
  await page.tick(1000);

  const events = page.collects
    .flatMap((c) => c.body.events)
    .filter((e) => e.name === "Read");
  assert.deepEqual(
    events.map((e) => e.properties),
    [{}, {}],
  );
});

test("misuse warns instead of throwing", async () => {
  const page = await loadPage();
  const cyclic = {};
  cyclic.self = cyclic;

  page.cc.track();
  page.cc.track("Read", cyclic);
  page.cc.on("enter", () => {});
  page.cc("no-such-method");

  assert.ok(page.warnings.some((w) => w.includes("needs an event name")));
  assert.ok(page.warnings.some((w) => w.includes("on() takes")));
});

test("identify sends a hash of the normalised email, never the email", async () => {
  const page = await loadPage();
  page.cc.identify("u-42", { email: "  Jane.Doe@Example.COM " });
  // WebCrypto digests on a worker thread; give it real time.
  await new Promise((resolve) => setTimeout(resolve, 50));
  page.cc.track("Read");
  await page.tick(1000);

  const batch = page.collects.at(-1).body;
  assert.equal(batch.user_id, "u-42");
  assert.equal(
    batch.email_sha256,
    createHash("sha256").update("jane.doe@example.com").digest("hex"),
  );
  assert.ok(!JSON.stringify(page.collects).includes("example.com"));
  assert.ok(!JSON.stringify([...page.win.localStorage.items]).includes("@"));
});
