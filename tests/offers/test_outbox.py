"""Exactly-once delivery through the transactional outbox (issue 13, item 3): a step is
committed before any channel is called, a delivery is recorded once, and a process killed
at any point between the commit and the delivery's record, then run again, delivers each
message once, with a one-time code that works. On SQLite and PostgreSQL, against a real
SMTP server (aiosmtpd)."""

import email
import email.policy
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select

from conftest import PERSON, SmtpInbox, choose, fake_channels, free_port, make_case
from proactief.accounts.resident_codes import redeem_code
from proactief.channels import (
    Envelope,
    FakeChannel,
    LetterChannel,
    PickupFolder,
    SmtpTransport,
)
from proactief.channels.email import build_email
from proactief.domain import ContactDetails, EventSoort, Kanaal
from proactief.early_detection.contacts import get_case
from proactief.offers import repository as offers_repo
from proactief.offers.outbox import deliver_pending
from proactief.offers.outreach import run_next_step
from proactief.sources.contactgegevens import FakeContactDirectory
from proactief.storage.tables import outbox
from proactief.trust import repository as trust_repo
from proactief.trust.pseudonyms import create_key

T0 = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)


def _prefer_email(conn: Any) -> None:
    choose(conn, EventSoort.KANALEN, T0 - timedelta(days=1), waarde="email")
    choose(conn, EventSoort.ELEKTRONISCH_AKKOORD, T0 - timedelta(days=1), waarde="vroegsignaal")


def test_a_step_is_committed_before_any_channel_is_called(engine: Engine) -> None:
    """run_next_step calls no channel; delivery after the commit sends once, records the
    contact attempt once, clears the envelope, and a second delivery run does nothing."""
    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn)
        queued = run_next_step(
            conn=conn, case_id=case_id, channels=chans, directory=FakeContactDirectory(), now=T0
        )
    assert (queued.status, queued.kanaal) == ("in_wachtrij", Kanaal.BRIEF)
    assert chans[Kanaal.BRIEF].sent == []
    with engine.connect() as conn:
        (row,) = conn.execute(select(outbox)).all()
        assert row.status == "wacht" and row.envelop is not None
        assert get_case(conn=conn, case_id=case_id).contactpogingen == ()
        # while it waits, the ladder takes no further step
        later = run_next_step(
            conn=conn,
            case_id=case_id,
            channels=chans,
            directory=FakeContactDirectory(),
            now=T0 + timedelta(days=30),
        )
        assert (later.status, later.detail) == ("wacht", "een bericht wacht op verzending")
        conn.rollback()

    done = deliver_pending(begin=engine.begin, channels=chans, now=T0)
    assert [(d.case_id, d.stap, d.status) for d in done] == [(case_id, 1, "afgeleverd")]
    assert deliver_pending(begin=engine.begin, channels=chans, now=T0) == []
    assert len(chans[Kanaal.BRIEF].sent) == 1
    with engine.connect() as conn:
        (row,) = conn.execute(select(outbox)).all()
        assert (row.status, row.envelop, row.pogingen) == ("afgeleverd", None, 1)
        assert len(get_case(conn=conn, case_id=case_id).contactpogingen) == 1
        (stap,) = offers_repo.outreach_steps_of_case(conn, case_id)
        assert stap.status == "afgeleverd"


def test_an_opt_out_while_the_message_waits_stops_it(engine: Engine) -> None:
    """An opt-out between the step's commit and the hand-over: nothing goes out, the
    message is recorded as blocked, no contact attempt."""
    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn)
        run_next_step(
            conn=conn, case_id=case_id, channels=chans, directory=FakeContactDirectory(), now=T0
        )
        choose(conn, EventSoort.NIET_BENADEREN, T0)
    (done,) = deliver_pending(begin=engine.begin, channels=chans, now=T0)
    assert done.status == "geblokkeerd" and "meldde zich af" in done.detail
    assert chans[Kanaal.BRIEF].sent == []
    with engine.connect() as conn:
        (message,) = trust_repo.message_rows(conn)
        assert message.status == "geblokkeerd"
        assert trust_repo.messages_of_person(conn, PERSON) == []  # not on the resident page
        from proactief.trust.messaging import why_message

        assert why_message(conn=conn, message_id=message.id)["bereikt"] is False
        assert get_case(conn=conn, case_id=case_id).contactpogingen == ()


