"""Random identifiers: object ids, cohort codes, SDK keys and token secrets."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits


def random_text(length: int) -> str:
    """``length`` random lowercase letters and digits from a secure source."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_id(prefix: str) -> str:
    """A new object id such as ``coh_3k9x2m7q1p0a``."""
    return f"{prefix}_{random_text(12)}"


def new_cohort_code() -> str:
    """A six-character cohort code that starts with a letter, e.g. ``k7d2qa``.

    The leading letter keeps codes from reading as numbers in spreadsheets
    and Pinterest's audience rules.
    """
    return secrets.choice(string.ascii_lowercase) + random_text(5)
