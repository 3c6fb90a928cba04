"""Every query of entitlements: the population (residents, households) and the stored
non-take-up scan.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, RowMapping, delete, func, select

from proactief.storage.queries import chunks
from proactief.storage.tables import (
    entitlements,
    households,
    residents,
)

__all__ = [
    "entitlements_of_household",
    "household_of_person",
    "household_summary",
    "insert_population",
    "replace_entitlements",
]


def insert_population(
    conn: Connection,
    household_rows: Sequence[dict[str, Any]],
    resident_rows: Sequence[dict[str, Any]],
) -> None:
    """Store households and their residents."""
    if household_rows:
        conn.execute(households.insert(), list(household_rows))
    if resident_rows:
        conn.execute(residents.insert(), list(resident_rows))


def replace_entitlements(
    conn: Connection,
    jaar: int,
    rows: Sequence[dict[str, Any]],
    *,
    gescand_op: datetime | None = None,
) -> None:
    """Store a new scan of one year's entitlements, replacing the previous scan."""
    conn.execute(delete(entitlements).where(entitlements.c.jaar == jaar))
    when = gescand_op or datetime.now(UTC)
    for chunk in chunks(rows):
        conn.execute(entitlements.insert(), [{**row, "gescand_op": when} for row in chunk])


def household_of_person(conn: Connection, person_pseudonym: str) -> str | None:
    """The household a resident belongs to, if known."""
    value = conn.execute(
        select(residents.c.household_id).where(residents.c.person_pseudonym == person_pseudonym)
    ).scalar_one_or_none()
    return None if value is None else str(value)


def household_summary(conn: Connection, household_id: str) -> RowMapping | None:
    """Household type, size and housing (no income, no address)."""
    return (
        conn.execute(
            select(
                households.c.huishoudtype, households.c.aantal_personen, households.c.woonsituatie
            ).where(households.c.household_id == household_id)
        )
        .mappings()
        .first()
    )


def entitlements_of_household(conn: Connection, household_id: str) -> list[Row[Any]]:
    """The household's entitlements of the newest scanned year, largest amount first."""
    newest = (
        select(func.max(entitlements.c.jaar))
        .where(entitlements.c.household_id == household_id)
        .scalar_subquery()
    )
    return list(
        conn.execute(
            select(entitlements)
            .where(entitlements.c.household_id == household_id, entitlements.c.jaar == newest)
            .order_by(entitlements.c.bedrag_centen.desc().nulls_last(), entitlements.c.regeling)
        )
    )
