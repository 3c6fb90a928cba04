"""Small SQL helpers every repository shares: insert-once, chunks below the bound-parameter
limits, and the bulk path for SQLite.

Inserts that must happen once use INSERT ... ON CONFLICT DO NOTHING, so that a batch
committed before a crash is simply skipped when the same file is taken in again.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Row, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

__all__ = ["bulk_insert_ignore", "chunks", "insert_ignore", "rows_where_in"]

_CHUNK = 500  # stays below SQLite's and psycopg's bound-parameter limits


def insert_ignore(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(table).on_conflict_do_nothing(), list(rows))


def chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def rows_where_in(
    conn: Connection, table: Table, column: Any, values: Sequence[Any], *order_by: Any
) -> list[Row[Any]]:
    """Rows whose ``column`` is one of ``values``, queried in chunks."""
    found: list[Row[Any]] = []
    for chunk in chunks(values):
        found.extend(conn.execute(select(table).where(column.in_(chunk)).order_by(*order_by)))
    return found


def bulk_insert_ignore(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING straight through the driver's executemany.

    The intake's hot path: SQLAlchemy's per-row parameter processing cost more than the
    database itself (docs/benchmarks.md). Values are converted the way SQLAlchemy stores
    them (SQLite: dates as ISO text, booleans as 0/1).
    """
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(columns)
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT OR IGNORE INTO {table.name} ({names}) VALUES ({marks})"
    else:
        marks = ", ".join("%s" for _ in columns)
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    conn.exec_driver_sql(sql, [tuple(row[c] for c in columns) for row in rows])
