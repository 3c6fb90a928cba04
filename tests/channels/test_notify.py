"""Sending through a Notify-compatible service, against a local one that answers only
what the API documentation describes (tests/notify_server.py): e-mail, SMS and
precompiled letters, once per step, and delivery statuses turned into contact attempts
by polling and by callback."""

import dataclasses
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from conftest import (
    PERSON,
    TODAY,
    ddas_document,
    deliver_in,
    fake_channels,
    make_case,
    run_cli,
    signal,
)
from notify_server import (
    API_KEY,
    CALLBACK_TOKEN,
    EMAIL_TEMPLATE,
    SMS_TEMPLATE,
    NotifyServer,
    running,
)
from proactief.channels import Envelope, NotifyError, NotifyService, make_channels
from proactief.channels.base import ChannelSetup
from proactief.channels.notify import NotifyChannel, delivery_for_status, make_notify_client
from proactief.domain import ContactDetails, Kanaal, StapStatus
from proactief.early_detection.caselog import timeline
from proactief.early_detection.contacts import get_case
from proactief.offers.outbox import poll_statuses
from proactief.offers.outreach import run_next_step
from proactief.plugins import PluginError
from proactief.sources.contactgegevens import FakeContactDirectory
from proactief.storage.tables import outbox, outreach_steps
from proactief.trust.messaging import messages_of_person
from proactief.web import create_app

NOW = datetime(2026, 4, 10, 9, tzinfo=UTC)
TO = ContactDetails(
    naam="J. Jansen",
    email="jan@example.nl",
    telefoon="+31612345678",
    adres=("J. Jansen", "Dorpsstraat 12", "1234 AB  Voorbeeld"),
)


@pytest.fixture
def notify() -> Iterator[NotifyServer]:
    server = NotifyServer()
    with running(server):
        yield server
    assert server.violations == []  # every request kept to the documented API


def service(server: NotifyServer, key: str = API_KEY) -> NotifyService:
    return NotifyService(
        make_notify_client(key, server.url, timeout=5),
        template_email=EMAIL_TEMPLATE,
        template_sms=SMS_TEMPLATE,
    )


def envelope(kanaal: Kanaal, ref: str = "zaak1-stap1") -> Envelope:
    return Envelope(
        referentie=ref,
        kanaal=kanaal,
        ontvanger=TO,
        afzender="Gemeente Voorbeeld",
        onderwerp="Hulp bij geldzorgen",
        tekst="Beste J. Jansen,\n\nWij willen u helpen. Bel 14 0000.",
        html="<html><body><p>J. Jansen<br>Dorpsstraat 12</p><p>Wij willen u helpen.</p>"
        "</body></html>",
    )


def test_our_own_text_goes_through_the_placeholder_templates(notify: NotifyServer) -> None:
    s = service(notify)
    mail = NotifyChannel(s, Kanaal.EMAIL).deliver(envelope(Kanaal.EMAIL, "zaak1-stap1"))
    sms = NotifyChannel(s, Kanaal.SMS).deliver(envelope(Kanaal.SMS, "zaak1-stap2"))
    letter = NotifyChannel(s, Kanaal.BRIEF).deliver(envelope(Kanaal.BRIEF, "zaak1-stap3"))
    for delivery in (mail, sms, letter):
        # Notify took it; whether it arrives comes later: not yet a contact attempt
        assert delivery.status is StapStatus.VERZONDEN and delivery.extern_id
        assert delivery.contactpoging(NOW.date()) is None
    (sent_mail,) = notify.sent("email")
    assert sent_mail["subject"] == "Hulp bij geldzorgen"
    assert sent_mail["body"] == envelope(Kanaal.EMAIL).tekst  # exactly what was checked
    assert sent_mail["reference"] == "zaak1-stap1" and sent_mail["id"] == mail.extern_id
    (sent_sms,) = notify.sent("sms")
    assert (
        sent_sms["phone_number"] == "+31612345678"
        and sent_sms["body"] == envelope(Kanaal.SMS).tekst
    )
    (sent_letter,) = notify.sent("letter")
    pdf = pypdf.PdfReader(io.BytesIO(notify.letters[sent_letter["id"]]))
    assert "Dorpsstraat 12" in pdf.pages[0].extract_text()  # the real PDF, address and all


