"""Contact details: where a message for a person (or their representative) goes.

In production this is the municipality's customer-contact system (KCC), which holds only
what residents gave; Proactief asks it at the moment of sending and stores nothing of it
(docs/adr/0004-contact-details-at-send-time.md). A provider that finds people by BSN says
so (``needs_bsn``); it then gets the BSN through ``proactief.trust.identity``, read for
the purpose ``klantcontact`` and written to the audit trail. The fake makes clearly
unusable details (``.invalid`` domain, RFC 2606) from the pseudonym.

A municipality adds its provider with an entry point in the group
``proactief.contact_directories`` and chooses it with ``PROACTIEF_CONTACT_DIRECTORY``.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Protocol

from proactief.domain import ContactDetails
from proactief.plugins import GROUPS, Registry

__all__ = [
    "ContactDirectory",
    "ContactSubject",
    "FakeContactDirectory",
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


class FakeContactDirectory:
    """Deterministic, made-up details for every pseudonym (demo and tests)."""

    needs_bsn: ClassVar[bool] = False

    def __init__(self, *, zonder_email: frozenset[str] = frozenset()) -> None:
        self.zonder_email = zonder_email

    def lookup(self, subject: ContactSubject, ontvanger: str) -> ContactDetails:
        """Made-up details; no e-mail address for the pseudonyms in ``zonder_email``."""
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


contact_directories: Registry[Callable[[], ContactDirectory]] = Registry(
    GROUPS["contact_directories"], {"fake": FakeContactDirectory}
)
"""Contact-detail providers by name; each entry is called without arguments to make one."""
