"""Every query of early detection: signals, the BSN vault, the quarantine, intake files,
cases, contact attempts and the rows the CBS report is built from. Services pass in a
Connection (the caller owns the transaction), or, for the reads of personal data that a
purpose must cover, the :class:`~proactief.trust.access.Grant` of that purpose.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    bindparam,
    func,
    select,
    update,
)

from proactief.domain import (
    Contactpoging,
    Contactsoort,
    Dagdeel,
    Eindresultaat,
    PriorityReason,
    Vroegsignaalzaak,
)
from proactief.domain.records import (
    AttemptRecord,
    CaseRecord,
    QuarantineRecord,
    ReportSignalRecord,
    SignalRecord,
)
from proactief.early_detection.queue import refresh_queue_fields
from proactief.storage.queries import (
    Values,
    bulk_insert_ignore,
    bulk_insert_new,
    checked,
    chunks,
    insert_ignore,
    record_or_none,
    records,
    rows_where_in,
    texts_of,
)
from proactief.storage.tables import (
    cases,
    client_identities,
    contact_attempts,
    intake_files,
    quarantine,
    signals,
)
from proactief.trust.access import Grant

__all__ = [
    "ATTEMPT_FIELDS",
    "IDENTITY_FIELDS",
    "SIGNAL_FIELDS",
    "assign_signals",
    "attempts_of_cases",
    "case_from_rows",
    "case_owner",
    "case_subject",
    "cases_of_persons",
    "count_open_cases",
    "create_case",
    "existing_signal_ids",
    "get_case_row",
    "insert_attempts",
    "insert_identities",
    "insert_quarantine",
    "insert_signals",
    "intake_file_rows",
    "list_quarantine",
    "lock_signal_intake",
    "open_case_rows",
    "open_cases_per_owner",
    "partners_of_person",
    "quarantine_of",
    "quarantined_of_file",
    "record_intake_file",
    "report_cases",
    "report_signals",
    "set_case_owner",
    "signals_by_case",
    "signals_of_cases",
    "stored_signal_contents",
    "unassigned_signals",
    "update_case",
]

#: the personal data in a signal row (its id and file fingerprint are technical, not about
#: the person); what a purpose must cover to read signals
SIGNAL_FIELDS = (
    "signals.signal_id",
    "signals.signaalpartner",
    "signals.person_pseudonym",
    "signals.bedrag",
    "signals.ontstaansdatum",
    "signals.signaaldatum",
    "signals.crisissignaal",
    "signals.warme_overdracht",
    "signals.case_id",
)
#: what the identity vault holds of a person (only the CBS report reads it back)
IDENTITY_FIELDS = (
    "client_identities.bsn",
    "client_identities.geslacht",
    "client_identities.geboortedatum",
    "client_identities.postcode",
    "client_identities.huisnummer",
    "client_identities.huisnummertoevoeging",
)
#: the personal data in a contact attempt (its id and case id are keys)
ATTEMPT_FIELDS = (
    "contact_attempts.soort",
    "contact_attempts.datum",
    "contact_attempts.dagdeel",
    "contact_attempts.bereikt",
)


def existing_signal_ids(conn: Connection, signal_ids: Sequence[str]) -> set[str]:
    """Which of these signal IDs are already stored."""
    found: set[str] = set()
    for chunk in chunks(signal_ids):
        found.update(
            conn.scalars(select(signals.c.signal_id).where(signals.c.signal_id.in_(chunk)))
        )
    return found


#: what makes two deliveries of one signal ID the same signal
SIGNAL_CONTENT = (
    "signaalpartner",
    "person_pseudonym",
    "bedrag",
    "ontstaansdatum",
    "signaaldatum",
    "crisissignaal",
    "warme_overdracht",
)


#: the PostgreSQL advisory lock that lets one intake batch at a time decide what is new
INTAKE_LOCK = 0x70726F62  # 'prob'


def lock_signal_intake(conn: Connection) -> None:
    """Until the transaction ends, no other intake batch decides which signals are new:
    otherwise two files with the same signal ID could each find it absent, and the
    second insert would be skipped while counted as stored (PostgreSQL; SQLite
    transactions hold the one write lock already)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({INTAKE_LOCK})")


