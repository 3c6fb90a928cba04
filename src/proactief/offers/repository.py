"""Every query of offers: the contact-ladder steps and the segment probabilities from a
resident's own answers.
"""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    FromClause,
    Row,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from proactief.domain.offers import StapStatus
from proactief.domain.records import (
    GrantRecord,
    LifeEventRecord,
    OutboxRecord,
    OutreachStepRecord,
    ReplyRecord,
    ReplyRouteRecord,
    SegmentKansenRecord,
)
from proactief.early_detection.queue import refresh_queue_fields
from proactief.storage.queries import Values, insert_new, record_or_none, records
from proactief.storage.tables import (
    automatic_grants,
    campagne_leden,
    campagnes,
    cases,
    contactmomenten,
    experiment_stops,
    experiment_toewijzingen,
    experimenten,
    klachten,
    levensgebeurtenissen,
    outbox,
    outreach_steps,
    preference_events,
    replies,
    reply_routes,
    segment_kansen,
)

__all__ = [
    "OUTBOX_VERZONDEN",
    "OUTBOX_WACHT",
    "campaign_cases_since",
    "campaign_households",
    "campaign_of",
    "claim_campaign_household",
    "claim_outbox_row",
    "claim_sent_outbox_row",
    "clear_confirmation",
    "decide_grant",
    "delete_segment_kansen",
    "due_grants",
    "due_life_events",
    "grant_row",
    "grants_of_case",
    "grants_with_status",
    "insert_contact_moment",
    "insert_grant",
    "insert_life_event",
    "insert_outbox_row",
    "insert_outreach_step",
    "insert_reply",
    "insert_reply_route",
    "life_event_counts",
    "lock_campaign",
    "next_contact_moment",
    "open_case_of_person",
    "open_replies",
    "outbox_row_by_extern_id",
    "outreach_step_row",
    "outreach_step_rows",
    "outreach_steps_of_case",
    "pending_confirmations",
    "pending_outbox_ids",
    "recent_yearly_checkup",
    "replies_of_case",
    "reply_route",
    "reply_route_by_address",
    "save_campaign",
    "segment_kansen_row",
    "sent_outbox_rows",
    "step_of_reference",
    "stop_waiting_life_events",
    "update_campaign_member",
    "update_life_event",
    "update_outbox_row",
    "update_outreach_step",
    "update_reply",
    "upsert_segment_kansen",
]


def insert_outreach_step(conn: Connection, row: Values) -> int:
    """Store one executed ladder step and return its id (the case's queue fields follow)."""
    step_id = int(
        conn.execute(
            outreach_steps.insert().values(**row).returning(outreach_steps.c.id)
        ).scalar_one()
    )
    refresh_queue_fields(conn, [int(str(row["case_id"]))])
    return step_id


def outreach_steps_of_case(conn: Connection, case_id: int) -> list[OutreachStepRecord]:
    """The executed ladder steps of a case, in order."""
    return records(
        OutreachStepRecord,
        conn.execute(
            select(outreach_steps)
            .where(outreach_steps.c.case_id == case_id)
            .order_by(outreach_steps.c.stap)
        ),
    )


def outreach_step_row(conn: Connection, step_id: int) -> OutreachStepRecord | None:
    """One ladder step."""
    return record_or_none(
        OutreachStepRecord,
        conn.execute(select(outreach_steps).where(outreach_steps.c.id == step_id)).first(),
    )


def outreach_step_rows(
    conn: Connection, *, status: StapStatus | None = None
) -> list[OutreachStepRecord]:
    """All ladder steps (optionally of one status, e.g. the open tasks), oldest first."""
    query = select(outreach_steps).order_by(outreach_steps.c.tijdstip, outreach_steps.c.id)
    if status:
        query = query.where(outreach_steps.c.status == status)
    return records(OutreachStepRecord, conn.execute(query))


def update_outreach_step(conn: Connection, step_id: int, **values: object) -> None:
    """Change a ladder step (a task done; the case's queue fields follow)."""
    changed = conn.execute(
        update(outreach_steps)
        .where(outreach_steps.c.id == step_id)
        .values(**values)
        .returning(outreach_steps.c.case_id)
    ).first()
    if changed is not None:
        refresh_queue_fields(conn, [int(changed[0])])


