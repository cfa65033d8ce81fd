// The on-device cohort engine: the semantics of docs/cohorts.md ("Reference:
// exact semantics"), kept identical to the Python engine by the shared vectors.
//
// A user's state is a plain JSON object (the SDK keeps it in localStorage):
//   n  now, the latest time seen (null before the first event or advance)
//   w  the next time at which some leaf flips with no event (null: never)
//   m  member cohort codes, sorted
//   l  leaf key -> leaf state (see leaf.js); f  leaf key -> that leaf's flip
//   c  the configuration's signature
//   d  set by restore() when the state was stored under another configuration:
//      the next process or advance re-evaluates every cohort first

import {
  check,
  isNumber,
  isObject,
  isText,
  parseDefinition,
} from "./definition.js";
import { makeLeaf } from "./leaf.js";

// Leaf keys and the configuration's signature: a hash of the JSON text with
// object keys sorted, so that equal definitions give equal keys, with two
// independent 32-bit mixes so that keys stored on the device stay short and
// two leaves of one configuration practically never collide.
function fingerprint(value) {
  const text = JSON.stringify(value, (key, item) => {
    if (!isObject(item)) return item;
    const sorted = {};
    for (const name of Object.keys(item).sort()) sorted[name] = item[name];
    return sorted;
  });
  let first = 0x811c9dc5;
  let second = 0x2545f491;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    first = Math.imul(first ^ code, 0x1000193);
    second = Math.imul(second ^ code, 0x5bd1e995);
    second ^= second >>> 13;
  }
  return (first >>> 0).toString(36) + (second >>> 0).toString(36);
}

const earliest = (flips) => {
  let time = null;
  for (const key in flips)
    if (time === null || flips[key] < time) time = flips[key];
  return time;
};

const put = (object, key, value) => {
  if (value === undefined || value === null) delete object[key];
  else object[key] = value;
};

/**
 * Compiles the cohorts of one configuration for evaluation on the device.
 *
 * @param {{code: string, definition: object}[]} cohorts from the SDK config
 * @param {(message: string) => void} [warn] told why a cohort was dropped
 * @returns a CohortSet: `codes`, `newState()`, `process(state, event)`,
 *   `advance(state, time)`, `members(state)`, `nextChangeTime(state)` and
 *   `restore(value)`. `process` and `advance` mutate the state and return the
 *   changes `[{cohort, kind: "entry" | "exit", time}]` by time, then code.
 *
 * Never throws: a cohort whose definition is invalid, or that refers to an
 * unknown or dropped cohort, to itself or through a cycle, is dropped.
 *
 * @example
 *   const set = compileCohorts([{code: "a", definition: {event: "View"}}]);
 *   const state = set.newState();
 *   set.process(state, {name: "View", time: 1000, properties: {}});
 *   // -> [{cohort: "a", kind: "entry", time: 1000}]
 */
