"""Small SQL helpers every repository shares: insert-once, chunks below the bound-parameter
limits, and the bulk path for SQLite.

Inserts that must happen once use INSERT ... ON CONFLICT DO NOTHING, so that a batch
committed before a crash is simply skipped when the same file is taken in again.
"""

import dataclasses
import functools
import json
import types
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar, get_args, get_type_hints

from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Executable,
    Row,
    Select,
    Table,
    Text,
    bindparam,
    cast,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "R",
    "ResultRow",
    "UnknownColumnError",
    "Values",
    "bulk_insert",
    "bulk_insert_ignore",
    "bulk_insert_new",
    "checked",
    "chunks",
    "insert_ignore",
    "insert_new",
    "insert_once",
    "record_or_none",
    "records",
    "rows_where_in",
    "texts_of",
]

#: the values of one row to write, keyed by column name
Values = Mapping[str, object]

#: a result row of any width: SQLAlchemy's own type for a select, which ``records`` turns
#: into a typed record (the one place an untyped row is accepted)
ResultRow = Row[*tuple[Any, ...]]

R = TypeVar("R", bound="DataclassInstance")
"""Any record type (a dataclass), for functions that return the records asked for."""
T = TypeVar("T")

_CHUNK = 500  # stays below SQLite's and psycopg's bound-parameter limits


class UnknownColumnError(ValueError):
    """A row to write names a column its table does not have."""


@functools.cache
def _column_names(table: Table) -> frozenset[str]:
    return frozenset(table.c.keys())


def checked(table: Table, row: Values) -> Values:
    """``row``, once every key is a column of ``table``.

    A statement built once and given each row as parameters leaves out a key it has no
    column for, without a word, so a misspelt name would lose its value; SQLAlchemy only
    refuses it when the values are part of the statement.

    Raises:
        UnknownColumnError: a key is not a column of ``table``.
    """
    names = _column_names(table)
    if not names.issuperset(row):
        unknown = ", ".join(sorted(set(row) - names))
        raise UnknownColumnError(f"table {table.name} has no column {unknown}")
    return row


def insert_ignore(conn: Connection, table: Table, rows: Sequence[Values]) -> None:
    if not rows:
        return
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(table).on_conflict_do_nothing(), list(rows))


def insert_new(conn: Connection, table: Table, rows: Sequence[Values]) -> list[Values]:
    """Insert the rows that do not clash with a unique key and return exactly those: a
    row another transaction inserted first (PostgreSQL waits for it) is left out, so two
    callers racing never both get the same row."""
    return [row for row in rows if insert_once(conn, table, row) is not None]


def insert_once(conn: Connection, table: Table, row: Values) -> ResultRow | None:
    """Insert ``row`` unless it clashes with a unique key, also with a row another
    transaction inserted a moment ago (PostgreSQL waits for it): the new row's primary
    key, or None when it was left out."""
    statement = _insert_new_statement(conn.dialect.name, table)
    return conn.execute(statement, checked(table, row)).first()


@functools.cache
def _insert_new_statement(dialect: str, table: Table) -> Executable:
    # built once per table, each row given as parameters: callers insert one row at a
    # time, and building and keying a statement per row cost more than running it
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing().returning(*table.primary_key)


