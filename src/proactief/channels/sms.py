"""SMS through a provider (a NotifyNL-compatible client can implement ``SmsProvider``)."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from proactief.channels.base import ChannelPlugin, ChannelSpec, Delivery, Envelope, write_once
from proactief.domain import Contactsoort, Kanaal, StapStatus

__all__ = [
    "SMS_MAX_TEKENS",
    "FakeSmsProvider",
    "SmsChannel",
    "SmsFolder",
    "SmsProvider",
    "SmsProviderError",
    "sms_refusal",
]

SMS_MAX_TEKENS = 306
"""Two concatenated GSM-7 segments of 153 characters (GSM 03.38 / 3GPP TS 23.040)."""


class SmsProviderError(RuntimeError):
    """The provider refused or could not be reached; the message holds no personal data."""


class SmsProvider(Protocol):
    """Sends one SMS; returns the provider's reference."""

    def send(self, telefoon: str, tekst: str, referentie: str) -> str:
        """Send, or raise SmsProviderError."""
        ...


@dataclass
class FakeSmsProvider:
    """Keeps the messages instead of sending them (tests, demo)."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)
    fail: bool = False

    def send(self, telefoon: str, tekst: str, referentie: str) -> str:
        """Record."""
        if self.fail:
            raise SmsProviderError("nep-provider: mislukt op verzoek")
        self.sent.append((telefoon, tekst, referentie))
        return f"nep-sms-{len(self.sent)}"


def sms_refusal(envelope: Envelope) -> Delivery | None:
    """Why this SMS cannot go (no number, too long), whatever carries it; None: it can."""
    if not envelope.ontvanger.telefoon:
        return Delivery(StapStatus.MISLUKT, Kanaal.SMS, "geen telefoonnummer bekend")
    if len(envelope.tekst) > SMS_MAX_TEKENS:
        return Delivery(
            StapStatus.MISLUKT, Kanaal.SMS, f"sms te lang: {len(envelope.tekst)} > {SMS_MAX_TEKENS}"
        )
    return None


@dataclass
class SmsChannel:
    """SMS: at most two segments, no links (checked before sending)."""

    provider: SmsProvider
    kanaal: Kanaal = Kanaal.SMS

    def deliver(self, envelope: Envelope) -> Delivery:
        """Send through the provider."""
        refused = sms_refusal(envelope)
        if refused is not None:
            return refused
        try:
            reference = self.provider.send(
                envelope.ontvanger.telefoon or "", envelope.tekst, envelope.referentie
            )
        except SmsProviderError as exc:
            return Delivery(StapStatus.MISLUKT, self.kanaal, f"verzenden mislukt: {exc}")
        return Delivery(StapStatus.AFGELEVERD, self.kanaal, reference)


@dataclass
class SmsFolder:
    """Writes each SMS as ``sms-<referentie>.txt`` into a folder, for when no provider is
    configured (demo; a provider's pickup folder). The file holds only the text."""

    folder: Path

    def send(self, telefoon: str, tekst: str, referentie: str) -> str:
        """Write the file (once per reference)."""
        path = self.folder / f"sms-{referentie}.txt"
        write_once(path, tekst.encode("utf-8"))
        return path.name


PLUGIN = ChannelPlugin(
    ChannelSpec(
        kanaal=Kanaal.SMS,
        contactsoort=Contactsoort.SMS_WHATSAPP,
        naam="Sms",
        zin="een sms",
        tekst="sms",
        templates={"sms": "aanbod/sms.txt.j2"},
        voorbeeld={"sms": "sms.txt"},
    ),
    lambda setup: SmsChannel(setup.sms_provider or SmsFolder(setup.outbox / "sms")),
)
"""SMS through the provider of the setup (default: text files in ``outbox/sms``)."""
PLUGINS = (PLUGIN,)
