"""Which implementation of the engine runs: these sources, or the same sources
compiled with mypyc (``tools/compile_engine.py``), about 1.6 times as fast.

The compiled copy is a package of its own, ``_cohortcast_engine``, carrying
the digest of the sources it was compiled from. It is used only while that
digest matches the sources beside this file, so an edited engine never runs
stale machine code. ``COHORTCAST_ENGINE`` chooses: ``auto`` (the default:
compiled when current, else Python), ``python`` or ``compiled`` (fail when the
compiled engine is missing or stale).

This module is never compiled and imports only the standard library.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path

COMPILED_PACKAGE = "_cohortcast_engine"
CHOICES = ("auto", "python", "compiled")

# Copied into the compiled package as Python: the model's classes check their
# arguments and raise ValueErrors that say what is wrong, where compiled classes
# would raise a bare TypeError first.
INTERPRETED = ("_model.py",)

_NOT_COPIED = ("__init__.py", "_native.py")


def engine_modules(directory: Path) -> list[str]:
    """File names of the engine modules the compiled package holds."""
    return sorted(
        path.name for path in directory.glob("*.py") if path.name not in _NOT_COPIED
    )


def source_digest(directory: Path) -> str:
    """A digest of the engine modules' sources (names and contents)."""
    digest = hashlib.sha256()
    for name in engine_modules(directory):
        digest.update(name.encode() + b"\0" + (directory / name).read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def use_compiled() -> bool:
    """Whether ``cohortcast.engine`` should import the compiled package."""
    choice = os.environ.get("COHORTCAST_ENGINE", "auto").strip().lower() or "auto"
    if choice not in CHOICES:
        raise ImportError(
            f"COHORTCAST_ENGINE={choice!r} is not an engine choice; use auto,"
            " python or compiled"
        )
    if choice == "python":
        return False

    problem = _compiled_problem()
    if problem and choice == "compiled":
        raise ImportError(
            f"COHORTCAST_ENGINE=compiled, but {problem}; run `make install` (or"
            " `pip install -e .`) to compile it, or set COHORTCAST_ENGINE=auto"
        )
    return problem is None


def _compiled_problem() -> str | None:
    try:
        package = importlib.import_module(COMPILED_PACKAGE)
    except ImportError:
        return "the compiled engine is not installed"
    if getattr(package, "SOURCE_DIGEST", None) != source_digest(Path(__file__).parent):
        return "the compiled engine was built from other sources than these"
    return None
