const PINTEREST = {
  pixel_url: "https://ct.pinterest.com/v3/",
  event: "custom",
  refresh_seconds: 86400,
};

function list(value) {
  return Array.isArray(value) ? value : [];
}

/**
 * Turns whatever the server (or an old cache) returned into a configuration
 * the rest of the SDK can use without checks: a broken part becomes empty
 * rather than failing the whole SDK. Returns null when nothing is usable.
 */
export function normaliseConfig(raw, warn) {
  if (!raw || typeof raw !== "object") {
    warn("ignored a configuration that is not an object");
    return null;
  }
  // A wrong type or a non-positive refresh period would send pixels to the
  // wrong place or on every event, so each such setting falls back alone.
  const pinterest = Object.assign({}, PINTEREST, raw.pinterest);
  Object.keys(PINTEREST).forEach((key) => {
    const value = pinterest[key];
    if (
      typeof value !== typeof PINTEREST[key] ||
      !(value > 0 || value.length)
    ) {
      pinterest[key] = PINTEREST[key];
    }
  });
  return {
    version: raw.version,
    cohorts: list(raw.cohorts),
    routing: list(raw.routing)
      .filter((route) => route && typeof route.tag_id === "string")
      .map((route) => ({
        tag_id: route.tag_id,
        cohort_codes: list(route.cohort_codes),
      })),
    pinterest: pinterest,
    collect_url: typeof raw.collect_url === "string" ? raw.collect_url : "",
    consent_required: raw.consent_required === true,
  };
}

/**
 * Fetches the workspace's configuration. Resolves to the normalised
 * configuration, or null when the server is unreachable or answers badly:
 * the caller keeps using its cached copy then.
 */
export function fetchConfig(win, url, warn) {
  return win
    .fetch(url, { credentials: "omit" })
    .then((response) => {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then((raw) => normaliseConfig(raw, warn))
    .catch((e) => {
      warn("no configuration: " + e);
      return null;
    });
}
