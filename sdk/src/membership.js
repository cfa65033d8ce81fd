/**
 * The visitor's cohort membership: the engine's state plus the entry time of
 * each current cohort, kept in storage under "state". The state is read back
 * from storage before every step so that tabs of one site build on each
 * other's events instead of overwriting them.
 */
export function createMembership(set, storage, onChange) {
  function load() {
    const saved = storage.get("state");
    const engine = saved && saved.engine;
    return {
      engine: engine ? set.restore(engine) : set.newState(),
      entered: (saved && saved.entered) || {},
    };
  }

  /** Runs one engine step (process or advance) and reports its changes. */
  function step(run) {
    const state = load();
    const changes = run(state.engine) || [];
    changes.forEach((change) => {
      if (change.kind === "entry") state.entered[change.cohort] = change.time;
      else delete state.entered[change.cohort];
    });
    storage.set("state", state);
    changes.forEach(onChange);
    return state;
  }

  return {
    process: (event) => step((engine) => set.process(engine, event)),
    advance: (time) => step((engine) => set.advance(engine, time)),
    current: load,
    members: (state) => set.members(state.engine),
    nextChange: (state) => set.nextChangeTime(state.engine),
  };
}
