// A retry queue survives reloads in storage; past this many items the oldest
// go first, since a visitor offline for that long would otherwise fill
// localStorage.
const MAX_QUEUED = 500;
const BATCH = 50;
// Chromium refuses keepalive bodies above 64 KiB.
const KEEPALIVE_LIMIT = 60000;
const MAX_BACKOFF = 60000;
// A request the network never answers must not stop sending for the rest of
// the page view: past this, its batch counts as failed and is sent again (the
// server drops the copy if the first one arrives after all).
const REQUEST_TIMEOUT = 30000;

function retryable(status) {
  return (
    !status ||
    status === 404 ||
    status === 408 ||
    status === 429 ||
    status >= 500
  );
}

/**
 * Sends events and delivery receipts to the collect endpoint in batches.
 * Items stay in storage until the server has answered for them, so a failed
 * request, an offline visitor or a closed tab loses nothing (the server
 * deduplicates by event id when a batch arrives twice). `batchFields()` gives
 * the visitor id, signals and identity to send with each batch; nothing is
 * sent while `enabled()` is false.
 */
export function createTransport(win, storage, warn, options) {
  let timer = 0;
  let failures = 0;
  let sending = false;

  function read() {
    return storage.get("queue") || { events: [], receipts: [] };
  }

  function add(kind, item) {
    const queue = read();
    const items = queue[kind];
    items.push(item);
    if (items.length > MAX_QUEUED) {
      items.splice(0, items.length - MAX_QUEUED);
      warn("retry queue full: dropped the oldest");
    }
    storage.set("queue", queue);
    schedule(1000);
  }

  function schedule(delay) {
    if (timer) return;
    timer = win.setTimeout(() => {
      timer = 0;
      flush();
    }, delay);
  }

  function remove(sent) {
    const key = (item) => item.id || item.tag_id + item.event_id;
    const done = {};
    sent.events.concat(sent.receipts).forEach((item) => (done[key(item)] = 1));
    const queue = read();
    queue.events = queue.events.filter((item) => !done[key(item)]);
    queue.receipts = queue.receipts.filter((item) => !done[key(item)]);
    storage.set("queue", queue);
    return queue.events.length + queue.receipts.length;
  }

  function settle(sent, status, reply) {
    sending = false;
    if (retryable(status)) {
      failures++;
      const delay = Math.min(MAX_BACKOFF, 1000 * Math.pow(2, failures));
      warn("collect failed, will retry: " + status);
      return schedule(delay * (0.5 + Math.random() / 2));
    }
    failures = 0;
    if (status >= 400) {
      warn("collect refused a batch: HTTP " + status);
    } else if (reply && reply.rejected && reply.rejected.length) {
      warn("collect rejected events: " + JSON.stringify(reply));
    }
    if (remove(sent)) flush();
  }

  // A string body goes as text/plain, which CORS lets through without a
  // preflight round trip; the server reads it as JSON whatever the type.
  function post(body) {
    return Promise.resolve()
      .then(() =>
        win.fetch(options.url(), {
          method: "POST",
          body: body,
          credentials: "omit",
          keepalive: body.length < KEEPALIVE_LIMIT,
        }),
      )
      .then((response) =>
        response.json().then(
          (reply) => [response.status, reply],
          () => [response.status],
        ),
      );
  }

  /** Sends one batch now, unless one is on its way or sending is gated. */
  function flush() {
    const queue = read();
    if (sending || !options.enabled()) return;
    if (!queue.events.length && !queue.receipts.length) return;
    const sent = {
      events: queue.events.slice(0, BATCH),
      receipts: queue.receipts.slice(0, BATCH),
    };
    const body = JSON.stringify(
      Object.assign({ sent_at: win.Date.now() }, options.batchFields(), sent),
    );
    sending = true;
    let watchdog = 0;
    const finish = (status, reply) => {
      if (!watchdog) return;
      win.clearTimeout(watchdog);
      watchdog = 0;
      settle(sent, status, reply);
    };
    watchdog = win.setTimeout(() => finish(0), REQUEST_TIMEOUT);
    // fetch with keepalive outlives the page like a beacon does, and unlike
    // a beacon it tells whether the server took the batch.
    post(body).then(
      (answer) => finish(answer[0], answer[1]),
      () => finish(0),
    );
  }

  return { add, flush };
}
