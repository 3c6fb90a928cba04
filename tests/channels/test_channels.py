"""The channel plugins: letter PDF in an outbox, e-mail to a real local SMTP server
(aiosmtpd), SMS through a provider, phone and visit as tasks; all behind one protocol."""

import email
import email.policy
from datetime import date
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from conftest import SmtpInbox, entitlement_account, free_port, make_account
from proactief.channels import (
    Channel,
    EmailChannel,
    Envelope,
    FakeChannel,
    FakeSmsProvider,
    LetterChannel,
    PickupFolder,
    SmsChannel,
    SmtpTransport,
    TaskChannel,
)
from proactief.domain import ContactDetails, Contactsoort, Kanaal
from proactief.offers.checks import check_message, plain_text
from proactief.offers.messages import parts_for, render_messages

ACCOUNT = make_account(regelingen=(entitlement_account(),))

INWONER = ContactDetails(
    email="inwoner.test@voorbeeld.invalid",
    telefoon="0612345678",
    adres=("Aan de bewoner", "Voorbeeldstraat 12", "9999 ZZ Voorbeeld"),
)


def envelope(kanaal: Kanaal, ontvanger: ContactDetails = INWONER, **extra: Any) -> Envelope:
    rendered = render_messages(ACCOUNT, toon="neutraal", adres=ontvanger.adres)
    text, html = parts_for(rendered, kanaal)
    values: dict[str, Any] = {
        "referentie": "zaak1-stap1",
        "kanaal": kanaal,
        "ontvanger": ontvanger,
        "afzender": "Gemeente Voorbeeld",
        "onderwerp": rendered["brief"].onderwerp,
        "tekst": text,
        "html": html,
    }
    values.update(extra)
    return Envelope(**values)


def test_every_channel_and_its_fake_meet_the_protocol(tmp_path: Path) -> None:
    channels: list[Any] = [
        LetterChannel(tmp_path),
        EmailChannel(PickupFolder(tmp_path)),
        SmsChannel(FakeSmsProvider()),
        TaskChannel(Kanaal.TELEFOON),
        TaskChannel(Kanaal.HUISBEZOEK),
        *(FakeChannel(k) for k in Kanaal),
    ]
    for channel in channels:
        assert isinstance(channel, Channel)
    assert not isinstance(object(), Channel)


def test_an_email_reaches_the_local_smtp_server(smtp_server: SmtpInbox) -> None:
    handler, port = smtp_server, smtp_server.port
    channel = EmailChannel(SmtpTransport("127.0.0.1", port), van="vroegsignalering@voorbeeld.nl")
    delivery = channel.deliver(envelope(Kanaal.EMAIL))
    assert delivery.status == "afgeleverd", delivery.detail
    assert len(handler.received) == 1
    mail_from, rcpt_tos, content = handler.received[0]
    assert mail_from == "vroegsignalering@voorbeeld.nl"
    assert rcpt_tos == ["inwoner.test@voorbeeld.invalid"]
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "Een aanbod van de gemeente: misschien kunnen wij u helpen"
    assert "Gemeente Voorbeeld" in message["From"]
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    body = text.get_content()
    assert "1.355,04" in body
    assert check_message(body, ACCOUNT, onderwerp=message["Subject"], kanaal="email_tekst") == []
    assert (
        check_message(
            plain_text("email_html", html.get_content()),
            ACCOUNT,
            onderwerp=message["Subject"],
            kanaal="email_html",
        )
        == []
    )
    # the delivery is a DDAS contact attempt of kind 'Mail'
    attempt = delivery.contactpoging(date(2026, 7, 1), "Ochtend")
    assert attempt is not None and attempt.soort is Contactsoort.MAIL and not attempt.bereikt


def test_an_unreachable_smtp_server_is_reported_without_the_address() -> None:
    closed_port = free_port()
    channel = EmailChannel(SmtpTransport("127.0.0.1", closed_port, timeout=2))
    delivery = channel.deliver(envelope(Kanaal.EMAIL))
    assert delivery.status == "mislukt"
    assert "ConnectionRefusedError" in delivery.detail
    assert "@" not in delivery.detail
    assert delivery.contactpoging(date(2026, 7, 1)) is None


def test_no_email_address_means_no_email(smtp_server: SmtpInbox) -> None:
    handler, port = smtp_server, smtp_server.port
    channel = EmailChannel(SmtpTransport("127.0.0.1", port))
    delivery = channel.deliver(envelope(Kanaal.EMAIL, ContactDetails(adres=INWONER.adres)))
    assert delivery.status == "mislukt" and "e-mailadres" in delivery.detail
    assert handler.received == []


def test_pickup_folder_writes_a_readable_eml(tmp_path: Path) -> None:
    delivery = EmailChannel(PickupFolder(tmp_path)).deliver(envelope(Kanaal.EMAIL))
    assert delivery.status == "afgeleverd" and delivery.detail == "email-zaak1-stap1.eml"
    message = email.message_from_bytes(
        (tmp_path / delivery.detail).read_bytes(), policy=email.policy.default
    )
    assert message["To"] == "inwoner.test@voorbeeld.invalid"


def test_a_letter_is_a_pdf_in_the_outbox_with_every_required_element(tmp_path: Path) -> None:
    delivery = LetterChannel(tmp_path / "uit").deliver(envelope(Kanaal.BRIEF))
    assert delivery.status == "afgeleverd"
    pdf = (tmp_path / "uit" / delivery.detail).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    flat = " ".join(text.split())
    assert "Voorbeeldstraat 12" in flat and "9999 ZZ Voorbeeld" in flat
    assert check_message(text, ACCOUNT, kanaal="brief") == []
    attempt = delivery.contactpoging(date(2026, 7, 1))
    assert attempt is not None and attempt.soort is Contactsoort.BRIEF


def test_a_letter_needs_an_address(tmp_path: Path) -> None:
    delivery = LetterChannel(tmp_path).deliver(envelope(Kanaal.BRIEF, ContactDetails()))
    assert delivery.status == "mislukt" and "postadres" in delivery.detail
    assert list(tmp_path.iterdir()) == []


def test_sms_goes_through_the_provider_and_refuses_what_is_too_long() -> None:
    provider = FakeSmsProvider()
    channel = SmsChannel(provider)
    sent = channel.deliver(envelope(Kanaal.SMS))
    assert sent.status == "afgeleverd"
    assert provider.sent[0][0] == "0612345678"
    assert sent.contactpoging(date(2026, 7, 1)).soort is Contactsoort.SMS_WHATSAPP  # type: ignore[union-attr]
    too_long = channel.deliver(envelope(Kanaal.SMS, tekst="x" * 307))
    assert too_long.status == "mislukt" and "te lang" in too_long.detail
    assert len(provider.sent) == 1
    failing = SmsChannel(FakeSmsProvider(fail=True)).deliver(envelope(Kanaal.SMS))
    assert failing.status == "mislukt"


def test_phone_and_visit_become_tasks_not_attempts() -> None:
    for kanaal in (Kanaal.TELEFOON, Kanaal.HUISBEZOEK):
        delivery = TaskChannel(kanaal).deliver(envelope(kanaal))
        assert delivery.status == "taak_open"
        assert delivery.contactpoging(date(2026, 7, 1)) is None


def test_the_fake_channel_records_and_can_fail() -> None:
    fake = FakeChannel(Kanaal.BRIEF)
    assert fake.deliver(envelope(Kanaal.BRIEF)).status == "afgeleverd"
    assert len(fake.sent) == 1
    assert FakeChannel(Kanaal.BRIEF, fail=True).deliver(envelope(Kanaal.BRIEF)).status == "mislukt"
