/**
 * Replaces the snippet's stub on `win.cohortcast` with the real API, callable
 * both as `cohortcast("track", name, properties)` and as
 * `cohortcast.track(name, properties)`, and replays the calls the stub queued
 * before the script loaded. Queued `page` calls only add properties to this
 * page view's Pageview, which is recorded before the other calls replay.
 */
export function installApi(win, api, pageProperties) {
  const stub = win.cohortcast;
  const queue = [].slice.call((stub && stub.q) || []);
  const entry = function (method) {
    if (!api.hasOwnProperty(method)) return;
    return api[method].apply(null, [].slice.call(arguments, 1));
  };
  Object.keys(api).forEach((method) => (entry[method] = api[method]));
  entry.loaded = true;
  win.cohortcast = entry;

  queue.forEach((call) => {
    if (call[0] === "page") Object.assign(pageProperties, call[1]);
  });
  api.page(pageProperties);
  queue.forEach((call) => call[0] !== "page" && entry.apply(null, call));
}
