// Runs every case of the shared vectors (vectors/cohorts/*.json) against the
// JavaScript engine, so that it keeps the Python engine's semantics exactly.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { compileCohorts } from "../src/engine/index.js";

const folder = new URL("../../vectors/cohorts/", import.meta.url);
const files = (() => {
  try {
    return readdirSync(folder)
      .filter((name) => name.endsWith(".json"))
      .sort();
  } catch (error) {
    return [];
  }
})();

const toConfig = (cohorts) =>
  Object.keys(cohorts).map((code) => ({ code, definition: cohorts[code] }));

function runValidationCase(vector) {
  const warnings = [];
  const set = compileCohorts(toConfig(vector.cohorts), (message) =>
    warnings.push(message),
  );
  const match = /^cohorts\.(.+?)\.definition/.exec(vector.error);
  assert.ok(warnings.length > 0, "an invalid cohort is dropped with a warning");
  if (match) assert.ok(!set.codes.includes(match[1]), `${match[1]} is dropped`);
}

function runEvaluationCase(vector) {
  const set = compileCohorts(toConfig(vector.cohorts), (message) => {
    throw new Error(`unexpected warning: ${message}`);
  });
  const state = set.newState();
  let changes = [];
  vector.steps.forEach((step, index) => {
    const where = `step ${index}`;
    if (step.event) changes = changes.concat(set.process(state, step.event));
    else if ("advance" in step) {
      changes = changes.concat(set.advance(state, step.advance));
    } else if (step.expect) {
      const expect = step.expect;
      assert.deepEqual(
        set.members(state),
        expect.members.slice().sort(),
        `${where}: members`,
      );
      if ("changes" in expect)
        assert.deepEqual(changes, expect.changes, `${where}: changes`);
      if ("next_change_time" in expect) {
        assert.equal(
          set.nextChangeTime(state),
          expect.next_change_time,
          `${where}: next_change_time`,
        );
      }
      changes = [];
    } else assert.fail(`${where}: unknown step ${JSON.stringify(step)}`);
  });
}

for (const file of files) {
  const { cases } = JSON.parse(
    readFileSync(join(folder.pathname, file), "utf8"),
  );
  for (const vector of cases) {
    test(`${file}: ${vector.name}`, () => {
      if ("error" in vector) runValidationCase(vector);
      else runEvaluationCase(vector);
    });
  }
}
