// Property test: random cohort definitions and random event sequences (late
// events, ties and advances included), comparing the incremental engine with a
// slow evaluator that recomputes everything from the full history, written
// from docs/cohorts.md independently of the engine.

import assert from "node:assert/strict";
import { test } from "node:test";

import { compileCohorts } from "../src/engine/index.js";

// A small seeded PRNG (xorshift32), so every failure replays from its seed.
function random(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  return {
    int: (low, high) => low + Math.floor(next() * (high - low + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

const UNITS = { minutes: 60000, hours: 3600000, days: 86400000 };

// ---- the reference evaluator: membership from the whole history ----

function readPath(properties, path) {
  let value = properties;
  for (const part of path.split(".")) {
    const isMap = value && typeof value === "object" && !Array.isArray(value);
    if (!isMap || !(part in value)) return undefined;
    value = value[part];
  }
  return value === null ? undefined : value;
}

const kindOf = (value) =>
  ["string", "number", "boolean"].includes(typeof value) ? typeof value : null;

function predicateHolds({ property, op, value }, properties) {
  const found = readPath(properties, property);
  const equal = (a, b) =>
    kindOf(a) !== null && kindOf(a) === kindOf(b) && a == b;
  switch (op) {
    case "eq":
      return equal(found, value);
    case "ne":
      return !equal(found, value);
    case "in":
      return value.some((item) => equal(found, item));
    case "not_in":
      return !value.some((item) => equal(found, item));
    case "contains":
    case "not_contains": {
      const holds =
        typeof found === "string"
          ? found.includes(value)
          : Array.isArray(found) && found.some((item) => equal(item, value));
      return op === "contains" ? holds : !holds;
    }
    case "starts_with":
      return typeof found === "string" && found.startsWith(value);
    case "ends_with":
      return typeof found === "string" && found.endsWith(value);
    case "gt":
      return typeof found === "number" && found > value;
    case "gte":
      return typeof found === "number" && found >= value;
    case "lt":
      return typeof found === "number" && found < value;
    case "lte":
      return typeof found === "number" && found <= value;
    case "exists":
      return (found !== undefined) === (value === undefined ? true : value);
  }
  throw new Error(`unknown op ${op}`);
}

const compare = (op, a, b) =>
  op === "gte" ? a >= b : op === "lte" ? a <= b : a === b;

function windowOf(leaf) {
  if (!leaf.within) return 0;
  const unit = Object.keys(leaf.within)[0];
  return leaf.within[unit] * UNITS[unit];
}

function leafMatches(leaf, event) {
  return (
    event.name === leaf.event &&
    (leaf.where || []).every((p) => predicateHolds(p, event.properties))
  );
}

function leafHolds(leaf, history, t) {
  const W = windowOf(leaf);
  const matching = history.filter(
    (event) => leafMatches(leaf, event) && event.time <= t,
  );
  if (leaf.sum) {
    const width = W / 60;
    const total = matching
      .filter(
        (event) =>
          !W || Math.floor(event.time / width) > Math.floor(t / width) - 60,
      )
      .reduce((sum, event) => {
        const value = readPath(event.properties, leaf.sum.property);
        return sum + (typeof value === "number" ? value : 0);
      }, 0);
    return compare(leaf.sum.op, total, leaf.sum.value);
  }
  const count = matching.filter((event) => !W || event.time > t - W).length;
  const { op, value } = leaf.count || { op: "gte", value: 1 };
  return compare(op, count, value);
}

// Times at which some leaf could change with no event: events or buckets
// leaving a window.
function leafChangeTimes(leaf, history) {
  const W = windowOf(leaf);
  if (!W) return [];
  const width = W / 60;
  return history
    .filter((event) => leafMatches(leaf, event))
    .map((event) =>
      leaf.sum ? (Math.floor(event.time / width) + 60) * width : event.time + W,
    );
}

function leavesOf(definition, found = []) {
  if (definition.event) found.push(definition);
  for (const child of definition.all || definition.any || [])
    leavesOf(child, found);
  if (definition.not) leavesOf(definition.not, found);
  return found;
}

class Reference {
  constructor(definitions) {
    this.definitions = definitions;
    this.history = [];
    this.now = null;
    this.members = new Set();
    this.leaves = Object.values(definitions).flatMap((definition) =>
      leavesOf(definition),
    );
  }

  membersAt(t) {
    const memo = new Map();
    const holds = (definition) => {
      if (definition.event) return leafHolds(definition, this.history, t);
      if (definition.all) return definition.all.every(holds);
      if (definition.any) return definition.any.some(holds);
      if (definition.not) return !holds(definition.not);
      return inCohort(definition.cohort);
    };
    const inCohort = (code) => {
      if (!memo.has(code)) memo.set(code, holds(this.definitions[code]));
      return memo.get(code);
    };
    return new Set(Object.keys(this.definitions).filter(inCohort));
  }

  evaluate(t, changes) {
    const members = this.membersAt(t);
    const codes = [...new Set([...members, ...this.members])].sort();
    for (const code of codes) {
      if (members.has(code) !== this.members.has(code)) {
        changes.push({
          cohort: code,
          kind: members.has(code) ? "entry" : "exit",
          time: t,
        });
      }
    }
    this.members = members;
  }

  changeTimes() {
    return [
      ...new Set(
        this.leaves.flatMap((leaf) => leafChangeTimes(leaf, this.history)),
      ),
    ].sort((a, b) => a - b);
  }

  timePasses(until, inclusive, changes) {
    for (const c of this.changeTimes()) {
      if (c > this.now && (c < until || (inclusive && c === until)))
        this.evaluate(c, changes);
    }
  }

  process(event) {
    const changes = [];
    if (this.now !== null && event.time > this.now)
      this.timePasses(event.time, false, changes);
    this.history.push(event);
    this.now = this.now === null ? event.time : Math.max(this.now, event.time);
    this.evaluate(this.now, changes);
    return changes;
  }

  advance(t) {
    const changes = [];
    if (this.now === null) {
      this.now = t;
      this.evaluate(t, changes);
    } else if (t > this.now) {
      this.timePasses(t, true, changes);
      this.now = t;
    }
    return changes;
  }

  nextChangeTime() {
    if (this.now === null) return null;
    const flips = this.changeTimes().filter(
      (c) =>
        c > this.now &&
        this.leaves.some(
          (leaf) =>
            leafHolds(leaf, this.history, c) !==
            leafHolds(leaf, this.history, this.now),
        ),
    );
    return flips.length ? flips[0] : null;
  }
}

// ---- random definitions and events ----

function randomLeaf(rng) {
  const leaf = { event: rng.pick(["A", "B"]) };
  if (rng.chance(0.5)) {
    leaf.where = [
      rng.pick([
        {
          property: "x",
          op: rng.pick(["eq", "ne", "gt", "gte", "lt", "lte"]),
          value: rng.int(0, 3),
        },
        {
          property: "x",
          op: rng.pick(["in", "not_in"]),
          value: [rng.int(0, 3), rng.int(0, 3)],
        },
        {
          property: "tag",
          op: rng.pick([
            "contains",
            "not_contains",
            "starts_with",
            "ends_with",
          ]),
          value: rng.pick(["a", "b", "ab"]),
        },
        {
          property: "meta.kind",
          op: rng.pick(["eq", "exists"]),
          value: rng.pick([true, "k"]),
        },
      ]),
    ];
    if (leaf.where[0].op === "exists") leaf.where[0].value = rng.chance(0.5);
    else if (leaf.where[0].property === "meta.kind") leaf.where[0].value = "k";
  }
  const op = rng.pick(["gte", "lte", "eq"]);
  if (rng.chance(0.3)) leaf.sum = { property: "v", op, value: rng.int(-2, 12) };
  else if (rng.chance(0.8)) leaf.count = { op, value: rng.int(0, 4) };
  if (rng.chance(0.8))
    leaf.within = rng.pick([
      { minutes: 1 },
      { minutes: 2 },
      { minutes: 5 },
      { hours: 1 },
    ]);
  return leaf;
}

function randomDefinition(rng, codes, depth = 0) {
  const roll = rng.int(0, depth > 2 ? 0 : 9);
  if (roll <= 4) return randomLeaf(rng);
  if (roll === 5 && codes.length) return { cohort: rng.pick(codes) };
  if (roll === 6) return { not: randomDefinition(rng, codes, depth + 1) };
  const children = Array.from({ length: rng.int(1, 3) }, () =>
    randomDefinition(rng, codes, depth + 1),
  );
  return roll <= 7 ? { all: children } : { any: children };
}

function randomEvent(rng, time) {
  const properties = {};
  if (rng.chance(0.8)) properties.x = rng.int(0, 3);
  if (rng.chance(0.7)) properties.v = rng.chance(0.9) ? rng.int(-3, 9) : "7";
  if (rng.chance(0.5))
    properties.tag = rng.chance(0.7) ? rng.pick(["ab", "ba", "b"]) : ["a", "c"];
  if (rng.chance(0.5))
    properties.meta = rng.pick([{ kind: "k" }, { kind: null }, "k", {}]);
  return { name: rng.pick(["A", "B"]), time, properties };
}

function runScenario(seed) {
  const rng = random(seed);
  const definitions = {};
  for (let index = 0; index < rng.int(1, 6); index++) {
    definitions[`c${index}`] = randomDefinition(rng, Object.keys(definitions));
  }
  const set = compileCohorts(
    Object.keys(definitions).map((code) => ({
      code,
      definition: definitions[code],
    })),
    (message) => assert.fail(`seed ${seed}: ${message}`),
  );
  const reference = new Reference(definitions);
  let state = set.newState();
  let time = rng.int(0, 200000);

  for (let step = 0; step < 60; step++) {
    const label = `seed ${seed}, step ${step}`;
    let expected;
    let actual;
    if (rng.chance(0.15)) {
      time = reference.now === null ? time : reference.now;
      time += rng.int(0, 80) * 5000;
      expected = reference.advance(time);
      actual = set.advance(state, time);
    } else {
      // Mostly forward, sometimes a tie, sometimes late by up to 3 minutes.
      // Coarse steps make events meet window edges and bucket edges exactly.
      const roll = rng.int(0, 9);
      const now = reference.now === null ? time : reference.now;
      const unit = rng.chance(0.5) ? 5000 : 1;
      if (roll < 6) time = now + rng.int(0, 90000 / unit) * unit;
      else if (roll < 8) time = now;
      else time = now - rng.int(0, 180000 / unit) * unit;
      const event = randomEvent(rng, time);
      expected = reference.process(event);
      actual = set.process(state, event);
    }
    assert.deepEqual(actual, expected, `${label}: changes`);
    assert.deepEqual(
      set.members(state),
      [...reference.members].sort(),
      `${label}: members`,
    );
    assert.equal(
      set.nextChangeTime(state),
      reference.nextChangeTime(),
      `${label}: next change`,
    );
    if (rng.chance(0.1)) state = set.restore(JSON.parse(JSON.stringify(state)));
  }
}

test("incremental evaluation matches recomputation from the full history", () => {
  for (let seed = 1; seed <= 400; seed++) runScenario(seed);
});
