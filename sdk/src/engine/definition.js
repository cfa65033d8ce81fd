// Parses one cohort definition into closures, checking it just enough that a
// bad definition is dropped instead of throwing later on the tracking path.
// The server validates fully; the limits here mirror docs/cohorts.md so that
// a definition the server would refuse is also refused here.

const SHAPES = ["event", "all", "any", "not", "cohort"];
const LEAF_KEYS = ["event", "where", "count", "sum", "within"];
const UNIT_MS = { minutes: 6e4, hours: 36e5, days: 864e5 };
const MAX_WINDOW_MS = 366 * 864e5;

export const COMPARE = {
  gte: (a, b) => a >= b,
  lte: (a, b) => a <= b,
  eq: (a, b) => a === b,
};

export const isObject = (value) =>
  value !== null && typeof value === "object" && !Array.isArray(value);

export const isNumber = (value) => typeof value === "number" && isFinite(value);

const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

export const isText = (value) =>
  typeof value === "string" && value.length <= 1000;

const isScalar = (value) =>
  isText(value) || isNumber(value) || typeof value === "boolean";

/** Throws the message that compileCohorts turns into a warning. */
export function check(ok, path, value, expected) {
  if (!ok)
    throw new Error(`${path}: ${JSON.stringify(value)} is not ${expected}`);
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
const number = (compare) => [
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
  starts_with: [
    isText,
    (value) => (found) => typeof found === "string" && found.startsWith(value),
  ],
  ends_with: [
    isText,
    (value) => (found) => typeof found === "string" && found.endsWith(value),
  ],
  gt: number((a, b) => a > b),
  gte: number(COMPARE.gte),
  lt: number((a, b) => a < b),
  lte: number(COMPARE.lte),
  exists: [
    (value) => typeof value === "boolean",
    (value) => (found) => (found !== undefined) === value,
  ],
};

function keys(raw, path, allowed) {
  for (const key in raw)
    check(allowed.indexOf(key) >= 0, path, key, "a key here");
}

function text(raw, path) {
  check(isText(raw) && raw.length > 0, path, raw, "a non-empty string");
  return raw;
}

function propertyPath(raw, path) {
  const parts = text(raw, path).split(".");
  check(parts.indexOf("") < 0, path, raw, "a dotted property path");
  return parts;
}

function predicate(raw, path) {
  check(isObject(raw), path, raw, "a predicate");
  keys(raw, path, ["property", "op", "value"]);
  const parts = propertyPath(raw.property, path + ".property");
  const kind = has(PREDICATES, raw.op) && PREDICATES[raw.op];
  check(kind, path + ".op", raw.op, "a predicate op");

  const value = has(raw, "value") ? raw.value : raw.op === "exists" || null;
  check(kind[0](value), path + ".value", value, `a value for ${raw.op}`);
  const test = kind[1](value);
  return (properties) => test(read(properties, parts));
}

function comparison(raw, path, valid, expected) {
  check(isObject(raw), path, raw, "an object");
  check(has(COMPARE, raw.op), path + ".op", raw.op, "gte, lte or eq");
  check(valid(raw.value), path + ".value", raw.value, expected);
  return { compare: COMPARE[raw.op], value: raw.value, op: raw.op };
}

function window(raw, path) {
  if (raw === undefined) return 0;
  check(isObject(raw), path, raw, "a window");
  const units = Object.keys(raw);
  const unit = units[0];
  check(units.length === 1 && has(UNIT_MS, unit), path, raw, "one window unit");
  const amount = raw[unit];
  const ms = amount * UNIT_MS[unit];
  check(
    Number.isInteger(amount) && amount > 0 && ms <= MAX_WINDOW_MS,
    `${path}.${unit}`,
    amount,
    "a whole number within 366 days",
  );
  return ms;
}

/**
 * Parses a leaf into its spec: the event name, a test of the event's
 * properties, the count or sum to compare, and the window W in ms (0: none).
 */
function leaf(raw, path) {
  keys(raw, path, LEAF_KEYS);
  const event = text(raw.event, path + ".event");
  check(
    !(has(raw, "count") && has(raw, "sum")),
    path,
    "sum",
    "allowed with count",
  );

  let tests = [];
  if (has(raw, "where")) {
    const where = raw.where;
    const isWhere = Array.isArray(where) && where.length && where.length <= 32;
    check(isWhere, path + ".where", where, "a list of 1 to 32 predicates");
    tests = where.map((item, index) =>
      predicate(item, `${path}.where[${index}]`),
    );
  }

  let measure = { compare: COMPARE.gte, value: 1, op: "gte" };
  if (has(raw, "sum")) {
    const sum = raw.sum;
    measure = comparison(sum, path + ".sum", isNumber, "a number");
    keys(sum, path + ".sum", ["property", "op", "value"]);
    measure.sum = propertyPath(sum.property, path + ".sum.property");
  } else if (has(raw, "count")) {
    const isCount = (value) =>
      Number.isInteger(value) && value >= 0 && value <= 100;
    measure = comparison(raw.count, path + ".count", isCount, "a count 0-100");
    keys(raw.count, path + ".count", ["op", "value"]);
  }

  const within = window(raw.within, path + ".within");
  const identity = [
    event,
    raw.where,
    measure.op,
    measure.value,
    measure.sum,
    within,
  ];
  return Object.assign(measure, {
    event,
    within,
    identity,
    test: (properties) => {
      for (const test of tests) if (!test(properties)) return false;
      return true;
    },
  });
}

/**
 * Parses a definition into a closure `holds(state, time, members)`.
 * `found.leaf(spec)` turns a leaf spec into its (shared) leaf closure and
 * `found.refs` collects the cohort codes referred to. Throws on a bad shape.
 */
export function parseDefinition(raw, path, found) {
  let nodes = 0;

  const node = (raw, path, depth) => {
    check(++nodes <= 128, path, nodes, "within the limit of 128 nodes");
    const shape = isObject(raw) && SHAPES.find((key) => has(raw, key));
    check(shape, path, raw, "a definition");
    if (shape === "event") return found.leaf(leaf(raw, path));

    keys(raw, path, [shape]);
    const inner = raw[shape];
    if (shape === "cohort") {
      found.refs.add(text(inner, path + ".cohort"));
      return (state, time, members) => members.has(inner);
    }

    check(depth < 8, path, shape, "nested within 8 combinators");
    if (shape === "not") {
      const child = node(inner, path + ".not", depth + 1);
      return (state, time, members) => !child(state, time, members);
    }
    check(
      Array.isArray(inner) && inner.length,
      path + "." + shape,
      inner,
      "a non-empty list",
    );
    const children = inner.map((child, index) =>
      node(child, `${path}.${shape}[${index}]`, depth + 1),
    );
    // Plain loops: this runs for every touched cohort on every event.
    const all = shape === "all";
    return (state, time, members) => {
      for (const child of children) {
        if (child(state, time, members) !== all) return !all;
      }
      return all;
    };
  };

  return node(raw, path, 0);
}
