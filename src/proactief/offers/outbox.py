"""The transactional outbox: every message goes out once, even after a crash.

A ladder step, its message record, its access code and the finished envelope are
committed together (``enqueue``, inside ``run_next_step``'s transaction) before any channel
is called. ``deliver_one`` then hands one waiting envelope to its channel and, in the same
transaction, marks it delivered, updates the step and registers the DDAS contact attempt.

A crash before that transaction commits leaves the envelope waiting; the next run hands
the *same* envelope (same reference, same code) to the channel again, and the channels
make that second hand-over a no-op: a letter or pickup file already there is not written
again, and SMTP keeps a journal of the references the server accepted. What stays open is
the instant between an SMTP server's acceptance and the journal write (docs/reliability.md).

Before the hand-over the person's choices and the case are read again: an opt-out or an
end result that came in while the envelope waited stops it.
"""

import json
import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection

from proactief.channels import Channel, Delivery, Envelope
from proactief.domain import ContactDetails, Kanaal, StapStatus
from proactief.early_detection import repository as early_repo
from proactief.early_detection.caselog import LogSoort, log_event
from proactief.early_detection.contacts import (
    CaseClosedError,
    ContactDateError,
    case_grant,
    register_contact,
)
from proactief.offers import repository as repo
from proactief.trust.consent import current_state
from proactief.trust.messaging import block_queued_message

log = logging.getLogger(__name__)

__all__ = [
    "OutboxDelivery",
    "StatusSource",
    "StatusUpdate",
    "decode_envelope",
    "deliver_one",
    "deliver_pending",
    "encode_envelope",
    "enqueue",
    "poll_statuses",
    "record_returned_letter",
    "record_status",
]

MAX_ATTEMPTS = 3
"""How often a channel that raises is tried with the same envelope before it counts as
failed (a channel that reports a failure counts at once)."""

Begin = Callable[[], AbstractContextManager[Connection]]
"""Opens a transaction, e.g. ``engine.begin``."""


@dataclass(frozen=True, slots=True)
class OutboxDelivery:
    """What happened to one envelope from the outbox (no personal data)."""

    outbox_id: int
    case_id: int
    stap: int
    kanaal: Kanaal
    status: StapStatus
    detail: str


def encode_envelope(envelope: Envelope) -> str:
    """The envelope as JSON, to keep in the outbox until it is delivered."""
    ontvanger = envelope.ontvanger
    return json.dumps(
        {
            "referentie": envelope.referentie,
            "kanaal": envelope.kanaal.value,
            "ontvanger": {
                "naam": ontvanger.naam,
                "email": ontvanger.email,
                "telefoon": ontvanger.telefoon,
                "adres": list(ontvanger.adres),
            },
            "afzender": envelope.afzender,
            "onderwerp": envelope.onderwerp,
            "tekst": envelope.tekst,
            "html": envelope.html,
            "dagdeel": envelope.dagdeel,
        },
        ensure_ascii=False,
    )


def decode_envelope(text: str) -> Envelope:
    """The envelope kept by ``encode_envelope``."""
    data = json.loads(text)
    ontvanger = data["ontvanger"]
    return Envelope(
        referentie=data["referentie"],
        kanaal=Kanaal(data["kanaal"]),
        ontvanger=ContactDetails(
            naam=ontvanger["naam"],
            email=ontvanger["email"],
            telefoon=ontvanger["telefoon"],
            adres=tuple(ontvanger["adres"]),
        ),
        afzender=data["afzender"],
        onderwerp=data["onderwerp"],
        tekst=data["tekst"],
        html=data["html"],
        dagdeel=data["dagdeel"],
    )


def enqueue(conn: Connection, *, step_id: int, envelope: Envelope, now: datetime) -> int:
    """Put the envelope of a ladder step in the outbox, in the step's own transaction."""
    return repo.insert_outbox_row(
        conn,
        {
            "step_id": step_id,
            "referentie": envelope.referentie,
            "kanaal": envelope.kanaal.value,
            "envelop": encode_envelope(envelope),
            "status": repo.OUTBOX_WACHT,
            "pogingen": 0,
            "aangemaakt": now,
            "detail": "",
        },
    )


