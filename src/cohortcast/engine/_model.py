"""The typed model of a cohort definition, and the events and changes the engine
exchanges with its callers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, TypeAlias

Scalar: TypeAlias = str | int | float | bool
"""A predicate value: string, number or boolean (booleans are never numbers)."""

PredicateOp: TypeAlias = Literal[
    "eq",
    "ne",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "gt",
    "gte",
    "lt",
    "lte",
    "exists",
]
Comparison: TypeAlias = Literal["gte", "lte", "eq"]
WindowUnit: TypeAlias = Literal["minutes", "hours", "days"]

MILLISECONDS_PER_UNIT: Mapping[str, int] = {
    "minutes": 60_000,
    "hours": 3_600_000,
    "days": 86_400_000,
}


@dataclass(frozen=True)
class Predicate:
    """One ``where`` test on a property of an event.

    ``value`` is a scalar, a tuple of scalars (``in``, ``not_in``) or a boolean
    (``exists``).
    """

    property: str
    op: PredicateOp
    value: Scalar | tuple[Scalar, ...]


@dataclass(frozen=True)
class Count:
    """How many matching events a leaf needs in its window."""

    op: Comparison = "gte"
    value: int = 1


@dataclass(frozen=True)
class Sum:
    """What the total of a numeric property over matching events must be."""

    property: str
    op: Comparison
    value: float


@dataclass(frozen=True)
class Window:
    """A sliding window such as 30 days."""

    unit: WindowUnit
    amount: int

    @property
    def milliseconds(self) -> int:
        """The window's length W in milliseconds."""
        return self.amount * MILLISECONDS_PER_UNIT[self.unit]


@dataclass(frozen=True)
class Leaf:
    """Matches events by name and predicates, and tests a count or sum over a
    window (``within`` is None for all retained history)."""

    event: str
    where: tuple[Predicate, ...] = ()
    measure: Count | Sum = field(default_factory=Count)
    within: Window | None = None


@dataclass(frozen=True)
class AllOf:
    """Holds when every child holds."""

    children: tuple[Definition, ...]


@dataclass(frozen=True)
class AnyOf:
    """Holds when at least one child holds."""

    children: tuple[Definition, ...]


@dataclass(frozen=True)
class Not:
    """Holds when its child does not."""

    child: Definition


@dataclass(frozen=True)
class CohortRef:
    """Holds when the same user is a member of the cohort ``code``."""

    code: str


Definition: TypeAlias = Leaf | AllOf | AnyOf | Not | CohortRef
"""A parsed, validated cohort definition (see ``parse_definition``)."""


@dataclass(frozen=True)
class Event:
    """One event of one user: ``time`` is integer milliseconds since the epoch."""

    name: str
    time: int
    properties: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A float time would end up in stored states, which only hold integers.
        if not isinstance(self.time, int) or isinstance(self.time, bool):
            raise ValueError(
                f"event time {self.time!r} is not an integer; use milliseconds"
                " since the Unix epoch"
            )
        if not isinstance(self.name, str):
            raise ValueError(f"event name {self.name!r} is not a string")


class Change(NamedTuple):
    """A user entered or exited a cohort at ``time`` (milliseconds).

    A named tuple rather than a dataclass: the engine makes one per change on
    its hot path, and a tuple is several times cheaper to create.
    """

    cohort: str
    kind: Literal["entry", "exit"]
    time: int
