"""Saying no and stopping, for real: STOP by SMS (the gateway's inbox folder) and by e-mail
reply (a real local SMTP server delivering into a Maildir) becomes an opt-out through the
same door as the web, with a confirmation, and ends all contact; any other reply becomes
a task. On SQLite and PostgreSQL."""

import email.policy
import json
import smtplib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from sqlalchemy import Engine

from conftest import PERSON, choose, fake_channels, free_port, make_case
from proactief.channels import EmailChannel, SmsChannel, SmtpTransport
from proactief.channels.inbound import MaildirInbound, SmsFolderInbound
from proactief.channels.sms import FakeSmsProvider
from proactief.domain import EventSoort, GeenStap, Kanaal, Wijze
from proactief.offers.account import Afzender
from proactief.offers.outreach import send_next_step
from proactief.offers.replies import is_stop, open_replies, process_inbound, replies_of_case
from proactief.sources.contactgegevens import FakeContactDirectory
from proactief.trust.consent import current_state, events_of
from proactief.trust.pseudonyms import Pseudonymizer

T0 = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)
HASHER = Pseudonymizer(b"k" * 32).for_address
AFZENDER = Afzender(sms_antwoord=True, email_antwoord=True)


def prefer(conn: Any, kanaal: str) -> None:
    for soort, waarde in (
        (EventSoort.KANALEN, kanaal),
        (EventSoort.ELEKTRONISCH_AKKOORD, "vroegsignaal"),
    ):
        choose(conn, soort, T0 - timedelta(days=1), waarde=waarde)


def send(engine: Engine, case_id: int, chans: dict[Kanaal, Any], when: datetime) -> Any:
    return send_next_step(
        begin=engine.begin,
        case_id=case_id,
        channels=chans,
        directory=FakeContactDirectory(),
        now=when,
        afzender=AFZENDER,
        address_hasher=HASHER,
    )


def test_stop_by_sms_ends_all_contact(engine: Engine, tmp_path: Path) -> None:
    provider = FakeSmsProvider()
    chans = fake_channels() | {Kanaal.SMS: SmsChannel(provider)}
    with engine.begin() as conn:
        case_id = make_case(conn)
        prefer(conn, "sms")
    first = send(engine, case_id, chans, T0)
    assert (first.status, first.kanaal) == ("afgeleverd", Kanaal.SMS)
    number, text, _ref = provider.sent[0]
    assert "Stuur STOP" in text  # the promise, only because replies are read
    # the gateway drops the reply in the inbox folder
    inbox = tmp_path / "sms-in"
    inbox.mkdir()
    reply = {"id": "gw-1", "van": "+31" + number[1:], "tekst": "Stop", "ontvangen": T0.isoformat()}
    (inbox / "gw-1.json").write_text(json.dumps(reply), encoding="utf-8")
    args: dict[str, Any] = {
        "begin": engine.begin,
        "channels": chans,
        "hasher": HASHER,
        "afzender": "Gemeente Voorbeeld",
        "telefoon": "14 0000",
    }
    outcomes = process_inbound(inboxes=[SmsFolderInbound(inbox)], **args)
    assert [(o.soort, o.case_id, o.afgemeld) for o in outcomes] == [("stop", case_id, True)]
    assert not list(inbox.iterdir())  # done: removed after its commit
    with engine.begin() as conn:
        state = current_state(conn=conn, person_pseudonym=PERSON)
        events = events_of(conn=conn, person_pseudonym=PERSON)
    assert state.niet_benaderen
    assert any(e.soort is EventSoort.NIET_BENADEREN and e.wijze is Wijze.SMS for e in events)
    # the confirmation went to the same number, once
    assert len(provider.sent) == 2
    assert provider.sent[1][0] == "+31" + number[1:]
    assert "geen berichten meer" in provider.sent[1][1]
    # read again (a crash before the file was removed): stored once, confirmed once
    (inbox / "gw-1.json").write_text(json.dumps(reply), encoding="utf-8")
    again = process_inbound(inboxes=[SmsFolderInbound(inbox)], **args)
    assert again[0].reply_id is None and len(provider.sent) == 2
    # and the ladder stops: nothing goes out any more
    later = send(engine, case_id, chans, T0 + timedelta(days=30))
    assert later.status is GeenStap.GEEN_CONTACT
    assert len(provider.sent) == 2


