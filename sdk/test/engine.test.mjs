// Unit tests of the on-device cohort engine against docs/cohorts.md
// ("Reference: exact semantics"), plus the state bound and a check of
// restore(). The randomised comparison with a full-history evaluator lives in
// engine.property.test.mjs.

import assert from "node:assert/strict";
import { test } from "node:test";

import { compileCohorts } from "../src/engine/index.js";

const MINUTE = 60000;
const DAY = 86400000;

// A set from {code: definition}, failing the test on any warning.
function cohortSet(definitions) {
  const config = Object.keys(definitions).map((code) => ({
    code,
    definition: definitions[code],
  }));
  return compileCohorts(config, (message) => {
    throw new Error(`unexpected warning: ${message}`);
  });
}

const view = (time, properties = {}) => ({
  name: "Pageview",
  time,
  properties,
});
const entry = (cohort, time) => ({ cohort, kind: "entry", time });
const exit = (cohort, time) => ({ cohort, kind: "exit", time });

test("a count gte leaf enters on the Nth event and exits when it slides out", () => {
  const set = cohortSet({
    travel: {
      event: "Pageview",
      count: { op: "gte", value: 3 },
      within: { days: 30 },
    },
  });
  const state = set.newState();
  assert.deepEqual(set.process(state, view(0)), []);
  assert.deepEqual(set.process(state, view(10)), []);
  assert.deepEqual(set.process(state, view(20)), [entry("travel", 20)]);
  assert.equal(set.nextChangeTime(state), 30 * DAY);
  assert.deepEqual(set.advance(state, 30 * DAY - 1), []);
  assert.deepEqual(set.members(state), ["travel"]);
  assert.deepEqual(set.advance(state, 30 * DAY), [exit("travel", 30 * DAY)]);
  assert.equal(set.nextChangeTime(state), null);
});

test("events with equal times all count", () => {
  const set = cohortSet({
    two: { event: "Pageview", count: { op: "eq", value: 2 } },
  });
  const state = set.newState();
  set.process(state, view(5));
  assert.deepEqual(set.process(state, view(5)), [entry("two", 5)]);
  assert.deepEqual(set.process(state, view(5)), [exit("two", 5)]);
});

test("a cohort that holds on an empty history enters at the first advance", () => {
  const set = cohortSet({
    quiet: { not: { event: "Pageview" } },
    few: { event: "Pageview", count: { op: "lte", value: 1 } },
  });
  const state = set.newState();
  assert.deepEqual(set.members(state), []);
  assert.equal(set.nextChangeTime(state), null);
  assert.deepEqual(set.advance(state, 100), [
    entry("few", 100),
    entry("quiet", 100),
  ]);
  assert.deepEqual(set.process(state, view(200)), [exit("quiet", 200)]);
  assert.deepEqual(set.process(state, view(300)), [exit("few", 300)]);
});

test("time changes before an event are reported at their own times first", () => {
  const set = cohortSet({
    b: { event: "Pageview", within: { minutes: 1 } },
    a: { event: "Click", within: { minutes: 2 } },
  });
  const state = set.newState();
  set.process(state, view(0));
  set.process(state, { name: "Click", time: 0, properties: {} });
  assert.equal(set.nextChangeTime(state), MINUTE);
  assert.deepEqual(set.process(state, view(3 * MINUTE)), [
    exit("b", MINUTE),
    exit("a", 2 * MINUTE),
    entry("b", 3 * MINUTE),
  ]);
});

test("a change and an event at the same time that cancel report nothing", () => {
  const set = cohortSet({ b: { event: "Pageview", within: { minutes: 1 } } });
  const state = set.newState();
  set.process(state, view(0));
  assert.deepEqual(set.process(state, view(MINUTE)), []);
  assert.deepEqual(set.members(state), ["b"]);
  assert.equal(set.nextChangeTime(state), 2 * MINUTE);
});

