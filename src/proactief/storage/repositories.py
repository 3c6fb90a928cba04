"""All database queries live here, grouped per concept. Services pass in a Connection.

Inserts that must happen once use INSERT ... ON CONFLICT DO NOTHING, so that a batch
committed before a crash is simply skipped when the same file is taken in again.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, RowMapping, Table, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from proactief.domain import (
    Contactpoging,
    Contactsoort,
    Dagdeel,
    Eindresultaat,
    PriorityReason,
    Vroegsignaalzaak,
)
from proactief.storage.tables import (
    audit_log,
    cases,
    client_identities,
    contact_attempts,
    entitlements,
    households,
    intake_files,
    messages,
    metadata,
    outreach_steps,
    preference_events,
    quarantine,
    report_aggregates,
    resident_codes,
    residents,
    segment_kansen,
    signals,
    users,
)

_CHUNK = 500  # stays below SQLite's and psycopg's bound-parameter limits


def _insert_ignore(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(table).on_conflict_do_nothing(), list(rows))


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _rows_where_in(
    conn: Connection, table: Table, column: Any, values: Sequence[Any], *order_by: Any
) -> list[Row[Any]]:
    """Rows whose ``column`` is one of ``values``, queried in chunks."""
    found: list[Row[Any]] = []
    for chunk in _chunks(values):
        found.extend(conn.execute(select(table).where(column.in_(chunk)).order_by(*order_by)))
    return found


# --- intake -------------------------------------------------------------------------------


def existing_signal_ids(conn: Connection, signal_ids: Sequence[str]) -> set[str]:
    """Which of these signal IDs are already stored."""
    found: set[str] = set()
    for chunk in _chunks(signal_ids):
        found.update(
            conn.scalars(select(signals.c.signal_id).where(signals.c.signal_id.in_(chunk)))
        )
    return found


def _bulk_insert_ignore(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
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


def insert_signals(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Store new signals; rows whose signal_id exists already are skipped."""
    _bulk_insert_ignore(conn, signals, rows)