def test_a_step_handed_over_again_is_not_sent_again(notify: NotifyServer) -> None:
    """The connection breaks after Notify took the message: the outbox hands the same
    envelope over again, and the reference finds the first one."""
    channel = NotifyChannel(service(notify), Kanaal.EMAIL)
    notify.lose_answer_of.add("zaak7-stap1")
    with pytest.raises(NotifyError):
        channel.deliver(envelope(Kanaal.EMAIL, "zaak7-stap1"))
    again = channel.deliver(envelope(Kanaal.EMAIL, "zaak7-stap1"))
    (only,) = notify.sent("email")
    assert again.status is StapStatus.VERZONDEN and again.extern_id == only["id"]
    assert channel.deliver(envelope(Kanaal.EMAIL, "zaak7-stap1")).extern_id == only["id"]
    assert len(notify.notifications) == 1


def test_the_services_errors_are_clear_and_hold_no_personal_data(notify: NotifyServer) -> None:
    s = service(notify)
    bad = dataclasses.replace(envelope(Kanaal.EMAIL), ontvanger=ContactDetails(email="geen-adres"))
    refused = NotifyChannel(s, Kanaal.EMAIL).deliver(bad)
    assert refused.status is StapStatus.MISLUKT and "weigerde" in refused.detail
    assert "geen-adres" not in refused.detail  # Notify's message quotes it; ours does not
    for status in (500, 429, 403):
        notify.fail_next.append(status)
        with pytest.raises(NotifyError, match=str(status)):
            NotifyChannel(s, Kanaal.SMS).deliver(envelope(Kanaal.SMS, f"fout-{status}"))
    wrong_key = API_KEY[:-36] + "00000000-0000-4000-8000-000000000000"
    with pytest.raises(NotifyError, match="403"):
        NotifyChannel(service(notify, wrong_key), Kanaal.SMS).deliver(envelope(Kanaal.SMS))
    with pytest.raises(ValueError, match="PROACTIEF_NOTIFY_API_KEY"):
        make_notify_client("kort", notify.url)
    assert notify.sent("sms") == []


def test_the_plugins_are_chosen_by_name_and_need_the_service(tmp_path: object) -> None:
    with pytest.raises(PluginError, match="PROACTIEF_NOTIFY_URL"):
        make_channels(ChannelSetup(outbox=tmp_path), {"email": "notify_email"})  # type: ignore[arg-type]
    channels = make_channels(
        ChannelSetup(outbox=tmp_path, notify=NotifyService(client=None)),  # type: ignore[arg-type]
        {"email": "notify_email", "sms": "notify_sms", "brief": "notify_brief"},
    )
    assert {k for k, c in channels.items() if isinstance(c, NotifyChannel)} == {
        Kanaal.EMAIL,
        Kanaal.SMS,
        Kanaal.BRIEF,
    }


def test_statuses_map_as_the_documentation_says() -> None:
    for word in ("delivered", "received", "sent"):
        assert delivery_for_status(Kanaal.EMAIL, word).status is StapStatus.AFGELEVERD  # type: ignore[union-attr]
    for word in ("permanent-failure", "temporary-failure", "technical-failure",
                 "validation-failed", "virus-scan-failed", "cancelled"):  # fmt: skip
        assert delivery_for_status(Kanaal.BRIEF, word).status is StapStatus.MISLUKT  # type: ignore[union-attr]
    for word in ("created", "sending", "pending", "accepted", "pending-virus-check"):
        assert delivery_for_status(Kanaal.SMS, word) is None


def notify_channels(server: NotifyServer) -> dict[Kanaal, object]:
    s = service(server)
    return fake_channels() | {
        k: NotifyChannel(s, k) for k in (Kanaal.BRIEF, Kanaal.EMAIL, Kanaal.SMS)
    }


def first_letter(engine: Engine, server: NotifyServer) -> tuple[int, str]:
    """Case 1's first step (a letter) through Notify; the case and Notify's id."""
    channels = notify_channels(server)
    with engine.begin() as conn:
        case_id = make_case(conn)
        result = run_next_step(
            conn=conn, case_id=case_id, channels=channels, directory=FakeContactDirectory(), now=NOW
        )
        result = deliver_in(conn, result, channels, NOW)
    assert result.kanaal is Kanaal.BRIEF and result.status is StapStatus.VERZONDEN, result
    (letter,) = server.sent("letter")
    return case_id, letter["id"]


def attempts(engine: Engine, case_id: int) -> list[object]:
    with engine.begin() as conn:
        return list(get_case(conn=conn, case_id=case_id, actor="test").contactpogingen)