test("changes at one time are listed by cohort code", () => {
  const set = cohortSet({
    zeta: { event: "Pageview" },
    alpha: { event: "Pageview" },
    mid: { cohort: "zeta" },
  });
  assert.deepEqual(set.process(set.newState(), view(7)), [
    entry("alpha", 7),
    entry("mid", 7),
    entry("zeta", 7),
  ]);
});

test("a late event counts as of its own time and is reported at now", () => {
  const set = cohortSet({
    two: {
      event: "Pageview",
      count: { op: "gte", value: 2 },
      within: { minutes: 1 },
    },
  });
  const state = set.newState();
  set.process(state, view(50000));
  set.advance(state, 70000);
  assert.deepEqual(set.process(state, view(20000)), [entry("two", 70000)]);
  assert.equal(set.nextChangeTime(state), 80000);
  assert.deepEqual(set.advance(state, 90000), [exit("two", 80000)]);
});

test("a late event already outside the window is dropped", () => {
  const set = cohortSet({ one: { event: "Pageview", within: { minutes: 1 } } });
  const state = set.newState();
  set.advance(state, 10 * MINUTE);
  assert.deepEqual(set.process(state, view(9 * MINUTE)), []);
  assert.deepEqual(state.l, {});
  assert.equal(set.nextChangeTime(state), null);
});

test("a windowed sum counts 60 buckets and a bucket leaves at (b + 60) w", () => {
  const set = cohortSet({
    engaged: {
      event: "Ping",
      sum: { property: "seconds", op: "gte", value: 120 },
      within: { hours: 1 },
    },
  });
  const state = set.newState();
  const ping = (time, seconds) => ({
    name: "Ping",
    time,
    properties: { seconds },
  });
  // w = 60 s; 59 s falls in bucket 0, which leaves at 60 * 60 s.
  assert.deepEqual(set.process(state, ping(59000, 100)), []);
  assert.deepEqual(set.process(state, ping(61000, "20")), []);
  assert.deepEqual(set.process(state, ping(62000, 20)), [
    entry("engaged", 62000),
  ]);
  assert.equal(set.nextChangeTime(state), 3600000);
  assert.deepEqual(set.advance(state, 3600000), [exit("engaged", 3600000)]);
  assert.deepEqual(
    set.process(state, ping(100, 100)),
    [],
    "bucket 0 is outside",
  );
});

test("sums without a window add every matching event", () => {
  const set = cohortSet({
    spent: {
      event: "Buy",
      sum: { property: "order.total", op: "eq", value: 3.5 },
    },
  });
  const state = set.newState();
  const buy = (time, total) => ({
    name: "Buy",
    time,
    properties: { order: { total } },
  });
  set.process(state, buy(1, 1.5));
  assert.deepEqual(set.process(state, buy(2, 2)), [entry("spent", 2)]);
  assert.deepEqual(set.process(state, buy(3, true)), []);
  assert.deepEqual(set.process(state, buy(4, 1)), [exit("spent", 4)]);
});

test("next change time reports a leaf flip even when membership holds", () => {
  const set = cohortSet({
    either: {
      any: [{ event: "Pageview", within: { minutes: 1 } }, { event: "Click" }],
    },
  });
  const state = set.newState();
  set.process(state, { name: "Click", time: 0, properties: {} });
  set.process(state, view(10));
  assert.equal(set.nextChangeTime(state), MINUTE + 10);
  assert.deepEqual(set.advance(state, 2 * MINUTE), []);
  assert.equal(set.nextChangeTime(state), null);
});

test("an eq count flips in then out as its times leave the window", () => {
  const set = cohortSet({
    one: {
      event: "Pageview",
      count: { op: "eq", value: 1 },
      within: { minutes: 1 },
    },
  });
  const state = set.newState();
  set.process(state, view(0));
  set.process(state, view(1000));
  assert.deepEqual(set.members(state), []);
  assert.equal(set.nextChangeTime(state), MINUTE);
  assert.deepEqual(set.advance(state, MINUTE + 1000), [
    entry("one", MINUTE),
    exit("one", MINUTE + 1000),
  ]);
});

