"""Checks shared by the parsers of definitions and predicates."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import cast

from ._errors import DefinitionError, quote

MAX_STRING = 1000


def string_value(raw: object, path: str, what: str) -> str:
    """A non-empty string of at most MAX_STRING characters, or an error."""
    if not isinstance(raw, str) or not raw:
        raise DefinitionError(
            path, raw, f"{quote(raw)} is not {what}; use a non-empty string"
        )
    if too_long(raw):
        raise DefinitionError(
            path, raw, f"{quote(raw)} is longer than {MAX_STRING} characters"
        )
    return raw


def too_long(text: str) -> bool:
    """Over MAX_STRING as JavaScript counts (UTF-16 code units), so that the
    server never accepts a string the browser SDK would refuse."""
    if len(text) <= MAX_STRING // 2:
        return False
    return len(text.encode("utf-16-le", "surrogatepass")) // 2 > MAX_STRING


def property_path(raw: object, path: str) -> str:
    """A dotted property path such as ``article.section``."""
    text = string_value(raw, path, "a property path")
    if "" in text.split("."):
        raise DefinitionError(
            path,
            raw,
            f"{quote(raw)} is not a property path; use names separated by single"
            " dots, such as 'article.section'",
        )
    return text


def finite_number(raw: object) -> bool:
    """True for a JSON number (not a boolean) that a double can hold."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return False
    try:
        return math.isfinite(float(raw))
    except OverflowError:
        return False


def whole_number(raw: object) -> int | None:
    """The integer a JSON number stands for (``3.0`` is 3), or None."""
    if not finite_number(raw):
        return None
    number = cast(int | float, raw)
    if isinstance(number, float) and not number.is_integer():
        return None
    return int(number)


def object_keys(
    raw: Mapping[object, object], path: str, allowed: tuple[str, ...], what: str
) -> None:
    """Reject the first key that is not allowed, listing the allowed ones."""
    for key in raw:
        if key not in allowed:
            raise DefinitionError(
                path,
                key,
                f"{quote(key)} is not a key of {what}; use {or_list(allowed)}",
            )


def or_list(words: tuple[str, ...]) -> str:
    if len(words) == 1:
        return f"only {words[0]}"
    return ", ".join(words[:-1]) + " or " + words[-1]
