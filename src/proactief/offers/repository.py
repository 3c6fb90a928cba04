"""Every query of offers: the contact-ladder steps and the segment probabilities from a
resident's own answers.
"""

from sqlalchemy import Connection, delete, select, update

from proactief.domain.offers import StapStatus
from proactief.domain.records import OutboxRecord, OutreachStepRecord, SegmentKansenRecord
from proactief.storage.queries import Values, record_or_none, records
from proactief.storage.tables import (
    outbox,
    outreach_steps,
    segment_kansen,
)

__all__ = [
    "OUTBOX_WACHT",
    "claim_outbox_row",
    "delete_segment_kansen",
    "insert_outbox_row",
    "insert_outreach_step",
    "outreach_step_row",
    "outreach_step_rows",
    "outreach_steps_of_case",
    "pending_outbox_ids",
    "segment_kansen_row",
    "update_outbox_row",
    "update_outreach_step",
    "upsert_segment_kansen",
]


def insert_outreach_step(conn: Connection, row: Values) -> int:
    """Store one executed ladder step and return its id."""
    return int(
        conn.execute(
            outreach_steps.insert().values(**row).returning(outreach_steps.c.id)
        ).scalar_one()
    )


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
    """Change a ladder step (a task done)."""
    conn.execute(update(outreach_steps).where(outreach_steps.c.id == step_id).values(**values))


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


def update_outbox_row(conn: Connection, outbox_id: int, **values: object) -> None:
    """Record what the channel did with an outbox message."""
    conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(**values))
