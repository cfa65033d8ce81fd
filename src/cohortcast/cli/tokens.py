"""``cohortcast token create``: a management API token for the default workspace."""

from __future__ import annotations

import click

from cohortcast.cli._store import DATABASE_URL_HELP, open_cli_store
from cohortcast.store import tokens, workspaces
from cohortcast.store.errors import StoreError


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
    store = open_cli_store(database_url)
    try:
        with store.transaction() as session:
            workspace = workspaces.get_default_workspace(session)
            created = tokens.create_token(session, workspace.id, name)
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()

    click.echo(
        f"Created token '{created.name}' for workspace '{workspace.name}'.", err=True
    )
    click.echo("Store it now; it cannot be shown again.", err=True)
    click.echo(created.secret)


COMMANDS = [token]
