"""The one exception the engine raises for bad definitions, and value quoting."""

from __future__ import annotations

import json
import math

# Long values are cut so that an error stays one readable sentence.
_QUOTE_LIMIT = 60


class DefinitionError(ValueError):
    """A cohort definition is invalid.

    ``path`` names the JSON location (``definition.all[1].within``), ``value``
    is the offending value, and ``str(error)`` is the full sentence, path first:
    ``definition.all[1].within: 'weeks' is not a window unit; use minutes, hours
    or days``.
    """

    def __init__(self, path: str, value: object, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.value = value


def quote(value: object) -> str:
    """Show a JSON value the way error messages quote it.

    Strings get single quotes (like Python's repr, but always single), other
    values are shown as compact JSON; anything long is cut with an ellipsis.
    """
    if isinstance(value, str):
        # JSON escapes control characters, so the message stays on one line.
        escaped = json.dumps(value, ensure_ascii=False)[1:-1]
        escaped = escaped.replace('\\"', '"').replace("'", "\\'")
        return "'" + _shorten(escaped) + "'"
    if isinstance(value, float) and not math.isfinite(value):
        return (
            "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        )
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        # Not JSON at all (a set, an object, a self-containing list): name its type.
        text = f"<{type(value).__name__}>"
    return _shorten(text)


def _shorten(text: str) -> str:
    if len(text) <= _QUOTE_LIMIT:
        return text
    return text[: _QUOTE_LIMIT - 1] + "…"
