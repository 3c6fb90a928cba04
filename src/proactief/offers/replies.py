"""Replies from residents: 'STOP' (and its usual variants) by SMS or e-mail becomes an
opt-out through the same door as the web opt-out (``trust.consent.record_events``), with
a confirmation; any other reply becomes a task for the case owner.

A reply finds its case by the reference of the message it answers (an e-mail's
In-Reply-To), or by the number it comes from: each SMS or e-mail we send leaves a route
with a keyed hash of the address (never the address). A reply that finds no case is kept
for the team as well, so nothing a resident sends is lost."""

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from proactief.channels import Channel, Envelope
from proactief.channels.inbound import Inbound, InboundMessage
from proactief.domain import EventSoort, Kanaal, StapStatus, Wijze
from proactief.domain.records import ReplyRecord
from proactief.domain.residents import ContactDetails
from proactief.early_detection.caselog import LogSoort, log_event
from proactief.offers import repository as repo
from proactief.offers.outbox import Begin
from proactief.trust.consent import record_events

log = logging.getLogger(__name__)

__all__ = [
    "STOP_CONFIRMATION",
    "AddressHasher",
    "ReplyError",
    "ReplyOutcome",
    "add_reply_route",
    "close_case_reply",
    "close_reply",
    "handle_reply",
    "is_stop",
    "normalise_address",
    "open_replies",
    "process_inbound",
    "replies_of_case",
    "send_confirmations",
]

AddressHasher = Callable[[str], str]
"""A keyed hash of a normalised address (``trust.pseudonyms.Pseudonymizer.for_address``)."""

STOP_CONFIRMATION = (
    "{afzender}: u krijgt geen berichten meer van ons. Dat geldt voor alle berichten, "
    "vanaf nu. Wilt u later toch hulp? Bel {telefoon}."
)

_STOP = re.compile(
    r"^\W*(stop|stoppen|stop alles|stop berichten|afmelden|uitschrijven|"
    r"geen berichten( meer)?|unsubscribe)\W*$",
    re.IGNORECASE,
)


