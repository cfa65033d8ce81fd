"""Checking a workspace's cohort definitions with the engine.

The engine names errors by their place in the whole set
(``cohorts.k7d2qa.definition.within``); a user editing one cohort wants the
place in that cohort (``definition.within``), which is what these helpers give.
"""

from __future__ import annotations

from collections.abc import Mapping

from cohortcast.engine import CohortSet, DefinitionError, parse_definition, references
from cohortcast.store.errors import InvalidValueError


def check_definitions(definitions: Mapping[str, object], edited_code: str) -> None:
    """Compile the set ``{code: definition}`` after ``edited_code`` changed.

    Raises :class:`InvalidValueError` with the path inside the edited definition, or,
    when the edit breaks another cohort (a cycle through it), a sentence
    naming that cohort.
    """
    try:
        CohortSet.compile(definitions)
    except DefinitionError as error:
        raise invalid_definition(error, edited_code) from error


def referencing_codes(definitions: Mapping[str, object], code: str) -> list[str]:
    """Sorted codes of the cohorts whose definition refers to cohort ``code``."""
    return sorted(
        other
        for other, definition in definitions.items()
        if other != code and code in references_of(definition)
    )


def references_of(definition: object) -> frozenset[str]:
    """Cohort codes a stored definition refers to (none if it no longer parses)."""
    try:
        return references(parse_definition(definition))
    except DefinitionError:
        return frozenset()


def invalid_definition(error: DefinitionError, edited_code: str) -> InvalidValueError:
    """``error``, met compiling a set after ``edited_code`` changed, as an
    error about that cohort's own definition (see :func:`check_definitions`)."""
    own_prefix = f"cohorts.{edited_code}."
    message = str(error)
    if error.path.startswith(own_prefix):
        path = error.path.removeprefix(own_prefix)
        return InvalidValueError(path + message.removeprefix(error.path), path)

    # Only a reference to the edited cohort can break another one.
    return InvalidValueError(
        f"definition: this change would break another cohort ({message}).", "definition"
    )
