"""The fixed contact person of a case: assigned by hand, or by the readable rule in
config/toewijzing.yaml. A message names the owner, and promises one only when there is
one (proactief.offers.account)."""

from datetime import datetime
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from proactief.accounts import repository as accounts_repo
from proactief.accounts.users import Rol, active_user_ids
from proactief.config import load_policy, policy_path
from proactief.domain import Doel
from proactief.domain.records import UserRecord
from proactief.early_detection import repository as repo
from proactief.early_detection.caselog import LogSoort, log_event
from proactief.early_detection.households import housemate_cases
from proactief.trust.audit import append_audit

__all__ = [
    "AssignmentConfig",
    "OwnerError",
    "assign_owner",
    "assign_owners",
    "auto_assign",
    "load_assignment",
]


class OwnerError(ValueError):
    """An owner that cannot be assigned (unknown, disabled, or no such case)."""


class AssignmentConfig(BaseModel):
    """config/toewijzing.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    regel: Literal["gelijk_verdelen", "handmatig"]
    rollen: tuple[Rol, ...] = Field(default=(Rol.CONTACTMEDEWERKER,), min_length=1)


@cache
def load_assignment() -> AssignmentConfig:
    """config/toewijzing.yaml (or the municipality's own), checked."""
    return load_policy(policy_path("toewijzing.yaml"), AssignmentConfig)


def _active_user(conn: Connection, gebruikersnaam: str) -> UserRecord:
    """The user who may own cases, or OwnerError."""
    row = accounts_repo.user_by_name(conn, gebruikersnaam)
    if row is None or not row.actief:
        raise OwnerError(
            f"gebruiker '{gebruikersnaam}' bestaat niet of is uitgeschakeld / no such active user"
        )
    return row


def assign_owner(
    *,
    conn: Connection,
    case_id: int,
    gebruikersnaam: str | None,
    actor: str,
    now: datetime | None = None,
) -> int | None:
    """Make a user the case's owner by hand (None: no owner); the user must be active.
    Recorded in the audit trail. Returns the owner's id."""
    user_id = None
    shown = "niemand"
    if gebruikersnaam is not None:
        row = _active_user(conn, gebruikersnaam)
        user_id = row.id
        shown = row.naam or row.gebruikersnaam
    subject = repo.case_subject(conn, case_id)
    if subject is None:
        raise OwnerError(f"zaak {case_id} bestaat niet / case {case_id} not found")
    repo.set_case_owner(conn, case_id, user_id)
    log_event(
        conn,
        case_id=case_id,
        door=actor,
        soort=LogSoort.TOEGEWEZEN,
        tekst=f"Vaste contactpersoon: {shown}",
        now=now,
    )
    append_audit(
        conn,
        actor=actor,
        actie="wijzig",
        doel=Doel.VROEGSIGNALERING.value,
        gegevens="cases.eigenaar_id",
        subject=subject,
        details={"zaak": case_id, "eigenaar": user_id},
        now=now,
    )
    return user_id


def auto_assign(*, conn: Connection, case_id: int, current: int | None) -> int | None:
    """The case's owner after the rule in config/toewijzing.yaml: the current one, or (for
    'gelijk_verdelen') the active user with the fewest open cases. None: no one to assign."""
    if current is not None:
        return current
    cfg = load_assignment()
    if cfg.regel == "handmatig":
        return None
    candidates = active_user_ids(conn, cfg.rollen)
    if not candidates:
        return None
    # one household, one contact person: a housemate's case that has an active owner
    # decides (households.link_households knows the household from the BRP)
    housemate = next(
        (
            owner
            for other in housemate_cases(conn, case_id)
            if (owner := repo.case_owner(conn, other)) is not None and owner in candidates
        ),
        None,
    )
    load = repo.open_cases_per_owner(conn, candidates)
    chosen = housemate or min(candidates, key=lambda uid: (load[uid], uid))
    if not repo.set_case_owner(conn, case_id, chosen, only_if_unowned=True):
        row = repo.case_owner(conn, case_id)
        return row
    log_event(
        conn,
        case_id=case_id,
        door="systeem",
        soort=LogSoort.TOEGEWEZEN,
        tekst=f"Vaste contactpersoon: gebruiker {chosen}, dezelfde als van een huisgenoot "
        "(één aanpak per huishouden)"
        if housemate
        else f"Vaste contactpersoon volgens de toewijzingsregel ({cfg.regel}): gebruiker {chosen}",
    )
    return chosen


def assign_owners(
    *,
    conn: Connection,
    case_ids: list[int],
    gebruikersnaam: str | None,
    actor: str,
) -> tuple[int, int]:
    """Assign many cases at once (bulk, from the work queue): (changed, already so).
    A case that already has this owner is left alone and not logged again."""
    target = None if gebruikersnaam is None else _active_user(conn, gebruikersnaam).id
    changed = unchanged = 0
    for case_id in sorted(set(case_ids)):
        if repo.case_subject(conn, case_id) is not None and (
            repo.case_owner(conn, case_id) == target
        ):
            unchanged += 1
            continue
        assign_owner(conn=conn, case_id=case_id, gebruikersnaam=gebruikersnaam, actor=actor)
        changed += 1
    return changed, unchanged