def is_stop(text: str) -> bool:
    """Whether a reply asks to stop: its first non-empty line is STOP or a usual variant.

    >>> [is_stop(t) for t in ("STOP", " stop.", "Stoppen!", "Afmelden", "stop maar niet")]
    [True, True, True, True, False]
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    return bool(_STOP.match(first.strip()))


def normalise_address(kanaal: Kanaal, value: str) -> str:
    """One spelling per address: e-mail lower case; a Dutch mobile number as +316...

    >>> normalise_address(Kanaal.SMS, "06-12 34 56 78")
    '+31612345678'
    >>> normalise_address(Kanaal.SMS, "0031612345678")
    '+31612345678'
    """
    if kanaal is Kanaal.EMAIL:
        return value.strip().lower()
    digits = re.sub(r"[^\d+]", "", value)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+31" + digits[1:]
    return digits


def add_reply_route(
    conn: Connection,
    *,
    referentie: str,
    case_id: int,
    person_pseudonym: str,
    kanaal: Kanaal,
    details: ContactDetails,
    hasher: AddressHasher | None,
    now: datetime,
) -> None:
    """Remember how a reply to this SMS or e-mail finds the case."""
    if kanaal not in (Kanaal.SMS, Kanaal.EMAIL):
        return
    address = details.telefoon if kanaal is Kanaal.SMS else details.email
    repo.insert_reply_route(
        conn,
        {
            "referentie": referentie,
            "case_id": case_id,
            "person_pseudonym": person_pseudonym,
            "kanaal": kanaal.value,
            "adres_hash": hasher(normalise_address(kanaal, address))
            if hasher and address
            else None,
            "aangemaakt": now,
        },
    )


@dataclass(frozen=True, slots=True)
class ReplyOutcome:
    """What one reply did."""

    bron_id: str
    kanaal: Kanaal
    soort: str
    """'stop' or 'antwoord'."""
    case_id: int | None
    reply_id: int | None
    """None: this reply was stored before (read twice)."""
    afgemeld: bool


def handle_reply(
    conn: Connection,
    message: InboundMessage,
    *,
    hasher: AddressHasher | None,
    afzender: str = "Gemeente",
    telefoon: str = "",
) -> ReplyOutcome:
    """Store one reply (once) and act on it in the caller's transaction; a STOP that found
    its person stores its confirmation with the opt-out (``send_confirmations`` hands it
    over after the commit)."""
    route = repo.reply_route(conn, message.antwoord_op) if message.antwoord_op else None
    if route is None and hasher is not None and message.van:
        route = repo.reply_route_by_address(
            conn, message.kanaal.value, hasher(normalise_address(message.kanaal, message.van))
        )
    stop = is_stop(message.tekst)
    soort = "stop" if stop else "antwoord"
    afgemeld = stop and route is not None
    confirmation = (
        json.dumps(
            {
                "kanaal": message.kanaal.value,
                "adres": message.van,
                "afzender": afzender,
                "tekst": STOP_CONFIRMATION.format(afzender=afzender, telefoon=telefoon),
            },
            ensure_ascii=False,
        )
        if afgemeld and message.van
        else None
    )
    reply_id = repo.insert_reply(
        conn,
        {
            "bron_id": message.bron_id[:300],
            "kanaal": message.kanaal.value,
            "ontvangen": message.ontvangen,
            "case_id": route.case_id if route else None,
            "person_pseudonym": route.person_pseudonym if route else None,
            "soort": soort,
            "tekst": message.tekst[:4000],
            # a STOP that found its person is done; anything else waits for a person
            "status": "afgehandeld" if afgemeld else "open",
            "afgehandeld_door": "systeem:stop" if afgemeld else None,
            "bevestiging": confirmation,
        },
    )
    if reply_id is None:
        return ReplyOutcome(message.bron_id, message.kanaal, soort, None, None, False)
    if afgemeld and route is not None:
        record_events(
            conn=conn,
            person_pseudonym=route.person_pseudonym,
            events=[(EventSoort.NIET_BENADEREN, "")],
            wijze=Wijze.SMS if message.kanaal is Kanaal.SMS else Wijze.EMAIL,
            door="inwoner",
            now=message.ontvangen,
        )
    return ReplyOutcome(
        message.bron_id,
        message.kanaal,
        soort,
        route.case_id if route else None,
        reply_id,
        afgemeld,
    )


def send_confirmations(*, begin: Begin, channels: Mapping[Kanaal, Channel]) -> int:
    """Hand every stored STOP confirmation to its channel (reference ``stop-<reply>``: a
    channel hands a reference over once), then forget its address; also those a crash
    left behind. How many went out."""
    with begin() as conn:
        pending = repo.pending_confirmations(conn)
    sent = 0
    for reply_id, raw in pending:
        data = json.loads(raw)
        kanaal = Kanaal(data["kanaal"])
        channel = channels.get(kanaal)
        if channel is None:
            continue  # kept until a channel for it is configured
        delivery = channel.deliver(
            Envelope(
                referentie=f"stop-{reply_id}",
                kanaal=kanaal,
                ontvanger=ContactDetails(
                    email=data["adres"] if kanaal is Kanaal.EMAIL else None,
                    telefoon=data["adres"] if kanaal is Kanaal.SMS else None,
                ),
                afzender=data["afzender"],
                onderwerp="U krijgt geen berichten meer van ons",
                tekst=data["tekst"],
            )
        )
        if delivery.status == StapStatus.AFGELEVERD:
            with begin() as conn:
                repo.clear_confirmation(conn, reply_id)
            sent += 1
        else:
            log.warning("stop confirmation %d: %s", reply_id, delivery.detail)
    return sent


def process_inbound(
    *,
    begin: Begin,
    inboxes: Sequence[Inbound],
    channels: Mapping[Kanaal, Channel],
    hasher: AddressHasher | None,
    afzender: str,
    telefoon: str,
) -> list[ReplyOutcome]:
    """Read every inbox: each reply in its own transaction, removed from the inbox after
    its commit; then the confirmations of every STOP that found its person (and any an
    interrupted run left)."""
    outcomes = []
    for inbox in inboxes:
        for message in inbox.fetch():
            with begin() as conn:
                outcome = handle_reply(
                    conn, message, hasher=hasher, afzender=afzender, telefoon=telefoon
                )
            inbox.done(message.bron_id)
            outcomes.append(outcome)
    send_confirmations(begin=begin, channels=channels)
    log.info("inbound: %d replies read", len(outcomes))
    return outcomes


def open_replies(conn: Connection) -> list[ReplyRecord]:
    """Replies that wait for a worker."""
    return repo.open_replies(conn)


def replies_of_case(conn: Connection, case_id: int) -> list[ReplyRecord]:
    return repo.replies_of_case(conn, case_id)


class ReplyError(ValueError):
    """A reply that does not exist (for this case)."""


def close_reply(conn: Connection, reply_id: int, *, door: str) -> None:
    """The worker has dealt with the reply."""
    repo.update_reply(conn, reply_id, status="afgehandeld", afgehandeld_door=door)


def close_case_reply(conn: Connection, *, case_id: int, reply_id: int, door: str) -> bool:
    """The worker has dealt with a reply of this case (from the case page). False when it
    was already dealt with: nothing changes."""
    found = {r.id: r for r in repo.replies_of_case(conn, case_id)}
    if reply_id not in found:
        raise ReplyError(f"Antwoord {reply_id} hoort niet bij zaak {case_id} / not of case")
    if found[reply_id].status != "open":
        return False
    close_reply(conn, reply_id, door=door)
    log_event(
        conn,
        case_id=case_id,
        door=door,
        soort=LogSoort.ANTWOORD,
        tekst=f"Antwoord per {found[reply_id].kanaal} afgehandeld",
    )
    return True
