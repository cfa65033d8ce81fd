// A stand-in for the cohort engine with the same interface and a tiny
// language: a cohort holds once `count` events named `event` arrived, and
// until `until` ms when given (a time-only exit). The real engine has its own
// tests; these only need something that enters and exits predictably.
export function compileCohorts(cohorts, warn) {
  const list = Array.isArray(cohorts) ? cohorts : [];
  if (!Array.isArray(cohorts)) warn("cohorts", "not a list");

  function evaluate(state, time, changes) {
    list.forEach(({ code, definition }) => {
      const n = state.counts[definition.event] || 0;
      const holds =
        n >= (definition.count || 1) &&
        !(definition.until && time >= definition.until);
      const was = state.members.indexOf(code) >= 0;
      if (holds === was) return;
      changes.push({ cohort: code, kind: holds ? "entry" : "exit", time });
      state.members = holds
        ? state.members.concat(code).sort()
        : state.members.filter((c) => c !== code);
    });
    state.now = time;
    return changes;
  }

  return {
    codes: list.map((c) => c.code),
    newState: () => ({ now: null, counts: {}, members: [] }),
    restore: (value) => JSON.parse(JSON.stringify(value)),
    process(state, event) {
      state.counts[event.name] = (state.counts[event.name] || 0) + 1;
      return evaluate(state, Math.max(event.time, state.now || 0), []);
    },
    advance(state, time) {
      if (state.now !== null && time <= state.now) return [];
      return evaluate(state, time, []);
    },
    members: (state) => state.members.slice(),
    nextChangeTime(state) {
      const times = list
        .map((c) => c.definition.until)
        .filter((t) => t && t > state.now);
      return times.length ? Math.min(...times) : null;
    },
  };
}
