"""The identity a contact-detail provider may have: the pseudonym always, the BSN only
when the provider finds people by BSN, read for the purpose ``klantcontact``
(config/doelen.yaml) and written to the audit trail with actor and subject."""

from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.sources.contactgegevens import ContactDirectory, ContactSubject
from proactief.trust import repository as repo
from proactief.trust.access import PersonalDataAccess

__all__ = ["bsn_for_contact", "bsn_for_purpose", "contact_subject", "keep_bsn"]


def keep_bsn(*, conn: Connection, person_pseudonym: str, bsn: str) -> None:
    """Keep the BSN behind a pseudonym in the vault, for a choice recorded by BSN (an
    opt-out by phone): with the BSN the choice stays with the person through a key
    rotation; without it, it would belong to no one (trust.rotation)."""
    repo.insert_identity(conn, person_pseudonym, bsn)


def contact_subject(
    *, conn: Connection, person_pseudonym: str, directory: ContactDirectory, actor: str
) -> ContactSubject:
    """Who ``directory`` is asked about. Raises PurposeViolationError when the
    municipality's doelen.yaml no longer lets ``klantcontact`` read the BSN, or the
    fields a BRP provider asks the register for (``brp.<field>``)."""
    if not directory.needs_bsn:
        return ContactSubject(person_pseudonym)
    asked = [f"brp.{f}" for f in getattr(directory, "brp_fields", ())]
    grant = PersonalDataAccess(conn, doel=Doel.KLANTCONTACT, actor=actor).check(
        ["client_identities.bsn", *asked], subject=person_pseudonym
    )
    return ContactSubject(person_pseudonym, repo.bsn_of_person(grant, person_pseudonym))


def bsn_for_purpose(
    *, conn: Connection, person_pseudonym: str, actor: str, doel: Doel
) -> str | None:
    """The BSN behind a pseudonym for ``doel`` (checked against doelen.yaml, audited), to
    ask another register about the person; None when the vault has none."""
    grant = PersonalDataAccess(conn, doel=doel, actor=actor).check(
        ["client_identities.bsn"], subject=person_pseudonym
    )
    return repo.bsn_of_person(grant, person_pseudonym)


def bsn_for_contact(*, conn: Connection, person_pseudonym: str, actor: str) -> str | None:
    """The BSN behind a pseudonym for the purpose ``klantcontact`` (audited), e.g. to find
    the person's partij in the contact registry; None when the vault has none."""
    return bsn_for_purpose(
        conn=conn, person_pseudonym=person_pseudonym, actor=actor, doel=Doel.KLANTCONTACT
    )
