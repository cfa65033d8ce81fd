// The per-user state of one leaf and how it moves with events and time. Each
// kind keeps the bounded state of docs/cohorts.md ("State bounds"):
//   count with window: matching times, latest first, at most `cap` of them
//   count without:     a counter capped at `cap`
//   sum with window:   [[bucket, sum], ...] by bucket, at most 60
//   sum without:       the total
// `undefined` stands for a leaf the user never matched (no state at all).

import { check, isNumber, read } from "./definition.js";

/**
 * Builds a leaf from its parsed spec. A leaf offers:
 *   keep(data, now)            drops what has left the window at `now`
 *   add(data, time, props, now) adds a matching event (late ones too)
 *   holds(data, t)             the leaf's truth at `t >= now`
 *   changes(data)              [time a time or bucket leaves, what remains]
 *   flip(data, now)            the earliest t > now at which holds() changes
 *   load(raw)                  a stored state checked and normalised, or throws
 */
export function makeLeaf(spec, key) {
  const { within, value, compare, sum } = spec;
  const width = within / 60;
  // gte N needs the N latest times; lte and eq must also see the one above N.
  const cap = spec.op === "gte" ? value : value + 1;
  const amount = (properties) => {
    const found = read(properties, sum);
    return isNumber(found) ? found : 0;
  };
  // The first bucket still inside the window at time t.
  const firstBucket = (t) => Math.floor(t / width) - 59;
  const nonEmpty = (data) => (data && data.length ? data : undefined);

  let kind;
  if (!within) {
    kind = {
      measure: (data) => data || 0,
      keep: (data) => data,
      add: (data, time, properties) =>
        sum ? (data || 0) + amount(properties) : Math.min((data || 0) + 1, cap),
      changes: () => [],
      load: (raw) => {
        check(
          sum ? isNumber(raw) : Number.isInteger(raw) && raw >= 0,
          key,
          raw,
          "a total",
        );
        return sum ? raw : Math.min(raw, cap);
      },
    };
  } else if (!sum) {
    kind = {
      measure: (times, t) => {
        let count = 0;
        if (times) for (const time of times) if (time > t - within) count++;
        return count;
      },
      keep: (times, now) => {
        while (
          times &&
          times.length &&
          times[times.length - 1] <= now - within
        ) {
          times.pop();
        }
        return nonEmpty(times);
      },
      add: (times, time, properties, now) => {
        if (time <= now - within) return times;
        times = times || [];
        let index = 0;
        while (index < times.length && times[index] > time) index++;
        times.splice(index, 0, time);
        if (times.length > cap) times.length = cap;
        return nonEmpty(times);
      },
      // Oldest first: when times[i] leaves, the i later ones remain.
      changes: (times) =>
        times.map((time, index) => [time + within, index]).reverse(),
      load: (raw) => {
        const ok =
          Array.isArray(raw) && raw.length <= cap && raw.every(isNumber);
        check(ok, key, raw, "a list of times");
        return raw.slice().sort((a, b) => b - a);
      },
    };
  } else {
    kind = {
      // Always added in bucket order from 0, so equal histories give equal
      // doubles whatever order the events came in.
      measure: (buckets, t) => {
        let total = 0;
        if (buckets) {
          for (const bucket of buckets) {
            if (bucket[0] >= firstBucket(t)) total += bucket[1];
          }
        }
        return total;
      },
      keep: (buckets, now) =>
        nonEmpty(
          buckets && buckets.filter((bucket) => bucket[0] >= firstBucket(now)),
        ),
      add: (buckets, time, properties, now) => {
        const at = Math.floor(time / width);
        if (at < firstBucket(now)) return buckets;
        buckets = buckets || [];
        let index = 0;
        while (index < buckets.length && buckets[index][0] < at) index++;
        const bucket = buckets[index];
        if (bucket && bucket[0] === at) bucket[1] += amount(properties);
        else buckets.splice(index, 0, [at, amount(properties)]);
        return buckets;
      },
      // When a bucket leaves, the later ones remain; added from the latest so
      // that this stays linear (exact for integer sums, as every total is).
      changes: (buckets) => {
        let rest = 0;
        const changes = [];
        for (let index = buckets.length - 1; index >= 0; index--) {
          changes[index] = [(buckets[index][0] + 60) * width, rest];
          rest += buckets[index][1];
        }
        return changes;
      },
      load: (raw) => {
        const isBucket = (bucket) =>
          Array.isArray(bucket) &&
          bucket.length === 2 &&
          bucket.every(isNumber);
        const ok =
          Array.isArray(raw) && raw.length <= 60 && raw.every(isBucket);
        check(ok, key, raw, "a list of buckets");
        return raw.map((bucket) => bucket.slice()).sort((a, b) => a[0] - b[0]);
      },
    };
  }

  const holds = (data, t) => compare(kind.measure(data, t), value);
  return Object.assign(kind, {
    key,
    event: spec.event,
    test: spec.test,
    holds,
    // Truth only changes when a time or bucket leaves the window, so the
    // first of those times at which it differs from now is the flip. Equal
    // times leave together: only the last of them tells what remains.
    flip: (data, now) => {
      if (data === undefined) return null;
      const current = holds(data, now);
      const changes = kind.changes(data);
      for (let index = 0; index < changes.length; index++) {
        const [time, rest] = changes[index];
        const next = changes[index + 1];
        if (
          time > now &&
          !(next && next[0] === time) &&
          compare(rest, value) !== current
        ) {
          return time;
        }
      }
      return null;
    },
  });
}