def test_polling_turns_a_received_letter_into_one_contact_attempt(
    engine: Engine, notify: NotifyServer
) -> None:
    case_id, ident = first_letter(engine, notify)
    with engine.begin() as conn:
        step = conn.execute(select(outreach_steps)).one()
        box = conn.execute(select(outbox)).one()
    assert step.status == "verzonden" and box.extern_id == ident and box.envelop is None
    assert attempts(engine, case_id) == []
    with engine.begin() as conn:
        # not on the resident's list of messages they got before it arrived
        assert messages_of_person(conn=conn, person_pseudonym=PERSON) == []

    def poll() -> list[object]:
        return list(
            poll_statuses(
                begin=engine.begin, source=service(notify), interpret=delivery_for_status, now=NOW
            )
        )

    assert poll() == []  # pending-virus-check: nothing yet
    notify.set_status(ident, "received")
    (update,) = poll()
    assert update.status is StapStatus.AFGELEVERD  # type: ignore[attr-defined]
    assert poll() == []  # recorded once
    (attempt,) = attempts(engine, case_id)
    assert attempt.soort == "Brief" and attempt.bereikt is False  # type: ignore[attr-defined]
    with engine.begin() as conn:
        assert conn.execute(select(outreach_steps.c.status)).scalar_one() == "afgeleverd"
        assert len(messages_of_person(conn=conn, person_pseudonym=PERSON)) == 1


def test_receipts_by_callback_count_once_and_only_from_the_service(
    engine: Engine, notify: NotifyServer
) -> None:
    case_id, ident = first_letter(engine, notify)
    app = create_app(engine=engine, secret_key=b"k" * 32, notify_callback_token=CALLBACK_TOKEN)
    client = TestClient(app, base_url="https://testserver")
    receipt = {"id": ident, "reference": "x", "status": "received", "notification_type": "letter",
               "to": "J. Jansen", "created_at": "2026-04-10T09:00:00.000000Z"}  # fmt: skip
    assert client.post("/api/v1/notify/status", json=receipt).status_code == 401
    wrong = {"Authorization": "Bearer niet-het-token"}
    assert client.post("/api/v1/notify/status", json=receipt, headers=wrong).status_code == 401
    assert attempts(engine, case_id) == []
    token = {"Authorization": f"Bearer {CALLBACK_TOKEN}"}
    for _ in range(2):  # Notify retries a receipt it thinks was lost
        assert client.post("/api/v1/notify/status", json=receipt, headers=token).status_code == 204
    assert len(attempts(engine, case_id)) == 1
    # then the letter comes back
    for _ in range(2):
        back = client.post(
            "/api/v1/notify/retour",
            json={"notification_id": ident, "reference": "x"},
            headers=token,
        )
        assert back.status_code == 204
    with engine.begin() as conn:
        step = conn.execute(select(outreach_steps)).one()
        log = [e.tekst for e in timeline(conn, case_id) if e.soort == "Bezorging"]
    assert step.status == "mislukt" and "terug" in step.detail
    assert len(log) == 1 and "terug" in log[0]
    # an app without the token refuses even the right one
    closed = TestClient(
        create_app(engine=engine, secret_key=b"k" * 32), base_url="https://testserver"
    )
    assert closed.post("/api/v1/notify/status", json=receipt, headers=token).status_code == 401


def test_a_failure_reported_by_the_service_fails_the_step_and_says_why(
    engine: Engine, notify: NotifyServer
) -> None:
    app = create_app(engine=engine, secret_key=b"k" * 32, notify_callback_token=CALLBACK_TOKEN)
    with running_app(app) as url:
        notify.callback_url = f"{url}/api/v1/notify/status"
        case_id, ident = first_letter(engine, notify)
        notify.set_status(ident, "validation-failed")  # Notify posts the receipt itself
    assert notify.callbacks == [(notify.callback_url, 204)]
    assert attempts(engine, case_id) == []
    with engine.begin() as conn:
        step = conn.execute(select(outreach_steps)).one()
        log = [e.tekst for e in timeline(conn, case_id) if e.soort == "Bezorging"]
    assert step.status == "mislukt" and "voldeed niet" in step.detail
    assert log and "niet aangekomen" in log[0]


def running_app(app: object) -> "object":
    from local_server import serving

    return serving(app, "the web app")


