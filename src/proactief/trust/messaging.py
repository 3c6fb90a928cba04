"""Sending proactive messages, with the person's choices enforced in the same transaction,
and 'why did I get this' for every message.

``send_message`` is the only way a proactive message leaves the system. It reads the
person's current state inside the caller's transaction: an opted-out person gets nothing
(the attempt is kept as 'geblokkeerd'), an electronic channel is used only with agreement
for that kind of message (Wmebv), and a representative receives instead of the person.
"""

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from proactief.channels.wording import context_of
from proactief.domain import Berichtsoort, BerichtStatus, Doel, Kanaal
from proactief.domain.account import OfferAccount
from proactief.domain.json import JsonObject
from proactief.domain.records import MessageRecord
from proactief.trust import repository as repo
from proactief.trust.audit import append_audit
from proactief.trust.consent import current_state

log = logging.getLogger(__name__)

__all__ = [
    "Aanleiding",
    "Message",
    "MessageNotFoundError",
    "account_of_message",
    "block_queued_message",
    "keep_account",
    "send_message",
    "why_message",
]


@dataclass(frozen=True, slots=True)
class Aanleiding:
    """What triggered a message: a signal, or data, from an organisation."""

    soort: str
    """'vroegsignaal' or 'gegevens'."""
    omschrijving: str
    """B1 Dutch, e.g. 'een betalingsachterstand bij uw zorgverzekeraar'."""
    organisatie: str
    signal_id: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """A message as recorded."""

    message_id: int
    status: BerichtStatus
    kanaal: Kanaal
    ontvanger: str
    reden_kanaal: str


class MessageNotFoundError(LookupError):
    """No message with this number."""

    def __init__(self, message_id: int) -> None:
        super().__init__(f"Bericht {message_id} bestaat niet / message {message_id} not found")


def send_message(
    *,
    conn: Connection,
    person_pseudonym: str,
    soort: Berichtsoort,
    kanaal: Kanaal,
    aanleiding: Aanleiding,
    grondslag: str,
    selectieregel: str,
    afzender: str = "Gemeente",
    case_id: int | None = None,
    actor: str = "systeem",
    now: datetime | None = None,
) -> Message:
    """Send (record) one proactive message, honouring the person's choices now."""
    tijdstip = now or datetime.now(UTC)
    state = current_state(conn=conn, person_pseudonym=person_pseudonym)
    status = BerichtStatus.VERZONDEN
    gekozen = kanaal
    reden = "gekozen door de gemeente"
    if not state.may_contact():
        status = BerichtStatus.GEBLOKKEERD
        reden = "de inwoner wil niet benaderd worden (opt-out)"
    else:
        if state.kanalen:
            # a channel the person chose is kept; any other becomes their first choice
            gekozen = kanaal if kanaal in state.kanalen else state.kanalen[0]
            reden = "voorkeur van de inwoner"
        if gekozen.electronic and not state.may_use_electronic(soort):
            gekozen = Kanaal.BRIEF
            reden = "geen toestemming voor elektronische berichten van deze soort (Wmebv)"
    ontvanger = state.vertegenwoordiger or "inwoner"
    message_id = repo.insert_message(
        conn,
        {
            "person_pseudonym": person_pseudonym,
            "tijdstip": tijdstip,
            "soort": soort.value,
            "kanaal": gekozen.value,
            "status": status,
            "ontvanger": ontvanger,
            "afzender": afzender,
            "aanleiding": json.dumps(
                {
                    "soort": aanleiding.soort,
                    "omschrijving": aanleiding.omschrijving,
                    "organisatie": aanleiding.organisatie,
                    "signal_id": aanleiding.signal_id,
                },
                ensure_ascii=False,
            ),
            "grondslag": grondslag,
            "selectieregel": selectieregel,
            "reden_kanaal": reden,
            "case_id": case_id,
        },
    )
    log.debug("message %d: %s via %s (%s)", message_id, status, gekozen.value, reden)
    append_audit(
        conn,
        actor=actor,
        actie="verstuur" if status is BerichtStatus.VERZONDEN else "blokkeer",
        doel=Doel.VROEGSIGNALERING.value,
        gegevens="bericht",
        subject=person_pseudonym,
        details={"bericht": message_id, "kanaal": gekozen.value},
        now=tijdstip,
    )
    return Message(message_id, status, gekozen, ontvanger, reden)


