import { test } from "node:test";
import assert from "node:assert/strict";
import { loadPage } from "../testkit/helpers.mjs";
import { config, memoryLocalStorage } from "../testkit/fake-window.mjs";
import { createStorage } from "../src/storage.js";

const BROKEN = [
  null,
  "not json",
  [],
  { version: 1, cohorts: "x", routing: "y" },
  { routing: [null, { tag_id: 5 }, { tag_id: "1", cohort_codes: [1] }] },
  new Error("offline"),
];

for (const answer of BROKEN) {
  test(`a broken configuration (${JSON.stringify(answer) ?? answer}) degrades quietly`, async () => {
    const page = await loadPage({ config: () => answer });
    page.cc.track("Score");
    page.cc.identify("u", null);
    page.cc.on("entry", () => {});
    await page.tick(60000);

    assert.ok(Array.isArray(page.cc.cohorts()));
    assert.deepEqual(page.pixels, []);
  });
}

test("a configuration without Pinterest settings uses the defaults", async () => {
  const page = await loadPage({ config: config({ pinterest: null }) });
  page.cc.track("Score");

  assert.equal(page.pixels[0].origin, "https://ct.pinterest.com");
  assert.equal(page.pixels[0].searchParams.get("event"), "custom");
});

test("bad Pinterest settings fall back one by one", async () => {
  const page = await loadPage({
    config: config({
      pinterest: { pixel_url: 5, event: "lead", refresh_seconds: 0 },
    }),
  });
  page.cc.track("Score");
  page.cc.track("Score");
  await page.tick(60000);

  assert.equal(page.pixels.length, 1);
  assert.equal(page.pixels[0].origin, "https://ct.pinterest.com");
  assert.equal(page.pixels[0].searchParams.get("event"), "lead");
});

test("an engine that throws is contained", async () => {
  const compile = () => {
    throw new Error("engine bug");
  };
  const page = await loadPage({ compile });
  page.cc.track("Score");
  assert.deepEqual(page.cc.cohorts(), []);
});

test("an engine that throws on a cached configuration is contained", async () => {
  const localStorage = memoryLocalStorage();
  await loadPage({ localStorage });
  const compile = () => {
    throw new Error("engine bug");
  };
  const page = await loadPage({ localStorage, compile });
  page.cc.track("Score");

  assert.equal(typeof page.cc.track, "function");
  assert.deepEqual(page.cc.cohorts(), []);
});

test("blocked localStorage falls back to memory for the page", async () => {
  const page = await loadPage({ localStorage: null });
  page.cc.track("Score");
  await page.tick(1000);

  assert.equal(page.pixels.length, 1);
  assert.deepEqual(page.cc.cohorts(), ["sport"]);
  assert.ok(page.collects.length > 0);
  assert.ok(page.warnings.some((w) => w.includes("localStorage is blocked")));
});

test("a store that refuses writes keeps values in memory", () => {
  const local = memoryLocalStorage();
  local.setItem = () => {
    throw new Error("QuotaExceededError");
  };
  const storage = createStorage({ localStorage: local }, () => {});
  storage.persist(true);
  storage.set("a", { b: 1 });
  assert.deepEqual(storage.get("a"), { b: 1 });
});

test("stored values are copies, not shared objects", () => {
  const storage = createStorage(
    { localStorage: memoryLocalStorage() },
    () => {},
  );
  const value = { n: 1 };
  storage.set("a", value);
  value.n = 2;
  assert.deepEqual(storage.get("a"), { n: 1 });
});

test("a corrupt stored value is ignored", async () => {
  const localStorage = memoryLocalStorage();
  localStorage.setItem("cohortcast:k:state", "{not json");
  localStorage.setItem("cohortcast:k:config", "[1,");
  const page = await loadPage({ localStorage });
  page.cc.track("Score");
  assert.deepEqual(page.cc.cohorts(), ["sport"]);
});

test("a cached configuration is used at once while it refreshes", async () => {
  const localStorage = memoryLocalStorage();
  await loadPage({ localStorage });
  const next = await loadPage({ localStorage, config: new Error("offline") });
  next.cc.track("Score");

  assert.equal(next.pixels.length, 1);
});

test("two SDK keys on one site keep their own state and queue", async () => {
  const localStorage = memoryLocalStorage();
  const first = await loadPage({ localStorage, sdkKey: "k1" });
  first.cc.track("Score");
  const second = await loadPage({ localStorage, sdkKey: "k2" });

  assert.deepEqual(first.cc.cohorts(), ["sport"]);
  assert.deepEqual(second.cc.cohorts(), []);
  const visitor = (key) => localStorage.getItem(`cohortcast:${key}:visitor_id`);
  assert.ok(visitor("k1") && visitor("k2") && visitor("k1") !== visitor("k2"));
});

test("what an earlier version stored under the bare prefix is adopted once", async () => {
  const localStorage = memoryLocalStorage();
  const before = await loadPage({ localStorage });
  before.cc.track("Score");
  for (const name of ["state", "visitor_id"]) {
    const value = localStorage.getItem(`cohortcast:k:${name}`);
    localStorage.removeItem(`cohortcast:k:${name}`);
    localStorage.setItem(`cohortcast:${name}`, value);
  }
  const visitor = JSON.parse(localStorage.getItem("cohortcast:visitor_id"));

  const after = await loadPage({ localStorage });

  assert.deepEqual(after.cc.cohorts(), ["sport"]);
  assert.equal(localStorage.getItem("cohortcast:state"), null);
  assert.equal(localStorage.getItem("cohortcast:visitor_id"), null);
  assert.equal(
    JSON.parse(localStorage.getItem("cohortcast:k:visitor_id")),
    visitor,
  );
});