def chunks(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def rows_where_in(
    conn: Connection,
    record: type[R],
    table: Table,
    column: ColumnElement[T],
    values: Sequence[T],
    *order_by: ColumnElement[object],
) -> list[R]:
    """Rows whose ``column`` is one of ``values``, queried in chunks, as records."""
    found: list[R] = []
    for chunk in chunks(values):
        found.extend(
            records(
                record, conn.execute(select(table).where(column.in_(chunk)).order_by(*order_by))
            )
        )
    return found


@functools.cache
def _plan(
    record: type["DataclassInstance"],
) -> tuple[tuple[str, type[StrEnum] | None], ...]:
    """Per field of a record: its name, and the StrEnum its stored text becomes (if any)."""
    hints = get_type_hints(record)
    plan: list[tuple[str, type[StrEnum] | None]] = []
    for field in dataclasses.fields(record):
        hint = hints[field.name]
        options = get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        enum = next((o for o in options if isinstance(o, type) and issubclass(o, StrEnum)), None)
        plan.append((field.name, enum))
    return tuple(plan)


def records(record: type[R], rows: Iterable[ResultRow]) -> list[R]:
    """Build typed records from result rows; the row must hold every field by name (a
    field with a default may be absent: a read that does not select it)."""
    plan = _plan(record)
    out: list[R] = []
    fields: tuple[str, ...] | None = None
    present: list[tuple[str, int, type[StrEnum] | None]] = []
    for row in rows:
        if row._fields != fields:
            # which fields this result holds, and where: worked out once per result
            fields = row._fields
            where = {name: i for i, name in enumerate(fields)}
            present = [(name, where[name], enum) for name, enum in plan if name in where]
        out.append(
            record(
                **{
                    name: (row[i] if enum is None or row[i] is None else enum(row[i]))
                    for name, i, enum in present
                }
            )
        )
    return out


def record_or_none(record: type[R], row: ResultRow | None) -> R | None:
    """One record, or None when there is no row."""
    return None if row is None else records(record, [row])[0]


def bulk_insert_ignore(conn: Connection, table: Table, rows: Sequence[Values]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING straight through the driver's executemany.

    The intake's hot path: SQLAlchemy's per-row parameter processing cost more than the
    database itself (docs/benchmarks.md). Values are converted the way SQLAlchemy stores
    them (SQLite: dates as ISO text, booleans as 0/1).
    """
    if not rows:
        return
    columns = list(rows[0])
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        _copy_insert_ignore(conn, table, columns, rows)
        return
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT OR IGNORE INTO {table.name} ({names}) VALUES ({marks})"
    else:
        marks = ", ".join("%s" for _ in columns)
        sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    conn.exec_driver_sql(sql, [tuple(row[c] for c in columns) for row in rows])


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Values]) -> None:
    """A plain INSERT of many rows straight through the driver (COPY on PostgreSQL from
    ``COPY_FROM`` rows): a row that clashes with a key fails the whole call, as with
    SQLAlchemy's executemany, at a fraction of its per-row cost. Dates go to SQLite as
    ISO text, as SQLAlchemy stores them; a datetime is refused (its stored form differs)."""
    if not rows:
        return
    postgres = conn.dialect.name == "postgresql"
    if postgres and len(rows) >= COPY_FROM:
        bulk_insert_new(conn, table, rows)
        return
    columns = list(rows[0])
    marks = ", ".join("%s" if postgres else "?" for _ in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
    value = (lambda v: v) if postgres else _sqlite_value
    conn.exec_driver_sql(sql, [tuple(value(row[c]) for c in columns) for row in rows])


def _sqlite_value(value: object) -> object:
    if isinstance(value, datetime):
        raise TypeError("bulk_insert takes no datetime on SQLite: use SQLAlchemy's insert")
    return value.isoformat() if isinstance(value, date) else value


def texts_of(values: Sequence[str]) -> Select[tuple[str]]:
    """The values as a subquery for ``column.in_(...)`` on PostgreSQL, sent as one JSON
    text: binding a list of thousands of values (an array, or one parameter each) cost
    intake more than the lookup itself."""
    document = bindparam(None, json.dumps(list(values)), type_=Text)
    return select(func.json_array_elements_text(cast(document, JSON)))


COPY_FROM = 200
"""From this many rows, PostgreSQL gets them by COPY (through psycopg) instead of an
INSERT per row."""


def bulk_insert_new(conn: Connection, table: Table, rows: Sequence[Values]) -> None:
    """Store rows the caller found absent, under a lock that keeps them absent: on
    PostgreSQL by COPY straight into the table. Should one exist after all, PostgreSQL
    refuses the whole statement (an error, never a silent skip), so the caller can take
    the rows one by one."""
    if not rows:
        return
    if conn.dialect.name != "postgresql" or len(rows) < COPY_FROM:
        bulk_insert_ignore(conn, table, rows)
        return
    columns = list(rows[0])
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with (
        _as_dbapi_error(statement),
        _driver(conn).cursor() as cursor,
        cursor.copy(statement) as copy,
    ):
        for row in rows:
            copy.write_row(tuple(row[c] for c in columns))


def _driver(conn: Connection) -> Any:
    driver = conn.connection.driver_connection
    assert driver is not None
    return driver


@contextmanager
def _as_dbapi_error(statement: str) -> Iterator[None]:
    """The driver's error as SQLAlchemy raises it (a DBAPIError subclass, such as an
    IntegrityError), as callers expect from every other statement."""
    import psycopg

    try:
        yield
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


def _copy_insert_ignore(
    conn: Connection, table: Table, columns: list[str], rows: Sequence[Values]
) -> None:
    """COPY the rows into a temporary table of this transaction, then INSERT ... SELECT
    ... ON CONFLICT DO NOTHING: the same rows stored or skipped as by the plain insert,
    in one statement on the server."""
    names = ", ".join(columns)
    stage = f"_stage_{table.name}"
    with _as_dbapi_error(f"COPY {table.name}"), _driver(conn).cursor() as cursor:
        # the staging table has only these columns, without defaults or constraints, so
        # nothing (no sequence) is used up by staging
        cursor.execute(
            f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "
            f"SELECT {names} FROM {table.name} WITH NO DATA"
        )
        with cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row[c] for c in columns))
        cursor.execute(
            f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {stage} ON CONFLICT DO NOTHING"
        )
        cursor.execute(f"DROP TABLE {stage}")
