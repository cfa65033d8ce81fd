"""Identifiers for server-side delivery, normalised and hashed as Pinterest expects.

Customer lists and the Conversions API match people by email address or mobile
advertising id (MAID: Android's GAID or Apple's IDFA). Pinterest matches on the
SHA-256 of the *normalised* value, so the normalisation below must be applied
before hashing or the record never matches anyone:

- emails: surrounding spaces removed, lowercased;
- MAIDs: surrounding spaces removed, lowercased (the hyphens stay).

Raw emails never leave this module unhashed and are never logged.
"""

from __future__ import annotations

import hashlib
import re

_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


class InvalidIdentifier(ValueError):  # noqa: N818 (reads as a sentence)
    """The value cannot be an email address or MAID; ``str(error)`` says why."""


def normalize_email(email: str) -> str:
    """Return the email as Pinterest hashes it: trimmed and lowercased.

    >>> normalize_email("  Ada.Lovelace@Example.COM ")
    'ada.lovelace@example.com'
    """
    value = email.strip().lower()
    if "@" not in value or value.startswith("@") or value.endswith("@"):
        # The value itself is not quoted: it may be personal data.
        raise InvalidIdentifier(
            "An email address must have a local part, '@' and a domain."
        )
    return value


def normalize_maid(maid: str) -> str:
    """Return a mobile advertising id (GAID or IDFA) trimmed and lowercased.

    >>> normalize_maid(" 6D92078A-8246-4BA4-AE5B-76104861E7DC ")
    '6d92078a-8246-4ba4-ae5b-76104861e7dc'
    """
    value = maid.strip().lower()
    if not value:
        raise InvalidIdentifier("A mobile advertising id must not be empty.")
    return value


def sha256_hex(value: str) -> str:
    """Return the lowercase hex SHA-256 of the UTF-8 bytes of ``value``."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def is_sha256_hex(value: str) -> bool:
    """Tell whether ``value`` already is a hex SHA-256 digest (either case)."""
    return _SHA256_HEX.fullmatch(value) is not None


def hash_email(email: str) -> str:
    """Return the SHA-256 of the normalised email; an existing digest passes through.

    Passing a digest through lets callers that only store hashes use the same
    helper as callers that hold the address.
    """
    if is_sha256_hex(email):
        return email.lower()
    return sha256_hex(normalize_email(email))


def hash_maid(maid: str) -> str:
    """Return the SHA-256 of the normalised MAID; an existing digest passes through."""
    if is_sha256_hex(maid):
        return maid.lower()
    return sha256_hex(normalize_maid(maid))
