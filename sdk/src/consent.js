/**
 * Tracks what the visitor allowed. `can("store")` gates storage writes and
 * collection, `can("activate")` gates the Pinterest pixel. An explicit
 * consent(false) always wins; an answered CMP where GDPR applies decides next;
 * otherwise consent is needed only when the page or the configuration says so.
 * Global Privacy Control is an opt-out of activation only.
 */
export function createConsent(win, pageRequired, granted, onChange) {
  const nav = win.navigator || {};
  let tcf = null;
  let configRequired = true;

  function can(kind) {
    if (granted === false || tcf === 0) return false;
    if (kind === "activate" && nav.globalPrivacyControl === true) return false;
    if (tcf) return tcf[kind];
    return granted === true || !(pageRequired || configRequired);
  }

  function onTcf(data, ok) {
    if (!ok || !data) return;
    if (data.gdprApplies === false) {
      tcf = null;
    } else if (data.eventStatus !== "cmpuishown") {
      const given = (data.purpose && data.purpose.consents) || {};
      const all = (ids) => ids.every((id) => given[id] === true);
      // Storing needs purpose 1 (store and access information on a device);
      // activation also needs 3 and 4 (create, use a personalised ads profile).
      tcf = { store: all([1]), activate: all([1, 3, 4]) };
    }
    onChange();
  }

  if (typeof win.__tcfapi === "function") {
    tcf = 0;
    try {
      win.__tcfapi("addEventListener", 2, onTcf);
    } catch (e) {
      tcf = null;
    }
  }

  return {
    can,
    set(value) {
      granted = value;
      onChange();
    },
    requireByConfig(required) {
      configRequired = required;
    },
  };
}
