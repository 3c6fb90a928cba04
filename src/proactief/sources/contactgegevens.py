"""Contact details: where a message for a person (or their representative) goes.

In production this is the municipality's customer-contact system (KCC), which holds only
what residents gave; Proactief asks it at the moment of sending and stores nothing of it
(docs/adr/0004-contact-details-at-send-time.md). A provider that finds people by BSN says
so (``needs_bsn``); it then gets the BSN through ``proactief.trust.identity``, read for
the purpose ``klantcontact`` and written to the audit trail. The fake makes clearly
unusable details (``.invalid`` domain, RFC 2606) from the pseudonym.

A resident may give an e-mail address or a mobile number on their own page. A provider
that can keep it (``ContactDetailsWriter``, e.g. the KCC's DigitaalAdres) gets it and is
asked for it at the next step, like every other detail; Proactief keeps none of it.

A municipality adds its provider with an entry point in the group
``proactief.contact_directories`` and chooses it with ``PROACTIEF_CONTACT_DIRECTORY``.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar, Protocol, runtime_checkable

from proactief.domain import ContactDetails
from proactief.plugins import GROUPS, Registry

__all__ = [
    "ContactDetailsWriter",
    "ContactDirectory",
    "ContactSubject",
    "FakeContactDirectory",
    "GivenDetails",
    "contact_directories",
]


@dataclass(frozen=True, slots=True)
class ContactSubject:
    """Who a message is for, as far as the provider may know them."""

    person_pseudonym: str
    bsn: str | None = None
    """Only for a provider with ``needs_bsn``, read for the purpose that allows it."""

    def __repr__(self) -> str:  # the BSN never ends in a log or a traceback
        return f"ContactSubject(person_pseudonym={self.person_pseudonym!r}, bsn=***)"


class ContactDirectory(Protocol):
    """Looks up how to reach a person, or the representative they named."""

    needs_bsn: ClassVar[bool]
    """True when the provider finds people by BSN (a customer-contact system)."""

    def lookup(self, subject: ContactSubject, ontvanger: str) -> ContactDetails:
        """``ontvanger`` is 'inwoner' or the representative as recorded (e.g.
        'bewindvoerder')."""
        ...


@dataclass(frozen=True, slots=True)
class GivenDetails:
    """What a resident gave on their own page. None: leave as it is; '': take it away."""

    email: str | None = None
    telefoon: str | None = None

    def __repr__(self) -> str:  # personal data never ends in a log or a traceback
        return "GivenDetails(email=***, telefoon=***)"


@runtime_checkable
class ContactDetailsWriter(Protocol):
    """A provider that keeps what a resident gives (an e-mail address, a mobile number)."""

    needs_bsn: ClassVar[bool]

    def record_given(self, subject: ContactSubject, given: GivenDetails) -> None:
        """Keep ``given`` for the person; raises on failure (nothing half-kept)."""
        ...


class FakeContactDirectory:
    """Deterministic, made-up details for every pseudonym (demo and tests). What a
    resident gives is kept in memory, or in the JSON file ``store`` (so the web app and
    ``offer send`` share it), and wins over the made-up details."""

    needs_bsn: ClassVar[bool] = False

    def __init__(
        self, *, zonder_email: frozenset[str] = frozenset(), store: Path | None = None
    ) -> None:
        self.zonder_email = zonder_email
        self.store = store
        self._given: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, dict[str, str]]]:
        """The given details, read and written under one lock (threads and processes)."""
        with self._lock:
            if self.store is None:
                yield self._given
                return
            self.store.parent.mkdir(parents=True, exist_ok=True)
            with open(self.store.with_suffix(".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                data = json.loads(self.store.read_text()) if self.store.exists() else {}
                before = json.dumps(data, sort_keys=True)
                yield data
                if json.dumps(data, sort_keys=True) != before:
                    tmp = self.store.with_suffix(".tmp")
                    tmp.write_text(json.dumps(data, sort_keys=True))
                    os.chmod(tmp, 0o600)  # personal data: the owner only
                    os.replace(tmp, self.store)

    def record_given(self, subject: ContactSubject, given: GivenDetails) -> None:
        """Keep what the resident gave (the stand-in for the KCC's DigitaalAdres)."""
        with self._locked() as data:
            mine = data.setdefault(subject.person_pseudonym, {})
            for field in ("email", "telefoon"):
                value = getattr(given, field)
                if value is not None:
                    mine[field] = value

    def lookup(self, subject: ContactSubject, ontvanger: str) -> ContactDetails:
        """Made-up details, with what the resident gave instead; no made-up e-mail
        address for the pseudonyms in ``zonder_email``."""
        found = self._made_up(subject, ontvanger)
        if ontvanger != "inwoner":
            return found
        with self._locked() as data:
            mine = dict(data.get(subject.person_pseudonym, {}))
        if "email" in mine:
            found = replace(found, email=mine["email"] or None)
        if "telefoon" in mine:
            found = replace(found, telefoon=mine["telefoon"] or None)
        return found

    def _made_up(self, subject: ContactSubject, ontvanger: str) -> ContactDetails:
        person_pseudonym = subject.person_pseudonym
        digits = str(int(hashlib.sha256(person_pseudonym.encode()).hexdigest()[:12], 16))
        code = person_pseudonym[:10].lower()
        if ontvanger != "inwoner":
            return ContactDetails(
                naam="vertegenwoordiger",
                email=f"vertegenwoordiger.{code}@voorbeeld.invalid",
                telefoon=f"06{digits[-8:]}",
                adres=(f"T.a.v. de {ontvanger}", "Postbus 1", "9999 ZZ Voorbeeld"),
            )
        return ContactDetails(
            naam="inwoner",
            email=None
            if person_pseudonym in self.zonder_email
            else f"inwoner.{code}@voorbeeld.invalid",
            telefoon=f"06{digits[:8]}",
            adres=(
                "Aan de bewoner",
                f"Voorbeeldstraat {int(digits[:3]) % 250 + 1}",
                "9999 ZZ Voorbeeld",
            ),
        )


def _brp() -> ContactDirectory:
    """Name and address from the BRP API Personen at PROACTIEF_BRP_URL."""
    # imported when chosen: brp.py imports this module (ContactSubject)
    from proactief.settings import Settings
    from proactief.sources.brp import BrpClient, BrpContactDirectory

    settings = Settings()
    if not settings.brp_url:
        raise ValueError(
            "'brp' vraagt de BRP: zet PROACTIEF_BRP_URL (en PROACTIEF_BRP_API_KEY) / set "
            "PROACTIEF_BRP_URL"
        )
    return BrpContactDirectory(BrpClient(settings.brp_url, api_key=settings.brp_api_key))


def _klantinteracties() -> ContactDirectory:
    """E-mail and phone from the Klantinteracties API at PROACTIEF_KLANTINTERACTIES_URL;
    name and address from the BRP when PROACTIEF_BRP_URL is set."""
    from proactief.settings import Settings
    from proactief.sources.klantinteracties import (
        KlantinteractiesClient,
        KlantinteractiesContactDirectory,
    )

    settings = Settings()
    if not settings.klantinteracties_url or not settings.klantinteracties_token:
        raise ValueError(
            "'klantinteracties' vraagt PROACTIEF_KLANTINTERACTIES_URL en "
            "PROACTIEF_KLANTINTERACTIES_TOKEN / set both"
        )
    client = KlantinteractiesClient(
        settings.klantinteracties_url, token=settings.klantinteracties_token
    )
    return KlantinteractiesContactDirectory(client, postal=_brp() if settings.brp_url else None)


contact_directories: Registry[Callable[[], ContactDirectory]] = Registry(
    GROUPS["contact_directories"],
    {"fake": FakeContactDirectory, "brp": _brp, "klantinteracties": _klantinteracties},
)
"""Contact-detail providers by name; each entry is called without arguments to make one."""
