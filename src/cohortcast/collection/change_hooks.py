"""Hooks run on membership changes, inside the transaction that records them.

Other parts (server-side delivery) register here instead of being imported
by collection, so collection stays unaware of them and whatever a hook
writes commits with the changes, or nothing does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from cohortcast.engine import Change

ProfileChanges = Sequence[tuple[int, Sequence[Change]]]
"""``(profile id, that profile's changes)`` pairs of one transaction."""

ChangeHook = Callable[[Session, str, ProfileChanges], None]

_hooks: list[ChangeHook] = []


def on_changes(hook: ChangeHook) -> ChangeHook:
    """Register ``hook(session, workspace_id, profile_changes)``; usable as a
    decorator. Registering the same function twice keeps one."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


def run_change_hooks(
    session: Session, workspace_id: str, profile_changes: ProfileChanges
) -> None:
    """Call every registered hook; an exception rolls the transaction back."""
    for hook in _hooks:
        hook(session, workspace_id, profile_changes)
