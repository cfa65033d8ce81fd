// Benchmark: one visitor's state, 100 cohorts of mixed shapes (windowed counts
// and sums, every predicate op, all/any/not, references), many events. Prints
// microseconds per processed event; the target is under 50 µs.
//
//   node sdk/bench/bench_engine.mjs [events]

import { compileCohorts } from "../src/engine/index.js";

const EVENTS = Number(process.argv[2]) || 100000;
const NAMES = ["Pageview", "Click", "Scroll", "Purchase", "Video"];
const SECTIONS = ["travel", "food", "sport", "news", "money"];

const PREDICATES = [
  (i) => ({ property: "section", op: "eq", value: SECTIONS[i % 5] }),
  (i) => ({ property: "section", op: "ne", value: SECTIONS[(i + 1) % 5] }),
  (i) => ({ property: "section", op: "in", value: SECTIONS.slice(i % 3, 3) }),
  (i) => ({ property: "section", op: "not_in", value: [SECTIONS[i % 5]] }),
  () => ({ property: "tags", op: "contains", value: "premium" }),
  () => ({ property: "path", op: "not_contains", value: "/amp" }),
  () => ({ property: "path", op: "starts_with", value: "/travel" }),
  () => ({ property: "path", op: "ends_with", value: "lisbon" }),
  (i) => ({ property: "article.words", op: "gt", value: 200 + i }),
  (i) => ({ property: "article.words", op: "gte", value: 500 + i }),
  () => ({ property: "price", op: "lt", value: 50 }),
  () => ({ property: "price", op: "lte", value: 120 }),
  () => ({ property: "article.author", op: "exists", value: true }),
];
const WINDOWS = [{ minutes: 30 }, { hours: 6 }, { days: 1 }, { days: 30 }];

function leaf(i) {
  const definition = { event: NAMES[i % NAMES.length] };
  if (i % 3 !== 2) definition.where = [PREDICATES[i % PREDICATES.length](i)];
  if (i % 4 !== 3) definition.within = WINDOWS[i % WINDOWS.length];
  if (i % 5 === 4) {
    const property = i % 2 ? "engaged_seconds" : "price";
    definition.sum = {
      property,
      op: ["gte", "lte", "eq"][i % 3],
      value: 60 + i,
    };
  } else {
    definition.count = { op: ["gte", "lte", "eq"][i % 3], value: 1 + (i % 7) };
  }
  return definition;
}

function definition(i) {
  switch (i % 6) {
    case 0:
    case 1:
      return leaf(i);
    case 2:
      return { all: [leaf(i), leaf(i + 7)] };
    case 3:
      return { any: [leaf(i), { not: leaf(i + 11) }] };
    case 4:
      return {
        all: [{ cohort: `c${i - 2}` }, { not: { cohort: `c${i - 4}` } }],
      };
    default:
      return {
        any: [{ all: [leaf(i), leaf(i + 3)] }, { cohort: `c${i - 1}` }],
      };
  }
}

const cohorts = Array.from({ length: 100 }, (_, i) => ({
  code: `c${i}`,
  definition: definition(i),
}));
const set = compileCohorts(cohorts, (message) => {
  throw new Error(message);
});

// A deterministic visitor: events a few seconds apart, with ties and late ones.
let seed = 12345;
const next = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};
let clock = Date.UTC(2026, 0, 1);
const events = Array.from({ length: 4096 }, (_, i) => {
  clock += Math.floor(next() * 20000);
  const late = i % 10 === 9 ? Math.floor(next() * 600000) : 0;
  return {
    name: NAMES[Math.floor(next() * NAMES.length)],
    time: clock - late,
    properties: {
      section: SECTIONS[Math.floor(next() * 5)],
      path: next() < 0.3 ? "/travel/lisbon" : "/news/today",
      tags: next() < 0.5 ? ["premium", "long"] : ["free"],
      price: Math.floor(next() * 200),
      engaged_seconds: Math.floor(next() * 90),
      article:
        next() < 0.7 ? { words: Math.floor(next() * 2000), author: "a" } : {},
    },
  };
});
const span = clock - events[0].time + 1000;

function run(count) {
  const state = set.newState();
  let changes = 0;
  const wall = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const event = events[i % events.length];
    // Later laps move on in time so the visitor's history keeps growing.
    const lap = Math.floor(i / events.length) * span;
    changes += set.process(state, {
      name: event.name,
      time: event.time + lap,
      properties: event.properties,
    }).length;
  }
  // CPU time of this process, not wall time: on a shared machine the wall
  // clock also counts the time other processes held the CPU.
  const used = process.cpuUsage(cpu);
  const perEvent = (used.user + used.system) / count;
  const wallPerEvent = ((performance.now() - wall) * 1000) / count;
  return { perEvent, wallPerEvent, changes, state };
}

// The median of several rounds, after a warm-up.
run(20000);
const rounds = Array.from({ length: 5 }, () => run(EVENTS));
const times = rounds.map((round) => round.perEvent).sort((a, b) => a - b);
const { changes, state } = rounds[0];
console.log(`cohorts: ${set.codes.length}, events per round: ${EVENTS}`);
console.log(`changes per round: ${changes}`);
console.log(`state: ${JSON.stringify(state).length} bytes as JSON`);
const walls = rounds.map((round) => round.wallPerEvent.toFixed(2));
console.log(
  `rounds (CPU): ${times.map((time) => time.toFixed(2)).join(", ")} µs`,
);
console.log(`rounds (wall clock): ${walls.join(", ")} µs`);
console.log(`sdk_engine_microseconds_per_event: ${times[2].toFixed(2)} µs`);