def stored_signal_contents(
    conn: Connection, signal_ids: Sequence[str]
) -> dict[str, tuple[object, ...]]:
    """The content (``SIGNAL_CONTENT``) of those of these signal IDs already stored."""
    found: dict[str, tuple[object, ...]] = {}
    columns = [signals.c[name] for name in SIGNAL_CONTENT]
    if conn.dialect.name == "postgresql":
        # one array parameter: binding thousands of IN-list parameters cost intake more
        # than the lookup itself
        query = select(signals.c.signal_id, *columns).where(
            signals.c.signal_id.in_(texts_of(signal_ids))
        )
        return {row[0]: tuple(row[1:]) for row in conn.execute(query)}
    for chunk in chunks(signal_ids):
        for row in conn.execute(
            select(signals.c.signal_id, *columns).where(signals.c.signal_id.in_(chunk))
        ):
            found[row[0]] = tuple(row[1:])
    return found


def insert_signals(conn: Connection, rows: Sequence[Values]) -> None:
    """Store signals found new under :func:`lock_signal_intake` (on PostgreSQL a batch of
    ``COPY_FROM`` or more by COPY, which fails rather than skip one that exists after all;
    intake then takes the batch record by record)."""
    bulk_insert_new(conn, signals, rows)


def insert_identities(conn: Connection, rows: Sequence[Values]) -> None:
    """Store the BSN or address identity behind a pseudonym (once per person: those
    stored already are skipped; PostgreSQL: by COPY into a staging table, then one
    INSERT ... ON CONFLICT DO NOTHING, which looks each person up once)."""
    bulk_insert_ignore(conn, client_identities, rows)


def insert_quarantine(conn: Connection, rows: Sequence[Values]) -> int:
    """Keep rejected records with their reason (once per file and position); how many
    were new (a record of a file delivered again is in quarantine already)."""
    if not rows:
        return 0
    before = _quarantined(conn, rows)
    insert_ignore(conn, quarantine, rows)
    return _quarantined(conn, rows) - before


def quarantined_of_file(conn: Connection, sha256: str) -> int:
    """How many records of one file (by content) the quarantine holds (a count only)."""
    return int(
        conn.execute(
            select(func.count()).select_from(quarantine).where(quarantine.c.file_sha256 == sha256)
        ).scalar_one()
    )


def _quarantined(conn: Connection, rows: Sequence[Values]) -> int:
    """How many of these (file, position) pairs the quarantine holds."""
    found = 0
    by_file: dict[object, list[object]] = {}
    for row in rows:
        by_file.setdefault(row["file_sha256"], []).append(row["position"])
    for sha, positions in by_file.items():
        for chunk in chunks(positions):
            found += int(
                conn.execute(
                    select(func.count())
                    .select_from(quarantine)
                    .where(quarantine.c.file_sha256 == sha, quarantine.c.position.in_(chunk))
                ).scalar_one()
            )
    return found


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


def intake_file_rows(conn: Connection) -> list[dict[str, object]]:
    """Every file taken in, newest run first, with the counts of its last run and how
    many of its records the quarantine holds (no personal data)."""
    held: dict[str, int] = dict(
        conn.execute(
            select(quarantine.c.file_sha256, func.count()).group_by(quarantine.c.file_sha256)
        ).all()
    )
    return [
        {**dict(r._mapping), "in_quarantaine": int(held.get(r.sha256, 0))}
        for r in conn.execute(select(intake_files).order_by(intake_files.c.last_run.desc()))
    ]


