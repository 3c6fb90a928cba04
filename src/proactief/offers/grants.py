"""Automatic granting as a route: 'wij regelen het voor u, tenzij u nee zegt'.

A regulation is proposed for it only when config/aanpak.yaml ``automatisch_toekennen``
names it with its legal basis, the check and with whom (``offers.account``). The letter or
e-mail that says so records the proposal with its date; a 'no' before that date records
the objection; ``run_grants`` records the grant on the date, and only while the basis is
still configured. The case page shows what will happen on which date."""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.domain.account import OfferAccount
from proactief.domain.records import GrantRecord
from proactief.early_detection import repository as early_repo
from proactief.offers import repository as repo
from proactief.offers.approach import load_approach_config
from proactief.trust.audit import append_audit

log = logging.getLogger(__name__)

__all__ = [
    "GRANTED",
    "OBJECTED",
    "PROPOSED",
    "GrantOutcome",
    "grants_of_case",
    "object_to_grants",
    "propose_grants",
    "run_grants",
]

PROPOSED = "voorgesteld"
GRANTED = "toegekend"
OBJECTED = "bezwaar"
LAPSED = "vervallen"


def propose_grants(conn: Connection, *, case_id: int, account: OfferAccount, now: datetime) -> int:
    """Record the grants a message proposes (once per case and regulation)."""
    n = 0
    for r in account.regelingen:
        if r.automatisch is not None:
            n += repo.insert_grant(
                conn, case_id=case_id, regeling=r.regeling, datum=r.automatisch.datum, now=now
            )
    return n


def grants_of_case(conn: Connection, case_id: int) -> list[GrantRecord]:
    """What will be (or was) granted for a case, and on which date."""
    return repo.grants_of_case(conn, case_id)


def _audit(conn: Connection, grant: GrantRecord, actie: str, actor: str, now: datetime) -> None:
    append_audit(
        conn,
        actor=actor,
        actie=actie,
        doel=Doel.REGELINGENCHECK.value,
        gegevens="automatic_grants",
        subject=early_repo.case_subject(conn, grant.case_id),
        details={"zaak": grant.case_id, "regeling": grant.regeling},
        now=now,
    )


def object_to_grants(conn: Connection, *, case_id: int, door: str, now: datetime) -> int:
    """The resident said no: every grant of the case still proposed is not made."""
    n = 0
    for grant in repo.grants_of_case(conn, case_id):
        if grant.status == PROPOSED and repo.decide_grant(
            conn, grant.id, status=OBJECTED, door=door, now=now
        ):
            _audit(conn, grant, "bezwaar", door, now)
            n += 1
    return n


@dataclass(frozen=True, slots=True)
class GrantOutcome:
    case_id: int
    regeling: str
    status: str


def run_grants(
    conn: Connection, *, today: date, now: datetime, actor: str = "systeem:toekennen"
) -> list[GrantOutcome]:
    """Grant what is due and was not objected to; a regulation whose basis is no longer
    in config/aanpak.yaml lapses instead (nothing is granted without its basis)."""
    allowed = load_approach_config().automatisch_toekennen
    out = []
    for grant in repo.due_grants(conn, today):
        status = GRANTED if grant.regeling in allowed else LAPSED
        if repo.decide_grant(conn, grant.id, status=status, door=actor, now=now):
            _audit(conn, grant, "toekennen" if status == GRANTED else "vervallen", actor, now)
            out.append(GrantOutcome(grant.case_id, grant.regeling, status))
    log.info("automatic grants: %d decided", len(out))
    return out
