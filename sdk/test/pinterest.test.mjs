import { test } from "node:test";
import assert from "node:assert/strict";
import { loadPage } from "../testkit/helpers.mjs";
import {
  START,
  TAG,
  config,
  deliveries,
  memoryLocalStorage,
} from "../testkit/fake-window.mjs";
import { duePixels, pixelUrl } from "../src/pinterest.js";

const ALT_A = "2610000000001";
const ALT_B = "2610000000002";
const DAY = 86400000;

function threeTags() {
  return config({
    cohorts: [
      { code: "travel", definition: { event: "Read" } },
      { code: "sport", definition: { event: "Score" } },
      { code: "food", definition: { event: "Cook" } },
    ],
    routing: [
      { tag_id: ALT_A, cohort_codes: ["sport", "travel"] },
      { tag_id: ALT_B, cohort_codes: ["food", "travel"] },
      { tag_id: TAG, cohort_codes: ["travel"] },
    ],
  });
}

test("each Tag ID receives only the cohorts routed to it", async () => {
  const page = await loadPage({ config: threeTags() });
  page.cc.track("Read");
  page.cc.track("Score");

  assert.deepEqual(deliveries(page.pixels), {
    [ALT_A]: ["sport", "travel"],
    [ALT_B]: ["travel"],
    [TAG]: ["travel"],
  });
});

test("the pixel follows the design's wire format", async () => {
  const page = await loadPage();
  page.cc.track("Score");

  const [url] = page.pixels;
  const visitor = JSON.parse(
    page.win.localStorage.getItem("cohortcast:k:visitor_id"),
  );
  assert.equal(url.origin + url.pathname, "https://ct.pinterest.com/v3/");
  assert.equal(url.searchParams.get("tid"), TAG);
  assert.equal(url.searchParams.get("event"), "custom");
  assert.deepEqual(JSON.parse(url.searchParams.get("ed")), {
    cohort_code: "sport",
    event_id: `cc.sport.${visitor}.${START}`,
  });
  assert.equal(url.searchParams.get("cb"), String(START));
});

test("a fire adds a delivery receipt to the next batch", async () => {
  const page = await loadPage();
  page.cc.track("Score");
  await page.tick(1000);

  const receipts = page.collects.flatMap((c) => c.body.receipts);
  assert.equal(receipts.length, 1);
  assert.equal(receipts[0].tag_id, TAG);
  assert.equal(receipts[0].cohort_code, "sport");
  assert.match(receipts[0].event_id, /^cc\.sport\.v_[0-9a-f]{16}\.\d+$/);
});

test("a reload or a second tab never fires twice for one entry", async () => {
  const localStorage = memoryLocalStorage();
  const first = await loadPage({ localStorage });
  first.cc.track("Score");
  const second = await loadPage({ localStorage });
  const third = await loadPage({ localStorage });
  await second.tick(60000);
  await first.tick(60000);

  assert.equal(first.pixels.length, 1);
  assert.equal(second.pixels.length + third.pixels.length, 0);
});

test("a visitor who stays in is re-fired once per refresh period", async () => {
  const localStorage = memoryLocalStorage();
  const first = await loadPage({ localStorage });
  first.cc.track("Score");
  await first.tick(DAY - 1);
  assert.equal(first.pixels.length, 1);

  await first.tick(1);
  assert.equal(first.pixels.length, 2);
  const ed = JSON.parse(first.pixels[1].searchParams.get("ed"));
  assert.ok(ed.event_id.endsWith(`.${START + DAY}`));

  const later = await loadPage({ localStorage, now: START + DAY + 5000 });
  assert.equal(later.pixels.length, 0);
});

test("an exit clears the ledger so a re-entry fires again", () => {
  const routing = [{ tag_id: TAG, cohort_codes: ["a"] }];
  const ledger = {};
  duePixels(ledger, routing, ["a"], { a: START }, START, DAY);
  assert.deepEqual(ledger, { [`${TAG}|a`]: START });

  duePixels(ledger, routing, [], {}, START + 10, DAY);
  assert.deepEqual(ledger, {});
  const again = duePixels(
    ledger,
    routing,
    ["a"],
    { a: START + 20 },
    START + 20,
    DAY,
  );
  assert.deepEqual(again, [{ tag_id: TAG, cohort_code: "a", at: START + 20 }]);
});