def quarantine_of(
    grant: Grant,
    *,
    file_sha256: str | None = None,
    received_from: datetime | None = None,
    received_before: datetime | None = None,
    limit: int = 500,
) -> tuple[list[QuarantineRecord], int]:
    """Rejected records of one file and/or a period of receipt, oldest first (at most
    ``limit``), and how many match in all."""
    conn = grant.require(["quarantine.*"])
    where = []
    if file_sha256:
        where.append(quarantine.c.file_sha256 == file_sha256)
    if received_from:
        where.append(quarantine.c.received_at >= received_from)
    if received_before:
        where.append(quarantine.c.received_at < received_before)
    total = int(
        conn.execute(select(func.count()).select_from(quarantine).where(*where)).scalar_one()
    )
    rows = records(
        QuarantineRecord,
        conn.execute(select(quarantine).where(*where).order_by(quarantine.c.id).limit(limit)),
    )
    return rows, total


def list_quarantine(grant: Grant, *, file_name: str | None = None) -> list[QuarantineRecord]:
    """Rejected records, oldest first, optionally of one file (raw as delivered: they may
    hold a BSN, so only under a grant)."""
    conn = grant.require(["quarantine.*"])
    query = select(quarantine).order_by(quarantine.c.id)
    if file_name:
        query = query.where(quarantine.c.file_name == file_name)
    return records(QuarantineRecord, conn.execute(query))


def unassigned_signals(grant: Grant, *, up_to: date) -> list[SignalRecord]:
    """Signals not yet in a case, dated up to ``up_to``, per person in date order."""
    conn = grant.require(SIGNAL_FIELDS)
    return records(
        SignalRecord,
        conn.execute(
            select(signals)
            .where(signals.c.case_id.is_(None), signals.c.signaaldatum <= up_to)
            .order_by(signals.c.person_pseudonym, signals.c.signaaldatum, signals.c.id)
        ),
    )


def cases_of_persons(grant: Grant, pseudonyms: Sequence[str]) -> list[CaseRecord]:
    """All signal cases of these persons, oldest first (per chunk of persons); a campaign
    case takes no signals."""
    return [
        row
        for row in rows_where_in(
            grant.require(["cases.*"]),
            CaseRecord,
            cases,
            cases.c.person_pseudonym,
            pseudonyms,
            cases.c.startdatum_matchingperiode,
            cases.c.id,
        )
        if row.campagne is None
    ]


# Statements built once, their values given as parameters: matching and every change to
# a case run them per case, and building and keying a new statement each time cost more
# than running it. An UPDATE given parameters sets the columns they name.
_CREATE_CASE = cases.insert().returning(cases.c.id)
_ASSIGN_SIGNALS = (
    update(signals)
    .where(signals.c.id.in_(bindparam("ids", expanding=True)))
    .values(case_id=bindparam("case"))
)
_UPDATE_CASE = update(cases).where(cases.c.id == bindparam("case_id_"))


def create_case(conn: Connection, values: Values) -> int:
    """Insert a case and return its id. A new case has no step or attempt yet: it is
    'nieuw' and its first message is due from its matching date (early_detection.queue)."""
    values = {"volgende_actie_datum": values.get("matchingsdatum"), **values}
    return int(conn.execute(_CREATE_CASE, checked(cases, values)).scalar_one())


def assign_signals(conn: Connection, *, case_id: int, signal_row_ids: Sequence[int]) -> None:
    """Put signals into a case."""
    for chunk in chunks(signal_row_ids):
        conn.execute(_ASSIGN_SIGNALS, {"case": case_id, "ids": list(chunk)})


def signals_of_cases(grant: Grant, case_ids: Sequence[int]) -> list[SignalRecord]:
    """Signals of these cases."""
    conn = grant.require(SIGNAL_FIELDS)
    return rows_where_in(conn, SignalRecord, signals, signals.c.case_id, case_ids, signals.c.id)


