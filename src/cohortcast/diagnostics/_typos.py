"""Likely typos between Tag IDs: two known Tag IDs one or two edits apart.

Tag IDs are long runs of digits copied by hand, so a swapped pair or a
mistyped digit still looks plausible; two real Tag IDs of one publisher are
very unlikely to be that close.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

MAX_TYPO_DISTANCE = 2


def edit_distance(first: str, second: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): insertions,
    deletions, substitutions and swaps of two neighbours each count one.

    >>> edit_distance("2612345678901", "2612345678910")
    1
    """
    previous_row: list[int] = []
    row = list(range(len(second) + 1))
    for i, left in enumerate(first, start=1):
        earlier_row, previous_row = previous_row, row
        row = [i] + [0] * len(second)
        for j, right in enumerate(second, start=1):
            cost = 0 if left == right else 1
            row[j] = min(
                previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost
            )
            if i > 1 and j > 1 and left == second[j - 2] and right == first[i - 2]:
                row[j] = min(row[j], earlier_row[j - 2] + 1)
    return row[-1]


def likely_typos(tag_ids: Iterable[str]) -> list[tuple[str, str, int]]:
    """Pairs of distinct Tag IDs 1 to :data:`MAX_TYPO_DISTANCE` edits apart,
    as ``(first, second, distance)`` sorted by Tag ID."""
    unique = sorted(set(tag_ids))
    pairs = []
    for first, second in combinations(unique, 2):
        if abs(len(first) - len(second)) > MAX_TYPO_DISTANCE:
            continue
        distance = edit_distance(first, second)
        if 1 <= distance <= MAX_TYPO_DISTANCE:
            pairs.append((first, second, distance))
    return pairs
