import { test } from "node:test";
import assert from "node:assert/strict";
import { loadPage } from "../testkit/helpers.mjs";
import { memoryLocalStorage } from "../testkit/fake-window.mjs";

const names = (page) =>
  page.collects.flatMap((c) => c.body.events.map((e) => e.name));

test("events are sent in one batch with the visitor and signals", async () => {
  const page = await loadPage({ cookie: "a=1; _pin_unauth=secret" });
  page.cc.track("Read", { n: 1 });
  page.cc.track("Read", { n: 2 });
  await page.tick(1000);

  const batch = page.collects.at(-1).body;
  assert.match(batch.visitor_id, /^v_[0-9a-f]{16}$/);
  assert.deepEqual(batch.signals, { pinterest_cookie: true, consent: true });
  assert.ok(!JSON.stringify(batch).includes("secret"));
  assert.deepEqual(names(page), ["Pageview", "Read", "Read"]);
  assert.equal(
    new Set(page.collects.flatMap((c) => c.body.events.map((e) => e.id))).size,
    3,
  );
});

for (const failure of [503, 404, 429, new TypeError("Failed to fetch")]) {
  test(`a failed request (${failure}) is retried without losing events`, async () => {
    let fail = true;
    const page = await loadPage({ collect: () => (fail ? failure : 200) });
    page.cc.track("Read");
    await page.tick(1000);
    fail = false;
    await page.tick(5000);

    const last = page.collects.at(-1).body.events.map((e) => e.name);
    assert.deepEqual(last, ["Pageview", "Read"]);
    await page.tick(60000);
    assert.equal(page.collects.length, 3);
  });
}

test("events left unsent on a closed page go out on the next page view", async () => {
  const localStorage = memoryLocalStorage();
  const first = await loadPage({ localStorage, collect: () => 503 });
  first.cc.track("Read");
  const next = await loadPage({ localStorage });

  assert.deepEqual(names(next), ["Pageview", "Read", "Pageview"]);
});

test("a refused batch is dropped with a warning", async () => {
  const page = await loadPage({ collect: () => 400 });
  page.cc.track("Read");
  await page.tick(60000);

  assert.equal(page.collects.length, 2);
  assert.ok(page.warnings.some((w) => w.includes("HTTP 400")));
});

test("hiding the page reports engaged time and sends at once", async () => {
  const page = await loadPage();
  await page.tick(1000);
  page.cc.track("Read");
  page.hide();
  await page.tick();

  const last = page.collects.at(-1);
  assert.equal(last.init.keepalive, true);
  assert.deepEqual(last.body.events, [
    last.body.events[0],
    {
      id: last.body.events[1].id,
      name: "PageviewEngagement",
      time: last.body.events[1].time,
      properties: { engaged_seconds: 1, path: "/travel/lisbon" },
    },
  ]);
  assert.equal(last.body.events[0].name, "Read");
});

test("the retry queue is bounded, dropping the oldest", async () => {
  const page = await loadPage({ collect: () => 503 });
  for (let i = 0; i < 600; i++) page.cc.track("Read", { i });

  const queue = JSON.parse(page.win.localStorage.getItem("cohortcast:k:queue"));
  assert.equal(queue.events.length, 500);
  assert.equal(queue.events[0].properties.i, 100);
  assert.ok(page.warnings.some((w) => w.includes("retry queue full")));
});

test("a request that never answers is given up after 30 s and sent again", async () => {
  let hang = true;
  const page = await loadPage({ collect: () => (hang ? "hang" : 200) });
  page.cc.track("Read");
  await page.tick(1000);
  const stuck = page.collects.length;
  await page.tick(29000);
  assert.equal(page.collects.length, stuck);

  hang = false;
  await page.tick(5000);
  assert.equal(page.collects.length, stuck + 1);
  assert.deepEqual(names(page).slice(-2), ["Pageview", "Read"]);
  assert.ok(page.warnings.some((w) => w.includes("will retry")));
  await page.tick(60000);
  assert.equal(page.collects.length, stuck + 1);
});