def signals_by_case(grant: Grant, case_ids: Sequence[int]) -> dict[int, list[SignalRecord]]:
    """Signals of these cases, grouped per case (every case id is a key)."""
    grouped: dict[int, list[SignalRecord]] = {case_id: [] for case_id in case_ids}
    for row in signals_of_cases(grant, case_ids):
        if row.case_id is not None:
            grouped[row.case_id].append(row)
    return grouped


#: the fields the work queue's status and next action are derived from
QUEUE_INPUTS = frozenset(
    {"matchingsdatum", "datum_hulp_geaccepteerd", "vervolg_datum", "volgende_stap_datum"}
)


def update_case(conn: Connection, case_id: int, **values: object) -> None:
    """Change fields of one case (and the queue's derived fields when they depend on it)."""
    conn.execute(_UPDATE_CASE, {"case_id_": case_id, **checked(cases, values)})
    if QUEUE_INPUTS & values.keys():
        refresh_queue_fields(conn, [case_id])


def case_subject(conn: Connection, case_id: int) -> str | None:
    """Whose case this is (the pseudonym), to name as the subject of an audited read of
    it; None for a case that does not exist."""
    found = conn.execute(select(cases.c.person_pseudonym).where(cases.c.id == case_id)).first()
    return None if found is None else str(found[0])


def get_case_row(grant: Grant, case_id: int, *, for_update: bool = False) -> CaseRecord | None:
    """One case row, or None. ``for_update``: the row stays locked until the caller's
    transaction ends, so a change decided on it cannot race another (PostgreSQL; on
    SQLite the transaction holds the write lock already)."""
    conn = grant.require(["cases.*"])
    query = _CASE_FOR_UPDATE if for_update else _CASE
    return record_or_none(CaseRecord, conn.execute(query, {"id": case_id}).first())


# built once: every change to a case reads its row
_CASE = select(cases).where(cases.c.id == bindparam("id"))
_CASE_FOR_UPDATE = _CASE.with_for_update()


def _open_cases_where(partner: str | None, crisis: bool) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [cases.c.eindresultaat.is_(None)]
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
    grant: Grant,
    *,
    limit: int | None = None,
    partner: str | None = None,
    crisis: bool = False,
) -> list[CaseRecord]:
    """Open cases (no end result), highest priority first, then oldest; optionally only
    those with a signal of one partner, or with a crisis signal."""
    conn = grant.require(["cases.*"])
    query = (
        select(cases)
        .where(*_open_cases_where(partner, crisis))
        .order_by(cases.c.priority.desc(), cases.c.matchingsdatum, cases.c.id)
    )
    if limit:
        query = query.limit(limit)
    return records(CaseRecord, conn.execute(query))


def count_open_cases(conn: Connection, *, partner: str | None = None, crisis: bool = False) -> int:
    """How many open cases match the same filters."""
    return int(
        conn.execute(
            select(func.count()).select_from(cases).where(*_open_cases_where(partner, crisis))
        ).scalar_one()
    )


def attempts_of_cases(grant: Grant, case_ids: Sequence[int]) -> list[AttemptRecord]:
    """Contact attempts of these cases, in date order (per chunk of cases)."""
    return rows_where_in(
        grant.require(ATTEMPT_FIELDS),
        AttemptRecord,
        contact_attempts,
        contact_attempts.c.case_id,
        case_ids,
        contact_attempts.c.datum,
        contact_attempts.c.id,
    )


def insert_attempts(conn: Connection, rows: Sequence[Values]) -> None:
    """Store contact attempts."""
    if rows:
        conn.execute(contact_attempts.insert(), list(rows))
        refresh_queue_fields(conn, [int(str(r["case_id"])) for r in rows])