def _envelope(referentie: str = "zaak1-stap1-abcd0123") -> Envelope:
    return Envelope(
        referentie=referentie,
        kanaal=Kanaal.EMAIL,
        ontvanger=ContactDetails(email="inwoner@example.org", adres=("Straat 1", "1234 AB")),
        afzender="Gemeente Voorbeeld",
        onderwerp="Onderwerp",
        tekst="Tekst",
        html="<p>Brief</p>",
    )


def test_channels_hand_over_each_reference_once(tmp_path: Path, smtp_server: SmtpInbox) -> None:
    """Letter file, pickup folder and SMTP with its journal: a second hand-over of the
    same reference sends nothing; the Message-ID is the same for every hand-over."""
    rendered: list[str] = []

    def render(html: str) -> bytes:
        rendered.append(html)
        return b"%PDF-1.7 test"

    letters = LetterChannel(tmp_path / "brieven", render=render)
    first, second = letters.deliver(_envelope()), letters.deliver(_envelope())
    assert first == second and first.status == "afgeleverd" and len(rendered) == 1
    assert [p.name for p in (tmp_path / "brieven").iterdir()] == [first.detail]

    folder = PickupFolder(tmp_path / "email")
    message = build_email(_envelope(), van="a@gemeente.example", domein="gemeente.example")
    assert message["Message-ID"] == "<zaak1-stap1-abcd0123@gemeente.example>"
    folder.send(message, "zaak1-stap1-abcd0123")
    (tmp_path / "email" / "email-zaak1-stap1-abcd0123.eml").write_bytes(b"first copy")
    folder.send(message, "zaak1-stap1-abcd0123")
    assert (tmp_path / "email" / "email-zaak1-stap1-abcd0123.eml").read_bytes() == b"first copy"

    smtp = SmtpTransport("127.0.0.1", smtp_server.port, journal=tmp_path / "journaal")
    smtp.send(message, "zaak1-stap1-abcd0123")
    smtp.send(message, "zaak1-stap1-abcd0123")
    assert len(smtp_server.received) == 1
    without_journal = SmtpTransport("127.0.0.1", smtp_server.port)
    without_journal.send(message, "zaak1-stap1-abcd0123")
    assert len(smtp_server.received) == 2  # the journal is what makes it once


class _KillingInbox(SmtpInbox):
    """An SMTP server that kills the sending process while it holds the message's DATA,
    then refuses it: the client dies in the middle of the SMTP conversation."""

    victim: int | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.victim is not None:
            os.kill(self.victim, signal.SIGKILL)
            self.victim = None
            return "451 Requested action aborted"
        return await super().handle_DATA(server, session, envelope)


# Runs `proactief offer send CASE` and kills itself (SIGKILL) at a named point.
_KILL_AT = r"""
import os, signal, sys
point, case_id = sys.argv[1], sys.argv[2]
from proactief.channels import email as email_channel
from proactief.offers import outbox

def die(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if point == "na-vastleggen":      # the step is committed; no channel has been called
    outbox.decode_envelope = die
elif point == "na-smtp":          # the server accepted the message (and the journal has it)
    real_send = email_channel.SmtpTransport.send
    def send(self, message, referentie):
        real_send(self, message, referentie)
        die()
    email_channel.SmtpTransport.send = send
elif point == "voor-registratie": # delivered and marked, not yet committed
    outbox.register_contact = die
elif point != "tijdens-smtp":     # tijdens-smtp: the test's SMTP server kills us
    raise SystemExit(f"unknown point {point}")
sys.argv = ["proactief", "offer", "send", case_id, "--datum", "2026-04-10"]
from proactief.cli.app import main
main()
"""

