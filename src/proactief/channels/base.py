"""The channel protocol, the envelope a channel gets, the delivery it reports back, and
the plug-in: what Proactief must know of a channel besides sending (``ChannelSpec``) and
how to make one (``ChannelPlugin``)."""

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from proactief.domain import (
    ContactDetails,
    Contactpoging,
    Contactsoort,
    Dagdeel,
    Kanaal,
    StapStatus,
)

if TYPE_CHECKING:
    from proactief.channels.email import EmailTransport
    from proactief.channels.notify import NotifyService
    from proactief.channels.sms import SmsProvider

__all__ = [
    "Channel",
    "ChannelPlugin",
    "ChannelSetup",
    "ChannelSpec",
    "Delivery",
    "Envelope",
    "FakeChannel",
    "TaskChannel",
    "write_once",
]


def write_once(path: Path, content: bytes) -> bool:
    """Write ``content`` to ``path`` unless the file is already there; False if it was.

    The file appears whole or not at all (a temporary file renamed into place, synced
    first), so a file that exists is a delivery that happened: writing a message again
    after a crash is a no-op (the outbox hands the same reference over again)."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    return True


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """Everything the rest of Proactief knows of a channel, declared by the channel itself:
    a new channel is its plug-in module and its templates."""

    kanaal: Kanaal
    contactsoort: Contactsoort
    """The channel in the DDAS vocabulary (EnumContactsoort): a delivery becomes that
    contact attempt."""
    naam: str
    """How a resident reads the channel's name on their page ('Sms')."""
    zin: str
    """How it reads in 'U krijgt voortaan eerst ...' ('een sms')."""
    tekst: str
    """The rendered part that is the channel's text ('sms'; 'belscript' for a task)."""
    templates: Mapping[str, str]
    """Rendered part -> template in channels/templates ('sms' -> 'aanbod/sms.txt.j2')."""
    voorbeeld: Mapping[str, str]
    """Rendered part -> file name in a preview folder ('sms' -> 'sms.txt')."""
    html: str | None = None
    """The rendered part that is its HTML (letter, e-mail), if any."""
    bericht: bool = True
    """True: a message that goes through the one message door; False: a task."""
    code: bool = False
    """True: it carries the access code for the resident's page (never in an SMS)."""


@dataclass(frozen=True, slots=True)
class ChannelSetup:
    """What a channel plug-in may need to be made."""

    outbox: Path
    email_transport: "EmailTransport | None" = None
    sms_provider: "SmsProvider | None" = None
    van: str = "vroegsignalering@gemeente.example"
    notify: "NotifyService | None" = None
    """A Notify-compatible sending service (GOV.UK Notify, NotifyNL), for the ``notify_*``
    plug-ins."""


@dataclass(frozen=True, slots=True)
class ChannelPlugin:
    """A channel plug-in: its spec and how to make the channel for a setup. Registered
    under ``proactief.channels`` (entry points) by the name of its kanaal or its own."""

    spec: ChannelSpec
    make: "Callable[[ChannelSetup], Channel]"


Status = StapStatus
"""What a channel reports: afgeleverd, mislukt or taak_open (geblokkeerd is the door's)."""


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
    extern_id: str | None = None
    """The sending service's own id (status VERZONDEN): its later delivery status finds
    the step by it."""

    def contactpoging(self, datum: date, dagdeel: str | None = None) -> Contactpoging | None:
        """The DDAS contact attempt this delivery stands for (a task is not one yet: the
        contact worker registers the attempt when the call or visit is done)."""
        if self.status is not StapStatus.AFGELEVERD:
            return None
        # imported here: the registry imports every channel module, which import this one
        from proactief.channels.registry import spec_of

        return Contactpoging(
            soort=spec_of(self.kanaal).contactsoort,
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
        return Delivery(StapStatus.TAAK_OPEN, self.kanaal, "taak voor de contactmedewerker")


@dataclass
class FakeChannel:
    """A channel for tests: keeps every envelope; fails when told to."""

    kanaal: Kanaal
    fail: bool = False
    sent: list[Envelope] = field(default_factory=list)

    def deliver(self, envelope: Envelope) -> Delivery:
        """Record the envelope."""
        if self.fail:
            return Delivery(StapStatus.MISLUKT, self.kanaal, "nep-kanaal: mislukt op verzoek")
        self.sent.append(envelope)
        return Delivery(StapStatus.AFGELEVERD, self.kanaal, f"nep-kanaal: {envelope.referentie}")
