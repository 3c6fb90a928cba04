"""E-mail: a text part and an HTML part, sent over SMTP or written as .eml files to a
pickup folder (for the demo, and for mail servers that collect from a folder)."""

import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from typing import Protocol

from proactief.channels.base import ChannelPlugin, ChannelSpec, Delivery, Envelope, write_once
from proactief.domain import Contactsoort, Kanaal, StapStatus

__all__ = ["EmailChannel", "EmailTransport", "PickupFolder", "SmtpTransport", "build_email"]


class EmailTransport(Protocol):
    """Hands a finished e-mail to the mail system; returns a reference without personal data."""

    def send(self, message: EmailMessage, referentie: str) -> str:
        """Send, or raise OSError / smtplib.SMTPException."""
        ...


@dataclass
class SmtpTransport:
    """An SMTP server (STARTTLS and login when configured)."""

    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0

    journal: Path | None = None
    """A folder with one file per reference the server accepted: a message handed over
    again after a crash is not sent again. None: no journal (each call sends)."""

    def send(self, message: EmailMessage, referentie: str) -> str:
        """Deliver to the server, once per reference when there is a journal."""
        reference = f"smtp {self.host}:{self.port} {message['Message-ID']}"
        entry = self.journal / f"{referentie}.verzonden" if self.journal else None
        if entry is not None and entry.exists():
            return reference
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
        if entry is not None:
            write_once(entry, reference.encode())
        return reference


@dataclass
class PickupFolder:
    """Writes each e-mail as ``email-<referentie>.eml`` into a folder."""

    folder: Path

    def send(self, message: EmailMessage, referentie: str) -> str:
        """Write the file (once per reference)."""
        path = self.folder / f"email-{referentie}.eml"
        write_once(path, message.as_bytes())
        return path.name


def build_email(envelope: Envelope, *, van: str, domein: str) -> EmailMessage:
    """The e-mail for an envelope: plain text first, HTML as the alternative."""
    if not envelope.ontvanger.email:
        raise ValueError("no e-mail address for this recipient")
    message = EmailMessage()
    message["From"] = formataddr((envelope.afzender, van))
    message["To"] = envelope.ontvanger.email
    message["Subject"] = envelope.onderwerp
    # the same for every hand-over of one reference, so a copy is recognisable as one
    message["Message-ID"] = f"<{envelope.referentie}@{domein}>"
    message.set_content(envelope.tekst)
    if envelope.html:
        message.add_alternative(envelope.html, subtype="html")
    return message


@dataclass
class EmailChannel:
    """E-mail through a transport (SMTP or a pickup folder)."""

    transport: EmailTransport
    van: str = "vroegsignalering@gemeente.example"
    """The sender address; the display name is the envelope's sender."""
    domein: str = "gemeente.example"
    kanaal: Kanaal = Kanaal.EMAIL

    def deliver(self, envelope: Envelope) -> Delivery:
        """Build and send; a refused or unreachable server is reported, not raised."""
        if not envelope.ontvanger.email:
            return Delivery(StapStatus.MISLUKT, self.kanaal, "geen e-mailadres bekend")
        message = build_email(envelope, van=self.van, domein=self.domein)
        try:
            reference = self.transport.send(message, envelope.referentie)
        except (OSError, smtplib.SMTPException) as exc:
            # the exception text can hold the address: only its kind is kept
            return Delivery(
                StapStatus.MISLUKT, self.kanaal, f"verzenden mislukt: {type(exc).__name__}"
            )
        return Delivery(StapStatus.AFGELEVERD, self.kanaal, reference)


PLUGIN = ChannelPlugin(
    ChannelSpec(
        kanaal=Kanaal.EMAIL,
        contactsoort=Contactsoort.MAIL,
        naam="E-mail",
        zin="een e-mail",
        tekst="email_tekst",
        html="email_html",
        templates={"email_tekst": "aanbod/email.txt.j2", "email_html": "aanbod/email.html.j2"},
        voorbeeld={"email_tekst": "email.txt", "email_html": "email.html"},
        code=True,
    ),
    lambda setup: EmailChannel(
        setup.email_transport or PickupFolder(setup.outbox / "email"),
        van=setup.van,
        domein=setup.van.rpartition("@")[2] or "gemeente.example",
    ),
)
"""E-mail through the transport of the setup (default: .eml files in ``outbox/email``)."""
PLUGINS = (PLUGIN,)
