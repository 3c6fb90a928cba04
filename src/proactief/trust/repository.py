"""Every query of trust: preference and consent events, the message door, the audit chain
and retention (which deletes across the tables once their period has passed).
"""

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    String,
    Table,
    bindparam,
    delete,
    func,
    select,
    update,
)

from proactief.domain.funnel import CaseFacts, StepFacts
from proactief.domain.records import (
    AuditRecord,
    MessageRecord,
    PreferenceEventRecord,
    SignalSummaryRecord,
)
from proactief.storage.queries import (
    R,
    Values,
    checked,
    chunks,
    insert_ignore,
    record_or_none,
    records,
)
from proactief.storage.tables import (
    aanbod_uitkomsten,
    audit_log,
    automatic_grants,
    campagne_leden,
    case_log,
    cases,
    client_identities,
    contact_attempts,
    contactmomenten,
    entitlements,
    experiment_toewijzingen,
    feedback,
    funnel_aggregaten,
    klachten,
    klantcontacten_geschreven,
    levensgebeurtenissen,
    messages,
    metadata,
    outbox,
    outreach_steps,
    preference_events,
    pseudonym_keys,
    quarantine,
    replies,
    reply_routes,
    report_aggregates,
    residents,
    segment_kansen,
    signals,
    web_sessions,
)

if TYPE_CHECKING:
    from proactief.trust.access import Grant


__all__ = [
    "PSEUDONYM_TABLES",
    "audit_row",
    "audit_rows",
    "audit_rows_about",
    "block_message_row",
    "bsn_of_person",
    "case_signal_summary",
    "count_audit_rows",
    "delete_cases",
    "delete_entitlements_before",
    "delete_life_events_before",
    "delete_orphan_identities",
    "delete_quarantine_before",
    "end_resident_sessions",
    "expired_case_ids",
    "holds_pseudonyms",
    "insert_audit_row",
    "insert_identity",
    "insert_key_fingerprint",
    "insert_message",
    "insert_preference_event",
    "insert_report_aggregates",
    "key_fingerprint_row",
    "last_audit_link",
    "last_audit_row",
    "lock_audit_log",
    "message_row",
    "message_rows",
    "messages_of_person",
    "opt_out_events",
    "opted_out_persons",
    "persons_with_choices",
    "preference_event_rows",
    "pseudonyms_in_use",
    "quarantine_raw_rows",
    "replace_key_fingerprint",
    "replace_pseudonyms",
    "select_columns",
    "set_message_account",
    "set_quarantine_raw",
    "vault_identities",
]


def insert_preference_event(conn: Connection, row: Values) -> None:
    """Append one preference event (events are never updated or deleted, except by the
    retention job)."""
    conn.execute(_INSERT_EVENT, checked(preference_events, row))


def preference_event_rows(grant: "Grant", person_pseudonym: str) -> list[PreferenceEventRecord]:
    """All preference events of one person, oldest first."""
    conn = grant.require(["preference_events.*"], subject=person_pseudonym)
    return records(PreferenceEventRecord, conn.execute(_EVENTS_OF, {"person": person_pseudonym}))


# built once: every message and every approach reads the person's events
_EVENTS_OF = (
    select(preference_events)
    .where(preference_events.c.person_pseudonym == bindparam("person"))
    .order_by(preference_events.c.tijdstip, preference_events.c.id)
)


def opted_out_persons(conn: Connection, among: Sequence[str] | None = None) -> set[str]:
    """Persons whose latest opt-out/opt-in event is an opt-out, and persons who died
    according to the BRP (optionally only ``among`` these persons)."""
    query = (
        select(preference_events.c.person_pseudonym, preference_events.c.soort)
        .where(preference_events.c.soort.in_(("niet_benaderen", "weer_benaderen", "overleden")))
        .order_by(preference_events.c.tijdstip, preference_events.c.id)
    )
    if among is not None:
        query = query.where(preference_events.c.person_pseudonym.in_(list(among)))
    rows = conn.execute(query)
    latest: dict[str, str] = {}
    for person, soort in rows:
        # a death is final: a later opt-in (impossible, but recorded) does not undo it
        if latest.get(person) != "overleden":
            latest[person] = soort
    return {p for p, s in latest.items() if s in ("niet_benaderen", "overleden")}


