"""``cohortcast token create|list|revoke``: management API tokens of the
default workspace."""

from __future__ import annotations

import click

from cohortcast.cli._store import DATABASE_URL_HELP, cli_session
from cohortcast.store import tokens, workspaces


@click.group()
def token() -> None:
    """Manage API tokens."""


@token.command()
@click.option(
    "--name",
    required=True,
    help="Who or what uses the token, e.g. 'ci' or 'alice laptop'; shown in logs.",
)
@click.option("--database-url", metavar="URL", help=DATABASE_URL_HELP)
def create(name: str, database_url: str | None) -> None:
    """Create a token and print it as the last line; it is shown only once.

    Use it as 'Authorization: Bearer <token>' on /api/v1.
    """
    with cli_session(database_url, write=True) as session:
        workspace = workspaces.get_default_workspace(session)
        created = tokens.create_token(session, workspace.id, name)

    click.echo(
        f"Created token '{created.name}' for workspace '{workspace.name}'.", err=True
    )
    click.echo("Store it now; it cannot be shown again.", err=True)
    click.echo(created.secret)


@token.command(name="list")
@click.option("--database-url", metavar="URL", help=DATABASE_URL_HELP)
def list_(database_url: str | None) -> None:
    """List the tokens: id, creation time (UTC) and name. Secrets are never kept,
    so they cannot be listed."""
    with cli_session(database_url, write=False) as session:
        workspace = workspaces.get_default_workspace(session)
        found = [
            (row.id, f"{row.created_at:%Y-%m-%d %H:%M}", row.name)
            for row in tokens.list_tokens(session, workspace.id)
        ]

    if not found:
        click.echo(
            "No tokens yet; create one with `cohortcast token create`.", err=True
        )
    for token_id, created, name in found:
        click.echo(f"{token_id}  {created}  {name}")


@token.command()
@click.argument("token_id")
@click.option("--database-url", metavar="URL", help=DATABASE_URL_HELP)
def revoke(token_id: str, database_url: str | None) -> None:
    """Revoke the token TOKEN_ID (see `cohortcast token list`): API requests
    carrying it are refused from now on."""
    with cli_session(database_url, write=True) as session:
        workspace = workspaces.get_default_workspace(session)
        name = tokens.revoke_token(session, workspace.id, token_id).name

    click.echo(f"Revoked token '{name}' ({token_id.strip()}).")


COMMANDS = [token]
