"""Inbound replies beside the channels: what residents send back to an SMS or an e-mail.

``Inbound`` is the plug-in protocol; two implementations ship:

- ``SmsFolderInbound``: the folder an SMS gateway's webhook drops each incoming SMS in, as
  one JSON file ``{"id": ..., "van": "+316...", "tekst": "STOP", "ontvangen": ISO}``.
- ``MaildirInbound``: the Maildir the municipality's mail server delivers replies to
  (Postfix, Dovecot, or aiosmtpd's Mailbox handler in the tests).

A message is removed from the inbox (``done``) only after its reply is stored, so a crash
in between reads it again, and the store ignores it by its id (no reply lost or doubled).
The sender's address is personal data: it is used to find the case by a keyed hash and
is never logged or stored.
"""

import email.policy
import json
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from proactief.domain import Kanaal

__all__ = [
    "Inbound",
    "InboundError",
    "InboundMessage",
    "MaildirInbound",
    "SmsFolderInbound",
    "referentie_of",
]


class InboundError(ValueError):
    """An inbox item that cannot be read (its name and what is wrong)."""


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One reply as it came in."""

    bron_id: str
    """The inbox's own id (gateway id, or the e-mail's Message-ID): one reply, one row."""
    kanaal: Kanaal
    van: str
    """Phone number or e-mail address: personal data, never logged or stored."""
    tekst: str
    ontvangen: datetime
    antwoord_op: str | None = None
    """The reference of our message it answers, when the reply says (e-mail In-Reply-To)."""


@runtime_checkable
class Inbound(Protocol):
    """Where replies of one channel arrive."""

    kanaal: Kanaal

    def fetch(self) -> Iterator[InboundMessage]:
        """Every reply not yet done, oldest first."""
        ...

    def done(self, bron_id: str) -> None:
        """The reply is stored: remove it from the inbox."""
        ...


_REF = re.compile(r"<?(zaak\d+-stap\d+-[0-9a-f]+)@", re.IGNORECASE)


def referentie_of(header: str | None) -> str | None:
    """Our reference in an In-Reply-To or References header (Message-ID
    ``<zaak12-stap1-0a1b2c3d@domein>``), if any.

    >>> referentie_of("<zaak12-stap1-0a1b2c3d@gemeente.example>")
    'zaak12-stap1-0a1b2c3d'
    >>> referentie_of("<CAF=abc@mail.example>") is None
    True
    """
    if not header:
        return None
    found = _REF.findall(header)
    return found[-1] if found else None


class SmsFolderInbound:
    """Incoming SMS as JSON files in a folder (written by the gateway's webhook)."""

    kanaal = Kanaal.SMS

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files: dict[str, Path] = {}

    def fetch(self) -> Iterator[InboundMessage]:
        self.folder.mkdir(parents=True, exist_ok=True)
        for path in sorted(self.folder.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                bron_id = f"sms:{data['id']}"
                received = datetime.fromisoformat(str(data["ontvangen"]))
                message = InboundMessage(
                    bron_id=bron_id,
                    kanaal=Kanaal.SMS,
                    van=str(data["van"]),
                    tekst=str(data["tekst"]),
                    ontvangen=received if received.tzinfo else received.replace(tzinfo=UTC),
                )
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise InboundError(
                    f"{path.name}: geen geldig sms-bericht ({type(exc).__name__}: {exc}); "
                    "verwacht JSON met id, van, tekst en ontvangen"
                ) from exc
            self._files[bron_id] = path
            yield message

    def done(self, bron_id: str) -> None:
        path = self._files.pop(bron_id, None)
        if path is not None:
            path.unlink(missing_ok=True)


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part.get_content() if isinstance(part, EmailMessage) else ""
    if part.get_content_type() == "text/html":
        text = re.sub(r"<[^>]+>", " ", text)
    # the resident's own words: not the quoted message below them
    own = []
    for line in str(text).splitlines():
        if line.startswith(">") or re.match(r"^(Op|On) .+(schreef|wrote).*:$", line.strip()):
            break
        own.append(line)
    return "\n".join(own).strip()


class MaildirInbound:
    """Replies to our e-mails in a Maildir (new and cur)."""

    kanaal = Kanaal.EMAIL

    def __init__(self, path: Path) -> None:
        self.path = path
        self._keys: dict[str, str] = {}

    def _box(self) -> mailbox.Maildir:
        return mailbox.Maildir(self.path, factory=None, create=True)

    def fetch(self) -> Iterator[InboundMessage]:
        box = self._box()
        for key in sorted(box.keys()):
            with box.get_file(key) as handle:
                raw = handle.read()
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            message_id = str(message.get("Message-ID") or f"<maildir-{key}>").strip()
            date_header = message.get("Date")
            try:
                received = parsedate_to_datetime(str(date_header)) if date_header else None
            except (TypeError, ValueError):
                received = None
            bron_id = f"email:{message_id}"
            self._keys[bron_id] = key
            yield InboundMessage(
                bron_id=bron_id,
                kanaal=Kanaal.EMAIL,
                van=parseaddr(str(message.get("From", "")))[1].lower(),
                tekst=_body(message),
                ontvangen=received or datetime.now(UTC),
                antwoord_op=referentie_of(
                    str(message.get("In-Reply-To", "")) + " " + str(message.get("References", ""))
                ),
            )

    def done(self, bron_id: str) -> None:
        key = self._keys.pop(bron_id, None)
        if key is not None:
            self._box().discard(key)
