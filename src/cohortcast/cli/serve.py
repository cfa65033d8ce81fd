"""``cohortcast serve``: run the server with uvicorn."""

from __future__ import annotations

import logging

import click

from cohortcast.settings import ENVIRONMENT, Settings, SettingsError

logger = logging.getLogger(__name__)


@click.command()
@click.option(
    "--host",
    help=f"Interface to listen on. [default: 127.0.0.1; env {ENVIRONMENT['host']}]",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    help=f"TCP port to listen on. [default: 8000; env {ENVIRONMENT['port']}]",
)
@click.option(
    "--database-url",
    metavar="URL",
    help="SQLAlchemy URL of the database, e.g. sqlite:///./cohortcast.db or "
    "postgresql+psycopg://user@host/db; migrations run on start. "
    f"[default: sqlite:///./cohortcast.db; env {ENVIRONMENT['database_url']}]",
)
def serve(host: str | None, port: int | None, database_url: str | None) -> None:
    """Run the Cohortcast server (management API, SDK, collection)."""
    import uvicorn

    from cohortcast.engine import IMPLEMENTATION
    from cohortcast.web.app import create_app

    settings = _settings(host, port, database_url)
    logging.basicConfig(
        level=settings.log_level, format="%(levelname)s %(name)s: %(message)s"
    )
    # Alembic narrates every step; the store logs one line when it migrates.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app = create_app(settings)
    logger.info(
        "Cohortcast serving on http://%s:%s with database %s (%s cohort engine)",
        settings.host,
        settings.port,
        app.state.store.database_label,
        IMPLEMENTATION,
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None)


def _settings(host: str | None, port: int | None, database_url: str | None) -> Settings:
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        raise click.UsageError(str(error)) from error
    overrides = {"host": host, "port": port, "database_url": database_url}
    return settings.replace(**{k: v for k, v in overrides.items() if v is not None})


COMMANDS = [serve]