def insert_identities(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Store the BSN or address identity behind a pseudonym (once per person)."""
    _bulk_insert_ignore(conn, client_identities, rows)


def insert_quarantine(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Keep rejected records with their reason (once per file and position)."""
    _insert_ignore(conn, quarantine, rows)


def record_intake_file(
    conn: Connection,
    *,
    sha256: str,
    file_name: str,
    file_format: str,
    now: datetime,
    counts: dict[str, int],
    completed: bool,
) -> None:
    """Create or update the record of one taken-in file and its counts."""
    existing = conn.execute(
        select(intake_files.c.sha256).where(intake_files.c.sha256 == sha256)
    ).first()
    values = {"last_run": now, "completed": completed, "file_name": file_name, **counts}
    if existing is None:
        conn.execute(
            intake_files.insert().values(
                sha256=sha256, file_format=file_format, first_seen=now, **values
            )
        )
    else:
        conn.execute(update(intake_files).where(intake_files.c.sha256 == sha256).values(**values))


def list_quarantine(conn: Connection, *, file_name: str | None = None) -> list[Row[Any]]:
    """Rejected records, oldest first, optionally of one file."""
    query = select(quarantine).order_by(quarantine.c.id)
    if file_name:
        query = query.where(quarantine.c.file_name == file_name)
    return list(conn.execute(query))


def count_rows(conn: Connection, table_name: str) -> int:
    """Number of rows in a table (for summaries and tests)."""
    table = metadata.tables[table_name]
    return int(conn.scalar(select(func.count()).select_from(table)) or 0)


# --- cases --------------------------------------------------------------------------------


def unassigned_signals(conn: Connection, *, up_to: date) -> list[Row[Any]]:
    """Signals not yet in a case, dated up to ``up_to``, per person in date order."""
    return list(
        conn.execute(
            select(signals)
            .where(signals.c.case_id.is_(None), signals.c.signaaldatum <= up_to)
            .order_by(signals.c.person_pseudonym, signals.c.signaaldatum, signals.c.id)
        )
    )


def cases_of_persons(conn: Connection, pseudonyms: Sequence[str]) -> list[Row[Any]]:
    """All cases of these persons, oldest first (per chunk of persons)."""
    return _rows_where_in(
        conn,
        cases,
        cases.c.person_pseudonym,
        pseudonyms,
        cases.c.startdatum_matchingperiode,
        cases.c.id,
    )


def create_case(conn: Connection, values: dict[str, Any]) -> int:
    """Insert a case and return its id."""
    result = conn.execute(cases.insert().values(**values).returning(cases.c.id))
    return int(result.scalar_one())


def assign_signals(conn: Connection, *, case_id: int, signal_row_ids: Sequence[int]) -> None:
    """Put signals into a case."""
    for chunk in _chunks(signal_row_ids):
        conn.execute(update(signals).where(signals.c.id.in_(chunk)).values(case_id=case_id))


def signals_of_cases(conn: Connection, case_ids: Sequence[int]) -> list[Row[Any]]:
    """Signals of these cases."""
    return _rows_where_in(conn, signals, signals.c.case_id, case_ids, signals.c.id)


def update_case(conn: Connection, case_id: int, **values: Any) -> None:
    """Change fields of one case."""
    conn.execute(update(cases).where(cases.c.id == case_id).values(**values))


def get_case_row(conn: Connection, case_id: int) -> Row[Any] | None:
    """One case row, or None."""
    return conn.execute(select(cases).where(cases.c.id == case_id)).first()


def _open_cases_where(partner: str | None, crisis: bool) -> list[Any]:
    conditions: list[Any] = [cases.c.eindresultaat.is_(None)]
    if partner:
        conditions.append(
            select(signals.c.id)
            .where(signals.c.case_id == cases.c.id, signals.c.signaalpartner == partner)
            .exists()
        )
    if crisis:
        conditions.append(
            select(signals.c.id)
            .where(signals.c.case_id == cases.c.id, signals.c.crisissignaal.is_(True))
            .exists()
        )
    return conditions


def open_case_rows(
    conn: Connection,
    *,
    limit: int | None = None,
    partner: str | None = None,
    crisis: bool = False,
) -> list[Row[Any]]:
    """Open cases (no end result), highest priority first, then oldest; optionally only
    those with a signal of one partner, or with a crisis signal."""
    query = (
        select(cases)
        .where(*_open_cases_where(partner, crisis))
        .order_by(cases.c.priority.desc(), cases.c.matchingsdatum, cases.c.id)
    )
    if limit:
        query = query.limit(limit)
    return list(conn.execute(query))


def count_open_cases(conn: Connection, *, partner: str | None = None, crisis: bool = False) -> int:
    """How many open cases match the same filters."""
    return int(
        conn.execute(
            select(func.count()).select_from(cases).where(*_open_cases_where(partner, crisis))
        ).scalar_one()
    )


def open_case_partners(conn: Connection) -> list[str]:
    """The signal partners that have signals in open cases."""
    return list(
        conn.execute(
            select(signals.c.signaalpartner)
            .join(cases, cases.c.id == signals.c.case_id)
            .where(cases.c.eindresultaat.is_(None))
            .distinct()
            .order_by(signals.c.signaalpartner)
        ).scalars()
    )


def attempts_of_cases(conn: Connection, case_ids: Sequence[int]) -> list[Row[Any]]:
    """Contact attempts of these cases, in date order (per chunk of cases)."""
    return _rows_where_in(
        conn,
        contact_attempts,
        contact_attempts.c.case_id,
        case_ids,
        contact_attempts.c.datum,
        contact_attempts.c.id,
    )


def insert_attempts(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Store contact attempts."""
    if rows:
        conn.execute(contact_attempts.insert(), list(rows))


def case_from_rows(
    row: Row[Any], signal_rows: Iterable[Row[Any]], attempt_rows: Iterable[Row[Any]]
) -> Vroegsignaalzaak:
    """Build the domain case from its rows."""
    return Vroegsignaalzaak(
        case_id=row.id,
        person_pseudonym=row.person_pseudonym,
        matchingsdatum=row.matchingsdatum,
        startdatum_matchingperiode=row.startdatum_matchingperiode,
        einddatum_matchingperiode=row.einddatum_matchingperiode,
        signal_ids=tuple(s.signal_id for s in signal_rows),
        priority=row.priority,
        priority_reasons=tuple(PriorityReason(**r) for r in json.loads(row.priority_reasons)),
        datum_opgepakt=row.datum_opgepakt,
        eindresultaat=Eindresultaat(row.eindresultaat) if row.eindresultaat else None,
        einddatum=row.einddatum,
        datum_hulp_geaccepteerd=row.datum_hulp_geaccepteerd,
        contactpogingen=tuple(
            Contactpoging(
                soort=Contactsoort(a.soort),
                datum=a.datum,
                dagdeel=Dagdeel(a.dagdeel) if a.dagdeel else None,
                bereikt=a.bereikt,
            )
            for a in attempt_rows
        ),
    )


# --- CBS report ---------------------------------------------------------------------------


def report_cases(conn: Connection, *, start: date, end: date) -> list[Row[Any]]:
    """Cases matched within the period."""
    return list(
        conn.execute(
            select(cases)
            .where(cases.c.matchingsdatum >= start, cases.c.matchingsdatum <= end)
            .order_by(cases.c.id)
        )
    )


def report_signals(
    conn: Connection, *, start: date, end: date, case_ids: Sequence[int]
) -> list[Row[Any]]:
    """Signals received in the period plus the signals of the reported cases.

    Joined to the identity vault: this is the one purpose (the CBS report, DDAS v1.2) for
    which the BSN itself is read back.
    """
    columns: list[Any] = [
        signals,
        client_identities.c.bsn,
        client_identities.c.geslacht,
        client_identities.c.geboortedatum,
        client_identities.c.postcode,
        client_identities.c.huisnummer,
        client_identities.c.huisnummertoevoeging,
        cases.c.eindresultaat.label("case_eindresultaat"),
        cases.c.datum_opgepakt.label("case_datum_opgepakt"),
    ]
    base = (
        select(*columns)
        .join(
            client_identities,
            client_identities.c.person_pseudonym == signals.c.person_pseudonym,
        )
        .outerjoin(cases, cases.c.id == signals.c.case_id)
    )
    by_id: dict[int, Row[Any]] = {}
    for row in conn.execute(
        base.where(signals.c.signaaldatum >= start, signals.c.signaaldatum <= end)
    ):
        by_id[row.id] = row
    for chunk in _chunks(case_ids):
        for row in conn.execute(base.where(signals.c.case_id.in_(chunk))):
            by_id[row.id] = row
    return [by_id[k] for k in sorted(by_id)]


# --- population (demo and later entitlement checks) -------------------------------------


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


def clear_all(conn: Connection) -> None:
    """Delete every row of every table (demo reset)."""
    for table in reversed(metadata.sorted_tables):
        conn.execute(delete(table))


# --- preferences, messages, audit ----------------------------------------------------------


def insert_preference_event(conn: Connection, row: dict[str, Any]) -> None:
    """Append one preference event (events are never updated or deleted, except by the
    retention job)."""
    conn.execute(preference_events.insert().values(**row))


def preference_event_rows(conn: Connection, person_pseudonym: str) -> list[Row[Any]]:
    """All preference events of one person, oldest first."""
    return list(
        conn.execute(
            select(preference_events)
            .where(preference_events.c.person_pseudonym == person_pseudonym)
            .order_by(preference_events.c.tijdstip, preference_events.c.id)
        )
    )


def opted_out_persons(conn: Connection) -> set[str]:
    """Persons whose latest opt-out/opt-in event is an opt-out."""
    rows = conn.execute(
        select(preference_events.c.person_pseudonym, preference_events.c.soort)
        .where(preference_events.c.soort.in_(("niet_benaderen", "weer_benaderen")))
        .order_by(preference_events.c.tijdstip, preference_events.c.id)
    )
    latest: dict[str, str] = {}
    for person, soort in rows:
        latest[person] = soort
    return {p for p, s in latest.items() if s == "niet_benaderen"}


def insert_message(conn: Connection, row: dict[str, Any]) -> int:
    """Store a message (sent or blocked) and return its id."""
    return int(conn.execute(messages.insert().values(**row).returning(messages.c.id)).scalar_one())


def message_row(conn: Connection, message_id: int) -> Row[Any] | None:
    """One message."""
    return conn.execute(select(messages).where(messages.c.id == message_id)).first()


def message_rows(conn: Connection, *, status: str | None = None) -> list[Row[Any]]:
    """All messages, optionally with one status."""
    query = select(messages).order_by(messages.c.id)
    if status:
        query = query.where(messages.c.status == status)
    return list(conn.execute(query))


# --- entitlements and outreach -----------------------------------------------------------


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
    for chunk in _chunks(rows):
        conn.execute(entitlements.insert(), [{**row, "gescand_op": when} for row in chunk])


def delete_entitlements_before(conn: Connection, before: datetime) -> int:
    """Delete scans that ran before ``before``; how many rows went."""
    result = conn.execute(delete(entitlements).where(entitlements.c.gescand_op < before))
    return int(result.rowcount or 0)


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


def insert_outreach_step(conn: Connection, row: dict[str, Any]) -> int:
    """Store one executed ladder step and return its id."""
    return int(
        conn.execute(
            outreach_steps.insert().values(**row).returning(outreach_steps.c.id)
        ).scalar_one()
    )


def outreach_steps_of_case(conn: Connection, case_id: int) -> list[Row[Any]]:
    """The executed ladder steps of a case, in order."""
    return list(
        conn.execute(
            select(outreach_steps)
            .where(outreach_steps.c.case_id == case_id)
            .order_by(outreach_steps.c.stap)
        )
    )


def outreach_step_row(conn: Connection, step_id: int) -> Row[Any] | None:
    """One ladder step."""
    return conn.execute(select(outreach_steps).where(outreach_steps.c.id == step_id)).first()


def outreach_step_rows(conn: Connection, *, status: str | None = None) -> list[Row[Any]]:
    """All ladder steps (optionally of one status, e.g. the open tasks), oldest first."""
    query = select(outreach_steps).order_by(outreach_steps.c.tijdstip, outreach_steps.c.id)
    if status:
        query = query.where(outreach_steps.c.status == status)
    return list(conn.execute(query))


def update_outreach_step(conn: Connection, step_id: int, **values: Any) -> None:
    """Change a ladder step (a task done)."""
    conn.execute(update(outreach_steps).where(outreach_steps.c.id == step_id).values(**values))


def upsert_segment_kansen(conn: Connection, row: dict[str, Any]) -> None:
    """Keep a person's newest segment probabilities (one row per person)."""
    delete_segment_kansen(conn, row["person_pseudonym"])
    conn.execute(segment_kansen.insert().values(**row))


def segment_kansen_row(conn: Connection, person_pseudonym: str) -> Row[Any] | None:
    """A person's segment probabilities, if kept."""
    return conn.execute(
        select(segment_kansen).where(segment_kansen.c.person_pseudonym == person_pseudonym)
    ).first()


def delete_segment_kansen(conn: Connection, person_pseudonym: str) -> int:
    """Delete a person's segment probabilities."""
    return int(
        conn.execute(
            delete(segment_kansen).where(segment_kansen.c.person_pseudonym == person_pseudonym)
        ).rowcount
    )


def messages_of_person(conn: Connection, person_pseudonym: str) -> list[Row[Any]]:
    """A person's messages, newest first."""
    return list(
        conn.execute(
            select(messages)
            .where(messages.c.person_pseudonym == person_pseudonym)
            .order_by(messages.c.tijdstip.desc(), messages.c.id.desc())
        )
    )


def lock_audit_log(conn: Connection) -> None:
    """Serialise writers of the hash chain (PostgreSQL; SQLite has one writer anyway)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE audit_log IN EXCLUSIVE MODE")


def last_audit_row(conn: Connection) -> Row[Any] | None:
    """The newest audit entry."""
    return conn.execute(select(audit_log).order_by(audit_log.c.id.desc()).limit(1)).first()


def insert_audit_row(conn: Connection, row: dict[str, Any]) -> None:
    """Append an audit entry."""
    conn.execute(audit_log.insert().values(**row))


def audit_rows(conn: Connection) -> Iterable[Row[Any]]:
    """Every audit entry in order."""
    return conn.execute(select(audit_log).order_by(audit_log.c.id))


# --- retention -------------------------------------------------------------------------------


def expired_case_ids(
    conn: Connection, *, closed_before: date, help_results: Sequence[str], with_help: bool
) -> list[int]:
    """Closed cases whose end date lies before ``closed_before``, with or without help."""
    condition = cases.c.eindresultaat.in_(help_results)
    query = select(cases.c.id).where(
        cases.c.eindresultaat.is_not(None),
        cases.c.einddatum < closed_before,
        condition if with_help else ~condition,
    )
    return list(conn.scalars(query.order_by(cases.c.id)))


def case_signal_summary(conn: Connection, case_ids: Sequence[int]) -> list[Row[Any]]:
    """Per signal of these cases: month, partner, amount, end result, picked up, reached,
    help accepted."""
    reached = (
        select(contact_attempts.c.case_id)
        .where(contact_attempts.c.bereikt.is_(True))
        .distinct()
        .subquery()
    )
    found: list[Row[Any]] = []
    for chunk in _chunks(case_ids):
        found.extend(
            conn.execute(
                select(
                    signals.c.signaaldatum,
                    signals.c.signaalpartner,
                    signals.c.bedrag,
                    cases.c.eindresultaat,
                    cases.c.datum_opgepakt,
                    cases.c.datum_hulp_geaccepteerd,
                    reached.c.case_id.label("bereikt"),
                )
                .join(cases, cases.c.id == signals.c.case_id)
                .outerjoin(reached, reached.c.case_id == cases.c.id)
                .where(signals.c.case_id.in_(chunk))
            )
        )
    return found


def insert_report_aggregates(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Keep the counts that reports need after personal data is deleted."""
    if rows:
        conn.execute(report_aggregates.insert(), list(rows))


def delete_cases(conn: Connection, case_ids: Sequence[int]) -> dict[str, int]:
    """Delete cases with their signals, contact attempts and messages; returns counts."""
    counts = {
        "signals": 0,
        "contact_attempts": 0,
        "outreach_steps": 0,
        "messages": 0,
        "cases": 0,
    }
    for chunk in _chunks(case_ids):
        counts["contact_attempts"] += conn.execute(
            delete(contact_attempts).where(contact_attempts.c.case_id.in_(chunk))
        ).rowcount
        counts["outreach_steps"] += conn.execute(
            delete(outreach_steps).where(outreach_steps.c.case_id.in_(chunk))
        ).rowcount
        counts["messages"] += conn.execute(
            delete(messages).where(messages.c.case_id.in_(chunk))
        ).rowcount
        counts["signals"] += conn.execute(
            delete(signals).where(signals.c.case_id.in_(chunk))
        ).rowcount
        counts["cases"] += conn.execute(delete(cases).where(cases.c.id.in_(chunk))).rowcount
    return counts


def delete_orphan_identities(conn: Connection) -> int:
    """Delete BSN/address identities of persons who no longer have any signal."""
    still_used = select(signals.c.person_pseudonym).distinct()
    return int(
        conn.execute(
            delete(client_identities).where(client_identities.c.person_pseudonym.not_in(still_used))
        ).rowcount
    )


def delete_quarantine_before(conn: Connection, before: datetime) -> int:
    """Delete rejected records received before ``before``."""
    return int(conn.execute(delete(quarantine).where(quarantine.c.received_at < before)).rowcount)


# --- web: users and resident codes ----------------------------------------------------------


def insert_user(conn: Connection, row: dict[str, Any]) -> int:
    """Store a professional user and return its id."""
    return int(conn.execute(users.insert().values(**row).returning(users.c.id)).scalar_one())


def user_by_name(conn: Connection, gebruikersnaam: str) -> Row[Any] | None:
    """A user by login name."""
    return conn.execute(select(users).where(users.c.gebruikersnaam == gebruikersnaam)).first()


def user_by_id(conn: Connection, user_id: int) -> Row[Any] | None:
    """A user by id."""
    return conn.execute(select(users).where(users.c.id == user_id)).first()


def update_user(conn: Connection, user_id: int, **values: Any) -> None:
    """Change a user (password hash, role, active)."""
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


def insert_resident_code(conn: Connection, row: dict[str, Any]) -> None:
    """Store the hash of a new one-time code."""
    conn.execute(resident_codes.insert().values(**row))


def resident_code_by_hash(conn: Connection, code_hash: str) -> Row[Any] | None:
    """A code by its hash."""
    return conn.execute(
        select(resident_codes).where(resident_codes.c.code_hash == code_hash)
    ).first()


def mark_resident_code_used(conn: Connection, code_id: int, when: datetime) -> bool:
    """Use a code once; False if it was already used (a concurrent second use)."""
    result = conn.execute(
        update(resident_codes)
        .where(resident_codes.c.id == code_id, resident_codes.c.gebruikt.is_(None))
        .values(gebruikt=when)
    )
    return bool(result.rowcount)