def insert_message(conn: Connection, row: Values) -> int:
    """Store a message (sent or blocked) and return its id."""
    return int(conn.execute(_INSERT_MESSAGE, checked(messages, row)).scalar_one())


def block_message_row(conn: Connection, message_id: int, reden: str) -> None:
    """Mark a message that was not handed over after all as blocked, with the reason."""
    conn.execute(
        update(messages)
        .where(messages.c.id == message_id)
        .values(status="geblokkeerd", reden_kanaal=reden)
    )


def message_row(conn: Connection, message_id: int) -> MessageRecord | None:
    """One message."""
    return record_or_none(
        MessageRecord, conn.execute(select(messages).where(messages.c.id == message_id)).first()
    )


def message_rows(conn: Connection, *, status: str | None = None) -> list[MessageRecord]:
    """All messages, optionally with one status."""
    query = select(messages).order_by(messages.c.id)
    if status:
        query = query.where(messages.c.status == status)
    return records(MessageRecord, conn.execute(query))


def delete_entitlements_before(conn: Connection, before: datetime) -> int:
    """Delete scans that ran before ``before``; how many rows went."""
    result = conn.execute(delete(entitlements).where(entitlements.c.gescand_op < before))
    return int(result.rowcount or 0)


def messages_of_person(conn: Connection, person_pseudonym: str) -> list[MessageRecord]:
    """The messages that reached a person, newest first: sent, and, when a ladder step
    carried it, delivered by its channel (not blocked, failed or still in the outbox)."""
    not_delivered = select(outreach_steps.c.message_id).where(
        outreach_steps.c.message_id.is_not(None), outreach_steps.c.status != "afgeleverd"
    )
    return records(
        MessageRecord,
        conn.execute(
            select(messages)
            .where(
                messages.c.person_pseudonym == person_pseudonym,
                messages.c.status == "verzonden",
                messages.c.id.not_in(not_delivered),
            )
            .order_by(messages.c.tijdstip.desc(), messages.c.id.desc())
        ),
    )


#: the PostgreSQL advisory lock that serialises appends to the audit chain
AUDIT_APPEND_LOCK = 0x70726F61  # 'proa'


