/**
 * Decides which (Tag ID, cohort) pairs are due a pixel and records them in
 * `ledger` ({"tag|code": fired_at_ms}), which the caller saves before firing
 * so that another tab reading the ledger afterwards skips them. A pair is due
 * when the visitor is in a cohort routed to that Tag ID and it was never
 * fired, or fired at least one refresh period ago. Ledger entries of cohorts
 * the visitor has left are dropped, so a later re-entry fires again.
 *
 * `fired_at_ms`, which goes into the event id, is the entry time for a first
 * fire (when known and recent) and the end of the last full refresh period
 * for a re-fire, so the server's deliveries can build the same ids.
 */
export function duePixels(ledger, routing, members, entered, now, refreshMs) {
  const due = [];

  Object.keys(ledger).forEach((pair) => {
    if (members.indexOf(pair.split("|")[1]) < 0) delete ledger[pair];
  });

  routing.forEach((route) =>
    route.cohort_codes.forEach((code) => {
      const pair = route.tag_id + "|" + code;
      const last = ledger[pair];
      let at = entered[code];
      if (members.indexOf(code) < 0) return;
      if (last != null) {
        if (now - last < refreshMs) return;
        at = last + refreshMs * Math.floor((now - last) / refreshMs);
      } else if (!(now - at < refreshMs)) {
        at = now;
      }
      ledger[pair] = at;
      due.push({ tag_id: route.tag_id, cohort_code: code, at: at });
    }),
  );
  return due;
}

/**
 * The earliest time after `now` a pair in the ledger is due again, or null.
 * Pairs due already were fired just before, unless they are no longer
 * routed; those must not set a timer that fires at once, again and again.
 */
export function nextRefresh(ledger, refreshMs, now) {
  const times = Object.keys(ledger)
    .map((pair) => ledger[pair] + refreshMs)
    .filter((time) => time > now);
  return times.length ? Math.min.apply(null, times) : null;
}

/** The event id shared with the server's deliveries (see ARCHITECTURE.md). */
export function eventId(code, visitorId, at) {
  return "cc." + code + "." + visitorId + "." + at;
}

/** The pixel request's URL, in the design's wire format. */
export function pixelUrl(settings, tagId, code, id, now) {
  const ed = JSON.stringify({ cohort_code: code, event_id: id });
  return (
    settings.pixel_url +
    "?tid=" +
    encodeURIComponent(tagId) +
    "&event=" +
    encodeURIComponent(settings.event) +
    "&ed=" +
    encodeURIComponent(ed) +
    "&cb=" +
    now
  );
}

/**
 * Runs `fn` while holding the cross-tab lock on the ledger of `sdkKey` where
 * the browser has Web Locks; elsewhere the caller's synchronous
 * read-check-write of the ledger is the guard. Each SDK key keeps its own
 * ledger, so two workspaces on one site never wait for each other.
 */
export function withLedgerLock(win, sdkKey, fn) {
  const locks = win.navigator && win.navigator.locks;
  let ran = false;
  if (!locks || !locks.request) return fn();
  // A lock refused (an opaque origin) must not cost the delivery.
  locks
    .request("cohortcast:" + sdkKey + ":ledger", () => {
      ran = true;
      fn();
    })
    .catch(() => ran || fn());
}
