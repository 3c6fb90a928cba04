"""Who else lives at a resident's address, so a contact worker can approach a household
once: the BRP gives the persons registered there (purpose ``huishouden``), and the page
shows how many they are and which of them have an open case here. No name and no BSN is
shown or kept; each step is in the audit trail."""

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, select, update

from proactief.domain import Doel
from proactief.early_detection import repository as repo
from proactief.early_detection.contacts import CaseNotFoundError, case_grant
from proactief.sources.brp import BrpPerson
from proactief.storage.tables import cases
from proactief.trust.access import PersonalDataAccess
from proactief.trust.audit import append_audit
from proactief.trust.identity import bsn_for_purpose
from proactief.trust.purposes import load_purposes

log = logging.getLogger(__name__)

__all__ = ["HouseholdRegister", "Huisgenoten", "co_residents"]


class HouseholdRegister(Protocol):
    """The population register (``sources.brp.BrpClient``)."""

    def residents(self, bsn: str, *, fields: Sequence[str]) -> list[BrpPerson] | None: ...


class AddressRegister(Protocol):
    """The population register's address of a person (``sources.brp.BrpClient``)."""

    def address_of(self, bsn: str, *, fields: Sequence[str]) -> dict[str, Any] | None: ...


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


def _brp_fields() -> list[str]:
    return [
        v.removeprefix("brp.")
        for v in load_purposes()[Doel.HUISHOUDEN].velden
        if v.startswith("brp.")
    ]


def _address_key(address: dict[str, Any]) -> str:
    parts = (
        str(address.get("postcode", "")).replace(" ", "").upper(),
        str(address.get("huisnummer", "")),
        str(address.get("huisletter") or "").upper(),
        str(address.get("huisnummertoevoeging") or "").upper(),
    )
    return "|".join(parts)


Begin = Callable[[], AbstractContextManager[Connection]]


@dataclass(frozen=True, slots=True)
class LinkResult:
    gekoppeld: int = 0
    """Cases that now know their household."""
    zonder_adres: int = 0
    """The register has no Dutch address for the person (tried again at the next run)."""
    mislukt: int = 0

    def summary(self) -> str:
        return (
            f"{self.gekoppeld} zaken aan hun huishouden gekoppeld"
            + (f", {self.zonder_adres} zonder adres" if self.zonder_adres else "")
            + (f", {self.mislukt} mislukt" if self.mislukt else "")
        )


def link_households(
    *,
    begin: Begin,
    register: AddressRegister,
    household_of_address: Callable[[str], str],
    actor: str = "systeem:huishouden",
    limit: int = 1000,
) -> LinkResult:
    """Give every open case without one its household: a keyed hash of the address the
    BRP gives for the resident (purpose huishouden, each read audited; the address is
    not kept). Each case in its own transaction."""
    fields = _brp_fields()
    with begin() as conn:
        ids = list(
            conn.scalars(
                select(cases.c.id)
                .where(cases.c.eindresultaat.is_(None), cases.c.huishouden.is_(None))
                .order_by(cases.c.id)
                .limit(limit)
            )
        )
    linked = unknown = failed = 0
    for case_id in ids:
        try:
            with begin() as conn:
                row = repo.get_case_row(case_grant(conn, actor=actor, case_id=case_id), case_id)
                if row is None:
                    continue
                PersonalDataAccess(conn, doel=Doel.HUISHOUDEN, actor=actor).check(
                    [f"brp.{f}" for f in fields], subject=row.person_pseudonym
                )
                bsn = bsn_for_purpose(
                    conn=conn,
                    person_pseudonym=row.person_pseudonym,
                    actor=actor,
                    doel=Doel.HUISHOUDEN,
                )
                address = register.address_of(bsn, fields=fields) if bsn else None
                if address is None:
                    unknown += 1
                    continue
                conn.execute(
                    update(cases)
                    .where(cases.c.id == case_id)
                    .values(huishouden=household_of_address(_address_key(address)))
                )
                linked += 1
        except Exception as exc:  # the register's errors: the case waits for the next run
            failed += 1
            log.warning("case %d: household not linked (%s)", case_id, type(exc).__name__)
    return LinkResult(linked, unknown, failed)


def housemate_cases(conn: Connection, case_id: int) -> tuple[int, ...]:
    """The other open cases of the case's household (known from an earlier link)."""
    key = conn.scalar(select(cases.c.huishouden).where(cases.c.id == case_id))
    if key is None:
        return ()
    return tuple(
        conn.scalars(
            select(cases.c.id)
            .where(
                cases.c.huishouden == key,
                cases.c.id != case_id,
                cases.c.eindresultaat.is_(None),
            )
            .order_by(cases.c.id)
        )
    )
