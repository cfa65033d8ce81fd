// The per-user state of one leaf and how it moves with events and time. Each
// kind keeps the bounded state of docs/cohorts.md ("State bounds"):
//   count with window: matching times, oldest first, at most `cap` of them
//   count without:     a counter capped at `cap`
//   sum with window:   [[bucket, sum], ...] by bucket, at most 60
//   sum without:       the total
// `undefined` stands for a leaf the user never matched (no state at all).

import { check, isNumber, read } from "./definition.js";

/**
 * Builds a leaf from its parsed spec. A leaf offers:
 *   keep(data, now)             drops what has left the window at `now`
 *   add(data, time, props, now) adds a matching event (late ones too)
 *   holds(data, t)              the leaf's truth at `t >= now`
 *   flip(data, now)             the earliest t > now at which holds() changes,
 *                               leaving the truth at `now` in `leaf.truth`
 *   load(raw)                   a stored state, checked, or throws
 */
export function makeLeaf(spec, key) {
  const { within, value, compare, sum } = spec;
  const width = within / 60;
  // gte N needs the N latest times; lte and eq must also see the one above N.
  const cap = spec.op === "gte" ? value : value + 1;
  const amountOf = (properties) => {
    const found = read(properties, sum);
    return isNumber(found) ? found : 0;
  };

  // A windowed leaf holds items (times, or [bucket, sum]) sorted oldest
  // first; `ends(item)` is when the item leaves the window and `weight(item)`
  // what it adds. Totals are added from the newest item down in every place,
  // so a total is the same double whichever way it is reached.
  const ends = sum
    ? (bucket) => (bucket[0] + 60) * width
    : (time) => time + within;
  const weight = sum ? (bucket) => bucket[1] : () => 1;
  const isItem = sum
    ? (item) => Array.isArray(item) && item.length === 2 && item.every(isNumber)
    : isNumber;

  const measure = (data, t) => {
    if (!within) return data || 0;
    let total = 0;
    for (let index = data ? data.length - 1 : -1; index >= 0; index--) {
      if (ends(data[index]) <= t) break;
      total += weight(data[index]);
    }
    return total;
  };
  const holds = (data, t) => compare(measure(data, t), value);

  const add = (data, time, properties, now) => {
    if (!within) {
      return sum
        ? (data || 0) + amountOf(properties)
        : Math.min((data || 0) + 1, cap);
    }
    // Late items go in order behind the newer ones; equal times side by side.
    const item = sum ? [Math.floor(time / width), amountOf(properties)] : time;
    const start = sum ? item[0] : item;
    if (ends(item) <= now) return data;
    data = data || [];
    let index = data.length - 1;
    while (index >= 0 && (sum ? data[index][0] : data[index]) > start) index--;
    if (sum && index >= 0 && data[index][0] === start) {
      data[index][1] += item[1];
    } else if (index === data.length - 1) data.push(item);
    else data.splice(index + 1, 0, item);
    // shift(), unlike splice(), allocates nothing on this hot path.
    while (!sum && data.length > cap) data.shift();
    return data.length ? data : undefined;
  };

  const leaf = {
    key,
    event: spec.event,
    test: spec.test,
    holds,
    add,

    keep: (data, now) => {
      if (!within || !data) return data;
      while (data.length && ends(data[0]) <= now) data.shift();
      return data.length ? data : undefined;
    },

    // Truth only changes when an item leaves the window, so the flip is the
    // earliest leaving time at which the items left behind give another truth
    // than now; items leaving together count once, with the newest. One pass
    // from the newest item: `data` is kept at `now`, so the total it ends
    // with is the measure now, left in `leaf.truth` for the evaluation.
    flip: (data, now) => {
      if (!within || !data) {
        leaf.truth = holds(data, now);
        return null;
      }
      const when = [null, null];
      let total = 0;
      let newer;
      for (let index = data.length - 1; index >= 0; index--) {
        const time = ends(data[index]);
        if (time !== newer) when[+compare(total, value)] = time;
        newer = time;
        total += weight(data[index]);
      }
      leaf.truth = compare(total, value);
      return when[+!leaf.truth];
    },

    load: (raw) => {
      if (!within) {
        const ok =
          isNumber(raw) && (sum || (Number.isInteger(raw) && raw >= 0));
        check(ok, raw);
        return sum ? raw : Math.min(raw, cap);
      }
      // The engine writes items in order, so items out of order are garbage.
      check(Array.isArray(raw) && raw.length <= (sum ? 60 : cap), raw);
      for (let index = 0; index < raw.length; index++) {
        const item = raw[index];
        const before = raw[index - 1];
        const inOrder = !index || (sum ? before[0] < item[0] : before <= item);
        check(isItem(item) && inOrder, raw);
      }
      return raw;
    },
  };
  return leaf;
}