test("advance to a time not after now does nothing", () => {
  const set = cohortSet({ one: { event: "Pageview", within: { minutes: 1 } } });
  const state = set.newState();
  set.process(state, view(1000));
  assert.deepEqual(set.advance(state, 500), []);
  assert.equal(state.n, 1000);
});

test("predicates follow the reference table", () => {
  const cases = [
    [{ property: "n", op: "eq", value: 1 }, { n: 1.0 }, true],
    [{ property: "n", op: "eq", value: 1 }, { n: "1" }, false],
    [{ property: "n", op: "eq", value: true }, { n: 1 }, false],
    [{ property: "n", op: "ne", value: 1 }, {}, true],
    [{ property: "a.b", op: "eq", value: "x" }, { a: { b: "x" } }, true],
    [{ property: "a.b", op: "exists", value: true }, { a: "str" }, false],
    [{ property: "a.b", op: "exists", value: true }, { a: [{ b: 1 }] }, false],
    [{ property: "a", op: "exists" }, { a: null }, false],
    [{ property: "a", op: "exists", value: false }, { a: null }, true],
    [{ property: "a", op: "exists" }, { a: {} }, true],
    [{ property: "n", op: "in", value: [1, "x"] }, { n: "x" }, true],
    [{ property: "n", op: "in", value: [1, "x"] }, { n: "1" }, false],
    [{ property: "n", op: "not_in", value: [1] }, {}, true],
    [{ property: "t", op: "contains", value: "av" }, { t: "travel" }, true],
    [
      { property: "t", op: "contains", value: "av" },
      { t: ["travel", "av"] },
      true,
    ],
    [{ property: "t", op: "contains", value: "av" }, { t: ["travel"] }, false],
    [{ property: "t", op: "not_contains", value: "av" }, { t: 5 }, true],
    [{ property: "t", op: "starts_with", value: "tr" }, { t: "travel" }, true],
    [{ property: "t", op: "starts_with", value: "tr" }, { t: "Travel" }, false],
    [{ property: "t", op: "ends_with", value: "el" }, { t: "travel" }, true],
    [{ property: "n", op: "gt", value: 2 }, { n: 3 }, true],
    [{ property: "n", op: "gt", value: 2 }, { n: "3" }, false],
    [{ property: "n", op: "gte", value: 2 }, { n: 2 }, true],
    [{ property: "n", op: "lt", value: 2 }, { n: true }, false],
    [{ property: "n", op: "lte", value: 2 }, { n: 2 }, true],
    [{ property: "constructor", op: "exists" }, {}, false],
  ];
  for (const [predicate, properties, expected] of cases) {
    const set = cohortSet({ c: { event: "E", where: [predicate] } });
    const changes = set.process(set.newState(), {
      name: "E",
      time: 1,
      properties,
    });
    const label = JSON.stringify([predicate, properties]);
    assert.equal(changes.length === 1, expected, label);
  }
});

test("event names are compared exactly", () => {
  const set = cohortSet({ c: { event: "Pageview" } });
  assert.deepEqual(
    set.process(set.newState(), { name: "pageview", time: 1 }),
    [],
  );
});