def deliver_one(
    *,
    conn: Connection,
    outbox_id: int,
    channels: Mapping[Kanaal, Channel],
    now: datetime,
    actor: str = "systeem",
) -> OutboxDelivery | None:
    """Hand one waiting envelope to its channel and record the outcome, in ``conn``'s
    transaction. None when it is no longer waiting (delivered meanwhile, or another
    worker has it), or still waits after its channel raised (tried again by the next
    run, at most ``MAX_ATTEMPTS`` times in all)."""
    row = repo.claim_outbox_row(conn, outbox_id)
    if row is None or row.envelop is None:
        return None
    step = repo.outreach_step_row(conn, row.step_id)
    if step is None:  # the foreign key makes this impossible; say so if it happens
        raise LookupError(f"outbox {outbox_id}: ladder step {row.step_id} is missing")
    kanaal = Kanaal(row.kanaal)
    case = early_repo.get_case_row(
        case_grant(conn, actor=actor, case_id=step.case_id), step.case_id, for_update=True
    )
    if case is None:
        raise LookupError(f"outbox {outbox_id}: case {step.case_id} is missing")
    delivery: Delivery
    if case.eindresultaat is not None:
        delivery = Delivery(StapStatus.GEBLOKKEERD, kanaal, "zaak afgesloten vóór verzending")
    elif not current_state(conn=conn, person_pseudonym=case.person_pseudonym).may_contact():
        delivery = Delivery(
            StapStatus.GEBLOKKEERD, kanaal, "de inwoner meldde zich af vóór verzending"
        )
    else:
        channel = channels.get(kanaal)
        if channel is None:
            raise ValueError(
                f"Geen kanaal ingesteld voor '{kanaal}' / no channel plugin configured for {kanaal}"
            )
        try:
            delivery = channel.deliver(decode_envelope(row.envelop))
        except Exception as exc:  # a plug-in that raises instead of reporting a failure
            attempts = row.pogingen + 1
            detail = f"het kanaal gaf een fout ({type(exc).__name__}), poging {attempts}"
            log.warning("outbox %d: channel raised %s", outbox_id, type(exc).__name__)
            if attempts < MAX_ATTEMPTS:
                # counted and kept waiting: one broken envelope does not hold up the rest
                repo.update_outbox_row(conn, outbox_id, pogingen=attempts, detail=detail)
                return None
            delivery = Delivery(StapStatus.MISLUKT, kanaal, detail)
    if delivery.status is StapStatus.GEBLOKKEERD and step.message_id is not None:
        block_queued_message(
            conn=conn,
            message_id=step.message_id,
            person_pseudonym=case.person_pseudonym,
            reden=delivery.detail,
            actor=actor,
            now=now,
        )
    # the envelope (address, text, code) is kept only while it waits
    repo.update_outbox_row(
        conn,
        outbox_id,
        status=delivery.status.value,
        envelop=None,
        pogingen=row.pogingen + 1,
        # a sending service that reports later: final when its status comes in
        afgerond=None if delivery.status is StapStatus.VERZONDEN else now,
        detail=delivery.detail[:300],
        extern_id=delivery.extern_id,
    )
    repo.update_outreach_step(
        conn, step.id, status=delivery.status.value, detail=delivery.detail[:300]
    )
    attempt = delivery.contactpoging(step.tijdstip.date(), step.dagdeel)
    if attempt is not None:
        register_contact(conn=conn, case_id=step.case_id, attempt=attempt, actor=actor)
    log.info(
        "outbox %d (case %d step %d): %s", outbox_id, step.case_id, step.stap + 1, delivery.status
    )
    return OutboxDelivery(
        outbox_id, step.case_id, step.stap + 1, kanaal, delivery.status, delivery.detail
    )


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A delivery status that changed a step (no personal data)."""

    case_id: int
    stap: int
    kanaal: Kanaal
    status: StapStatus
    detail: str


def record_status(
    *,
    conn: Connection,
    extern_id: str,
    delivery: Delivery,
    now: datetime,
    actor: str = "systeem:verzenddienst",
) -> StatusUpdate | None:
    """The final delivery status a sending service reported for the message it knows as
    ``extern_id``: delivered becomes the step's contact attempt, a failure a failed step.
    None when no message of ours is still waiting for it (unknown, or recorded before: a
    receipt that comes twice, by callback and by polling, counts once)."""
    row = repo.claim_sent_outbox_row(conn, extern_id)
    if row is None:
        return None
    step = repo.outreach_step_row(conn, row.step_id)
    if step is None:
        raise LookupError(f"outbox {row.id}: ladder step {row.step_id} is missing")
    repo.update_outbox_row(
        conn, row.id, status=delivery.status.value, afgerond=now, detail=delivery.detail[:300]
    )
    repo.update_outreach_step(
        conn, step.id, status=delivery.status.value, detail=delivery.detail[:300]
    )
    attempt = delivery.contactpoging(step.tijdstip.date(), step.dagdeel)
    if attempt is not None:
        try:
            with conn.begin_nested():
                register_contact(conn=conn, case_id=step.case_id, attempt=attempt, actor=actor)
        except (CaseClosedError, ContactDateError):
            # the case was closed while the message travelled: it arrived, but a closed
            # case takes no more attempts (DDAS); the case log says so
            log_event(
                conn,
                case_id=step.case_id,
                soort=LogSoort.BEZORGING,
                tekst=f"Stap {step.stap + 1} ({row.kanaal}) kwam aan nadat de zaak was "
                "afgesloten; niet als contactpoging geteld.",
                door=actor,
                now=now,
            )
    else:
        # the step stays in the ladder's order; the case log says why nothing arrived
        log_event(
            conn,
            case_id=step.case_id,
            soort=LogSoort.BEZORGING,
            tekst=f"Stap {step.stap + 1} ({row.kanaal}) niet aangekomen: {delivery.detail}",
            door=actor,
            now=now,
        )
    log.info("outbox %d (case %d): status %s", row.id, step.case_id, delivery.status)
    return StatusUpdate(
        step.case_id, step.stap + 1, Kanaal(row.kanaal), delivery.status, delivery.detail
    )


def record_returned_letter(
    *, conn: Connection, extern_id: str, now: datetime, actor: str = "systeem:verzenddienst"
) -> StatusUpdate | None:
    """A letter that came back undeliverable (Notify's returned-letter report): the step
    failed after all. The contact attempt it made stays (a letter was sent), and the case
    log says it came back. None for a letter we do not know or heard of before."""
    row = repo.outbox_row_by_extern_id(conn, extern_id)
    if row is None or row.kanaal != Kanaal.BRIEF.value:
        return None
    step = repo.outreach_step_row(conn, row.step_id)
    if step is None or step.status == StapStatus.MISLUKT:
        return None
    detail = "de brief kwam terug: onbestelbaar"
    repo.update_outbox_row(conn, row.id, status=StapStatus.MISLUKT.value, detail=detail)
    repo.update_outreach_step(conn, step.id, status=StapStatus.MISLUKT.value, detail=detail)
    log_event(
        conn,
        case_id=step.case_id,
        soort=LogSoort.BEZORGING,
        tekst=f"Brief van stap {step.stap + 1} kwam terug: onbestelbaar.",
        door=actor,
        now=now,
    )
    return StatusUpdate(step.case_id, step.stap + 1, Kanaal.BRIEF, StapStatus.MISLUKT, detail)


class StatusSource(Protocol):
    """Where the status of a message handed to a sending service can be asked."""

    def status(self, notification_id: str) -> str:
        """The service's status word (e.g. Notify's ``delivered``)."""
        ...


def poll_statuses(
    *,
    begin: Begin,
    source: StatusSource,
    interpret: Callable[[Kanaal, str], Delivery | None],
    now: datetime,
) -> list[StatusUpdate]:
    """Ask the service for every message still ``verzonden`` and record the final ones,
    each in its own transaction. A status that cannot be asked leaves the message waiting
    for the next poll."""
    with begin() as conn:
        waiting = repo.sent_outbox_rows(conn)
    done: list[StatusUpdate] = []
    for outbox_id, extern_id, kanaal in waiting:
        try:
            word = source.status(extern_id)
        except Exception as exc:
            log.warning("outbox %d: status not available (%s)", outbox_id, type(exc).__name__)
            continue
        delivery = interpret(Kanaal(kanaal), word)
        if delivery is None:
            continue
        try:
            with begin() as conn:
                update = record_status(conn=conn, extern_id=extern_id, delivery=delivery, now=now)
        except Exception as exc:  # one message that cannot be recorded stops no other
            log.warning("outbox %d: status not recorded (%s)", outbox_id, type(exc).__name__)
            continue
        if update is not None:
            done.append(update)
    return done


def deliver_pending(
    *,
    begin: Begin,
    channels: Mapping[Kanaal, Channel],
    now: datetime,
    case_id: int | None = None,
    actor: str = "systeem",
) -> list[OutboxDelivery]:
    """Deliver every waiting envelope (of one case), each in its own transaction: after a
    crash, this finishes what the crashed run had committed."""
    with begin() as conn:
        ids = repo.pending_outbox_ids(conn, case_id=case_id)
    done: list[OutboxDelivery] = []
    for outbox_id in ids:
        with begin() as conn:
            result = deliver_one(
                conn=conn, outbox_id=outbox_id, channels=channels, now=now, actor=actor
            )
        if result is not None:
            done.append(result)
    return done
