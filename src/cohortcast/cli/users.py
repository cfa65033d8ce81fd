"""``cohortcast user create``: a dashboard user in the default workspace."""

from __future__ import annotations

import sys

import click

from cohortcast.cli._store import DATABASE_URL_HELP, cli_session
from cohortcast.store import users, workspaces


@click.group()
def user() -> None:
    """Manage dashboard users."""


@user.command()
@click.option("--email", required=True, help="The email the user signs in with.")
@click.option(
    "--password-stdin",
    is_flag=True,
    required=True,
    help="Read the password from the first line of standard input, so that it "
    "stays out of the shell history (e.g. printf '%s' \"$PW\" | cohortcast ...).",
)
@click.option("--database-url", metavar="URL", help=DATABASE_URL_HELP)
def create(email: str, password_stdin: bool, database_url: str | None) -> None:
    """Create a user who can sign in to the dashboard."""
    if not password_stdin:
        raise click.UsageError(
            "Pass --password-stdin and the password on standard input."
        )
    password = sys.stdin.readline().rstrip("\r\n")

    with cli_session(database_url, write=True) as session:
        workspace = workspaces.get_default_workspace(session)
        created = users.create_user(session, workspace.id, email, password)
        address = created.email

    click.echo(f"Created user {address} in workspace '{workspace.name}'.")


COMMANDS = [user]
