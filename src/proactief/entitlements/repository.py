"""Every query of entitlements: the population (residents, households) and the stored
non-take-up scan.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Connection, delete, func, select

from proactief.domain.records import EntitlementRecord, HouseholdSummary
from proactief.storage.queries import Values, bulk_insert, chunks, record_or_none, records
from proactief.storage.tables import (
    entitlements,
    households,
    residents,
)
from proactief.trust.access import Grant

__all__ = [
    "delete_entitlements",
    "entitlements_of_household",
    "household_of_person",
    "household_summary",
    "insert_entitlements",
    "insert_population",
    "replace_entitlements",
    "residents_of_households",
    "scan_counts",
]


def insert_population(
    conn: Connection,
    household_rows: Sequence[Values],
    resident_rows: Sequence[Values],
) -> None:
    """Store households and their residents (a city's worth: straight through the driver,
    a clash with a key fails the whole call)."""
    bulk_insert(conn, households, household_rows)
    bulk_insert(conn, residents, resident_rows)


def delete_entitlements(conn: Connection, jaar: int) -> None:
    """Remove the stored scan of one year (before a new one is stored)."""
    conn.execute(delete(entitlements).where(entitlements.c.jaar == jaar))


def insert_entitlements(
    conn: Connection, rows: Sequence[Values], *, gescand_op: datetime | None = None
) -> None:
    """Store rows of a scan."""
    when = gescand_op or datetime.now(UTC)
    for chunk in chunks(rows):
        conn.execute(entitlements.insert(), [{**row, "gescand_op": when} for row in chunk])


def replace_entitlements(
    conn: Connection,
    jaar: int,
    rows: Sequence[Values],
    *,
    gescand_op: datetime | None = None,
) -> None:
    """Store a new scan of one year's entitlements, replacing the previous scan."""
    delete_entitlements(conn, jaar)
    insert_entitlements(conn, rows, gescand_op=gescand_op)


def household_of_person(grant: Grant, person_pseudonym: str) -> str | None:
    """The household a resident belongs to, if known."""
    conn = grant.require(["residents.household_id"], subject=person_pseudonym)
    value = conn.execute(
        select(residents.c.household_id).where(residents.c.person_pseudonym == person_pseudonym)
    ).scalar_one_or_none()
    return None if value is None else str(value)


def household_summary(grant: Grant, household_id: str) -> HouseholdSummary | None:
    """Household type, size and housing (no income, no address)."""
    conn = grant.require(
        ["households.huishoudtype", "households.aantal_personen", "households.woonsituatie"]
    )
    return record_or_none(
        HouseholdSummary,
        conn.execute(
            select(
                households.c.huishoudtype, households.c.aantal_personen, households.c.woonsituatie
            ).where(households.c.household_id == household_id)
        ).first(),
    )


def entitlements_of_household(grant: Grant, household_id: str) -> list[EntitlementRecord]:
    """The household's entitlements of the newest scanned year, largest amount first."""
    conn = grant.require(["entitlements.*"])
    newest = (
        select(func.max(entitlements.c.jaar))
        .where(entitlements.c.household_id == household_id)
        .scalar_subquery()
    )
    return records(
        EntitlementRecord,
        conn.execute(
            select(entitlements)
            .where(entitlements.c.household_id == household_id, entitlements.c.jaar == newest)
            .order_by(entitlements.c.bedrag_centen.desc().nulls_last(), entitlements.c.regeling)
        ),
    )


def selected_entitlements(
    grant: Grant, *, regelingen: Sequence[str], statussen: Sequence[str], min_centen: int
) -> list[tuple[str, str, int | None]]:
    """(household, regeling, cents a year) of the newest scanned year's entitlements with
    one of these statuses and at least ``min_centen`` (an unknown amount counts when the
    minimum is 0), for the given regulations: a campaign's selection."""
    conn = grant.require(["entitlements.*"])
    newest = select(func.max(entitlements.c.jaar)).scalar_subquery()
    amount = entitlements.c.bedrag_centen
    query = select(entitlements.c.household_id, entitlements.c.regeling, amount).where(
        entitlements.c.jaar == newest,
        entitlements.c.status.in_(list(statussen)),
        entitlements.c.regeling.in_(list(regelingen)),
    )
    if min_centen > 0:
        query = query.where(amount >= min_centen)
    return [(r.household_id, r.regeling, r.bedrag_centen) for r in conn.execute(query)]


def residents_of_households(
    grant: Grant, household_ids: Sequence[str]
) -> dict[str, list[tuple[str, date]]]:
    """Per household its residents (pseudonym, birth date), oldest first: whom a
    campaign writes to."""
    conn = grant.require(["residents.household_id", "residents.geboortedatum"])
    out: dict[str, list[tuple[str, date]]] = {}
    for chunk in chunks(list(household_ids)):
        rows = conn.execute(
            select(
                residents.c.household_id, residents.c.person_pseudonym, residents.c.geboortedatum
            )
            .where(residents.c.household_id.in_(list(chunk)))
            .order_by(residents.c.geboortedatum, residents.c.person_pseudonym)
        )
        for row in rows:
            out.setdefault(row.household_id, []).append((row.person_pseudonym, row.geboortedatum))
    return out


def scan_counts(conn: Connection) -> list[tuple[int, str, int, int, int, datetime]]:
    """Per stored year and regulation: households that miss it, their cents a year,
    households that may have a right, and when it was scanned (counts only)."""
    missed = entitlements.c.status == "recht_niet_ontvangen"
    query = (
        select(
            entitlements.c.jaar,
            entitlements.c.regeling,
            func.count().filter(missed),
            func.coalesce(func.sum(entitlements.c.bedrag_centen).filter(missed), 0),
            func.count().filter(entitlements.c.status == "mogelijk_recht_gegevens_nodig"),
            func.max(entitlements.c.gescand_op),
        )
        .group_by(entitlements.c.jaar, entitlements.c.regeling)
        .order_by(entitlements.c.jaar.desc(), entitlements.c.regeling)
    )
    return [
        (int(j), str(r), int(n), int(c), int(m), w if w.tzinfo else w.replace(tzinfo=UTC))
        for j, r, n, c, m, w in conn.execute(query)
    ]
