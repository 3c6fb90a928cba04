"""SMS through a provider (a NotifyNL-compatible client can implement ``SmsProvider``)."""

from dataclasses import dataclass, field
from typing import Protocol

from proactief.channels.base import Delivery, Envelope
from proactief.domain import Kanaal

__all__ = ["SMS_MAX_TEKENS", "FakeSmsProvider", "SmsChannel", "SmsProvider", "SmsProviderError"]

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


@dataclass
class SmsChannel:
    """SMS: at most two segments, no links (checked before sending)."""

    provider: SmsProvider
    kanaal: Kanaal = Kanaal.SMS

    def deliver(self, envelope: Envelope) -> Delivery:
        """Send through the provider."""
        if not envelope.ontvanger.telefoon:
            return Delivery("mislukt", self.kanaal, "geen telefoonnummer bekend")
        if len(envelope.tekst) > SMS_MAX_TEKENS:
            return Delivery(
                "mislukt", self.kanaal, f"sms te lang: {len(envelope.tekst)} > {SMS_MAX_TEKENS}"
            )
        try:
            reference = self.provider.send(
                envelope.ontvanger.telefoon, envelope.tekst, envelope.referentie
            )
        except SmsProviderError as exc:
            return Delivery("mislukt", self.kanaal, f"verzenden mislukt: {exc}")
        return Delivery("afgeleverd", self.kanaal, reference)
