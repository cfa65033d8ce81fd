import { test } from "node:test";
import assert from "node:assert/strict";
import { loadPage } from "../testkit/helpers.mjs";
import {
  START,
  TAG,
  config,
  memoryLocalStorage,
} from "../testkit/fake-window.mjs";
import { compileCohorts } from "../src/engine/index.js";

const MINUTE = 60000;

function withinAMinute() {
  return config({
    cohorts: [
      {
        code: "sport",
        definition: { event: "Score", within: { minutes: 1 } },
      },
    ],
    routing: [{ tag_id: TAG, cohort_codes: ["sport"] }],
  });
}

test("with the real engine, a window sliding past the event exits on a timer", async () => {
  const page = await loadPage({
    compile: compileCohorts,
    config: withinAMinute(),
  });
  const changes = [];
  page.cc.on("entry", (change) => changes.push(change));
  page.cc.on("exit", (change) => changes.push(change));
  page.cc.track("Score");
  await page.tick(MINUTE);

  assert.deepEqual(changes, [
    { cohort: "sport", kind: "entry", time: START },
    { cohort: "sport", kind: "exit", time: START + MINUTE },
  ]);
  assert.deepEqual(page.cc.cohorts(), []);

  page.cc.track("Score");
  assert.equal(page.pixels.length, 2);
});

test("a time-only exit while away is applied on the next page view", async () => {
  const localStorage = memoryLocalStorage();
  const first = await loadPage({
    localStorage,
    compile: compileCohorts,
    config: withinAMinute(),
  });
  first.cc.track("Score");
  assert.deepEqual(first.cc.cohorts(), ["sport"]);

  const later = await loadPage({
    localStorage,
    compile: compileCohorts,
    config: withinAMinute(),
    now: START + 2 * MINUTE,
  });
  assert.deepEqual(later.cc.cohorts(), []);
  later.cc.track("Score");
  assert.equal(first.pixels.length + later.pixels.length, 2);
});