test("a time-only exit is noticed on a timer", async () => {
  const page = await loadPage({
    config: config({
      cohorts: [
        { code: "sport", definition: { event: "Score", until: START + 5000 } },
      ],
    }),
  });
  const exits = [];
  page.cc.on("exit", (change) => exits.push(change));
  page.cc.track("Score");
  await page.tick(5000);

  assert.deepEqual(exits, [
    { cohort: "sport", kind: "exit", time: START + 5000 },
  ]);
  assert.deepEqual(page.cc.cohorts(), []);
});

test("a new activation takes effect without waiting for a cohort change", async () => {
  const localStorage = memoryLocalStorage();
  const first = await loadPage({ localStorage });
  first.cc.track("Score");
  const next = await loadPage({
    localStorage,
    config: config({
      version: "v2",
      routing: [
        { tag_id: ALT_A, cohort_codes: ["sport"] },
        { tag_id: TAG, cohort_codes: ["sport"] },
      ],
    }),
  });

  assert.deepEqual(deliveries(next.pixels), { [ALT_A]: ["sport"] });
});

test("a toggled-off cohort is not fired on the next page view", async () => {
  const localStorage = memoryLocalStorage();
  const first = await loadPage({ localStorage });
  const next = await loadPage({
    localStorage,
    config: config({ version: "v2", routing: [] }),
  });
  next.cc.track("Score");

  assert.deepEqual(next.pixels, []);
  assert.equal(first.pixels.length, 0);
});

test("Tag IDs and event names are URL-encoded", () => {
  const url = new URL(
    pixelUrl(
      { pixel_url: "https://ct.pinterest.com/v3/", event: "a&b" },
      "1&x=2",
      "c",
      "id",
      1,
    ),
  );
  assert.equal(url.searchParams.get("tid"), "1&x=2");
  assert.equal(url.searchParams.get("event"), "a&b");
});

// Web Locks that hold every request until `open()`, then grant them one at
// a time, as a browser does when two tabs ask at the same moment.
function gatedLocks() {
  const waiting = [];
  return {
    names: [],
    request(name, callback) {
      this.names.push(name);
      return new Promise((resolve) => waiting.push(() => resolve(callback())));
    },
    async open() {
      while (waiting.length) await waiting.shift()();
    },
  };
}

test("two tabs deciding at the same moment fire once, under the lock", async () => {
  const localStorage = memoryLocalStorage();
  const locks = gatedLocks();
  const first = await loadPage({ localStorage, navigator: { locks } });
  first.cc.track("Score");
  const second = await loadPage({ localStorage, navigator: { locks } });
  await locks.open();

  assert.equal(first.pixels.length + second.pixels.length, 1);
});

test("each SDK key's ledger has its own lock, so two workspaces never wait for each other", async () => {
  const localStorage = memoryLocalStorage();
  const locks = gatedLocks();
  const first = await loadPage({
    localStorage,
    navigator: { locks },
    sdkKey: "k1",
  });
  first.cc.track("Score");
  const second = await loadPage({
    localStorage,
    navigator: { locks },
    sdkKey: "k2",
  });
  second.cc.track("Score");
  await locks.open();

  assert.deepEqual([...new Set(locks.names)].sort(), [
    "cohortcast:k1:ledger",
    "cohortcast:k2:ledger",
  ]);
  assert.equal(first.pixels.length, 1);
  assert.equal(second.pixels.length, 1);
});

test("a ledger entry no longer routed never spins the timer", async () => {
  const localStorage = memoryLocalStorage();
  const first = await loadPage({ localStorage });
  first.cc.track("Score");
  const later = await loadPage({
    localStorage,
    now: START + 2 * DAY,
    config: config({ version: "v2", routing: [] }),
  });
  await later.tick(DAY);

  assert.equal(later.pixels.length, 0);
  assert.ok(later.timersRun < 5, `${later.timersRun} timers ran`);
});
