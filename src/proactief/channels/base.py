"""The channel protocol, the envelope a channel gets, and the delivery it reports back."""

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol, runtime_checkable

from proactief.domain import ContactDetails, Contactpoging, Contactsoort, Dagdeel, Kanaal

__all__ = ["CONTACTSOORT", "Channel", "Delivery", "Envelope", "FakeChannel", "TaskChannel"]

CONTACTSOORT = {
    Kanaal.BRIEF: Contactsoort.BRIEF,
    Kanaal.EMAIL: Contactsoort.MAIL,
    Kanaal.SMS: Contactsoort.SMS_WHATSAPP,
    Kanaal.TELEFOON: Contactsoort.TELEFOON,
    Kanaal.HUISBEZOEK: Contactsoort.HUISBEZOEK,
}
"""Our channels in the DDAS vocabulary (EnumContactsoort)."""

Status = Literal["afgeleverd", "mislukt", "taak_open"]


@dataclass(frozen=True, slots=True)
class Envelope:
    """One message (or task) for one recipient, ready to go out."""

    referentie: str
    """No personal data: used in file names and message ids, e.g. 'zaak12-stap1'."""
    kanaal: Kanaal
    ontvanger: ContactDetails
    afzender: str
    onderwerp: str
    tekst: str
    """Plain text: the e-mail text part, the SMS, or the phone script."""
    html: str | None = None
    """The letter (rendered to PDF) or the e-mail's HTML part."""
    dagdeel: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a channel reports back; ``detail`` never holds personal data."""

    status: Status
    kanaal: Kanaal
    detail: str
    bereikt: bool = False

    def contactpoging(self, datum: date, dagdeel: str | None = None) -> Contactpoging | None:
        """The DDAS contact attempt this delivery stands for (a task is not one yet: the
        contact worker registers the attempt when the call or visit is done)."""
        if self.status != "afgeleverd":
            return None
        return Contactpoging(
            soort=CONTACTSOORT[self.kanaal],
            datum=datum,
            dagdeel=Dagdeel(dagdeel) if dagdeel else None,
            bereikt=self.bereikt,
        )


@runtime_checkable
class Channel(Protocol):
    """A way to reach a person."""

    kanaal: Kanaal

    def deliver(self, envelope: Envelope) -> Delivery:
        """Send the envelope; report what happened, never raise for a failed delivery."""
        ...


@dataclass
class TaskChannel:
    """Phone call or home visit: becomes a task, with its script, in the contact worker's
    queue. The attempt itself is registered when the worker has done it."""

    kanaal: Kanaal = Kanaal.TELEFOON

    def deliver(self, envelope: Envelope) -> Delivery:
        """A task, not yet an attempt."""
        return Delivery("taak_open", self.kanaal, "taak voor de contactmedewerker")


@dataclass
class FakeChannel:
    """A channel for tests: keeps every envelope; fails when told to."""

    kanaal: Kanaal
    fail: bool = False
    sent: list[Envelope] = field(default_factory=list)

    def deliver(self, envelope: Envelope) -> Delivery:
        """Record the envelope."""
        if self.fail:
            return Delivery("mislukt", self.kanaal, "nep-kanaal: mislukt op verzoek")
        self.sent.append(envelope)
        return Delivery("afgeleverd", self.kanaal, f"nep-kanaal: {envelope.referentie}")
