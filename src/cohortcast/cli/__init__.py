"""The ``cohortcast`` command line.

Each command lives in its own module and is registered on the group here.
"""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cohortcast")
def main() -> None:
    """Cohortcast: first-party cohorts, activated to Pinterest."""


def _register() -> None:
    # Imported here so that `cohortcast --help` lists every command while each
    # command module stays independent of the others.
    from importlib import import_module

    for name in _COMMAND_MODULES:
        module = import_module(f"cohortcast.cli.{name}")
        for command in module.COMMANDS:
            main.add_command(command)


_COMMAND_MODULES: list[str] = ["serve", "tokens", "users", "sandbox", "demo", "doctor"]

_register()
