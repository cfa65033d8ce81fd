"""Pinterest Tag IDs: the one place that decides what a valid Tag ID is.

A Tag ID is the number Pinterest shows under Ads > Conversions; the pixel
sends it as ``tid``. Users paste it, so surrounding spaces are forgiven and
everything else is rejected with a sentence that says where to find it.
"""

from __future__ import annotations

import re

MIN_DIGITS = 10
MAX_DIGITS = 20

_WHERE = "find it under Ads > Conversions in Pinterest"
_DIGITS = re.compile(r"[0-9]+")


class InvalidTagIdError(ValueError):
    """The value cannot be a Pinterest Tag ID; ``str(error)`` says why."""

    def __init__(self, message: str, value: object) -> None:
        super().__init__(message)
        self.value = value


def normalize_tag_id(raw: str) -> str:
    """The Tag ID without surrounding spaces; raises :class:`InvalidTagIdError`.

    >>> normalize_tag_id(" 2612345678901 ")
    '2612345678901'
    """
    value = raw.strip()
    if not value:
        raise InvalidTagIdError(
            f"Tag ID {raw!r} is empty; enter the Tag ID ({_WHERE}).", raw
        )
    # ASCII only: str.isdigit would also accept digits like '²' or '٣'.
    if _DIGITS.fullmatch(value) is None:
        raise InvalidTagIdError(
            f"Tag ID {value!r} must contain only digits ({_WHERE}).", raw
        )
    if not MIN_DIGITS <= len(value) <= MAX_DIGITS:
        raise InvalidTagIdError(
            f"Tag ID {value!r} has {len(value)} digits; a Pinterest Tag ID has "
            f"{MIN_DIGITS} to {MAX_DIGITS} ({_WHERE}).",
            raw,
        )
    return value


def normalize_optional_tag_id(raw: str | None) -> str | None:
    """Like :func:`normalize_tag_id`, but blank or None means "the default": None."""
    if raw is None or not raw.strip():
        return None
    return normalize_tag_id(raw)
