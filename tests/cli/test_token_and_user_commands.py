"""``cohortcast token create`` and ``cohortcast user create`` through click."""

from __future__ import annotations

from click.testing import CliRunner

from cohortcast.cli import main
from cohortcast.store import tokens, users
from cohortcast.store.database import open_store


def test_token_create_prints_a_working_token_as_its_last_line(
    database_url: str,
) -> None:
    result = CliRunner().invoke(
        main, ["token", "create", "--name", "ci", "--database-url", database_url]
    )

    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    store = open_store(database_url)
    with store.read() as session:
        workspace = tokens.find_workspace_for_token(session, secret)
    store.close()
    assert workspace is not None
    assert "shown again" in result.stderr


def test_token_create_reads_the_database_from_the_environment(
    database_url: str,
) -> None:
    result = CliRunner().invoke(
        main,
        ["token", "create", "--name", "ci"],
        env={"COHORTCAST_DATABASE_URL": database_url},
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.strip().startswith(tokens.TOKEN_PREFIX)


def test_token_create_needs_a_name() -> None:
    result = CliRunner().invoke(main, ["token", "create"])

    assert result.exit_code == 2
    assert "Missing option '--name'" in result.output


USER_CREATE = ["user", "create", "--email", "ada@example.com", "--password-stdin"]


def test_user_create_reads_the_password_from_stdin(database_url: str) -> None:
    result = CliRunner().invoke(
        main,
        [*USER_CREATE, "--database-url", database_url],
        input="correct horse battery\n",
    )

    assert result.exit_code == 0, result.output
    assert "correct horse" not in result.output
    store = open_store(database_url)
    with store.read() as session:
        user = users.authenticate_user(
            session, "ada@example.com", "correct horse battery"
        )
    store.close()
    assert user is not None


def test_user_create_explains_a_short_password(database_url: str) -> None:
    result = CliRunner().invoke(
        main,
        [*USER_CREATE, "--database-url", database_url],
        input="short\n",
    )

    assert result.exit_code == 1
    assert "use at least 8" in result.output


def test_every_option_is_explained_in_help() -> None:
    runner = CliRunner()
    for command in (["serve"], ["token", "create"], ["user", "create"]):
        result = runner.invoke(main, [*command, "--help"])
        assert result.exit_code == 0
        options = [
            line for line in result.output.splitlines() if line.startswith("  -")
        ]
        assert options, result.output
        for line in options:
            assert len(line.split()) > 2, f"{command}: undocumented option in {line!r}"


def test_a_revoked_token_no_longer_opens_the_api(database_url: str) -> None:
    runner = CliRunner()
    url = ["--database-url", database_url]
    created = runner.invoke(main, ["token", "create", "--name", "old laptop", *url])
    secret = created.stdout.strip().splitlines()[-1]

    listed = runner.invoke(main, ["token", "list", *url])
    assert listed.exit_code == 0, listed.output
    (line,) = listed.stdout.strip().splitlines()
    token_id = line.split()[0]
    assert line.endswith("  old laptop")
    assert secret not in listed.output

    revoked = runner.invoke(main, ["token", "revoke", token_id, *url])
    assert revoked.exit_code == 0, revoked.output
    assert f"Revoked token 'old laptop' ({token_id})" in revoked.stdout
    store = open_store(database_url)
    with store.read() as session:
        assert tokens.find_workspace_for_token(session, secret) is None
    store.close()


def test_revoking_an_unknown_token_quotes_it_and_says_where_ids_are(
    database_url: str,
) -> None:
    result = CliRunner().invoke(
        main, ["token", "revoke", "tok_nope", "--database-url", database_url]
    )

    assert result.exit_code == 1
    assert "'tok_nope'" in result.output
    assert "cohortcast token list" in result.output


def test_token_list_says_how_to_start_when_there_are_none(database_url: str) -> None:
    result = CliRunner().invoke(main, ["token", "list", "--database-url", database_url])

    assert result.exit_code == 0
    assert result.stdout == ""
    assert "cohortcast token create" in result.stderr
