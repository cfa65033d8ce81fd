"""Small phrases the checks share: ages, counts and shares in words."""

from __future__ import annotations

from datetime import UTC, datetime

_MINUTE = 60_000
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR


def ago(now: int, then: int) -> str:
    """``then`` relative to ``now`` (both ms), e.g. ``'3 minutes ago'``."""
    elapsed = max(0, now - then)
    if elapsed < _MINUTE:
        return "less than a minute ago"
    for size, unit in ((_DAY, "day"), (_HOUR, "hour")):
        if elapsed >= size:
            return f"{plural(elapsed // size, unit)} ago"
    return f"{plural(elapsed // _MINUTE, 'minute')} ago"


def at(moment: int) -> str:
    """A moment (ms) as a UTC time a reader can compare with logs."""
    return datetime.fromtimestamp(moment / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")


def plural(count: int, noun: str) -> str:
    """``'1 pixel'``, ``'2 pixels'``, with thousands separators."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def share(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a whole percentage, e.g. ``'42%'``."""
    return f"{round(100 * part / whole)}%" if whole else "0%"


def quoted_list(items: list[str]) -> str:
    """``'a'``, ``'a' and 'b'``, ``'a', 'b' and 'c'``."""
    quoted = [f"'{item}'" for item in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
