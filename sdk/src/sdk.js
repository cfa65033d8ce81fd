import { createWarn, guard } from "./log.js";
import { createStorage } from "./storage.js";
import { fetchConfig } from "./config.js";
import { createConsent } from "./consent.js";
import { hex, randomId, pageProperties, trackEngagement } from "./events.js";
import { createTransport } from "./transport.js";
import { createMembership } from "./membership.js";
import {
  duePixels,
  nextRefresh,
  eventId,
  pixelUrl,
  withLedgerLock,
} from "./pinterest.js";

// setTimeout fires at once for delays above 2^31 - 1 ms (about 24.8 days).
const MAX_DELAY = 2147483647;
const MAX_PENDING = 500;
const object = (value) =>
  value && typeof value === "object" && !Array.isArray(value) ? value : {};
const PINTEREST_COOKIE = /(^|;\s*)(_pin_unauth|_epik|_derived_epik)=/;

/**
 * Builds one page view's SDK and returns the public API (see docs/sdk.md).
 * `env`: `win` (the window), `compile` (the engine's compileCohorts),
 * `origin` and `sdkKey` (from the script tag), `debug`, `consentRequired`.
 */
export function createSdk(env) {
  const win = env.win;
  const doc = win.document;
  const now = () => win.Date.now();
  const warn = createWarn(win, env.debug);
  const storage = createStorage(win, warn, env.sdkKey);
  const listeners = { entry: [], exit: [], ready: [] };
  const pending = [];
  const base = env.origin + "/";
  const key = encodeURIComponent(env.sdkKey);
  let visitorId = storage.get("visitor_id") || randomId(win, "v_");
  let refused = storage.get("consent") === false;
  let config = null;
  let membership = null;
  let consent = null;
  let timer = 0;
  let timerAt = Infinity;
  let isReady = false;
  // Pixels wait for this page view's configuration (or its failure to load),
  // so that a cached routing table never fires a toggled-off cohort.
  let routingKnown = false;

  const transport = createTransport(win, storage, warn, {
    url: () =>
      (config && config.collect_url) || base + "collect/v1/" + key + "/events",
    enabled: () => !refused && consent.can("store"),
    batchFields: () => {
      let cookie = false;
      try {
        cookie = PINTEREST_COOKIE.test(doc.cookie);
      } catch (e) {
        // A sandboxed document has no cookie access: no Pinterest cookie.
      }
      return Object.assign(
        {
          visitor_id: visitorId,
          signals: {
            pinterest_cookie: cookie,
            consent: consent.can("activate"),
          },
        },
        storage.get("user"),
      );
    },
  });

  function call(fn, value) {
    try {
      fn(value);
    } catch (e) {
      warn("a listener threw: " + e);
    }
  }

  function schedule(at) {
    if (at == null || at >= timerAt) return;
    win.clearTimeout(timer);
    timerAt = at;
    const delay = Math.min(MAX_DELAY, Math.max(0, at - now()));
    timer = win.setTimeout(
      guard(warn, () => {
        timerAt = Infinity;
        if (membership) sync(membership.advance(now()));
      }),
      delay,
    );
  }

  function fire(pixel) {
    const id = eventId(pixel.cohort_code, visitorId, pixel.at);
    const time = now();
    new win.Image().src = pixelUrl(
      config.pinterest,
      pixel.tag_id,
      pixel.cohort_code,
      id,
      time,
    );
    transport.add("receipts", {
      tag_id: pixel.tag_id,
      cohort_code: pixel.cohort_code,
      event_id: id,
      time: time,
    });
  }

  /**
   * Fires the pixels that are due for the current membership and schedules
   * the next time-only change or refresh. Called after every engine step,
   * on a timer, and when consent or the routing changes.
   */
  function sync(state) {
    if (!membership || refused) return;
    state = state || membership.current();
    schedule(membership.nextChange(state));
    if (!routingKnown || !consent.can("activate")) return;

    const refreshMs = config.pinterest.refresh_seconds * 1000;
    withLedgerLock(
      win,
      env.sdkKey,
      guard(warn, () => {
        const ledger = storage.get("ledger") || {};
        const due = duePixels(
          ledger,
          config.routing,
          membership.members(state),
          state.entered,
          now(),
          refreshMs,
        );
        storage.set("ledger", ledger);
        due.forEach(fire);
        schedule(nextRefresh(ledger, refreshMs, now()));
      }),
    );
  }

  function applyConsent() {
    if (!consent) return;
    const store = !refused && consent.can("store");
    storage.persist(store);
    if (store) {
      storage.set("visitor_id", visitorId);
      transport.flush();
    }
    sync();
  }

  function record(name, properties) {
    if (refused) return;
    const event = {
      id: randomId(win, "e_"),
      name: String(name),
      time: now(),
      // A copy, so later changes by the page cannot alter what was counted.
      properties: JSON.parse(JSON.stringify(object(properties))),
    };
    transport.add("events", event);
    if (membership) return sync(membership.process(event));
    pending.push(event);
    pending.splice(0, pending.length - MAX_PENDING);
  }

  function ready() {
    isReady = true;
    listeners.ready.splice(0).forEach(call);
  }

  function start(fresh) {
    config = fresh;
    consent.requireByConfig(fresh.consent_required);
    membership = createMembership(
      env.compile(fresh.cohorts, warn),
      storage,
      (change) => listeners[change.kind].forEach((fn) => call(fn, change)),
    );
    pending.splice(0).forEach((event) => membership.process(event));
    membership.advance(now());
    applyConsent();
    ready();
  }

  // The cohorts of a new configuration apply from the next page view, with a
  // state built for them; routing, pixel settings and consent apply at once.
  function configure(fresh) {
    routingKnown = true;
    if (!fresh) return isReady ? sync() : ready();
    storage.set("config", fresh);
    if (!config) return start(fresh);
    config = fresh;
    consent.requireByConfig(fresh.consent_required);
    applyConsent();
  }

  consent = createConsent(
    win,
    env.consentRequired,
    storage.get("consent"),
    guard(warn, applyConsent),
  );
  trackEngagement(win, (seconds) =>
    record("PageviewEngagement", {
      engaged_seconds: seconds,
      path: win.location.pathname,
    }),
  );
  const flushHidden = () =>
    doc.visibilityState === "hidden" && transport.flush();
  doc.addEventListener("visibilitychange", flushHidden);
  win.addEventListener("pagehide", () => transport.flush());

  const cached = storage.get("config");
  if (cached) guard(warn, start)(cached);
  fetchConfig(win, base + "sdk/v1/" + key + "/config.json", warn).then(
    guard(warn, configure),
  );

  const api = {
    page: (properties) => record("Pageview", pageProperties(win, properties)),
    track: (name, properties) => {
      if (typeof name !== "string" || !name) {
        return warn("track() needs an event name");
      }
      record(name, properties);
    },
    identify: (userId, traits) => {
      const user = userId == null ? {} : { user_id: String(userId) };
      const email = traits && traits.email;
      storage.set("user", user);
      if (typeof email !== "string") return;
      // The address is hashed on the device; only the digest leaves it.
      Promise.resolve(email.trim().toLowerCase())
        .then((text) =>
          win.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
        )
        .then((digest) => {
          user.email_sha256 = hex(digest);
          storage.set("user", user);
        })
        .catch(() => warn("cannot hash the email here"));
    },
    cohorts: () =>
      membership ? membership.members(membership.current()).slice() : [],
    on: (kind, fn) => {
      if (kind === "entry" || kind === "exit") listeners[kind].push(fn);
      else warn("on() takes 'entry' or 'exit'");
    },
    ready: (fn) => (isReady ? call(fn) : listeners.ready.push(fn)),
    consent: (granted) => {
      refused = granted !== true;
      if (refused) {
        // A visitor who refuses is forgotten: a later consent starts afresh.
        visitorId = randomId(win, "v_");
        storage.clear();
        storage.set("consent", false, true);
        win.clearTimeout(timer);
        timerAt = Infinity;
      }
      consent.set(granted === true);
      if (!refused) storage.set("consent", true);
    },
  };
  Object.keys(api).forEach((name) => (api[name] = guard(warn, api[name])));
  return api;
}