export function compileCohorts(cohorts, warn) {
  const drop = (code, reason) => {
    if (typeof warn === "function") {
      warn(`Cohort ${JSON.stringify(code)} dropped: ${reason}`);
    }
  };
  const leaves = new Map();
  const parsed = new Map();
  let tick = 0;
  for (const cohort of Array.isArray(cohorts) ? cohorts : []) {
    const code = isObject(cohort) ? cohort.code : cohort;
    try {
      const isNew = isText(code) && code !== "" && !parsed.has(code);
      check(isNew, code);
      const found = {
        refs: new Set(),
        leaves: new Set(),
        leaf: (spec) => {
          const key = fingerprint(spec.identity);
          if (!leaves.has(key)) leaves.set(key, makeLeaf(spec, key));
          const leaf = leaves.get(key);
          found.leaves.add(leaf);
          // A leaf's truth is worked out once per step, however many
          // cohorts use it; update() leaves it from the flip it computes.
          return (state, time) => {
            if (leaf.tick !== tick) {
              leaf.tick = tick;
              leaf.truth = leaf.holds(state.l[key], time);
            }
            return leaf.truth;
          };
        },
      };
      const holds = parseDefinition(cohort.definition, found);
      const { refs, leaves: used } = found;
      parsed.set(code, {
        code,
        holds,
        refs,
        leaves: used,
        definition: cohort.definition,
      });
    } catch (error) {
      drop(code, error.message);
    }
  }

  // Depth-first, so a cohort comes after the cohorts it refers to; a reference
  // to an unknown or dropped cohort, or back into the path (a cycle), drops it.
  const order = [];
  const visits = new Map();
  const visit = (code) => {
    const cohort = parsed.get(code);
    if (!cohort || visits.get(code) === 1) return false;
    if (visits.has(code)) return visits.get(code);
    visits.set(code, 1);
    let ok = true;
    for (const ref of cohort.refs) ok = visit(ref) && ok;
    visits.set(code, ok);
    if (ok) {
      for (const ref of cohort.refs) {
        for (const leaf of parsed.get(ref).leaves) cohort.leaves.add(leaf);
      }
      order.push(cohort);
    } else drop(code, "it refers to a missing cohort or a cycle");
    return ok;
  };
  parsed.forEach((cohort, code) => visit(code));

  // Each leaf lists the cohorts whose truth can depend on it, references
  // included, so an event re-evaluates only those.
  const byKey = new Map();
  const byEvent = new Map();
  order.forEach((cohort, index) => {
    for (const leaf of cohort.leaves) {
      if (!byKey.has(leaf.key)) {
        leaf.cohorts = [];
        byKey.set(leaf.key, leaf);
        byEvent.set(leaf.event, (byEvent.get(leaf.event) || []).concat(leaf));
      }
      leaf.cohorts.push(index);
    }
  });
  const codes = order.map((cohort) => cohort.code);
  const signature = fingerprint(
    order.map((cohort) => [cohort.code, cohort.definition]),
  );
  const stale = new Uint8Array(order.length);
  // The members as a Set, rebuilt only when state.m is another list than the
  // one it was built from (another state, or a change of membership).
  const members = new Set();
  let membersOf = null;

  const newState = () => ({
    n: null,
    w: null,
    m: [],
    l: {},
    f: {},
    c: signature,
  });

  // Brings one leaf to `time` (adding `event` if given) and marks its cohorts.
  // The wake time only needs a full recomputation when the leaf that set it
  // moved; otherwise a new flip can only bring it earlier.
  let recompute = false;
  const update = (state, leaf, time, event) => {
    const key = leaf.key;
    const before = state.f[key];
    let data = leaf.keep(state.l[key], time);
    if (event) data = leaf.add(data, event.time, event.properties, time);
    const flip = leaf.flip(data, time);
    put(state.l, key, data);
    put(state.f, key, flip);
    if (before === state.w) recompute = true;
    else if (flip !== null && (state.w === null || flip < state.w))
      state.w = flip;
    leaf.tick = tick;
    for (const index of leaf.cohorts) stale[index] = 1;
  };

  // Evaluates at `time` (>= now) after leaves flipping by then and the
  // leaves `event` matches; reports the changes at `time`, by cohort code.
  const step = (state, time, event, changes) => {
    tick++;
    const everything = state.n === null || state.d;
    state.n = time;
    // Deleting only when set keeps the state a fast object in the engine.
    if (state.d) delete state.d;
    if (state.w !== null && state.w <= time) {
      for (const key in state.f)
        if (state.f[key] <= time) update(state, byKey.get(key), time);
    }
    if (event) {
      for (const leaf of byEvent.get(event.name) || []) {
        if (leaf.test(event.properties)) update(state, leaf, time, event);
      }
    }

    if (membersOf !== state.m) {
      members.clear();
      for (const code of state.m) members.add(code);
      membersOf = state.m;
    }
    const found = [];
    for (let index = 0; index < order.length; index++) {
      if (!everything && !stale[index]) continue;
      stale[index] = 0;
      const code = order[index].code;
      const holds = order[index].holds(state, time, members);
      if (holds === members.has(code)) continue;
      members[holds ? "add" : "delete"](code);
      found.push({ cohort: code, kind: holds ? "entry" : "exit", time });
    }
    if (found.length) membersOf = state.m = Array.from(members).sort();
    found.sort((a, b) => (a.cohort < b.cohort ? -1 : 1));
    changes.push.apply(changes, found);

    if (recompute) state.w = earliest(state.f);
    recompute = false;
  };

  // Time alone: every flip before `until` (or at it, when `inclusive`).
  const catchUp = (state, until, inclusive, changes) => {
    if (state.d) step(state, state.n, null, changes);
    while (
      state.w !== null &&
      (state.w < until || (inclusive && state.w === until))
    ) {
      step(state, state.w, null, changes);
    }
  };

  return {
    codes,
    newState,

    process(state, event) {
      const changes = [];
      if (!isObject(event) || !isNumber(event.time)) return changes;
      if (state.n !== null) catchUp(state, event.time, false, changes);
      // A late event or a tie is added as of its own time, evaluated at now.
      const now = state.n === null ? event.time : state.n;
      step(state, Math.max(now, event.time), event, changes);
      return changes;
    },

    advance(state, time) {
      const changes = [];
      if (!isNumber(time)) return changes;
      // After the first evaluation nothing flips at or before `time`.
      if (state.n === null) step(state, time, null, changes);
      catchUp(state, time, true, changes);
      state.n = Math.max(state.n, time);
      return changes;
    },

    members: (state) => state.m.slice(),

    nextChangeTime: (state) => state.w,

    restore(value) {
      const state = newState();
      try {
        if (!isObject(value) || !isNumber(value.n) || !Array.isArray(value.m)) {
          return state;
        }
        state.n = value.n;
        // Known codes only, once each, in the order members() promises.
        const stored = new Set(value.m);
        state.m = codes.filter((code) => stored.has(code)).sort();
        // Leaf states are checked in place rather than copied: the value is
        // freshly parsed, and the SDK restores before every step.
        state.l = isObject(value.l) ? value.l : {};
        for (const key in state.l) {
          const leaf = byKey.get(key);
          const data = leaf && leaf.keep(leaf.load(state.l[key]), state.n);
          put(state.l, key, data);
          put(state.f, key, leaf && leaf.flip(data, state.n));
        }
        state.w = earliest(state.f);
        // Membership under another configuration may be stale: re-evaluate
        // everything at the next process or advance.
        if (value.c !== signature || value.d) state.d = 1;
        return state;
      } catch (error) {
        return newState();
      }
    },
  };
}
