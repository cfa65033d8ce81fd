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
      // The i-th oldest time leaves at time + W, and the later ones remain.
      leaves: (times, index) => times[times.length - 1 - index] + within,
      rest: (times, index) => times.length - 1 - index,
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
        const first = firstBucket(t);
        let total = 0;
        if (buckets)
          for (const bucket of buckets)
            if (bucket[0] >= first) total += bucket[1];
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
      leaves: (buckets, index) => (buckets[index][0] + 60) * width,
      rest: (buckets, index) => {
        let total = 0;
        for (let later = index + 1; later < buckets.length; later++) {
          total += buckets[later][1];
        }
        return total;
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
    // Truth only changes when a time or bucket leaves the window (oldest
    // first), so the first such time at which it differs from now is the
    // flip. Equal times leave together: only the last of them tells the rest.
    flip: (data, now) => {
      const length = data ? data.length : 0;
      if (!length) return null;
      const current = holds(data, now);
      for (let index = 0; index < length; index++) {
        const time = kind.leaves(data, index);
        const tie = index + 1 < length && kind.leaves(data, index + 1) === time;
        if (
          time > now &&
          !tie &&
          compare(kind.rest(data, index), value) !== current
        ) {
          return time;
        }
      }
      return null;
    },
  });
}