class MaildirServer:
    """A real local SMTP server that delivers into a Maildir (the municipality's reply
    address, as Postfix or Dovecot would)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.controller = Controller(Mailbox(path), hostname="127.0.0.1", port=self.port)


@pytest.fixture
def reply_server(tmp_path: Path) -> Iterator[MaildirServer]:
    server = MaildirServer(tmp_path / "antwoorden")
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()


def resident_replies(server: MaildirServer, original: EmailMessage, body: str) -> None:
    reply = EmailMessage()
    reply["From"] = original["To"]
    reply["To"] = "antwoord@gemeente.example"
    reply["Subject"] = "Re: " + str(original["Subject"])
    reply["In-Reply-To"] = original["Message-ID"]
    reply["References"] = original["Message-ID"]
    reply["Message-ID"] = "<antwoord-1@voorbeeld.invalid>"
    reply.set_content(body + "\n\nOp 10 april schreef Gemeente Voorbeeld:\n> Beste inwoner")
    with smtplib.SMTP("127.0.0.1", server.port) as smtp:
        smtp.send_message(reply)


def first_email(engine: Engine, smtp_server: Any) -> tuple[int, dict[Kanaal, Any], EmailMessage]:
    """A case whose resident chose e-mail; its first message, over a real SMTP server."""
    chans = fake_channels() | {
        Kanaal.EMAIL: EmailChannel(SmtpTransport("127.0.0.1", smtp_server.port))
    }
    with engine.begin() as conn:
        case_id = make_case(conn)
        prefer(conn, "email")
    first = send(engine, case_id, chans, T0)
    assert (first.status, first.kanaal) == ("afgeleverd", Kanaal.EMAIL)
    sent = email.message_from_bytes(smtp_server.received[0][2], policy=email.policy.default)
    assert isinstance(sent, EmailMessage)
    return case_id, chans, sent


def read_replies(engine: Engine, inbox: Any, chans: dict[Kanaal, Any]) -> list[Any]:
    return process_inbound(
        begin=engine.begin,
        inboxes=[inbox],
        channels=chans,
        hasher=HASHER,
        afzender="Gemeente Voorbeeld",
        telefoon="14 0000",
    )


def test_stop_by_email_reply_ends_all_contact(
    engine: Engine, smtp_server: Any, reply_server: MaildirServer
) -> None:
    case_id, chans, sent = first_email(engine, smtp_server)
    assert "antwoorden met STOP" in sent.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    resident_replies(reply_server, sent, "STOP")
    outcomes = read_replies(engine, MaildirInbound(reply_server.path), chans)
    assert [(o.soort, o.case_id, o.afgemeld) for o in outcomes] == [("stop", case_id, True)]
    with engine.connect() as conn:
        assert current_state(conn=conn, person_pseudonym=PERSON).niet_benaderen
    # the confirmation reached the resident's address over SMTP
    assert len(smtp_server.received) == 2
    assert smtp_server.received[1][1] == [str(sent["To"])]
    # the Maildir is empty; nothing more goes out
    assert list(MaildirInbound(reply_server.path).fetch()) == []
    later = send(engine, case_id, chans, T0 + timedelta(days=30))
    assert later.status is GeenStap.GEEN_CONTACT
    assert len(smtp_server.received) == 2


def test_another_reply_is_a_task_and_stops_nothing(
    engine: Engine, smtp_server: Any, reply_server: MaildirServer
) -> None:
    case_id, chans, sent = first_email(engine, smtp_server)
    resident_replies(reply_server, sent, "Graag hulp. Bel mij na vijf uur.")
    outcomes = read_replies(engine, MaildirInbound(reply_server.path), chans)
    assert [(o.soort, o.afgemeld) for o in outcomes] == [("antwoord", False)]
    with engine.connect() as conn:
        assert not current_state(conn=conn, person_pseudonym=PERSON).niet_benaderen
        [reply] = replies_of_case(conn, case_id)
        assert reply.status == "open" and reply.tekst == "Graag hulp. Bel mij na vijf uur."
        assert [r.id for r in open_replies(conn)] == [reply.id]
    assert len(smtp_server.received) == 1  # no confirmation of anything


def test_a_stop_from_an_unknown_number_is_kept_for_the_team(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "sms-in"
    inbox.mkdir()
    (inbox / "x.json").write_text(
        json.dumps({"id": "x", "van": "0611111111", "tekst": "STOP", "ontvangen": T0.isoformat()}),
        encoding="utf-8",
    )
    provider = FakeSmsProvider()
    outcomes = process_inbound(
        begin=engine.begin,
        inboxes=[SmsFolderInbound(inbox)],
        channels={Kanaal.SMS: SmsChannel(provider)},
        hasher=HASHER,
        afzender="Gemeente Voorbeeld",
        telefoon="14 0000",
    )
    assert [(o.soort, o.case_id, o.afgemeld) for o in outcomes] == [("stop", None, False)]
    with engine.connect() as conn:
        [kept] = open_replies(conn)
    assert kept.case_id is None and kept.soort == "stop"
    assert provider.sent == []  # no confirmation of an opt-out that did not happen


@pytest.mark.parametrize(
    ("text", "stop"),
    [
        ("STOP", True),
        ("stop\n\n> Beste inwoner", True),
        ("Afmelden.", True),
        ("geen berichten meer", True),
        ("Stop maar niet, ik wil hulp", False),
        ("", False),
    ],
)
def test_stop_and_its_variants(text: str, stop: bool) -> None:
    assert is_stop(text) is stop


class Crash(Exception):
    """The process dies while handing over the confirmation."""


class CrashingSms:
    kanaal = Kanaal.SMS

    def deliver(self, envelope: Any) -> Any:
        raise Crash


def test_a_crash_before_the_confirmation_loses_and_doubles_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    provider = FakeSmsProvider()
    chans = fake_channels() | {Kanaal.SMS: SmsChannel(provider)}
    with engine.begin() as conn:
        case_id = make_case(conn)
        prefer(conn, "sms")
    send(engine, case_id, chans, T0)
    number = provider.sent[0][0]
    inbox = tmp_path / "sms-in"
    inbox.mkdir()
    (inbox / "gw-7.json").write_text(
        json.dumps({"id": "gw-7", "van": number, "tekst": "STOP", "ontvangen": T0.isoformat()}),
        encoding="utf-8",
    )
    args: dict[str, Any] = {
        "begin": engine.begin,
        "hasher": HASHER,
        "afzender": "Gemeente Voorbeeld",
        "telefoon": "14 0000",
    }
    with pytest.raises(Crash):
        process_inbound(
            inboxes=[SmsFolderInbound(inbox)], channels={Kanaal.SMS: CrashingSms()}, **args
        )
    # the opt-out holds, the reply is out of the inbox, the confirmation waits
    with engine.connect() as conn:
        assert current_state(conn=conn, person_pseudonym=PERSON).niet_benaderen
    assert not list(inbox.iterdir())
    assert len(provider.sent) == 1
    # the next run hands it over, once
    process_inbound(inboxes=[SmsFolderInbound(inbox)], channels=chans, **args)
    assert len(provider.sent) == 2 and "geen berichten meer" in provider.sent[1][1]
    process_inbound(inboxes=[SmsFolderInbound(inbox)], channels=chans, **args)
    assert len(provider.sent) == 2
