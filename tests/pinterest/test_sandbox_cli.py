from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cohortcast.cli import main
from cohortcast.cli import sandbox as sandbox_command
from cohortcast.pinterest.sandbox import DEFAULT_TOKEN, SandboxState
from cohortcast.pinterest.sandbox._app import _ROUTES
from cohortcast.pinterest.sandbox._control import FaultSpec

DOCS = Path(__file__).resolve().parents[2] / "docs" / "pinterest.md"


def test_the_help_says_what_the_sandbox_serves() -> None:
    result = CliRunner().invoke(main, ["sandbox", "--help"])
    assert result.exit_code == 0
    assert "/ads/audiences" in result.output
    assert "--port" in result.output


def test_starting_prints_one_line_with_the_url_and_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served: list[tuple[object, str, int]] = []
    monkeypatch.setattr(
        sandbox_command.uvicorn,
        "run",
        lambda app, host, port, log_level: served.append((app, host, port)),
    )
    result = CliRunner().invoke(main, ["sandbox", "--port", "8711", "--token", "t0k"])
    assert result.exit_code == 0
    [line] = result.output.splitlines()
    assert "http://127.0.0.1:8711" in line
    assert line.endswith("access token: t0k")
    state: SandboxState = served[0][0].state.sandbox  # type: ignore[attr-defined]
    assert "t0k" in state.tokens
    assert DEFAULT_TOKEN not in state.tokens


def test_every_sandbox_control_and_option_is_documented() -> None:
    docs = DOCS.read_text()
    controls = {path for path, _handler, _methods in _ROUTES if path.startswith("/_")}
    missing = [path for path in controls if path not in docs]
    missing += [field for field in FaultSpec.model_fields if f'"{field}"' not in docs]
    missing += [
        f"--{param.name.replace('_', '-')}"
        for param in sandbox_command.sandbox.params
        if f"--{param.name.replace('_', '-')}" not in docs
    ]
    assert missing == []