def block_queued_message(
    *,
    conn: Connection,
    message_id: int,
    person_pseudonym: str,
    reden: str,
    actor: str = "systeem",
    now: datetime | None = None,
) -> None:
    """A message that waited in the outbox is not handed over after all (the person opted
    out, or the case was closed, before the channel got it): it is recorded as blocked,
    with the reason, so 'why did I get this' does not claim it was sent."""
    repo.block_message_row(conn, message_id, reden)
    append_audit(
        conn,
        actor=actor,
        actie="blokkeer",
        doel=Doel.VROEGSIGNALERING.value,
        gegevens="bericht",
        subject=person_pseudonym,
        details={"bericht": message_id, "na": "wachtrij"},
        now=now,
    )


def keep_account(*, conn: Connection, message_id: int, account: OfferAccount) -> None:
    """Keep with the message the account it was rendered from: 'why did I get this'
    renders from the same facts, so the two cannot disagree."""
    repo.set_message_account(
        conn, message_id, json.dumps(account.as_json(), ensure_ascii=False, sort_keys=True)
    )


def account_of_message(conn: Connection, message_id: int) -> OfferAccount | None:
    """The account a message was rendered from (None for a message from before accounts
    were kept, or one that was held back before it was rendered)."""
    row = repo.message_row(conn, message_id)
    if row is None or row.verantwoording is None:
        return None
    return OfferAccount.from_json(json.loads(row.verantwoording))


def messages_of_person(*, conn: Connection, person_pseudonym: str) -> list[MessageRecord]:
    """The messages that reached one person, newest first (what the resident sees on
    their page): not the ones held back, failed or still waiting to go out."""
    return repo.messages_of_person(conn, person_pseudonym)


def why_message(
    *, conn: Connection, message_id: int, person_pseudonym: str | None = None
) -> JsonObject:
    """'Waarom kreeg ik dit?': the reasons behind one message, in Dutch (B1), as data for
    the web page and the printable letter. With ``person_pseudonym`` (a resident asking),
    a message to someone else, or one that did not reach them, is not found either;
    ``bereikt`` says whether it reached the person (held back, failed or still waiting:
    not, and then no letter says 'U kreeg dit bericht')."""
    row = repo.message_row(conn, message_id)
    if row is None or (person_pseudonym is not None and row.person_pseudonym != person_pseudonym):
        raise MessageNotFoundError(message_id)
    reached = any(m.id == message_id for m in repo.messages_of_person(conn, row.person_pseudonym))
    if person_pseudonym is not None and not reached:
        # a resident asks only about messages that reached them ('U kreeg dit bericht')
        raise MessageNotFoundError(message_id)
    aanleiding = json.loads(row.aanleiding)
    state = current_state(conn=conn, person_pseudonym=row.person_pseudonym)
    account = (
        None
        if row.verantwoording is None
        else OfferAccount.from_json(json.loads(row.verantwoording))
    )
    keuzes = [
        "U kunt zeggen dat u geen berichten meer wilt. Dan sturen wij u niets meer. Dat "
        "geldt voor alle berichten van ons, meteen.",
        "U kunt kiezen hoe wij contact met u opnemen: per brief, e-mail, sms, telefoon of "
        "bij u thuis.",
        "U kunt kiezen welke gegevens wij mogen gebruiken en met wie wij ze mogen delen.",
        "U kunt iemand aanwijzen die de berichten voor u krijgt, bijvoorbeeld uw bewindvoerder.",
        "Reageren is niet verplicht.",
    ]
    return {
        "bericht": row.id,
        "datum": row.tijdstip.date().isoformat(),
        "afzender": row.afzender,
        "kanaal": row.kanaal,
        "status": row.status,
        "waarom": (
            f"U kreeg dit bericht omdat wij {aanleiding['omschrijving']} kregen van "
            f"{aanleiding['organisatie']}."
        ),
        "grondslag": row.grondslag,
        "selectieregel": f"Wij hebben u gekozen volgens deze regel: {row.selectieregel}.",
        "kanaalkeuze": f"Wij gebruikten {row.kanaal}: {row.reden_kanaal}.",
        "uw_keuzes": keuzes,
        "nu_afgemeld": state.niet_benaderen,
        "bereikt": reached,
        # the facts of the message itself, as it said them (None: an old message)
        "aanbod": None if account is None else _jsonable(context_of(account)),
    }


def _jsonable(context: dict[str, object]) -> JsonObject:
    """The account's reading for the page and letter templates (plain JSON values)."""
    out = json.loads(json.dumps(context, default=_plain, ensure_ascii=False))
    assert isinstance(out, dict)
    return out


def _plain(value: object) -> object:
    from dataclasses import asdict, is_dataclass

    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return str(value)
