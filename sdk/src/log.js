// Warnings are for the publisher's developer, so they stay silent unless the
// debug flag is on, and each message is said once so a hot path cannot flood
// the console.
export function createWarn(win, enabled) {
  const said = {};
  return function warn(message) {
    if (!enabled || said[message]) return;
    said[message] = 1;
    try {
      win.console.warn("[cohortcast] " + message);
    } catch (e) {
      // A console that throws is the host's problem, never ours to surface.
    }
  };
}

// Wraps a public entry point so that nothing the SDK does can throw into the
// host page's code.
export function guard(warn, fn) {
  return function () {
    try {
      return fn.apply(null, arguments);
    } catch (e) {
      warn("internal error: " + e);
    }
  };
}