test("invalid cohorts are dropped with a warning and never throw", () => {
  let deep = { event: "E" };
  for (let level = 0; level < 9; level++) deep = { not: deep };
  const many = { any: Array.from({ length: 128 }, () => ({ event: "E" })) };
  const invalid = [
    { event: "E", within: { weeks: 2 } },
    { event: "E", within: { days: 367 } },
    { event: "E", within: { days: 1.5 } },
    { event: "E", count: { op: "gt", value: 1 } },
    { event: "E", count: { op: "gte", value: 101 } },
    {
      event: "E",
      count: { op: "gte", value: 1 },
      sum: { property: "a", op: "gte", value: 1 },
    },
    { event: "E", sum: { property: "a..b", op: "gte", value: 1 } },
    { event: "E", where: [] },
    { event: "E", where: [{ property: "a", op: "regex", value: "x" }] },
    { event: "E", where: [{ property: "a", op: "gt", value: "1" }] },
    { event: "E", where: [{ property: "a", op: "in", value: [] }] },
    { event: "E", where: [{ property: "a", op: "eq" }] },
    { event: "E", extra: 1 },
    { event: "" },
    { all: [] },
    { any: {} },
    { not: null },
    { cohort: "missing" },
    { cohort: "self" },
    {},
    [],
    "E",
    null,
    deep,
    many,
  ];
  for (const definition of invalid) {
    const warnings = [];
    const set = compileCohorts(
      [
        { code: "self", definition },
        { code: "ok", definition: { event: "E" } },
      ],
      (message) => warnings.push(message),
    );
    const label = JSON.stringify(definition).slice(0, 80);
    assert.deepEqual(set.codes, ["ok"], label);
    assert.equal(warnings.length, 1, label);
  }
  assert.deepEqual(compileCohorts(null).codes, []);
  assert.deepEqual(compileCohorts([null, { code: 1 }]).codes, []);
});

test("a cycle drops every cohort in it and those that refer to them", () => {
  const warnings = [];
  const set = compileCohorts(
    [
      { code: "a", definition: { cohort: "b" } },
      { code: "b", definition: { all: [{ cohort: "a" }, { event: "E" }] } },
      { code: "c", definition: { not: { cohort: "a" } } },
      { code: "d", definition: { event: "E" } },
      { code: "e", definition: { cohort: "d" } },
    ],
    (message) => warnings.push(message),
  );
  assert.deepEqual(set.codes, ["d", "e"]);
  assert.equal(warnings.length, 3);
});

test("a restored state behaves like the one that was stored", () => {
  const set = cohortSet({
    three: {
      event: "Pageview",
      count: { op: "gte", value: 3 },
      within: { minutes: 5 },
    },
  });
  const state = set.newState();
  for (const time of [0, 1000, 2000]) set.process(state, view(time));
  const restored = set.restore(JSON.parse(JSON.stringify(state)));
  assert.deepEqual(restored, state);
  assert.deepEqual(set.advance(restored, 10 * MINUTE), [
    exit("three", 5 * MINUTE),
  ]);
});

test("restore turns garbage into a fresh state", () => {
  const set = cohortSet({
    c: { event: "Pageview", within: { minutes: 5 } },
    s: { event: "Pageview", sum: { property: "v", op: "gte", value: 1 } },
  });
  const leaves = stateAfter(set, [view(1000, { v: 1 })]).l;
  const keys = Object.keys(leaves);
  const count = keys.find((key) => Array.isArray(leaves[key]));
  const sum = keys.find((key) => !Array.isArray(leaves[key]));
  const leafState = (key, value) => ({ n: 5000, m: [], l: { [key]: value } });
  const garbage = [
    null,
    42,
    "x",
    [],
    { n: "soon", m: [] },
    { n: 5, m: "c" },
    leafState(count, "x"),
    leafState(count, [2000, 1000]),
    leafState(count, [1000, 2000, 3000]),
    leafState(count, [null]),
    leafState(sum, [1]),
    leafState(sum, "1"),
  ];
  for (const value of garbage) {
    assert.deepEqual(set.restore(value), set.newState(), JSON.stringify(value));
  }
  assert.deepEqual(set.restore(leafState(count, [1000])).l, {
    [count]: [1000],
  });
});

function stateAfter(set, events) {
  const state = set.newState();
  for (const event of events) set.process(state, event);
  return state;
}

test("a state stored under an older configuration keeps only what still applies", () => {
  const before = cohortSet({
    kept: { event: "Pageview", within: { minutes: 5 } },
    removed: { event: "Click" },
  });
  const state = before.newState();
  before.process(state, view(1000));
  before.process(state, { name: "Click", time: 2000 });
  assert.deepEqual(state.m, ["kept", "removed"]);

  const after = cohortSet({
    kept: { event: "Pageview", within: { minutes: 5 } },
    added: { not: { event: "Pageview", within: { minutes: 5 } } },
  });
  const restored = after.restore(JSON.parse(JSON.stringify(state)));
  assert.deepEqual(after.members(restored), ["kept"]);
  assert.equal(Object.keys(restored.l).length, 1);
  // The new cohort is evaluated from the state it can see, at the next call.
  assert.deepEqual(after.advance(restored, 6 * MINUTE), [
    entry("added", 5 * MINUTE + 1000),
    exit("kept", 5 * MINUTE + 1000),
  ]);
});

