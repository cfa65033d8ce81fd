"""Choosing between the Python engine and the compiled one (engine/_native.py)."""

from pathlib import Path

import pytest

from cohortcast.engine import _native


def test_python_is_chosen_when_asked_whatever_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COHORTCAST_ENGINE", " Python ")

    assert _native.use_compiled() is False


def test_an_unknown_choice_is_quoted_with_the_choices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COHORTCAST_ENGINE", "fast")

    with pytest.raises(ImportError, match="'fast' is not an engine choice; use auto,"):
        _native.use_compiled()


def test_auto_falls_back_to_python_when_nothing_is_compiled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COHORTCAST_ENGINE", raising=False)
    monkeypatch.setattr(_native, "COMPILED_PACKAGE", "_no_compiled_engine_here")

    assert _native.use_compiled() is False


def test_compiled_refuses_to_run_without_the_compiled_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COHORTCAST_ENGINE", "compiled")
    monkeypatch.setattr(_native, "COMPILED_PACKAGE", "_no_compiled_engine_here")

    with pytest.raises(ImportError, match="not installed; run `make install`"):
        _native.use_compiled()


def test_a_compiled_engine_built_from_other_sources_is_never_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Any importable package stands in for a compiled engine of another build.
    monkeypatch.setattr(_native, "COMPILED_PACKAGE", "json")
    monkeypatch.delenv("COHORTCAST_ENGINE", raising=False)
    assert _native.use_compiled() is False

    monkeypatch.setenv("COHORTCAST_ENGINE", "compiled")
    with pytest.raises(ImportError, match="built from other sources than these"):
        _native.use_compiled()


def test_the_digest_changes_with_any_engine_source(tmp_path: Path) -> None:
    folder = tmp_path
    (folder / "_a.py").write_text("x = 1\n")
    (folder / "__init__.py").write_text("")
    first = _native.source_digest(folder)

    (folder / "_a.py").write_text("x = 2\n")

    assert _native.source_digest(folder) != first
    assert _native.engine_modules(folder) == ["_a.py"]