def upsert_segment_kansen(conn: Connection, row: Values) -> None:
    """Keep a person's newest segment probabilities (one row per person)."""
    delete_segment_kansen(conn, str(row["person_pseudonym"]))
    conn.execute(segment_kansen.insert().values(**row))


def segment_kansen_row(conn: Connection, person_pseudonym: str) -> SegmentKansenRecord | None:
    """A person's segment probabilities, if kept."""
    return record_or_none(
        SegmentKansenRecord,
        conn.execute(
            select(segment_kansen).where(segment_kansen.c.person_pseudonym == person_pseudonym)
        ).first(),
    )


def delete_segment_kansen(conn: Connection, person_pseudonym: str) -> int:
    """Delete a person's segment probabilities."""
    return int(
        conn.execute(
            delete(segment_kansen).where(segment_kansen.c.person_pseudonym == person_pseudonym)
        ).rowcount
    )


OUTBOX_WACHT = "wacht"
"""An outbox row committed and not yet handed to a channel."""
OUTBOX_VERZONDEN = "verzonden"
"""Handed to a sending service that reports its delivery status later."""


def insert_outbox_row(conn: Connection, row: Values) -> int:
    """Put a message in the outbox (in the transaction of its ladder step)."""
    return int(conn.execute(outbox.insert().values(**row).returning(outbox.c.id)).scalar_one())


def pending_outbox_ids(conn: Connection, *, case_id: int | None = None) -> list[int]:
    """The outbox messages not yet handed to a channel, oldest first (of one case)."""
    query = select(outbox.c.id).where(outbox.c.status == OUTBOX_WACHT).order_by(outbox.c.id)
    if case_id is not None:
        query = query.join(outreach_steps, outreach_steps.c.id == outbox.c.step_id).where(
            outreach_steps.c.case_id == case_id
        )
    return [int(i) for i in conn.execute(query).scalars()]


def claim_outbox_row(conn: Connection, outbox_id: int) -> OutboxRecord | None:
    """The message if it still waits, locked until the transaction ends; None when it was
    delivered meanwhile or another worker holds it (PostgreSQL: SKIP LOCKED; SQLite: the
    transaction holds the write lock)."""
    query = select(outbox).where(outbox.c.id == outbox_id, outbox.c.status == OUTBOX_WACHT)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return record_or_none(OutboxRecord, conn.execute(query).first())


