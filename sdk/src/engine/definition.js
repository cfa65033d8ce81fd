// Parses one cohort definition into closures, checking it just enough that a
// bad definition is dropped instead of throwing later on the tracking path.
// The server validates fully and explains with JSON paths; the checks here
// follow docs/cohorts.md so that the device refuses what the server would,
// and the warning quotes the bad part, which is enough to find it.

const SHAPES = ["event", "all", "any", "not", "cohort"];
const UNIT_MS = { minutes: 6e4, hours: 36e5, days: 864e5 };

export const COMPARE = {
  gte: (a, b) => a >= b,
  lte: (a, b) => a <= b,
  eq: (a, b) => a === b,
};

export const isObject = (value) =>
  value !== null && typeof value === "object" && !Array.isArray(value);

export const isNumber = (value) => typeof value === "number" && isFinite(value);

export const isText = (value) =>
  typeof value === "string" && value.length <= 1000;

const isScalar = (value) =>
  isText(value) || isNumber(value) || typeof value === "boolean";

const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

/** Throws the message that compileCohorts turns into a warning. */
export function check(ok, value) {
  if (!ok) throw new Error(`${JSON.stringify(value)} is not valid`);
}

/** Reads a dotted property path; anything not reachable reads as undefined. */
export function read(properties, parts) {
  let value = properties;
  for (const part of parts) {
    if (!isObject(value) || !has(value, part)) return undefined;
    value = value[part];
  }
  return value === null ? undefined : value;
}

// op -> [is the value valid, make the test from the value]. Equality is `===`
// because values are primitives of one kind each: 1 and "1" never match.
const EQ = (value) => (found) => found === value;
const IN = (list) => {
  const set = new Set(list);
  return (found) => set.has(found);
};
const CONTAINS = (value) => (found) =>
  (typeof found === "string" || Array.isArray(found)) &&
  found.indexOf(value) >= 0;
const ifString = (test) => (value) => (found) =>
  typeof found === "string" && test(found, value);
const ifNumber = (compare) => [
  isNumber,
  (value) => (found) => typeof found === "number" && compare(found, value),
];
const isList = (value) =>
  Array.isArray(value) &&
  value.length > 0 &&
  value.length <= 1000 &&
  value.every(isScalar);
const negate = (make) => (value) => {
  const test = make(value);
  return (found) => !test(found);
};

const PREDICATES = {
  eq: [isScalar, EQ],
  ne: [isScalar, negate(EQ)],
  in: [isList, IN],
  not_in: [isList, negate(IN)],
  contains: [isText, CONTAINS],
  not_contains: [isText, negate(CONTAINS)],
  starts_with: [isText, ifString((found, value) => found.startsWith(value))],
  ends_with: [isText, ifString((found, value) => found.endsWith(value))],
  gt: ifNumber((a, b) => a > b),
  gte: ifNumber(COMPARE.gte),
  lt: ifNumber((a, b) => a < b),
  lte: ifNumber(COMPARE.lte),
  exists: [
    (value) => typeof value === "boolean",
    (value) => (found) => (found !== undefined) === value,
  ],
};

// An object with only the allowed keys (all of them when `required`).
function object(raw, allowed, required) {
  check(isObject(raw), raw);
  for (const key in raw) check(allowed.indexOf(key) >= 0, key);
  for (const key of required ? allowed : []) check(has(raw, key), raw);
  return raw;
}

function text(raw) {
  check(isText(raw) && raw !== "", raw);
  return raw;
}

function propertyPath(raw) {
  const parts = text(raw).split(".");
  check(parts.indexOf("") < 0, raw);
  return parts;
}

function predicate(raw) {
  object(raw, ["property", "op", "value"]);
  const parts = propertyPath(raw.property);
  const kind = has(PREDICATES, raw.op) && PREDICATES[raw.op];
  check(kind, raw.op);

  const value = has(raw, "value") ? raw.value : raw.op === "exists" || null;
  check(kind[0](value), raw);
  const test = kind[1](value);
  return (properties) => test(read(properties, parts));
}

// A count or sum: {op, value} (and property), as the leaf's measure.
function measure(raw, keys, isValue) {
  object(raw, keys, true);
  check(has(COMPARE, raw.op) && isValue(raw.value), raw);
  return { compare: COMPARE[raw.op], op: raw.op, value: raw.value };
}

// The window W in milliseconds; 0 for none.
function window(raw) {
  if (raw === undefined) return 0;
  const units = Object.keys(object(raw, Object.keys(UNIT_MS)));
  const amount = raw[units[0]];
  const ms = amount * UNIT_MS[units[0]];
  const ok = Number.isInteger(amount) && amount > 0 && ms <= 366 * 864e5;
  check(units.length === 1 && ok, raw);
  return ms;
}

/**
 * Parses a leaf into its spec: the event name, a test of the event's
 * properties, the count or sum to compare, the window W in ms (0: none), and
 * an identity that changes whenever the leaf's state would mean another thing.
 */
function leaf(raw) {
  object(raw, ["event", "where", "count", "sum", "within"]);
  const event = text(raw.event);
  check(!(has(raw, "count") && has(raw, "sum")), raw);

  let tests = [];
  if (has(raw, "where")) {
    const where = raw.where;
    check(Array.isArray(where) && where.length && where.length <= 32, where);
    tests = where.map(predicate);
  }

  let spec = { compare: COMPARE.gte, op: "gte", value: 1 };
  if (has(raw, "sum")) {
    spec = measure(raw.sum, ["property", "op", "value"], isNumber);
    spec.sum = propertyPath(raw.sum.property);
  } else if (has(raw, "count")) {
    const isCount = (value) =>
      Number.isInteger(value) && value >= 0 && value <= 100;
    spec = measure(raw.count, ["op", "value"], isCount);
  }

  spec.event = event;
  spec.within = window(raw.within);
  spec.identity = [
    event,
    raw.where,
    spec.op,
    spec.value,
    spec.sum,
    spec.within,
  ];
  spec.test = (properties) => {
    for (const test of tests) if (!test(properties)) return false;
    return true;
  };
  return spec;
}

/**
 * Parses a definition into a closure `holds(state, time, members)`.
 * `found.leaf(spec)` turns a leaf spec into its (shared) leaf closure and
 * `found.refs` collects the cohort codes referred to. Throws, quoting the bad
 * part, on anything docs/cohorts.md does not allow.
 */
export function parseDefinition(raw, found) {
  let nodes = 0;

  const node = (raw, depth) => {
    check(++nodes <= 128, raw);
    const shape = isObject(raw) && SHAPES.find((key) => has(raw, key));
    check(shape, raw);
    if (shape === "event") return found.leaf(leaf(raw));

    object(raw, [shape]);
    const inner = raw[shape];
    if (shape === "cohort") {
      found.refs.add(text(inner));
      return (state, time, members) => members.has(inner);
    }

    check(
      depth < 8 && (shape === "not" || (Array.isArray(inner) && inner.length)),
      raw,
    );
    if (shape === "not") {
      const child = node(inner, depth + 1);
      return (state, time, members) => !child(state, time, members);
    }
    const children = inner.map((child) => node(child, depth + 1));
    // Plain loops: this runs for every touched cohort on every event.
    const all = shape === "all";
    return (state, time, members) => {
      for (const child of children) {
        if (child(state, time, members) !== all) return !all;
      }
      return all;
    };
  };

  return node(raw, 0);
}
