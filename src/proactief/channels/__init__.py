"""Channels: how a message reaches a person. Each channel is a small plugin behind the
``Channel`` protocol, with a fake for tests: letter (PDF to an outbox folder), e-mail
(SMTP, or .eml files in a pickup folder), SMS (a provider protocol) and phone or home
visit (a task for the contact worker)."""

from pathlib import Path

from proactief.channels.base import (
    CONTACTSOORT,
    Channel,
    Delivery,
    Envelope,
    FakeChannel,
    TaskChannel,
)
from proactief.channels.email import EmailChannel, EmailTransport, PickupFolder, SmtpTransport
from proactief.channels.letter import LetterChannel
from proactief.channels.sms import FakeSmsProvider, SmsChannel, SmsFolder, SmsProvider
from proactief.domain import Kanaal

__all__ = [
    "CONTACTSOORT",
    "Channel",
    "Delivery",
    "EmailChannel",
    "EmailTransport",
    "Envelope",
    "FakeChannel",
    "FakeSmsProvider",
    "LetterChannel",
    "PickupFolder",
    "SmsChannel",
    "SmsFolder",
    "SmsProvider",
    "SmtpTransport",
    "TaskChannel",
    "standard_channels",
]


def standard_channels(
    outbox: Path,
    *,
    email_transport: EmailTransport | None = None,
    sms_provider: SmsProvider | None = None,
    van: str = "vroegsignalering@gemeente.example",
) -> dict[Kanaal, Channel]:
    """One plugin per channel: letters as PDFs in ``outbox/brieven``; e-mail through the
    transport given (default: .eml files in ``outbox/email``); SMS through the provider
    given (default: text files in ``outbox/sms``); phone and home visit as tasks."""
    domein = van.rpartition("@")[2] or "gemeente.example"
    return {
        Kanaal.BRIEF: LetterChannel(outbox / "brieven"),
        Kanaal.EMAIL: EmailChannel(
            email_transport or PickupFolder(outbox / "email"), van=van, domein=domein
        ),
        Kanaal.SMS: SmsChannel(sms_provider or SmsFolder(outbox / "sms")),
        Kanaal.TELEFOON: TaskChannel(Kanaal.TELEFOON),
        Kanaal.HUISBEZOEK: TaskChannel(Kanaal.HUISBEZOEK),
    }
