"""Channels: how a message reaches a person. Each channel is a small plugin behind the
``Channel`` protocol, with a fake for tests: letter (PDF to an outbox folder), e-mail
(SMTP, or .eml files in a pickup folder), SMS (a provider protocol) and phone or home
visit (a task for the contact worker)."""

from proactief.channels.base import (
    CONTACTSOORT,
    Channel,
    Delivery,
    Envelope,
    FakeChannel,
    TaskChannel,
)
from proactief.channels.email import EmailChannel, PickupFolder, SmtpTransport
from proactief.channels.letter import LetterChannel
from proactief.channels.sms import FakeSmsProvider, SmsChannel, SmsProvider

__all__ = [
    "CONTACTSOORT",
    "Channel",
    "Delivery",
    "EmailChannel",
    "Envelope",
    "FakeChannel",
    "FakeSmsProvider",
    "LetterChannel",
    "PickupFolder",
    "SmsChannel",
    "SmsProvider",
    "SmtpTransport",
    "TaskChannel",
]
