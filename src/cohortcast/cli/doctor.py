"""``cohortcast doctor``: every troubleshooting check, in the terminal.

Readable text grouped like the dashboard's Troubleshooting page, or with
``--json`` the document ``GET /api/v1/diagnostics`` answers. The exit status
is 1 when a check fails, so a deployment script can stop on it; warnings
and informational checks alone exit 0.
"""

from __future__ import annotations

import json
import time

import click

from cohortcast.cli._store import DATABASE_URL_HELP, cli_session
from cohortcast.diagnostics import GROUPS, Check, Report, run_diagnostics
from cohortcast.store import workspaces

_MARKS = {"ok": "✓", "info": "i", "warning": "!", "failing": "✗"}
_COLOURS = {"ok": "green", "info": "blue", "warning": "yellow", "failing": "red"}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--database-url", metavar="URL", help=DATABASE_URL_HELP)
def doctor(as_json: bool, database_url: str | None) -> None:
    """Check the default workspace's Pinterest setup and say what to fix.

    Exits with status 1 when any check fails.
    """
    with cli_session(database_url, write=False) as session:
        workspace = workspaces.get_default_workspace(session)
        report = run_diagnostics(session, workspace.id, int(time.time() * 1000))

    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_report(report))
    if report.status == "failing":
        raise SystemExit(1)


def format_report(report: Report) -> str:
    """The report as grouped text; colour is added only on a terminal."""
    lines: list[str] = []
    for group, heading in GROUPS.items():
        checks = report.in_group(group)
        if not checks:
            continue
        lines += [click.style(heading, bold=True)]
        for check in checks:
            lines += _check_lines(check)
        lines.append("")
    counts = {
        status: sum(check.status == status for check in report.checks)
        for status in _MARKS
    }
    summary = ", ".join(f"{count} {status}" for status, count in counts.items())
    lines.append(f"{report.status.upper()}: {summary}.")
    return "\n".join(lines)


def _check_lines(check: Check) -> list[str]:
    mark = click.style(
        f"{_MARKS[check.status]} {check.status:<7}", fg=_COLOURS[check.status]
    )
    lines = [f"  {mark} {check.title}", f"      {check.evidence}"]
    if check.fix:
        lines.append(f"      Fix: {check.fix}")
    return lines


COMMANDS = [doctor]
