"""Who else lives at a resident's address, so a contact worker can approach a household
once: the BRP gives the persons registered there (purpose ``huishouden``), and the page
shows how many they are and which of them have an open case here. No name and no BSN is
shown or kept; each step is in the audit trail."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, select

from proactief.domain import Doel
from proactief.early_detection import repository as repo
from proactief.early_detection.contacts import CaseNotFoundError, case_grant
from proactief.sources.brp import BrpPerson
from proactief.storage.tables import cases
from proactief.trust.access import PersonalDataAccess
from proactief.trust.audit import append_audit
from proactief.trust.identity import bsn_for_purpose
from proactief.trust.purposes import load_purposes

__all__ = ["HouseholdRegister", "Huisgenoten", "co_residents"]


class HouseholdRegister(Protocol):
    """The population register (``sources.brp.BrpClient``)."""

    def residents(self, bsn: str, *, fields: Sequence[str]) -> list[BrpPerson] | None: ...


@dataclass(frozen=True, slots=True)
class Huisgenoten:
    """What the case page says of the household (no personal data of the others)."""

    personen: int | None
    """Persons registered at the address, the resident included; None: no Dutch address
    known in the register."""
    open_zaken: tuple[int, ...] = ()
    """Open cases of the others at the address."""


def co_residents(
    *,
    conn: Connection,
    case_id: int,
    register: HouseholdRegister,
    pseudonymize: Callable[[str], str],
    actor: str,
) -> Huisgenoten:
    """Ask the register who lives at the resident's address (the purpose's 'brp.' fields,
    checked first), and find the open cases of the others by the pseudonyms of their BSNs.

    Raises:
        CaseNotFoundError: no such case.
        BrpError, BrpQueryError: the register could not answer (the message says why).
        PurposeViolationError: doelen.yaml no longer allows this.
    """
    row = repo.get_case_row(case_grant(conn, actor=actor, case_id=case_id), case_id)
    if row is None:
        raise CaseNotFoundError(case_id)
    fields = [
        v.removeprefix("brp.")
        for v in load_purposes()[Doel.HUISHOUDEN].velden
        if v.startswith("brp.")
    ]
    # checked before the register is asked: a field the purpose lost is not asked for
    PersonalDataAccess(conn, doel=Doel.HUISHOUDEN, actor=actor).check(
        [f"brp.{f}" for f in fields], subject=row.person_pseudonym
    )
    bsn = bsn_for_purpose(
        conn=conn, person_pseudonym=row.person_pseudonym, actor=actor, doel=Doel.HUISHOUDEN
    )
    people = register.residents(bsn, fields=fields) if bsn else None
    append_audit(
        conn,
        actor=actor,
        actie="zoek",
        doel=Doel.HUISHOUDEN.value,
        gegevens="brp",
        subject=row.person_pseudonym,
        details={"personen": None if people is None else len(people)},
    )
    if people is None:
        return Huisgenoten(None)
    others = [pseudonymize(p.bsn) for p in people if p.bsn != bsn]
    found = (
        conn.scalars(
            select(cases.c.id)
            .where(
                cases.c.person_pseudonym.in_(others),
                cases.c.eindresultaat.is_(None),
                cases.c.id != case_id,
            )
            .order_by(cases.c.id)
        ).all()
        if others
        else []
    )
    return Huisgenoten(len(people), tuple(found))