def case_from_rows(
    row: CaseRecord, signal_rows: Iterable[SignalRecord], attempt_rows: Iterable[AttemptRecord]
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
        campagne=row.campagne,
        gebeurtenis=row.gebeurtenis,
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


def report_cases(grant: Grant, *, start: date, end: date) -> list[CaseRecord]:
    """Signal cases matched within the period (a campaign case is no Vroegsignaalzaak)."""
    conn = grant.require(["cases.*"])
    return records(
        CaseRecord,
        conn.execute(
            select(cases)
            .where(
                cases.c.matchingsdatum >= start,
                cases.c.matchingsdatum <= end,
                cases.c.campagne.is_(None),
            )
            .order_by(cases.c.id)
        ),
    )


def report_signals(
    grant: Grant, *, start: date, end: date, case_ids: Sequence[int]
) -> list[ReportSignalRecord]:
    """Signals received in the period plus the signals of the reported cases.

    Joined to the identity vault: this is the one purpose (the CBS report, DDAS v1.2) for
    which the BSN itself is read back.
    """
    conn = grant.require(
        [
            *SIGNAL_FIELDS,
            *IDENTITY_FIELDS,
            "cases.eindresultaat",
            "cases.datum_opgepakt",
        ]
    )
    base = (
        select(
            signals,
            client_identities.c.bsn,
            client_identities.c.geslacht,
            client_identities.c.geboortedatum,
            client_identities.c.postcode,
            client_identities.c.huisnummer,
            client_identities.c.huisnummertoevoeging,
            cases.c.eindresultaat.label("case_eindresultaat"),
            cases.c.datum_opgepakt.label("case_datum_opgepakt"),
        )
        .join(
            client_identities,
            client_identities.c.person_pseudonym == signals.c.person_pseudonym,
        )
        .outerjoin(cases, cases.c.id == signals.c.case_id)
    )
    by_id: dict[int, ReportSignalRecord] = {}
    for row in records(
        ReportSignalRecord,
        conn.execute(base.where(signals.c.signaaldatum >= start, signals.c.signaaldatum <= end)),
    ):
        by_id[row.id] = row
    for chunk in chunks(case_ids):
        for row in records(
            ReportSignalRecord, conn.execute(base.where(signals.c.case_id.in_(chunk)))
        ):
            by_id[row.id] = row
    return [by_id[k] for k in sorted(by_id)]


def set_case_owner(
    conn: Connection, case_id: int, user_id: int | None, *, only_if_unowned: bool = False
) -> bool:
    """Set (or clear) the owner of a case; with ``only_if_unowned`` only when it has none
    (two processes assigning at once: the first wins). Whether the row changed."""
    query = update(cases).where(cases.c.id == case_id)
    if only_if_unowned:
        query = query.where(cases.c.eigenaar_id.is_(None))
    return bool(conn.execute(query.values(eigenaar_id=user_id)).rowcount)


def open_cases_per_owner(conn: Connection, user_ids: Sequence[int]) -> dict[int, int]:
    """How many open cases each of these users owns (0 included)."""
    counts = dict.fromkeys(user_ids, 0)
    rows = conn.execute(
        select(cases.c.eigenaar_id, func.count())
        .where(cases.c.eindresultaat.is_(None), cases.c.eigenaar_id.in_(list(user_ids)))
        .group_by(cases.c.eigenaar_id)
    )
    for owner, n in rows:
        counts[int(owner)] = int(n)
    return counts


def case_owner(conn: Connection, case_id: int) -> int | None:
    """The owner of a case (its user id), or None."""
    value = conn.scalar(select(cases.c.eigenaar_id).where(cases.c.id == case_id))
    return None if value is None else int(value)


def partners_of_person(grant: Grant, person_pseudonym: str) -> set[str]:
    """Every signal partner that ever sent a signal about this person (still stored)."""
    conn = grant.require(["signals.signaalpartner", "signals.person_pseudonym"])
    return set(
        conn.scalars(
            select(signals.c.signaalpartner)
            .where(signals.c.person_pseudonym == person_pseudonym)
            .distinct()
        )
    )
