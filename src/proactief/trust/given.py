"""A resident gives an e-mail address or a phone number on their own page.

The details are checked here, handed to the contact-detail provider (the KCC keeps them;
Proactief does not, ADR 0004) and both the write and every read of them are in the audit
trail with actor, purpose ``klantcontact`` and subject. The page shows them back only
masked, so someone else holding the letter cannot read them off the screen.
"""

from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection

from proactief.domain import ContactDetails, Doel
from proactief.sources.contactgegevens import (
    ContactDetailsWriter,
    ContactDirectory,
    ContactSubject,
    GivenDetails,
)
from proactief.trust.audit import append_audit
from proactief.trust.identity import contact_subject

__all__ = [
    "DetailsError",
    "OwnDetails",
    "give_details",
    "is_mobile",
    "may_give",
    "normalise_email",
    "normalise_phone",
    "own_details",
    "read_details",
]


class DetailsError(ValueError):
    """A detail that is not an e-mail address or a phone number; ``veld`` says which."""

    def __init__(self, veld: str, message: str) -> None:
        self.veld = veld
        super().__init__(message)


def normalise_email(text: str) -> str:
    """The address as the provider keeps it. Only its form is checked: asking DNS whether
    the domain takes mail would send the address off this machine."""
    try:
        return str(validate_email(text.strip(), check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise DetailsError(
            "email", "Dit e-mailadres klopt niet. Het ziet eruit als naam@voorbeeld.nl."
        ) from exc


def normalise_phone(text: str) -> str:
    """The number in international form (+31612345678); Dutch numbers may be typed as
    people write them (06 12 34 56 78)."""
    wrong = DetailsError(
        "telefoon", "Dit telefoonnummer klopt niet. Een mobiel nummer ziet eruit als 06 12345678."
    )
    try:
        number = phonenumbers.parse(text.strip(), "NL")
    except phonenumbers.NumberParseException as exc:
        raise wrong from exc
    if not phonenumbers.is_valid_number(number):
        raise wrong
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def is_mobile(number: str) -> bool:
    """An SMS can only go to a mobile number."""
    kind = phonenumbers.number_type(phonenumbers.parse(number, "NL"))
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def may_give(directory: ContactDirectory | None) -> bool:
    """The provider keeps what residents give (else the page does not ask for it)."""
    return isinstance(directory, ContactDetailsWriter)


def _audited(
    conn: Connection,
    *,
    person_pseudonym: str,
    directory: ContactDirectory,
    actor: str,
    actie: str,
    details: dict[str, object],
) -> ContactSubject:
    """Who ``directory`` is asked about, with the read or write in the audit trail under
    ``klantcontact`` (actor, purpose, subject)."""
    subject = contact_subject(
        conn=conn, person_pseudonym=person_pseudonym, directory=directory, actor=actor
    )
    append_audit(
        conn,
        actor=actor,
        actie=actie,
        doel=Doel.KLANTCONTACT.value,
        gegevens="contactgegevens",
        subject=person_pseudonym,
        details={"bron": type(directory).__name__, **details},
    )
    return subject


def read_details(
    *,
    conn: Connection,
    person_pseudonym: str,
    directory: ContactDirectory,
    actor: str,
    ontvanger: str = "inwoner",
    details: dict[str, object] | None = None,
) -> ContactDetails:
    """How to reach the person (or the representative ``ontvanger``), as the provider has
    it now; the read is in the audit trail. Nothing of it is stored (ADR 0004)."""
    subject = _audited(
        conn,
        person_pseudonym=person_pseudonym,
        directory=directory,
        actor=actor,
        actie="lees",
        details=details or {},
    )
    return directory.lookup(subject, ontvanger)


def give_details(
    *,
    conn: Connection,
    person_pseudonym: str,
    directory: ContactDirectory,
    given: GivenDetails,
    actor: str = "inwoner",
) -> None:
    """Hand ``given`` to the provider, in the audit trail in ``conn``'s transaction (a
    provider that fails leaves no entry behind when the caller rolls back)."""
    if not isinstance(directory, ContactDetailsWriter):
        raise TypeError(f"{type(directory).__name__} keeps no details that residents give")
    fields = [f for f in ("email", "telefoon") if getattr(given, f) is not None]
    subject = _audited(
        conn,
        person_pseudonym=person_pseudonym,
        directory=directory,
        actor=actor,
        actie="schrijf",
        details={"velden": fields},
    )
    directory.record_given(subject, given)


@dataclass(frozen=True, slots=True)
class OwnDetails:
    """What the resident's page may show of their details: masked."""

    email: str | None
    telefoon: str | None
    mobiel: bool


def _mask_email(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:2]}•••@{domain}"


def _mask_phone(number: str) -> str:
    return f"een nummer dat eindigt op {number[-2:]}"


def own_details(
    *, conn: Connection, person_pseudonym: str, directory: ContactDirectory, actor: str = "inwoner"
) -> OwnDetails:
    """The resident's own e-mail address and number as the provider has them, masked;
    the read is in the audit trail."""
    found = read_details(
        conn=conn,
        person_pseudonym=person_pseudonym,
        directory=directory,
        actor=actor,
        details={"getoond": "gemaskeerd"},
    )
    return OwnDetails(
        email=_mask_email(found.email) if found.email else None,
        telefoon=_mask_phone(found.telefoon) if found.telefoon else None,
        mobiel=bool(found.telefoon) and _mobile_or_unknown(found.telefoon or ""),
    )


def _mobile_or_unknown(number: str) -> bool:
    try:
        return is_mobile(number)
    except phonenumbers.NumberParseException:
        return False
