"""Channels: how a message reaches a person. Each channel is a small plugin behind the
``Channel`` protocol, with a fake for tests: letter (PDF to an outbox folder), e-mail
(SMTP, or .eml files in a pickup folder), SMS (a provider protocol) and phone or home
visit (a task for the contact worker)."""

from collections.abc import Mapping
from pathlib import Path

from proactief.channels.base import (
    Channel,
    ChannelPlugin,
    ChannelSetup,
    ChannelSpec,
    Delivery,
    Envelope,
    FakeChannel,
    TaskChannel,
)
from proactief.channels.email import EmailChannel, EmailTransport, PickupFolder, SmtpTransport
from proactief.channels.letter import LetterChannel
from proactief.channels.notify import NotifyChannel, NotifyError, NotifyService
from proactief.channels.registry import all_specs, channel_plugins, make_channels, spec_of
from proactief.channels.sms import FakeSmsProvider, SmsChannel, SmsFolder, SmsProvider
from proactief.domain import Kanaal

__all__ = [
    "Channel",
    "ChannelPlugin",
    "ChannelSetup",
    "ChannelSpec",
    "Delivery",
    "EmailChannel",
    "EmailTransport",
    "Envelope",
    "FakeChannel",
    "FakeSmsProvider",
    "LetterChannel",
    "NotifyChannel",
    "NotifyError",
    "NotifyService",
    "PickupFolder",
    "SmsChannel",
    "SmsFolder",
    "SmsProvider",
    "SmtpTransport",
    "TaskChannel",
    "all_specs",
    "channel_plugins",
    "make_channels",
    "spec_of",
    "standard_channels",
]


def standard_channels(
    outbox: Path,
    *,
    email_transport: EmailTransport | None = None,
    sms_provider: SmsProvider | None = None,
    van: str = "vroegsignalering@gemeente.example",
    chosen: Mapping[str, str] | None = None,
    notify: NotifyService | None = None,
) -> dict[Kanaal, Channel]:
    """One plugin per channel: letters as PDFs in ``outbox/brieven``; e-mail through the
    transport given (default: .eml files in ``outbox/email``); SMS through the provider
    given (default: text files in ``outbox/sms``); phone and home visit as tasks; or the
    installed plug-in ``chosen`` names for a kanaal (``notify_email`` and its kin need
    ``notify``)."""
    setup = ChannelSetup(
        outbox, email_transport=email_transport, sms_provider=sms_provider, van=van, notify=notify
    )
    return make_channels(setup, chosen)