def test_offer_send_and_status_from_the_command_line(tmp_path: Path, notify: NotifyServer) -> None:
    """As a municipality runs it: the settings choose Notify for letters, e-mail and SMS;
    `offer send --alle` hands the letters over, `offer status` records what arrived."""
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "d"), COLUMNS="200")
    env.pop("PROACTIEF_DATABASE_URL", None)
    (tmp_path / "s.json").write_text(
        json.dumps(
            ddas_document(
                [signal(ID="A"), signal(ID="B", client={"burgerservicenummer": "123456782"})]
            )
        )
    )
    assert (
        run_cli(["intake", str(tmp_path / "s.json"), "--today", TODAY.isoformat()], env).returncode
        == 0
    )
    assert run_cli(["cases", "match", "--datum", TODAY.isoformat()], env).returncode == 0
    env |= {
        "PROACTIEF_CONTACT_DIRECTORY": "fake",
        "PROACTIEF_CHANNELS": json.dumps(
            {"email": "notify_email", "sms": "notify_sms", "brief": "notify_brief"}
        ),
        "PROACTIEF_NOTIFY_URL": notify.url,
        "PROACTIEF_NOTIFY_API_KEY": API_KEY,
        "PROACTIEF_NOTIFY_TEMPLATE_EMAIL": EMAIL_TEMPLATE,
        "PROACTIEF_NOTIFY_TEMPLATE_SMS": SMS_TEMPLATE,
    }
    sent = run_cli(["offer", "send", "--alle", "--datum", "2026-07-01"], env, timeout=120)
    assert sent.returncode == 0, sent.stderr
    assert "2 verzonden" in sent.stdout
    letters = notify.sent("letter")
    assert len(letters) == 2 and all(n["reference"] for n in letters)
    again = run_cli(["offer", "send", "--alle", "--datum", "2026-07-01"], env, timeout=120)
    assert again.returncode == 0 and len(notify.notifications) == 2  # nothing twice
    assert "Geen nieuwe status" in run_cli(["offer", "status"], env).stdout
    notify.set_status(letters[0]["id"], "received")
    notify.set_status(letters[1]["id"], "permanent-failure")
    polled = run_cli(["offer", "status"], env)
    assert polled.returncode == 0 and "1 afgeleverd, 1 mislukt" in polled.stdout, polled.stdout
    assert "Geen nieuwe status" in run_cli(["offer", "status"], env).stdout
    without = run_cli(["offer", "status"], dict(env, PROACTIEF_NOTIFY_URL=""))
    assert without.returncode == 2 and "PROACTIEF_NOTIFY_URL" in without.stderr


def test_a_letter_that_arrives_after_the_case_closed_is_recorded_without_an_attempt(
    engine: Engine, notify: NotifyServer
) -> None:
    """The case is closed while the letter travels: the receipt still counts (once), the
    closed case takes no attempt, and the case log says why; the poll goes on."""
    from proactief.domain import Eindresultaat
    from proactief.early_detection.contacts import close_case

    case_id, ident = first_letter(engine, notify)
    with engine.begin() as conn:
        close_case(
            conn=conn,
            case_id=case_id,
            eindresultaat=Eindresultaat.INWONER_HEEFT_ZELF_BETAALD,
            datum=NOW.date(),
        )
    notify.set_status(ident, "received")
    (update,) = poll_statuses(
        begin=engine.begin, source=service(notify), interpret=delivery_for_status, now=NOW
    )
    assert update.status is StapStatus.AFGELEVERD
    assert attempts(engine, case_id) == []
    with engine.begin() as conn:
        assert conn.execute(select(outreach_steps.c.status)).scalar_one() == "afgeleverd"
        log = [e.tekst for e in timeline(conn, case_id) if e.soort == "Bezorging"]
    assert len(log) == 1 and "afgesloten" in log[0]


def test_a_message_sent_through_notify_promises_no_stop_by_reply(tmp_path: Path) -> None:
    """Replies to a Notify message go to Notify, which Proactief does not read: the SMS
    and e-mail then do not say 'Stuur STOP' or 'antwoord STOP', even with the inboxes set."""
    from proactief.cli.common import afzender_of
    from proactief.settings import Settings

    inboxes = {"inbound_sms_dir": tmp_path / "sms", "inbound_maildir": tmp_path / "mail"}
    own = afzender_of(Settings(**inboxes))
    assert own.sms_antwoord and own.email_antwoord
    notify = afzender_of(
        Settings(**inboxes, channels={"sms": "notify_sms", "email": "notify_email"})
    )
    assert not notify.sms_antwoord and not notify.email_antwoord
