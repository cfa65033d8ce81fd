// Every key the SDK owns starts with this prefix, so that consent(false) can
// clear them all without touching the publisher's keys.
export const PREFIX = "cohortcast:";
// Consent and the debug switch belong to the site, whatever SDK key its pages
// load; everything else is kept per SDK key, so two workspaces on one site (or
// a site that moves to another) never mix states, queues or visitor ids.
const SHARED = { consent: 1, debug: 1 };

/**
 * A JSON store over localStorage that degrades to memory. Until `persist(true)`
 * (consent, or none required) writes stay in memory; reads still see what an
 * earlier, consented page view stored. Values are kept serialised in memory too
 * so that callers never share a mutable object with the store.
 */
export function createStorage(win, warn, sdkKey) {
  const memory = {};
  const name = (key) => PREFIX + (SHARED[key] ? "" : sdkKey + ":") + key;
  let local = null;
  let persisting = false;

  try {
    local = win.localStorage;
    local.getItem(PREFIX + "debug");
  } catch (e) {
    local = null;
    warn("localStorage is blocked; using memory");
  }

  function get(key) {
    let raw = memory[key];
    try {
      if (raw === undefined && local) raw = local.getItem(name(key));
      // Kept under the bare prefix before keys were separated: adopted once.
      if (raw == null && local) raw = local.getItem(PREFIX + key);
      return raw == null ? null : JSON.parse(raw);
    } catch (e) {
      warn("ignored a corrupt " + key);
      return null;
    }
  }

  /** `always` stores even before consent: only for the refusal itself. */
  function set(key, value, always) {
    const raw = JSON.stringify(value);
    if ((persisting || always) && local) {
      try {
        local.setItem(name(key), raw);
        if (!SHARED[key]) local.removeItem(PREFIX + key);
        delete memory[key];
        return;
      } catch (e) {
        warn("localStorage is full; using memory");
      }
    }
    memory[key] = raw;
  }

  function persist(on) {
    persisting = on;
    if (on) Object.keys(memory).forEach((key) => set(key, get(key)));
  }

  function clear() {
    Object.keys(memory).forEach((key) => delete memory[key]);
    try {
      for (let i = local ? local.length : 0; i--;) {
        const name = local.key(i);
        if (name && name.indexOf(PREFIX) === 0) local.removeItem(name);
      }
    } catch (e) {
      warn("could not clear localStorage");
    }
  }

  return { get, set, persist, clear };
}
