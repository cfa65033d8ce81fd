"""Writes of many rows in one statement, for the hot path of collection.

A group commit writes thousands of rows (events, changes, states). Through
SQLAlchemy's compiler each row costs more CPU than the database's own work,
and on PostgreSQL the driver's ``executemany`` still runs one statement per
row on the server. So each write here is plain SQL handed to the driver: on
PostgreSQL one statement that reads its rows from arrays (``unnest``), whose
text never changes, so the driver prepares it once per connection; on SQLite,
which has no round trips to save, the driver's ``executemany``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

Row = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class BulkStatement:
    """One write over many rows.

    ``postgresql`` takes one array per column, in row order, as ``%b``
    parameters: the driver's binary format, since building the text form of
    the arrays cost eight times the CPU; ``sqlite`` takes one row of ``?``
    parameters and runs once per row.
    """

    postgresql: str
    sqlite: str

    def run(self, connection: Connection, rows: Sequence[Row]) -> None:
        """Write ``rows`` (tuples in the statement's column order)."""
        if not rows:
            return
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(self.postgresql, as_arrays(rows))
        else:
            connection.exec_driver_sql(self.sqlite, list(rows))


def as_arrays(rows: Sequence[Row]) -> tuple[list[object], ...]:
    """The parameters of a PostgreSQL statement over ``rows``: one list per
    column."""
    return tuple(list(column) for column in zip(*rows, strict=True))


def insert_statement(
    table: str, columns: Sequence[tuple[str, str]], *, skip_conflicts: bool = False
) -> BulkStatement:
    """``INSERT INTO table`` of ``columns``, pairs of (name, PostgreSQL type);
    a ``json`` column takes JSON text. ``skip_conflicts`` adds ``ON CONFLICT
    DO NOTHING``."""
    names = ", ".join(name for name, _ in columns)
    arrays = ", ".join(f"%b::{kind}[]" for _, kind in columns)
    marks = ", ".join("?" for _ in columns)
    conflict = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    return BulkStatement(
        postgresql=f"INSERT INTO {table} ({names}) SELECT *"
        f" FROM unnest({arrays}) AS row_values({names}){conflict}",
        sqlite=f"INSERT INTO {table} ({names}) VALUES ({marks}){conflict}",
    )
