"""The cohort engine: parse and validate cohort definitions, and evaluate them
incrementally per user with bounded state. Pure Python, no I/O.

The exact semantics are in docs/cohorts.md ("Reference: exact semantics");
the browser SDK implements the same, pinned by the vectors in vectors/cohorts/.

    travel = {"event": "Pageview", "within": {"days": 30}}
    cohorts = CohortSet.compile({"travel": travel})
    state = cohorts.new_state()
    cohorts.process(state, Event("Pageview", 1_764_777_600_000, {}))
    # [Change(cohort='travel', kind='entry', time=1764777600000)]

The same sources compiled with mypyc run when installed and current;
``IMPLEMENTATION`` says which runs ("python" or "compiled", see _native.py).
"""

from typing import TYPE_CHECKING

from ._native import use_compiled

if TYPE_CHECKING or not use_compiled():
    from ._cohort_set import CohortSet
    from ._errors import DefinitionError
    from ._model import Change, Definition, Event
    from ._parse import parse_definition, references
    from ._state import UserState

    IMPLEMENTATION = "python"
else:
    from _cohortcast_engine._cohort_set import CohortSet
    from _cohortcast_engine._errors import DefinitionError
    from _cohortcast_engine._model import Change, Definition, Event
    from _cohortcast_engine._parse import parse_definition, references
    from _cohortcast_engine._state import UserState

    IMPLEMENTATION = "compiled"

__all__ = [
    "Change",
    "CohortSet",
    "Definition",
    "DefinitionError",
    "Event",
    "UserState",
    "parse_definition",
    "references",
]