test("a state stays bounded after 10,000 events", () => {
  const set = cohortSet({
    many: {
      event: "Pageview",
      count: { op: "gte", value: 100 },
      within: { days: 366 },
    },
    few: {
      event: "Pageview",
      count: { op: "lte", value: 100 },
      within: { days: 30 },
    },
    total: { event: "Pageview", count: { op: "eq", value: 100 } },
    sum: {
      event: "Pageview",
      sum: { property: "s", op: "gte", value: 5 },
      within: { days: 1 },
    },
    forever: { event: "Pageview", sum: { property: "s", op: "gte", value: 5 } },
  });
  const state = set.newState();
  // Numbers held, not characters: times grow a digit now and then.
  const numbers = () => JSON.stringify(state).split(/[^0-9.]+/).length;
  let held = 0;
  for (let index = 0; index < 10000; index++) {
    set.process(state, view(index * 7919 * 13, { s: index % 7 }));
    if (index === 999) held = numbers();
  }
  const leaves = Object.values(state.l);
  assert.ok(leaves.every((leaf) => !Array.isArray(leaf) || leaf.length <= 101));
  assert.ok(numbers() <= held, "no growth past 1,000 events");
});

test("a restore that was stored again before any step still re-evaluates", () => {
  const before = cohortSet({ kept: { event: "Pageview" } });
  const state = before.newState();
  before.process(state, view(1000));
  const after = cohortSet({
    kept: { event: "Pageview" },
    added: { not: { event: "Click" } },
  });
  const once = after.restore(JSON.parse(JSON.stringify(state)));
  const twice = after.restore(JSON.parse(JSON.stringify(once)));
  assert.deepEqual(after.advance(twice, 1000), [entry("added", 1000)]);
});

test("malformed events and times are ignored without throwing", () => {
  const set = cohortSet({
    c: { event: "Pageview", where: [{ property: "a.b", op: "eq", value: 1 }] },
  });
  const state = set.newState();
  for (const event of [null, 5, "x", {}, { name: "Pageview" }, { time: NaN }]) {
    assert.deepEqual(set.process(state, event), []);
  }
  assert.deepEqual(set.advance(state, "soon"), []);
  assert.deepEqual(
    set.process(state, { name: "Pageview", time: 1, properties: null }),
    [],
  );
  assert.deepEqual(
    set.process(state, { name: "Pageview", time: 2, properties: "a" }),
    [],
  );
  assert.deepEqual(set.process(state, { name: "Pageview", time: 3 }), []);
  assert.deepEqual(set.process(state, view(4, { a: { b: 1 } })), [
    entry("c", 4),
  ]);
});

test("a leaf used by two cohorts keeps one state", () => {
  const leaf = { event: "Pageview", within: { minutes: 1 } };
  const set = cohortSet({
    a: leaf,
    b: { all: [leaf, { not: { cohort: "a" } }] },
  });
  const state = set.newState();
  set.process(state, view(0));
  assert.equal(Object.keys(state.l).length, 1);
  assert.deepEqual(set.members(state), ["a"]);
});

test("the module exports compileCohorts and a CohortSet of the contract", async () => {
  const module = await import("../src/engine/index.js");
  assert.deepEqual(Object.keys(module), ["compileCohorts"]);
  const set = compileCohorts([]);
  assert.deepEqual(Object.keys(set).sort(), [
    "advance",
    "codes",
    "members",
    "newState",
    "nextChangeTime",
    "process",
    "restore",
  ]);
  const state = set.newState();
  assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
  assert.equal(set.nextChangeTime(state), null);
});