def claim_sent_outbox_row(conn: Connection, extern_id: str) -> OutboxRecord | None:
    """The message a sending service knows as ``extern_id`` if it still waits for its
    status, locked until the transaction ends (a callback and a poll for the same message
    at once: one records it, the other finds it recorded)."""
    query = select(outbox).where(
        outbox.c.extern_id == extern_id, outbox.c.status == OUTBOX_VERZONDEN
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return record_or_none(OutboxRecord, conn.execute(query).first())


def outbox_row_by_extern_id(conn: Connection, extern_id: str) -> OutboxRecord | None:
    """The message a sending service knows as ``extern_id``, locked, whatever its status."""
    query = select(outbox).where(outbox.c.extern_id == extern_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return record_or_none(OutboxRecord, conn.execute(query).first())


def sent_outbox_rows(conn: Connection) -> list[tuple[int, str, str]]:
    """(outbox id, the service's id, kanaal) of every message that waits for its delivery
    status, oldest first."""
    return [
        (row.id, row.extern_id, row.kanaal)
        for row in conn.execute(
            select(outbox.c.id, outbox.c.extern_id, outbox.c.kanaal)
            .where(outbox.c.status == OUTBOX_VERZONDEN, outbox.c.extern_id.is_not(None))
            .order_by(outbox.c.id)
        )
    ]


def update_outbox_row(conn: Connection, outbox_id: int, **values: object) -> None:
    """Record what the channel did with an outbox message."""
    conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(**values))


def insert_grant(
    conn: Connection, *, case_id: int, regeling: str, datum: date, now: datetime
) -> bool:
    """Propose an automatic grant once per case and regulation (a later message of the
    same case keeps the first date). Whether it is new."""
    if conn.execute(
        select(automatic_grants.c.id).where(
            automatic_grants.c.case_id == case_id, automatic_grants.c.regeling == regeling
        )
    ).first():
        return False
    conn.execute(
        automatic_grants.insert().values(
            case_id=case_id, regeling=regeling, datum=datum, status="voorgesteld", voorgesteld=now
        )
    )
    return True


def grants_of_case(conn: Connection, case_id: int) -> list[GrantRecord]:
    """The automatic grants of a case, by regulation."""
    return records(
        GrantRecord,
        conn.execute(
            select(automatic_grants)
            .where(automatic_grants.c.case_id == case_id)
            .order_by(automatic_grants.c.regeling)
        ),
    )


def due_grants(conn: Connection, today: date) -> list[GrantRecord]:
    """Proposed grants whose day has come."""
    return records(
        GrantRecord,
        conn.execute(
            select(automatic_grants)
            .where(automatic_grants.c.status == "voorgesteld", automatic_grants.c.datum <= today)
            .order_by(automatic_grants.c.id)
        ),
    )


def decide_grant(
    conn: Connection,
    grant_id: int,
    *,
    status: str,
    door: str,
    now: datetime,
    from_status: tuple[str, ...] = ("voorgesteld",),
) -> bool:
    """Move a grant on, only from one of ``from_status`` (two processes deciding at once:
    the first wins). Whether it changed."""
    return bool(
        conn.execute(
            update(automatic_grants)
            .where(automatic_grants.c.id == grant_id, automatic_grants.c.status.in_(from_status))
            .values(status=status, besloten=now, door=door)
        ).rowcount
    )


def grants_with_status(conn: Connection, status: str) -> list[GrantRecord]:
    """Grants in one state, oldest first (e.g. those the team must check)."""
    return records(
        GrantRecord,
        conn.execute(
            select(automatic_grants)
            .where(automatic_grants.c.status == status)
            .order_by(automatic_grants.c.datum, automatic_grants.c.id)
        ),
    )


def grant_row(conn: Connection, grant_id: int) -> GrantRecord | None:
    return record_or_none(
        GrantRecord,
        conn.execute(select(automatic_grants).where(automatic_grants.c.id == grant_id)).first(),
    )


def insert_reply_route(conn: Connection, row: Values) -> None:
    """Remember how a reply to one message finds its case."""
    conn.execute(reply_routes.insert().values(**row))


def reply_route(conn: Connection, referentie: str) -> ReplyRouteRecord | None:
    return record_or_none(
        ReplyRouteRecord,
        conn.execute(select(reply_routes).where(reply_routes.c.referentie == referentie)).first(),
    )


def reply_route_by_address(
    conn: Connection, kanaal: str, adres_hash: str
) -> ReplyRouteRecord | None:
    """The newest message sent to this (hashed) address through this channel."""
    return record_or_none(
        ReplyRouteRecord,
        conn.execute(
            select(reply_routes)
            .where(reply_routes.c.kanaal == kanaal, reply_routes.c.adres_hash == adres_hash)
            .order_by(reply_routes.c.aangemaakt.desc(), reply_routes.c.referentie.desc())
            .limit(1)
        ).first(),
    )


def insert_reply(conn: Connection, row: Values) -> int | None:
    """Store a reply once: None when a reply with this ``bron_id`` is already stored."""
    if conn.execute(select(replies.c.id).where(replies.c.bron_id == row["bron_id"])).first():
        return None
    try:
        with conn.begin_nested():
            return int(
                conn.execute(replies.insert().values(**row).returning(replies.c.id)).scalar_one()
            )
    except IntegrityError:  # the same reply stored by another process just now
        return None


def replies_of_case(conn: Connection, case_id: int) -> list[ReplyRecord]:
    return records(
        ReplyRecord,
        conn.execute(select(replies).where(replies.c.case_id == case_id).order_by(replies.c.id)),
    )


def open_replies(conn: Connection) -> list[ReplyRecord]:
    """Replies that wait for a worker (not STOP, not handled)."""
    return records(
        ReplyRecord,
        conn.execute(select(replies).where(replies.c.status == "open").order_by(replies.c.id)),
    )


def update_reply(conn: Connection, reply_id: int, **values: object) -> None:
    conn.execute(update(replies).where(replies.c.id == reply_id).values(**values))


def step_of_reference(conn: Connection, referentie: str) -> OutreachStepRecord | None:
    """The ladder step whose message carries this reference (the outbox keeps it after
    delivery)."""
    return record_or_none(
        OutreachStepRecord,
        conn.execute(
            select(outreach_steps)
            .join(outbox, outbox.c.step_id == outreach_steps.c.id)
            .where(outbox.c.referentie == referentie)
        ).first(),
    )


def pending_confirmations(conn: Connection) -> list[tuple[int, str]]:
    """(reply id, confirmation JSON) of every STOP confirmation not yet handed over."""
    return [
        (int(r.id), str(r.bevestiging))
        for r in conn.execute(
            select(replies.c.id, replies.c.bevestiging)
            .where(replies.c.bevestiging.is_not(None))
            .order_by(replies.c.id)
        )
    ]


def clear_confirmation(conn: Connection, reply_id: int) -> None:
    """The channel has the confirmation: forget the address."""
    conn.execute(update(replies).where(replies.c.id == reply_id).values(bevestiging=None))


CAMPAIGN_LOCK = 7_217_001
"""The PostgreSQL advisory lock class under which one run of a campaign at a time counts
its week and picks its households (the second key is the campaign's name, hashed)."""


def lock_campaign(conn: Connection, campagne: str) -> None:
    """Until the transaction ends, no other run of this campaign counts its week: two
    runs at once would each find room under the cap (PostgreSQL; a SQLite transaction
    that has written holds the one write lock already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:cls, hashtext(:name))"),
            {"cls": CAMPAIGN_LOCK, "name": campagne},
        )


def claim_campaign_household(conn: Connection, row: Values) -> bool:
    """Record that a campaign approached a household; False when it already did (an
    earlier run, or another run at the same moment: the key decides, nothing doubles)."""
    return bool(insert_new(conn, campagne_leden, [row]))


def campaign_member_kept_until(conn: Connection, case_id: int) -> date | None:
    """The day until which the campaign that made the case keeps that it approached the
    household (None: not a campaign case, or a row from before migration 0023)."""
    return conn.scalar(
        select(campagne_leden.c.bewaren_tot).where(campagne_leden.c.case_id == case_id)
    )


def update_campaign_member(
    conn: Connection, campagne: str, household_id: str, **values: object
) -> None:
    conn.execute(
        update(campagne_leden)
        .where(campagne_leden.c.campagne == campagne, campagne_leden.c.household_id == household_id)
        .values(**values)
    )


def campaign_households(conn: Connection, campagne: str) -> set[str]:
    """Every household the campaign approached or passed over for good."""
    return set(
        conn.scalars(
            select(campagne_leden.c.household_id).where(campagne_leden.c.campagne == campagne)
        )
    )


def campaign_cases_since(conn: Connection, campagne: str, since: datetime) -> int:
    """How many cases the campaign made from ``since`` on (its weekly cap)."""
    return int(
        conn.scalar(
            select(func.count()).where(
                campagne_leden.c.campagne == campagne,
                campagne_leden.c.uitkomst == "zaak",
                campagne_leden.c.aangemaakt >= since,
            )
        )
        or 0
    )


def insert_life_event(conn: Connection, row: Values) -> bool:
    """Store a life event; False when (bron, event_id) is stored already (a delivery
    again, or the same event at the same moment from another process)."""
    return bool(insert_new(conn, levensgebeurtenissen, [row]))


def due_life_events(conn: Connection, today: date) -> list[LifeEventRecord]:
    """Waiting life events whose moment has come, oldest moment first."""
    return records(
        LifeEventRecord,
        conn.execute(
            select(levensgebeurtenissen)
            .where(
                levensgebeurtenissen.c.status == "wacht",
                levensgebeurtenissen.c.aanbod_vanaf <= today,
            )
            .order_by(levensgebeurtenissen.c.aanbod_vanaf, levensgebeurtenissen.c.id)
        ),
    )


def stop_waiting_life_events(conn: Connection, person_pseudonym: str, reden: str) -> int:
    """Every waiting event of the person ends without an offer (e.g. the person died)."""
    return int(
        conn.execute(
            update(levensgebeurtenissen)
            .where(
                levensgebeurtenissen.c.person_pseudonym == person_pseudonym,
                levensgebeurtenissen.c.status == "wacht",
            )
            .values(status="gestopt", reden=reden[:300])
        ).rowcount
    )


def update_life_event(conn: Connection, event_row_id: int, **values: object) -> None:
    conn.execute(
        update(levensgebeurtenissen)
        .where(levensgebeurtenissen.c.id == event_row_id)
        .values(**values)
    )


def life_event_counts(conn: Connection) -> dict[str, int]:
    """How many stored life events are in each state (counts only)."""
    return {
        str(status): int(n)
        for status, n in conn.execute(
            select(levensgebeurtenissen.c.status, func.count()).group_by(
                levensgebeurtenissen.c.status
            )
        )
    }


def open_case_of_person(conn: Connection, person_pseudonym: str) -> int | None:
    """The person's open case of any kind (signals, campaign or life event), if any."""
    found = conn.scalar(
        select(cases.c.id)
        .where(cases.c.person_pseudonym == person_pseudonym, cases.c.eindresultaat.is_(None))
        .order_by(cases.c.id)
        .limit(1)
    )
    return None if found is None else int(found)


def insert_contact_moment(conn: Connection, row: Values) -> bool:
    """Store a contact moment; False when its source registered it already."""
    if row.get("bron_id") is None:
        conn.execute(contactmomenten.insert().values(**row))
        return True
    return bool(insert_new(conn, contactmomenten, [row]))


def next_contact_moment(
    conn: Connection, person_pseudonym: str, *, since: date, until: date
) -> tuple[str, date] | None:
    """The person's first registered contact moment from ``since`` up to ``until``."""
    found = conn.execute(
        select(contactmomenten.c.soort, contactmomenten.c.datum)
        .where(
            contactmomenten.c.person_pseudonym == person_pseudonym,
            contactmomenten.c.datum >= since,
            contactmomenten.c.datum <= until,
        )
        .order_by(contactmomenten.c.datum, contactmomenten.c.id)
        .limit(1)
    ).first()
    return None if found is None else (str(found.soort), found.datum)


def save_campaign(
    conn: Connection, naam: str, soort: str, ladder: str | None, now: datetime
) -> None:
    """Keep the campaign's kind and ladder (JSON) as it runs now, for its cases."""
    updated = conn.execute(
        update(campagnes)
        .where(campagnes.c.naam == naam)
        .values(soort=soort, ladder=ladder, bijgewerkt=now)
    ).rowcount
    if not updated:
        insert_new(
            conn, campagnes, [{"naam": naam, "soort": soort, "ladder": ladder, "bijgewerkt": now}]
        )


def campaign_of(conn: Connection, naam: str) -> tuple[str, str | None] | None:
    """(kind, ladder JSON) of a campaign that ran, or None."""
    found = conn.execute(
        select(campagnes.c.soort, campagnes.c.ladder).where(campagnes.c.naam == naam)
    ).first()
    return None if found is None else (str(found.soort), found.ladder)


def recent_yearly_checkup(conn: Connection, household_id: str, since: datetime) -> bool:
    """The household was invited to a yearly check-up (any APK campaign) since then."""
    return (
        conn.scalar(
            select(campagne_leden.c.household_id)
            .where(
                campagne_leden.c.household_id == household_id,
                campagne_leden.c.soort == "apk",
                campagne_leden.c.uitkomst == "zaak",
                campagne_leden.c.aangemaakt >= since,
            )
            .limit(1)
        )
        is not None
    )


# -- experiments (offers.experiments) ------------------------------------------------------


def insert_experiment(conn: Connection, row: Values) -> bool:
    """Register an experiment; False when one of that name exists (its row is unchanged)."""
    return bool(insert_new(conn, experimenten, [row]))


def experiment_rows(conn: Connection) -> list[Row[Any]]:
    """Every experiment, oldest first."""
    return list(conn.execute(_EXPERIMENTS))


# built once: every assignment (before every first message) reads them
_EXPERIMENTS = select(experimenten).order_by(experimenten.c.gestart)
_STOPS = select(experiment_stops).where(experiment_stops.c.experiment == bindparam("naam"))


def experiment_row(conn: Connection, naam: str) -> Row[Any] | None:
    return conn.execute(select(experimenten).where(experimenten.c.naam == naam)).first()


def update_experiment(conn: Connection, naam: str, **values: object) -> None:
    conn.execute(update(experimenten).where(experimenten.c.naam == naam).values(**values))


def assignment_of_unit(conn: Connection, eenheid: str) -> Row[Any] | None:
    """A unit's assignment in any experiment (a unit takes part in one at most)."""
    return conn.execute(
        select(experiment_toewijzingen).where(experiment_toewijzingen.c.eenheid == eenheid)
    ).first()


def assignment_row(conn: Connection, experiment: str, eenheid: str) -> Row[Any] | None:
    return conn.execute(
        select(experiment_toewijzingen).where(
            experiment_toewijzingen.c.experiment == experiment,
            experiment_toewijzingen.c.eenheid == eenheid,
        )
    ).first()


def insert_assignment(conn: Connection, row: Values) -> bool:
    """Record an assignment; False when the unit already had one in this experiment (a
    racing caller's): the caller then reads that one."""
    return bool(insert_new(conn, experiment_toewijzingen, [row]))


def case_household_key(conn: Connection, case_id: int) -> str | None:
    """The case's keyed address hash (cases.huishouden), if the BRP gave one."""
    return conn.scalar(select(cases.c.huishouden).where(cases.c.id == case_id))


def arm_counts(conn: Connection, experiment: str) -> dict[str, tuple[int, int, int]]:
    """Per arm: units, units whose person opted out after the assignment, and units with a
    complaint recorded after it. Read from the side of the opt-outs and complaints (few),
    each person's or case's latest against the assignment, not unit by unit."""
    t = experiment_toewijzingen
    last_opt_out = (
        select(
            preference_events.c.person_pseudonym,
            func.max(preference_events.c.tijdstip).label("laatste"),
        )
        .where(preference_events.c.soort == "niet_benaderen")
        .group_by(preference_events.c.person_pseudonym)
        .subquery()
    )
    last_complaint = (
        select(klachten.c.case_id, func.max(klachten.c.ontvangen).label("laatste"))
        .group_by(klachten.c.case_id)
        .subquery()
    )
    units = _per_arm(conn, experiment, t, None)
    opted_out = _per_arm(
        conn,
        experiment,
        t.join(cases, cases.c.id == t.c.case_id).join(
            last_opt_out, last_opt_out.c.person_pseudonym == cases.c.person_pseudonym
        ),
        last_opt_out.c.laatste,
    )
    complained = _per_arm(
        conn,
        experiment,
        t.join(last_complaint, last_complaint.c.case_id == t.c.case_id),
        last_complaint.c.laatste,
    )
    return {arm: (n, opted_out.get(arm, 0), complained.get(arm, 0)) for arm, n in units.items()}


def _per_arm(
    conn: Connection,
    experiment: str,
    source: FromClause,
    since: ColumnElement[datetime] | None,
) -> dict[str, int]:
    """Assignments of the experiment per arm in ``source``; with ``since``, only those
    assigned on or before that moment."""
    t = experiment_toewijzingen
    where = [t.c.experiment == experiment]
    if since is not None:
        where.append(since >= t.c.toegewezen)
    query = select(t.c.arm, func.count()).select_from(source).where(*where).group_by(t.c.arm)
    return {str(arm): int(n) for arm, n in conn.execute(query)}


def claim_guardrail_check(
    conn: Connection, experiment: str, now: datetime, interval: timedelta
) -> bool:
    """Whether the guardrails are due at ``now``: never checked, ``interval`` passed since
    the last check, or the clock went back before it. The claim is recorded in the same
    statement, so of two racing callers one checks."""
    e = experimenten
    due = or_(
        e.c.vangrails_getoetst.is_(None),
        e.c.vangrails_getoetst <= now - interval,
        e.c.vangrails_getoetst > now,
    )
    claimed = conn.execute(
        update(e).where(e.c.naam == experiment, due).values(vangrails_getoetst=now)
    )
    return claimed.rowcount == 1


def stopped_arms(conn: Connection, experiment: str) -> dict[str, str]:
    """The experiment's stopped arms with their reasons."""
    return {r.arm: r.reden for r in conn.execute(_STOPS, {"naam": experiment})}


def insert_arm_stop(conn: Connection, row: Values) -> bool:
    return bool(insert_new(conn, experiment_stops, [row]))


def insert_complaint(conn: Connection, row: Values) -> int:
    return int(conn.scalar(klachten.insert().values(**row).returning(klachten.c.id)) or 0)
