"""A non-take-up scan as the CLI and the web app run it: the population's columns held
against the purpose ``regelingencheck`` (data minimisation), the scan stored in place of
the year's previous one, and the stored scans counted per regulation (aggregates only)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.entitlements import repository as repo
from proactief.entitlements.catalog import regeling_names
from proactief.entitlements.outcomes import record_receipts
from proactief.entitlements.population import PopulationError, ScanResult
from proactief.entitlements.scan import entitlement_rows
from proactief.trust.audit import append_audit
from proactief.trust.purposes import PurposeViolationError, check_fields

__all__ = ["StoredScanRow", "check_minimal", "store_scan", "stored_scans", "years"]


def check_minimal(frame: pd.DataFrame, table: str, label: str) -> None:
    """Refuse a column the entitlement check does not need (data minimisation, AVG 5.1c)."""
    try:
        check_fields(Doel.REGELINGENCHECK, [f"{table}.{c}" for c in frame.columns])
    except PurposeViolationError as exc:
        columns = ", ".join(c.split(".", 1)[1] for c in exc.fields)
        raise PopulationError(
            f"{label}: de kolom(men) {columns} zijn niet nodig voor de regelingencheck; haal "
            f"ze weg (dataminimalisatie) / column(s) {columns} are not needed for the "
            "entitlement check; remove them (data minimisation)"
        ) from exc


def store_scan(
    conn: Connection,
    scan: ScanResult,
    frame: pd.DataFrame,
    *,
    jaar: int,
    actor: str,
    now: datetime | None = None,
) -> int:
    """Replace the stored scan of ``jaar`` with this one, in the audit trail with who ran
    it and how many households it read; how many rows were stored."""
    now = now or datetime.now(UTC)
    rows = entitlement_rows(scan, frame, jaar=jaar, regelingen=regeling_names())
    repo.replace_entitlements(conn, jaar, rows, gescand_op=now)
    # the offers whose household now gets the money (evaluation: money unlocked)
    received = record_receipts(conn, scan.results, now)
    append_audit(
        conn,
        actor=actor,
        actie="scan",
        doel=Doel.REGELINGENCHECK.value,
        gegevens="bevolking",
        details={
            "jaar": jaar,
            "huishoudens": len(frame),
            "opgeslagen": len(rows),
            "aanbod_ontvangen": received,
        },
        now=now,
    )
    return len(rows)


@dataclass(frozen=True, slots=True)
class StoredScanRow:
    """One regulation of one stored scan: how many households miss it, and how much."""

    jaar: int
    regeling: str
    recht_niet_ontvangen: int
    bedrag_per_jaar: float
    mogelijk_recht: int
    gescand_op: datetime


def stored_scans(conn: Connection) -> list[StoredScanRow]:
    """Every stored scan, newest year first, per regulation (counts only: no household)."""
    return [
        StoredScanRow(jaar, regeling, n_missed, cents / 100, n_maybe, when)
        for jaar, regeling, n_missed, cents, n_maybe, when in repo.scan_counts(conn)
    ]


def years(rows: Sequence[StoredScanRow]) -> list[int]:
    """The years with a stored scan, newest first."""
    return sorted({r.jaar for r in rows}, reverse=True)