DATUM = ("--datum", "2026-04-10")
KILL_POINTS = ["na-vastleggen", "tijdens-smtp", "na-smtp", "voor-registratie"]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_kill_at_any_point_then_a_rerun_delivers_the_email_once(
    point: str, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """SIGKILL at each point between the step's commit and the delivery's commit, then
    `offer send` again: exactly one e-mail arrived, its code opens the resident's page,
    and the case has one contact attempt."""
    inbox = _KillingInbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        with engine.begin() as conn:
            case_id = make_case(conn)
            _prefer_email(conn)
        data = tmp_path / "data"
        create_key(data / "pseudonym.key")
        env = dict(
            os.environ,
            PROACTIEF_DATA_DIR=str(data),
            PROACTIEF_DATABASE_URL=db_url,
            PROACTIEF_CONTACT_DIRECTORY="fake",
            PROACTIEF_SMTP_HOST="127.0.0.1",
            PROACTIEF_SMTP_PORT=str(inbox.port),
            COLUMNS="200",
        )
        env.pop("PROACTIEF_CHANNELS", None)
        killed = subprocess.Popen(
            [sys.executable, "-c", _KILL_AT, point, str(case_id)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if point == "tijdens-smtp":
            inbox.victim = killed.pid
        out, err = killed.communicate(timeout=120)
        assert killed.returncode == -signal.SIGKILL, (out, err)

        again = subprocess.run(
            [sys.executable, "-m", "proactief", "offer", "send", str(case_id), *DATUM],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert again.returncode == 0, again.stderr
    finally:
        controller.stop()

    assert len(inbox.received) == 1, [m[2][:200] for m in inbox.received]
    message = email.message_from_bytes(inbox.received[0][2], policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    code = re.search(r"([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", body.get_content())
    assert code is not None
    with engine.begin() as conn:
        assert redeem_code(conn=conn, code=code.group(1), now=T0) == PERSON
        assert len(get_case(conn=conn, case_id=case_id).contactpogingen) == 1
        (stap,) = offers_repo.outreach_steps_of_case(conn, case_id)
        assert (stap.kanaal, stap.status) == ("email", "afgeleverd")
        (row,) = conn.execute(select(outbox)).all()
        assert (row.status, row.envelop) == ("afgeleverd", None)


def test_the_resident_page_lists_only_messages_that_reached_the_resident(
    engine: Engine,
) -> None:
    """'Waarom kreeg ik dit?' is asked only of a message that went out: not while it waits
    in the outbox, not when its channel failed, not when an opt-out held it back."""
    from proactief.trust.messaging import MessageNotFoundError, messages_of_person, why_message

    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn)
        run_next_step(
            conn=conn, case_id=case_id, channels=chans, directory=FakeContactDirectory(), now=T0
        )
        (waiting,) = trust_repo.message_rows(conn)
        assert messages_of_person(conn=conn, person_pseudonym=PERSON) == []
        with pytest.raises(MessageNotFoundError):
            why_message(conn=conn, message_id=waiting.id, person_pseudonym=PERSON)
    deliver_pending(begin=engine.begin, channels=chans, now=T0)
    with engine.connect() as conn:
        (shown,) = messages_of_person(conn=conn, person_pseudonym=PERSON)
        assert shown.id == waiting.id
        assert (
            "U kreeg dit bericht"
            in why_message(conn=conn, message_id=waiting.id, person_pseudonym=PERSON)["waarom"]
        )


def test_a_message_whose_channel_failed_is_not_on_the_resident_page(engine: Engine) -> None:
    from proactief.trust.messaging import messages_of_person

    failing = {**fake_channels(), Kanaal.BRIEF: FakeChannel(Kanaal.BRIEF, fail=True)}
    with engine.begin() as conn:
        case_id = make_case(conn)
        run_next_step(
            conn=conn, case_id=case_id, channels=failing, directory=FakeContactDirectory(), now=T0
        )
    (failed,) = deliver_pending(begin=engine.begin, channels=failing, now=T0)
    assert failed.status == "mislukt"
    with engine.connect() as conn:
        assert len(trust_repo.message_rows(conn, status="verzonden")) == 1
        assert messages_of_person(conn=conn, person_pseudonym=PERSON) == []


class _Raising:
    """A channel plug-in with a bug: it raises instead of reporting a failure."""

    kanaal = Kanaal.BRIEF

    def deliver(self, envelope: Envelope) -> Any:
        raise RuntimeError("bug in a plug-in")


def test_a_channel_that_raises_is_tried_three_times_then_failed(engine: Engine) -> None:
    """The envelope keeps waiting (and later runs go on) instead of stopping every run."""
    chans = {**fake_channels(), Kanaal.BRIEF: _Raising()}
    with engine.begin() as conn:
        case_id = make_case(conn)
        run_next_step(
            conn=conn, case_id=case_id, channels=chans, directory=FakeContactDirectory(), now=T0
        )
    for attempt in (1, 2):
        assert deliver_pending(begin=engine.begin, channels=chans, now=T0) == []
        with engine.connect() as conn:
            (row,) = conn.execute(select(outbox)).all()
        assert (row.status, row.pogingen) == ("wacht", attempt)
        assert "RuntimeError" in row.detail
    (final,) = deliver_pending(begin=engine.begin, channels=chans, now=T0)
    assert final.status == "mislukt"
    with engine.connect() as conn:
        (row,) = conn.execute(select(outbox)).all()
        (stap,) = offers_repo.outreach_steps_of_case(conn, case_id)
    assert (row.status, row.envelop, row.pogingen, stap.status) == ("mislukt", None, 3, "mislukt")