def lock_audit_log(conn: Connection) -> None:
    """Serialise writers of the hash chain until the caller's transaction ends.

    PostgreSQL: a transaction-scoped advisory lock, so readers of audit_log and other
    tables are not blocked (a table lock did that). SQLite: every transaction already
    holds the one write lock (storage.db, BEGIN IMMEDIATE)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({AUDIT_APPEND_LOCK})")


# Built once, each row given as parameters: an audit entry, a message and a preference
# event are written per case and per person, and building and keying a statement each
# time cost more than running it.
_AUDIT_INSERT = audit_log.insert()
_INSERT_MESSAGE = messages.insert().returning(messages.c.id)
_INSERT_EVENT = preference_events.insert()
_LAST_AUDIT = select(audit_log).order_by(audit_log.c.id.desc()).limit(1)
_LAST_LINK = select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)


def last_audit_row(conn: Connection) -> AuditRecord | None:
    """The newest audit entry."""
    return record_or_none(AuditRecord, conn.execute(_LAST_AUDIT).first())


def last_audit_link(conn: Connection) -> tuple[int, str] | None:
    """The number and hash of the newest audit entry (what the next one chains to)."""
    found = conn.execute(_LAST_LINK).first()
    return None if found is None else (int(found[0]), str(found[1]))


def audit_row(conn: Connection, entry_id: int) -> AuditRecord | None:
    """One audit entry by number."""
    return record_or_none(
        AuditRecord, conn.execute(select(audit_log).where(audit_log.c.id == entry_id)).first()
    )


def count_audit_rows(conn: Connection, *, up_to: int | None = None) -> int:
    """How many audit entries there are (up to and including number ``up_to``)."""
    query = select(func.count()).select_from(audit_log)
    if up_to is not None:
        query = query.where(audit_log.c.id <= up_to)
    return int(conn.execute(query).scalar_one())


def audit_rows_about(conn: Connection, gegevens: Sequence[str]) -> list[AuditRecord]:
    """The audit entries about these kinds of data (e.g. 'voorkeuren.niet_benaderen')."""
    return records(
        AuditRecord,
        conn.execute(
            select(audit_log).where(audit_log.c.gegevens.in_(gegevens)).order_by(audit_log.c.id)
        ),
    )


def opt_out_events(conn: Connection) -> list[tuple[str, str, datetime]]:
    """(person, kind, time) of every opt-out and opting in again (for the audit check)."""
    rows = conn.execute(
        select(
            preference_events.c.person_pseudonym,
            preference_events.c.soort,
            preference_events.c.tijdstip,
        ).where(preference_events.c.soort.in_(("niet_benaderen", "weer_benaderen")))
    )
    return [(str(p), str(s), t) for p, s, t in rows]


def insert_audit_row(conn: Connection, row: Values) -> None:
    """Append an audit entry."""
    # the row as parameters of one statement, not a new statement with its values: every
    # audited read appends, and building and keying a statement each time cost the most
    conn.execute(_AUDIT_INSERT, checked(audit_log, row))


def audit_rows(conn: Connection) -> Iterable[AuditRecord]:
    """Every audit entry in order, streamed in batches (the chain can be long)."""
    # on the statement, not the connection: Connection.execution_options changes the
    # connection itself, and every later statement would open a server-side cursor
    result = conn.execute(
        select(audit_log).order_by(audit_log.c.id).execution_options(yield_per=1000)
    )
    for batch in result.partitions():
        yield from records(AuditRecord, batch)


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


def case_signal_summary(conn: Connection, case_ids: Sequence[int]) -> list[SignalSummaryRecord]:
    """Per signal of these cases: month, partner, amount, end result, picked up, reached,
    help accepted."""
    reached = (
        select(contact_attempts.c.case_id)
        .where(contact_attempts.c.bereikt.is_(True))
        .distinct()
        .subquery()
    )
    found: list[SignalSummaryRecord] = []
    for chunk in chunks(case_ids):
        found.extend(
            records(
                SignalSummaryRecord,
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
                ),
            )
        )
    return found


def insert_report_aggregates(conn: Connection, rows: Sequence[Values]) -> None:
    """Keep the counts that reports need after personal data is deleted."""
    if rows:
        conn.execute(report_aggregates.insert(), list(rows))


def delete_cases(conn: Connection, case_ids: Sequence[int]) -> dict[str, int]:
    """Delete cases with their signals, contact attempts, ladder steps (and their outbox
    rows), messages, replies, automatic grants, complaints, experiment assignments (an
    experiment's stored result keeps only aggregates) and the case log; returns counts."""
    counts = {
        "replies": 0,
        "reply_routes": 0,
        "automatic_grants": 0,
        "case_log": 0,
        "klachten": 0,
        "experiment_toewijzingen": 0,
        "terugkoppelingen": 0,
        "signals": 0,
        "contact_attempts": 0,
        "outbox": 0,
        "outreach_steps": 0,
        "messages": 0,
        "cases": 0,
    }
    for chunk in chunks(case_ids):
        for name, table in (
            ("replies", replies),
            ("reply_routes", reply_routes),
            ("automatic_grants", automatic_grants),
            ("case_log", case_log),
            ("klachten", klachten),
            ("experiment_toewijzingen", experiment_toewijzingen),
        ):
            counts[name] += conn.execute(delete(table).where(table.c.case_id.in_(chunk))).rowcount
        conn.execute(
            delete(klantcontacten_geschreven).where(klantcontacten_geschreven.c.case_id.in_(chunk))
        )
        counts["contact_attempts"] += conn.execute(
            delete(contact_attempts).where(contact_attempts.c.case_id.in_(chunk))
        ).rowcount
        steps_of_cases = select(outreach_steps.c.id).where(outreach_steps.c.case_id.in_(chunk))
        counts["outbox"] += conn.execute(
            delete(outbox).where(outbox.c.step_id.in_(steps_of_cases))
        ).rowcount
        counts["outreach_steps"] += conn.execute(
            delete(outreach_steps).where(outreach_steps.c.case_id.in_(chunk))
        ).rowcount
        counts["messages"] += conn.execute(
            delete(messages).where(messages.c.case_id.in_(chunk))
        ).rowcount
        # a campaign keeps only that it approached the household (so no run writes again),
        # no longer which case or person that was
        conn.execute(
            update(campagne_leden).where(campagne_leden.c.case_id.in_(chunk)).values(case_id=None)
        )
        # an offer's outcome stays for the counts, without its case or household
        conn.execute(
            update(aanbod_uitkomsten)
            .where(aanbod_uitkomsten.c.case_id.in_(chunk))
            .values(case_id=None, household_id=None)
        )
        # a life event keeps that it led to an offer, no longer to which case
        conn.execute(
            update(levensgebeurtenissen)
            .where(levensgebeurtenissen.c.case_id.in_(chunk))
            .values(case_id=None)
        )
        counts["terugkoppelingen"] += conn.execute(
            delete(feedback).where(
                feedback.c.signal_row_id.in_(
                    select(signals.c.id).where(signals.c.case_id.in_(chunk))
                )
            )
        ).rowcount
        counts["signals"] += conn.execute(
            delete(signals).where(signals.c.case_id.in_(chunk))
        ).rowcount
        counts["cases"] += conn.execute(delete(cases).where(cases.c.id.in_(chunk))).rowcount
    return counts


def case_funnel_facts(conn: Connection, case_ids: Sequence[int]) -> list[CaseFacts]:
    """What the funnel needs of each case (domain.funnel), read before retention deletes
    them: their counts per breakdown are kept (funnel_aggregaten)."""
    ids = list(case_ids)
    rows = list(conn.execute(select(cases).where(cases.c.id.in_(ids))))
    first_reached: dict[int, date] = dict(
        conn.execute(
            select(contact_attempts.c.case_id, func.min(contact_attempts.c.datum))
            .where(contact_attempts.c.case_id.in_(ids), contact_attempts.c.bereikt.is_(True))
            .group_by(contact_attempts.c.case_id)
        ).all()
    )
    steps: dict[int, list[StepFacts]] = {}
    for s in conn.execute(
        select(
            outreach_steps.c.case_id,
            outreach_steps.c.kanaal,
            outreach_steps.c.toon,
            outreach_steps.c.moment,
        )
        .where(outreach_steps.c.case_id.in_(ids))
        .order_by(outreach_steps.c.case_id, outreach_steps.c.stap)
    ):
        steps.setdefault(s.case_id, []).append(StepFacts(s.kanaal, s.toon, s.moment))
    arms = {
        a.case_id: f"{a.experiment}: {a.arm}"
        for a in conn.execute(
            select(experiment_toewijzingen).where(experiment_toewijzingen.c.case_id.in_(ids))
        )
    }
    offered: dict[int, dict[str, bool]] = {}
    for o in conn.execute(
        select(
            aanbod_uitkomsten.c.case_id,
            aanbod_uitkomsten.c.regeling,
            aanbod_uitkomsten.c.ontvangen_op,
        ).where(aanbod_uitkomsten.c.case_id.in_(ids))
    ):
        got = offered.setdefault(o.case_id, {})
        got[o.regeling] = got.get(o.regeling, False) or o.ontvangen_op is not None
    persons = {r.person_pseudonym for r in rows}
    kansen = {
        k.person_pseudonym: k.kansen
        for k in conn.execute(
            select(segment_kansen).where(segment_kansen.c.person_pseudonym.in_(persons))
        )
    }
    return [
        CaseFacts(
            r.matchingsdatum,
            r.campagne,
            r.datum_opgepakt,
            r.datum_hulp_geaccepteerd,
            r.eindresultaat,
            r.id in first_reached,
            tuple(steps.get(r.id, ())),
            arms.get(r.id),
            kansen.get(r.person_pseudonym),
            first_reached.get(r.id),
            tuple(sorted(offered.get(r.id, {}).items())),
            r.eigenaar_id,
        )
        for r in rows
    ]


def insert_funnel_aggregates(conn: Connection, rows: Sequence[Values]) -> None:
    if rows:
        conn.execute(funnel_aggregaten.insert(), list(rows))


def set_message_account(conn: Connection, message_id: int, account: str) -> None:
    """Keep the account (JSON) a message was rendered from with the message."""
    conn.execute(update(messages).where(messages.c.id == message_id).values(verantwoording=account))


def delete_orphan_identities(conn: Connection) -> int:
    """Delete BSN/address identities of persons who no longer have any signal and made no
    choice: the identity behind a choice (an opt-out above all) is kept as long as the
    choice, so a new key (trust.rotation) can carry the choice over to the new pseudonym."""
    still_used = (
        select(signals.c.person_pseudonym)
        .union(select(preference_events.c.person_pseudonym))
        .scalar_subquery()
    )
    return int(
        conn.execute(
            delete(client_identities).where(client_identities.c.person_pseudonym.not_in(still_used))
        ).rowcount
    )


def delete_campaign_members_before(conn: Connection, before: datetime) -> int:
    """Delete the record that a campaign approached a household once its day to keep it
    has passed (rows from before that day was kept: a year after they were made)."""
    return int(
        conn.execute(
            delete(campagne_leden).where(
                (campagne_leden.c.bewaren_tot < before.date())
                | (
                    campagne_leden.c.bewaren_tot.is_(None)
                    & (campagne_leden.c.aangemaakt < before - timedelta(days=365))
                )
            )
        ).rowcount
    )


def delete_life_events_before(conn: Connection, before: datetime) -> int:
    """Delete life events received before ``before`` whose moment is over (a waiting one
    stays until it is handled), and contact moments whose day lies before it."""
    events = conn.execute(
        delete(levensgebeurtenissen).where(
            levensgebeurtenissen.c.ontvangen < before, levensgebeurtenissen.c.status != "wacht"
        )
    ).rowcount
    moments = conn.execute(
        delete(contactmomenten).where(contactmomenten.c.datum < before.date())
    ).rowcount
    return int(events) + int(moments)


def delete_quarantine_before(conn: Connection, before: datetime) -> int:
    """Delete rejected records received before ``before``."""
    return int(conn.execute(delete(quarantine).where(quarantine.c.received_at < before)).rowcount)


def select_columns(grant: "Grant", record: type[R], table: str, **equals: object) -> list[R]:
    """SELECT the record's fields from one table (optionally WHERE column == value), as
    ``trust.access.PersonalDataAccess.read`` does."""
    names = [f.name for f in dataclasses.fields(record)]
    conn = grant.require(f"{table}.{n}" for n in names)
    t = metadata.tables[table]
    query = select(*(t.c[n] for n in names))
    for column, value in equals.items():
        query = query.where(t.c[column] == value)
    return records(record, conn.execute(query))


def bsn_of_person(grant: "Grant", person_pseudonym: str) -> str | None:
    """The BSN behind a pseudonym, from the vault (for a purpose that may read it)."""
    conn = grant.require(["client_identities.bsn"], subject=person_pseudonym)
    value = conn.execute(
        select(client_identities.c.bsn).where(
            client_identities.c.person_pseudonym == person_pseudonym
        )
    ).scalar_one_or_none()
    return None if value is None else str(value)


def key_fingerprint_row(conn: Connection) -> str | None:
    """The fingerprint of the key this database's pseudonyms were made with, if recorded."""
    value = conn.execute(
        select(pseudonym_keys.c.fingerprint).order_by(pseudonym_keys.c.id)
    ).scalar()
    return None if value is None else str(value)


def insert_key_fingerprint(
    conn: Connection, fingerprint: str, herkomst: str, when: datetime
) -> None:
    """Record which key the pseudonyms are made with (once, also when two runs start at
    the same moment on an empty database)."""
    insert_ignore(
        conn, pseudonym_keys, [{"fingerprint": fingerprint, "herkomst": herkomst, "sinds": when}]
    )


def holds_pseudonyms(conn: Connection) -> bool:
    """Whether any table holds a pseudonym made with the key (then a new key is refused)."""
    for table in (client_identities, signals, preference_events, messages, residents):
        if conn.execute(select(table.c.person_pseudonym).limit(1)).first() is not None:
            return True
    return False


#: every column that holds a person's pseudonym, table by table (for a key rotation)
PSEUDONYM_TABLES = (
    "client_identities",
    "cases",
    "signals",
    "residents",
    "preference_events",
    "messages",
    "segment_kansen",
    "resident_codes",
    "reply_routes",
    "replies",
    "levensgebeurtenissen",
    "contactmomenten",
)


def vault_identities(conn: Connection) -> list[tuple[str, str | None, tuple[str, str, str, str]]]:
    """(pseudonym, BSN, (sex, birth date, postcode, house number)) of every identity in
    the vault, to make each person's pseudonym anew with another key."""
    out: list[tuple[str, str | None, tuple[str, str, str, str]]] = []
    for row in conn.execute(select(client_identities)):
        born = row.geboortedatum.isoformat() if row.geboortedatum else ""
        address = (row.geslacht or "", born, row.postcode or "", row.huisnummer or "")
        out.append((row.person_pseudonym, row.bsn, address))
    return out


def pseudonyms_in_use(conn: Connection) -> dict[str, set[str]]:
    """Every pseudonym in every table that holds them."""
    return {
        name: set(conn.scalars(select(metadata.tables[name].c.person_pseudonym).distinct()))
        for name in PSEUDONYM_TABLES
    }


def persons_with_choices(conn: Connection) -> set[str]:
    """Pseudonyms of everyone with a preference event."""
    return set(conn.scalars(select(preference_events.c.person_pseudonym).distinct()))


def replace_pseudonyms(conn: Connection, mapping: dict[str, str]) -> dict[str, int]:
    """Replace old by new pseudonyms in every table, through a temporary mapping table
    (one UPDATE per table); rows changed per table."""
    mapping_table = Table(
        "pseudonym_wissel",
        MetaData(),
        Column("oud", String(40), primary_key=True),
        Column("nieuw", String(40), nullable=False),
        prefixes=["TEMPORARY"],
    )
    mapping_table.create(conn)
    try:
        for chunk in chunks(list(mapping.items())):
            conn.execute(mapping_table.insert(), [{"oud": o, "nieuw": n} for o, n in chunk])
        changed: dict[str, int] = {}
        for name in PSEUDONYM_TABLES:
            table = metadata.tables[name]
            new = (
                select(mapping_table.c.nieuw)
                .where(mapping_table.c.oud == table.c.person_pseudonym)
                .scalar_subquery()
            )
            changed[name] = int(
                conn.execute(
                    update(table)
                    .where(table.c.person_pseudonym.in_(select(mapping_table.c.oud)))
                    .values(person_pseudonym=new)
                ).rowcount
                or 0
            )
        return changed
    finally:
        mapping_table.drop(conn)


def quarantine_raw_rows(conn: Connection) -> list[tuple[int, str]]:
    """(id, raw) of rejected records that hold a pseudonymised BSN."""
    return [
        (int(i), str(raw))
        for i, raw in conn.execute(
            select(quarantine.c.id, quarantine.c.raw).where(quarantine.c.raw.contains("[BSN "))
        )
    ]


def set_quarantine_raw(conn: Connection, quarantine_id: int, raw: str) -> None:
    """Rewrite a rejected record's kept text (its pseudonyms after a key rotation)."""
    conn.execute(update(quarantine).where(quarantine.c.id == quarantine_id).values(raw=raw))


def end_resident_sessions(conn: Connection, when: datetime) -> int:
    """End every resident's web session (their pseudonym changes with a new key)."""
    return int(
        conn.execute(
            update(web_sessions)
            .where(
                web_sessions.c.person_pseudonym.is_not(None), web_sessions.c.ingetrokken.is_(None)
            )
            .values(ingetrokken=when, reden="sleutel gewisseld")
        ).rowcount
        or 0
    )


def replace_key_fingerprint(conn: Connection, fingerprint: str, when: datetime) -> None:
    """The database's pseudonyms are now made with another key: its fingerprint only."""
    conn.execute(delete(pseudonym_keys))
    conn.execute(
        pseudonym_keys.insert().values(fingerprint=fingerprint, herkomst="gewisseld", sinds=when)
    )


def insert_identity(conn: Connection, person_pseudonym: str, bsn: str) -> None:
    """Keep the BSN behind a pseudonym in the vault (once per person)."""
    insert_ignore(
        conn,
        client_identities,
        [
            {
                "person_pseudonym": person_pseudonym,
                "bsn": bsn,
                "geslacht": None,
                "geboortedatum": None,
                "postcode": None,
                "huisnummer": None,
                "huisnummertoevoeging": None,
            }
        ],
    )
