"""The demo's seed: made once, reused afterwards, and what --reset deletes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from cohortcast.demo.options import DemoOptions
from cohortcast.demo.runner import DemoDataError, reset_data_dir, seed_data_dir
from cohortcast.demo.seed import CREDENTIALS_FILE, DEMO_ACCOUNTS, SeedError
from cohortcast.pinterest.sandbox import SandboxState
from cohortcast.store import users
from cohortcast.store.database import open_store


def test_a_second_seed_reuses_the_cohorts_codes_and_password(tmp_path: Path) -> None:
    options = DemoOptions(data_dir=tmp_path / "demo")

    first = seed_data_dir(options)
    second = seed_data_dir(options)

    assert first.created
    assert not second.created
    assert second.cohorts == first.cohorts
    assert second.routing == first.routing
    assert second.credentials == first.credentials
    assert second.sdk_key == first.sdk_key


def test_the_seed_has_five_cohorts_two_toggled_on_and_a_second_account(
    tmp_path: Path,
) -> None:
    seeded = seed_data_dir(DemoOptions(data_dir=tmp_path))

    codes = {cohort.name: cohort.code for cohort in seeded.cohorts}
    main, second = DEMO_ACCOUNTS
    assert len(codes) == 5
    assert seeded.routing == [
        {
            "tag_id": main.tag_id,
            "cohort_codes": sorted([codes["Travel readers"], codes["Recent visitors"]]),
        },
        {
            "tag_id": second.tag_id,
            "cohort_codes": sorted([codes["Food lovers"], codes["Not tech readers"]]),
        },
    ]


def test_the_password_is_generated_kept_private_and_signs_in(tmp_path: Path) -> None:
    options = DemoOptions(data_dir=tmp_path)
    other = seed_data_dir(DemoOptions(data_dir=tmp_path / "other"))

    seeded = seed_data_dir(options)

    path = tmp_path / CREDENTIALS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (tmp_path / ".gitignore").read_text().endswith("\n*\n")
    assert json.loads(path.read_text())["password"] == seeded.credentials.password
    assert seeded.credentials.password != other.credentials.password
    store = open_store(options.database_url)
    with store.read() as session:
        user = users.authenticate_user(
            session, seeded.credentials.email, seeded.credentials.password
        )
    store.close()
    assert user is not None


def test_a_seeded_database_without_its_sign_in_file_asks_for_reset(
    tmp_path: Path,
) -> None:
    options = DemoOptions(data_dir=tmp_path)
    seed_data_dir(options)
    (tmp_path / CREDENTIALS_FILE).unlink()

    with pytest.raises(SeedError, match="--reset"):
        seed_data_dir(options)


def test_reset_deletes_the_demo_data_so_the_next_seed_starts_afresh(
    tmp_path: Path,
) -> None:
    options = DemoOptions(data_dir=tmp_path / "demo")
    first = seed_data_dir(options)

    reset_data_dir(options)
    assert not options.data_dir.exists()
    again = seed_data_dir(options)

    assert again.created
    assert again.credentials.password != first.credentials.password
    assert [c.name for c in again.cohorts] == [c.name for c in first.cohorts]


def test_reset_deletes_only_the_demos_own_files(tmp_path: Path) -> None:
    options = DemoOptions(data_dir=tmp_path)
    seed_data_dir(options)
    (tmp_path / "thesis.tex").write_text("precious")

    reset_data_dir(options)

    assert [path.name for path in tmp_path.iterdir()] == ["thesis.tex"]


def test_the_demo_accounts_are_the_sandboxs_own() -> None:
    accounts = SandboxState().accounts

    for account in DEMO_ACCOUNTS:
        assert accounts[account.id].tag_ids == [account.tag_id]
        assert accounts[account.id].name == account.name


def test_reset_leaves_a_database_the_demo_did_not_make(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'cohortcast.db'}")
    store.close()

    with pytest.raises(DemoDataError, match="not made by cohortcast demo"):
        reset_data_dir(DemoOptions(data_dir=tmp_path))

    assert (tmp_path / "cohortcast.db").exists()
