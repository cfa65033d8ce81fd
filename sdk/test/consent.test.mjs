import { test } from "node:test";
import assert from "node:assert/strict";
import { loadPage } from "../testkit/helpers.mjs";
import { config, memoryLocalStorage } from "../testkit/fake-window.mjs";

const stored = (page) => [...page.win.localStorage.items.keys()];

test("nothing is stored, sent or fired before consent when the page requires it", async () => {
  const page = await loadPage({ consentRequired: true });
  page.cc.track("Score");
  await page.tick(60000);

  assert.deepEqual(stored(page), []);
  assert.deepEqual(page.collects, []);
  assert.deepEqual(page.pixels, []);
  assert.deepEqual(page.cc.cohorts(), ["sport"]);
});

test("the configuration can require consent too", async () => {
  const page = await loadPage({ config: config({ consent_required: true }) });
  page.cc.track("Score");
  await page.tick(60000);

  assert.deepEqual(stored(page), []);
  assert.equal(page.collects.length + page.pixels.length, 0);
});

test("consent(true) stores, sends what was held and fires", async () => {
  const page = await loadPage({ consentRequired: true });
  page.cc.track("Score");
  page.cc.consent(true);
  await page.tick();

  assert.ok(stored(page).includes("cohortcast:k:state"));
  assert.equal(page.pixels.length, 1);
  assert.deepEqual(
    page.collects[0].body.events.map((e) => e.name),
    ["Pageview", "Score"],
  );
});

test("consent given once holds on the next page view", async () => {
  const localStorage = memoryLocalStorage();
  const first = await loadPage({ localStorage, consentRequired: true });
  first.cc.consent(true);
  const next = await loadPage({ localStorage, consentRequired: true });
  next.cc.track("Score");

  assert.equal(next.pixels.length, 1);
});

test("a visitor who refuses and later consents is a new visitor", async () => {
  const page = await loadPage();
  await page.tick(1000);
  page.cc.consent(false);
  page.cc.consent(true);
  page.cc.track("Read");
  await page.tick(1000);

  const visitors = new Set(page.collects.map((c) => c.body.visitor_id));
  assert.equal(visitors.size, 2);
});

test("consent(false) clears stored state and stops", async () => {
  const localStorage = memoryLocalStorage();
  localStorage.setItem("publisher:own", "kept");
  const page = await loadPage({ localStorage });
  page.cc.track("Score");
  await page.tick(1000);
  const sent = page.collects.length;
  page.cc.consent(false);
  page.cc.track("Read");
  page.cc.track("Read");
  await page.tick(60000);

  assert.deepEqual(stored(page).sort(), [
    "cohortcast:consent",
    "publisher:own",
  ]);
  assert.equal(page.collects.length, sent);
  assert.equal(page.pixels.length, 1);

  const next = await loadPage({ localStorage });
  next.cc.track("Score");
  await next.tick(60000);
  assert.equal(next.collects.length + next.pixels.length, 0);
});

function cmp(consents, gdprApplies = true) {
  return (command, version, callback) => {
    assert.equal(command, "addEventListener");
    callback(
      { gdprApplies, eventStatus: "tcloaded", purpose: { consents } },
      true,
    );
  };
}

test("a TCF CMP with purposes 1, 3 and 4 allows activation", async () => {
  const page = await loadPage({ tcf: cmp({ 1: true, 3: true, 4: true }) });
  page.cc.track("Score");
  assert.equal(page.pixels.length, 1);
});

test("a TCF CMP with purpose 1 only allows collection, not activation", async () => {
  const page = await loadPage({ tcf: cmp({ 1: true }) });
  page.cc.track("Score");
  await page.tick(1000);

  assert.equal(page.pixels.length, 0);
  assert.ok(page.collects.length > 0);
});

test("a TCF CMP without purpose 1 blocks storing and sending", async () => {
  const page = await loadPage({ tcf: cmp({ 3: true, 4: true }) });
  page.cc.track("Score");
  await page.tick(60000);

  assert.deepEqual(stored(page), []);
  assert.equal(page.pixels.length + page.collects.length, 0);
});

test("a CMP that has not answered yet holds everything", async () => {
  const page = await loadPage({ tcf: () => {} });
  page.cc.track("Score");
  await page.tick(60000);

  assert.equal(page.pixels.length + page.collects.length, 0);
});

test("where GDPR does not apply the CMP does not gate", async () => {
  const page = await loadPage({ tcf: cmp({}, false) });
  page.cc.track("Score");
  assert.equal(page.pixels.length, 1);
});

test("Global Privacy Control opts out of activation, not collection", async () => {
  const page = await loadPage({ navigator: { globalPrivacyControl: true } });
  page.cc.track("Score");
  await page.tick(1000);

  assert.equal(page.pixels.length, 0);
  assert.equal(page.collects[0].body.signals.consent, false);
  assert.deepEqual(page.cc.cohorts(), ["sport"]);
});
