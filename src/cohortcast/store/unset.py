"""The marker for an update argument the caller did not give."""

from __future__ import annotations

import enum


class Unset(enum.Enum):
    """Leave the field as it is (None may be a real value, such as "default Tag ID")."""

    UNSET = "unset"


UNSET = Unset.UNSET
