"""``GET /sdk/v1/cohortcast.js``: the built SDK, or a 503 saying how to build it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cohortcast.web import sdk


def test_a_missing_bundle_answers_503_saying_to_run_make_sdk(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sdk, "SDK_BUNDLE", tmp_path / "missing.js")

    response = client.get("/sdk/v1/cohortcast.js")

    assert response.status_code == 503
    assert "make sdk" in response.json()["detail"]


def test_the_bundle_is_served_with_a_short_cache_and_cors(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundle = tmp_path / "cohortcast.js"
    bundle.write_text("window.cohortcast = {};\n")
    monkeypatch.setattr(sdk, "SDK_BUNDLE", bundle)

    response = client.get("/sdk/v1/cohortcast.js")

    assert response.status_code == 200
    assert response.text == "window.cohortcast = {};\n"
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["access-control-allow-origin"] == "*"
