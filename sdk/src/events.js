/** Bytes (an ArrayBuffer or a typed array) as lower-case hex. */
export function hex(bytes) {
  let out = "";
  new Uint8Array(bytes).forEach(
    (b) => (out += (b + 256).toString(16).slice(1)),
  );
  return out;
}

/** A random id such as `v_0c6b3f0e9d9a4a7e`, used for visitors and events. */
export function randomId(win, prefix) {
  const bytes = new Uint8Array(8);
  try {
    win.crypto.getRandomValues(bytes);
  } catch (e) {
    for (let i = 0; i < 8; i++) bytes[i] = Math.random() * 256;
  }
  return prefix + hex(bytes);
}

/** The Pageview's properties; the publisher's page properties win. */
export function pageProperties(win, extra) {
  const doc = win.document;
  const loc = win.location;
  return Object.assign(
    {
      url: loc.href,
      path: loc.pathname,
      referrer: doc.referrer,
      title: doc.title,
    },
    extra,
  );
}

// Engaged time is reported as increments so that a `sum` over
// engaged_seconds adds up to the time spent; a heartbeat lets a cohort on
// engaged time be entered while the visitor is still reading.
const HEARTBEAT = 15000;

/**
 * Counts the time the page is visible and calls `report(seconds)` with whole
 * seconds every 15 s while visible and when the page is hidden.
 */
export function trackEngagement(win, report) {
  const doc = win.document;
  let since = doc.visibilityState === "hidden" ? 0 : win.Date.now();
  let carried = 0;

  function flush() {
    const now = win.Date.now();
    if (since) carried += now - since;
    since = doc.visibilityState === "hidden" ? 0 : now;
    const seconds = Math.floor(carried / 1000);
    carried -= seconds * 1000;
    if (seconds > 0) report(seconds);
  }

  doc.addEventListener("visibilitychange", flush);
  win.addEventListener("pagehide", flush);
  win.setInterval(() => since && flush(), HEARTBEAT);
}
