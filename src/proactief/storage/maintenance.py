"""Whole-database chores for the demo and the tests: count the rows per table, empty every table."""

from sqlalchemy import Connection, delete, func, select

from proactief.storage.tables import (
    metadata,
)

__all__ = ["clear_all", "count_rows"]


def count_rows(conn: Connection, table_name: str) -> int:
    """Number of rows in a table (for summaries and tests)."""
    table = metadata.tables[table_name]
    return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def clear_all(conn: Connection) -> None:
    """Delete every row of every table (demo reset), except the fingerprint of the
    pseudonymisation key: the key file stays, and so does the record of which key it is."""
    for table in reversed(metadata.sorted_tables):
        if table.name != "pseudonym_keys":
            conn.execute(delete(table))
