"""The audit trail: an append-only, hash-chained log of who read or changed which personal
data for which purpose. Each entry's hash covers the previous entry's hash, so a changed or
removed entry breaks the chain and ``verify_audit`` finds it. Entries name people only by
pseudonym."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from proactief.domain.records import AuditRecord
from proactief.trust import repository as repo

__all__ = ["GENESIS", "AuditProblem", "append_audit", "verify_audit"]

GENESIS = "0" * 64


def _digest(previous: str, entry: dict[str, object]) -> str:
    canonical = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256((previous + canonical).encode()).hexdigest()


def _entry(
    *,
    id: int,
    tijdstip: datetime,
    actor: str,
    actie: str,
    doel: str,
    subject: str | None,
    gegevens: str,
    details: str,
) -> dict[str, object]:
    """What the hash covers: every field of the entry except the hashes themselves."""
    if tijdstip.tzinfo is None:  # SQLite returns naive datetimes
        tijdstip = tijdstip.replace(tzinfo=UTC)
    return {
        "id": id,
        "tijdstip": tijdstip.isoformat(),
        "actor": actor,
        "actie": actie,
        "doel": doel,
        "subject": subject,
        "gegevens": gegevens,
        "details": details,
    }


def _entry_of(row: AuditRecord) -> dict[str, object]:
    return _entry(
        id=row.id,
        tijdstip=row.tijdstip,
        actor=row.actor,
        actie=row.actie,
        doel=row.doel,
        subject=row.subject,
        gegevens=row.gegevens,
        details=row.details,
    )


def append_audit(
    conn: Connection,
    *,
    actor: str,
    actie: str,
    doel: str,
    gegevens: str,
    subject: str | None = None,
    details: dict[str, object] | None = None,
    now: datetime | None = None,
) -> int:
    """Append one entry in the caller's transaction; returns its number."""
    repo.lock_audit_log(conn)
    last = repo.last_audit_link(conn)
    previous = last[1] if last is not None else GENESIS
    number = (last[0] + 1) if last is not None else 1
    tijdstip = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    encoded = json.dumps(details or {}, sort_keys=True, ensure_ascii=False)
    entry = _entry(
        id=number,
        tijdstip=tijdstip,
        actor=actor,
        actie=actie,
        doel=doel,
        subject=subject,
        gegevens=gegevens,
        details=encoded,
    )
    repo.insert_audit_row(
        conn,
        {
            "id": number,
            "tijdstip": tijdstip,
            "actor": actor,
            "actie": actie,
            "doel": doel,
            "subject": subject,
            "gegevens": gegevens,
            "details": encoded,
            "vorige_hash": previous,
            "hash": _digest(previous, entry),
        },
    )
    return number


@dataclass(frozen=True, slots=True)
class AuditProblem:
    """Where the chain breaks."""

    entry: int
    problem: str


def verify_audit(conn: Connection) -> tuple[int, list[AuditProblem]]:
    """Recompute the chain; returns (entries checked, problems found)."""
    previous = GENESIS
    expected_id = 1
    problems: list[AuditProblem] = []
    count = 0
    for row in repo.audit_rows(conn):
        count += 1
        if row.id != expected_id:
            problems.append(
                AuditProblem(
                    row.id,
                    f"regel {expected_id} ontbreekt / entry {expected_id} is missing "
                    f"(next is {row.id})",
                )
            )
        if row.vorige_hash != previous:
            problems.append(
                AuditProblem(
                    row.id,
                    "sluit niet aan op de regel ervoor / does not link to the entry before it",
                )
            )
        if _digest(row.vorige_hash, _entry_of(row)) != row.hash:
            problems.append(
                AuditProblem(
                    row.id,
                    "inhoud is gewijzigd nadat hij is geschreven / its content was changed "
                    "after it was written",
                )
            )
        previous = row.hash
        expected_id = row.id + 1
    return count, problems
