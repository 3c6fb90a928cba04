"""Contact details: where a message for a person (or their representative) goes.

In production this is the municipality's customer-contact system (KCC), which holds only
what residents gave; Proactief asks it at the moment of sending and stores nothing of it.
The fake makes clearly unusable details (``.invalid`` domain, RFC 2606) from the pseudonym.
"""

import hashlib
from typing import Protocol

from proactief.domain import ContactDetails

__all__ = ["ContactDirectory", "FakeContactDirectory"]


class ContactDirectory(Protocol):
    """Looks up how to reach a person, or the representative they named."""

    def lookup(self, person_pseudonym: str, ontvanger: str) -> ContactDetails:
        """``ontvanger`` is 'inwoner' or the representative as recorded (e.g.
        'bewindvoerder')."""
        ...


class FakeContactDirectory:
    """Deterministic, made-up details for every pseudonym (demo and tests)."""

    def __init__(self, *, zonder_email: frozenset[str] = frozenset()) -> None:
        self.zonder_email = zonder_email

    def lookup(self, person_pseudonym: str, ontvanger: str) -> ContactDetails:
        """Made-up details; no e-mail address for the pseudonyms in ``zonder_email``."""
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
