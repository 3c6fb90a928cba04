"""Automatic granting as a route: 'wij regelen het voor u, tenzij u nee zegt'.

A regulation is proposed for it only when config/aanpak.yaml ``automatisch_toekennen``
names it with its legal basis, the check and with whom (``offers.account``). The letter or
e-mail that says so records the proposal with its date (``voorgesteld``). A 'no' before
the grant is made records the objection (``bezwaar``). On the date, ``run_grants`` makes
it a task for the team (``te_controleren``): check what the message said would be checked,
with whom it said, and record the outcome (``complete_grant``: ``toegekend`` or
``niet_toegekend``). Proactief does not reach the tax or benefits system; the grant is the
team's decision on record, shown on the case page with its date. A regulation whose basis
is no longer configured lapses (``vervallen``): nothing without its basis."""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.domain.account import OfferAccount
from proactief.domain.records import GrantRecord
from proactief.early_detection import repository as early_repo
from proactief.early_detection.caselog import LogSoort, log_event
from proactief.offers import repository as repo
from proactief.offers.approach import load_approach_config
from proactief.trust.audit import append_audit

log = logging.getLogger(__name__)

__all__ = [
    "GRANTED",
    "LAPSED",
    "NOT_GRANTED",
    "OBJECTED",
    "PROPOSED",
    "TO_CHECK",
    "GrantError",
    "GrantOutcome",
    "complete_grant",
    "grants_of_case",
    "grants_to_check",
    "object_to_grants",
    "propose_grants",
    "run_grants",
]

PROPOSED = "voorgesteld"
TO_CHECK = "te_controleren"
GRANTED = "toegekend"
NOT_GRANTED = "niet_toegekend"
OBJECTED = "bezwaar"
LAPSED = "vervallen"


class GrantError(ValueError):
    """A grant that does not exist or is not waiting for the team's check."""


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


def grants_to_check(conn: Connection) -> list[GrantRecord]:
    """Grants whose day has come: the team checks and records the outcome."""
    return repo.grants_with_status(conn, TO_CHECK)


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
    """The resident said no: every grant of the case not yet made is not made."""
    n = 0
    for grant in repo.grants_of_case(conn, case_id):
        if grant.status in (PROPOSED, TO_CHECK) and repo.decide_grant(
            conn, grant.id, status=OBJECTED, door=door, now=now, from_status=(PROPOSED, TO_CHECK)
        ):
            _audit(conn, grant, "bezwaar", door, now)
            n += 1
    return n


@dataclass(frozen=True, slots=True)
class GrantOutcome:
    grant_id: int
    case_id: int
    regeling: str
    status: str


def run_grants(
    conn: Connection, *, today: date, now: datetime, actor: str = "systeem:toekennen"
) -> list[GrantOutcome]:
    """Proposed grants whose day has come and that had no 'no' become the team's task
    (check, then grant); a regulation whose basis is no longer in config/aanpak.yaml
    lapses instead."""
    allowed = load_approach_config().automatisch_toekennen
    out = []
    for grant in repo.due_grants(conn, today):
        status = TO_CHECK if grant.regeling in allowed else LAPSED
        if repo.decide_grant(conn, grant.id, status=status, door=actor, now=now):
            _audit(conn, grant, "te controleren" if status == TO_CHECK else "vervallen", actor, now)
            out.append(GrantOutcome(grant.id, grant.case_id, grant.regeling, status))
    log.info("automatic grants: %d due", len(out))
    return out


def complete_grant(
    conn: Connection, *, grant_id: int, granted: bool, door: str, now: datetime
) -> GrantOutcome:
    """The team checked what the message said it would (and with whom): record the grant,
    or that it could not be granted."""
    grant = repo.grant_row(conn, grant_id)
    if grant is None:
        raise GrantError(f"Toekenning {grant_id} bestaat niet / grant {grant_id} not found")
    status = GRANTED if granted else NOT_GRANTED
    if not repo.decide_grant(
        conn, grant_id, status=status, door=door, now=now, from_status=(TO_CHECK,)
    ):
        raise GrantError(
            f"Toekenning {grant_id} wacht niet op controle ({grant.status}) / not to check"
        )
    _audit(conn, grant, "toekennen" if granted else "niet toekennen", door, now)
    log_event(
        conn,
        case_id=grant.case_id,
        door=door,
        soort=LogSoort.TOEKENNING,
        tekst=f"{grant.regeling.replace('_', ' ')}: "
        + ("toegekend" if granted else "niet toegekend"),
        now=now,
    )
    return GrantOutcome(grant.id, grant.case_id, grant.regeling, status)
