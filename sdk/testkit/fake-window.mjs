// A browser just big enough for the SDK: localStorage, a clock and timers the
// test moves by hand, Image and fetch that record requests, and page events.
import { webcrypto } from "node:crypto";

export const START = 1764777600000;
export const TAG = "2612345678901";

export function memoryLocalStorage() {
  const items = new Map();
  return {
    get length() {
      return items.size;
    },
    key: (i) => [...items.keys()][i] ?? null,
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => items.set(k, String(v)),
    removeItem: (k) => items.delete(k),
    items,
  };
}

export function blockedLocalStorage() {
  const fail = () => {
    throw new Error("SecurityError: storage is blocked");
  };
  return { getItem: fail, setItem: fail, removeItem: fail, key: fail };
}

export function config(overrides = {}) {
  return {
    version: "v1",
    cohorts: [
      { code: "travel", definition: { event: "Read", count: 2 } },
      { code: "sport", definition: { event: "Score" } },
    ],
    routing: [{ tag_id: TAG, cohort_codes: ["sport", "travel"] }],
    pinterest: {
      pixel_url: "https://ct.pinterest.com/v3/",
      event: "custom",
      refresh_seconds: 86400,
    },
    collect_url: "https://cc.example/collect/v1/k/events",
    consent_required: false,
    ...overrides,
  };
}

/**
 * `options.config` is what config.json answers (or a function of the
 * request), `options.collect(body)` gives the collect endpoint's status
 * ("hang": it never answers).
 */
export function fakeWindow(options = {}) {
  const clock = { now: options.now ?? START };
  const timers = new Map();
  const handlers = { win: {}, doc: {} };
  const pixels = [];
  const collects = [];
  const warnings = [];
  const configs = [];
  let nextTimer = 1;
  const on = (where) => (type, fn) =>
    (handlers[where][type] = handlers[where][type] || []).push(fn);

  const win = {
    Date: { now: () => clock.now },
    setTimeout(fn, ms) {
      timers.set(nextTimer, { at: clock.now + (ms || 0), fn });
      return nextTimer++;
    },
    clearTimeout: (id) => timers.delete(id),
    setInterval: () => 0,
    console: { warn: (m) => warnings.push(m) },
    localStorage: options.localStorage ?? memoryLocalStorage(),
    location: {
      href: "https://pub.example/travel/lisbon?x=1",
      pathname: "/travel/lisbon",
    },
    navigator: options.navigator ?? {},
    crypto: webcrypto,
    Image: class {
      set src(url) {
        pixels.push(new URL(url));
      }
    },
    document: {
      cookie: options.cookie ?? "",
      referrer: "https://search.example/",
      title: "Lisbon in three days",
      visibilityState: "visible",
      addEventListener: on("doc"),
    },
    addEventListener: on("win"),
    fetch: async (url, init) => {
      if (url.endsWith("/config.json")) {
        configs.push(url);
        const answer =
          typeof options.config === "function"
            ? options.config(url)
            : (options.config ?? config());
        if (answer instanceof Error) throw answer;
        return response(200, answer);
      }
      const body = JSON.parse(init.body);
      collects.push({ url, init, body });
      const status = options.collect ? options.collect(body) : 200;
      if (status instanceof Error) throw status;
      if (status === "hang") return new Promise(() => {});
      return response(status, { accepted: body.events.length });
    },
  };
  if (options.tcf) win.__tcfapi = options.tcf;
  if (options.localStorage === null) {
    Object.defineProperty(win, "localStorage", {
      get() {
        throw new Error("SecurityError: storage is blocked");
      },
    });
  }

  return {
    win,
    pixels,
    collects,
    warnings,
    configs,
    clock,
    timersRun: 0,
    /** Lets promises settle, then runs the timers due within `ms`. */
    async tick(ms = 0) {
      await settle();
      const end = clock.now + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, t]) => t.at <= end)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        if (++this.timersRun > 1000) throw new Error("a timer loop");
        clock.now = Math.max(clock.now, due[1].at);
        due[1].fn();
        await settle();
      }
      clock.now = end;
      await settle();
    },
    hide() {
      win.document.visibilityState = "hidden";
      (handlers.doc.visibilitychange || []).forEach((fn) => fn());
      (handlers.win.pagehide || []).forEach((fn) => fn());
    },
  };
}

function response(status, body) {
  return {
    status,
    ok: status >= 200 && status < 300,
    json: async () => body,
  };
}

async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** The cohort codes each Tag ID received, from recorded pixel URLs. */
export function deliveries(pixels) {
  const byTag = {};
  for (const url of pixels) {
    const ed = JSON.parse(url.searchParams.get("ed"));
    (byTag[url.searchParams.get("tid")] ||= []).push(ed.cohort_code);
  }
  for (const tag of Object.keys(byTag)) byTag[tag].sort();
  return byTag;
}
